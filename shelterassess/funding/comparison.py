"""Two proposals side by side: the round's parameters or a scenario's, on the same snapshot of
results and requests, per facility and category, with the totals."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from shelterassess.funding import domain
from shelterassess.funding.models import FundingRound, FundingScenario
from shelterassess.funding.queries import Parameters, allocation_for, weights
from shelterassess.plans.domain import CATEGORIES

CURRENT = "current"


@dataclass(frozen=True)
class Side:
    key: str  # "current" or a scenario id
    name: str
    parameters: Parameters
    allocation: domain.Allocation
    weights: dict[str, Fraction]
    totals: dict[str, int]  # facility code -> its total


@dataclass(frozen=True)
class CompareLine:
    code: str
    name: str
    category: str
    request_vnd: int
    a: int
    b: int

    @property
    def difference(self) -> int:
        return self.b - self.a


@dataclass(frozen=True)
class Comparison:
    a: Side
    b: Side
    lines: tuple[CompareLine, ...]
    facilities: tuple[tuple[str, str], ...]  # (code, name) of the weighed facilities

    def total(self, side: Side, category: str | None = None) -> int:
        by_category = side.allocation.by_category()
        return by_category[category] if category else sum(by_category.values())


def side(fround: FundingRound, key: str, current_name: str) -> Side | None:
    """The round's own parameters (``key`` "current") or one of its scenarios (``key`` its id)."""
    if key == CURRENT:
        params, name = Parameters.of(fround), current_name
    else:
        scenario = next((s for s in fround.scenarios if str(s.id) == key), None)
        if scenario is None:
            return None
        params, name = Parameters.of(scenario), scenario.name
    allocation = allocation_for(fround, params)
    return Side(key, name, params, allocation, weights(fround, params), allocation.by_key())


def compare(fround: FundingRound, a: Side, b: Side) -> Comparison:
    lines = []
    weighed = sorted((ff for ff in fround.facilities if ff.has_result), key=lambda ff: ff.facility.code)
    for ff in weighed:
        code = ff.facility.code
        requested = {ln.category: ln.request_vnd for ln in ff.lines}
        for c in CATEGORIES:
            amount_a, amount_b = a.allocation.amount(code, c), b.allocation.amount(code, c)
            if requested.get(c, 0) or amount_a or amount_b:
                lines.append(CompareLine(code, ff.facility.name, c, requested.get(c, 0), amount_a, amount_b))
    return Comparison(a, b, tuple(lines), tuple((ff.facility.code, ff.facility.name) for ff in weighed))


def scenario_choices(fround: FundingRound, current_name: str) -> list[tuple[str, str]]:
    return [(CURRENT, current_name)] + [(str(s.id), s.name) for s in fround.scenarios]


def default_pair(scenarios: list[FundingScenario]) -> tuple[str, str]:
    """The round's parameters against the latest scenario (or itself when there is none)."""
    return CURRENT, str(scenarios[-1].id) if scenarios else CURRENT
