"""The fund allocation rule. Pure Python: no Flask, no database. The formula is stated in
docs/allocation.md; this module is its executable form.

* **Need weight** of a facility with a finalised agreed result (:func:`need_weights`):
  ``(100 − overall %) + red_flag_weight × red flags``, the overall percentage taken as
  published (rounded half-up to one decimal); with capacity on, multiplied by
  ``capacity / mean capacity`` of the facilities weighed. Multiplying every weight by the same
  number changes no amount, so the division by the mean only keeps weights on the scale of
  percentage points, comparable between scenarios.
* **Groups** (:func:`allocate`): each category with an envelope is a group of its own, whose
  budget is its envelope; the categories without an envelope form one group sharing what the
  budget leaves once the enveloped categories have taken their amounts.
* **Water-filling** in a group (:func:`water_fill`), in whole rounding units: shares in
  proportion to weight, each facility capped at its request in the group (each category's
  request rounded down to the unit); what capped facilities cannot take is shared again among
  the others. Shares are rounded down to the unit and the units left over go one at a time to
  the uncapped facilities with the largest weight (ties: the smaller key, i.e. facility code).
* A facility's amount in a group of several categories is split across them in proportion to
  its requests (:func:`split_units`, largest remainder, ties in category order).

Exact arithmetic throughout (``fractions.Fraction`` and integers); money is whole đồng.
"""
from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Mapping, Sequence

from shelterassess.assessments.domain import round_half_up_decimal
from shelterassess.plans.domain import CATEGORIES, Problem

#: The largest budget (and envelope, and adjusted amount): ten trillion đồng, far above any
#: national improvement budget and far below a slip of the finger that adds four zeros.
MAX_BUDGET_VND = 10_000_000_000_000
MAX_RED_FLAG_WEIGHT = 100
REASON_MIN = 5
REASON_MAX = 1000
NAME_MAX = 200

DRAFT, APPROVED, REOPENED = "draft", "approved", "reopened"
STATUSES = (DRAFT, APPROVED, REOPENED)
EDITABLE = (DRAFT, REOPENED)


# -- amounts as people type them -------------------------------------------------------------

class AmountError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


_CURRENCY = re.compile(r"\s*(₫|đ|vnd|vnđ|đồng|dong)\s*$", re.IGNORECASE)
_GROUPED = re.compile(r"\d{1,3}([ .,\u00a0\u202f'])\d{3}(?:\1\d{3})*")
_DIGITS_AND_SEPARATORS = re.compile(r"\d[\d .,\u00a0\u202f']*\d|\d")


def parse_amount(text: str | None, maximum: int = MAX_BUDGET_VND) -> int:
    """Whole đồng from what was typed ("1500000", "1.500.000", "1,500,000", "1 500 000 đ"), read
    as :func:`shelterassess.plans.money.parse_cost` reads a cost, with a larger upper bound.
    :class:`AmountError` codes: ``amount_missing``, ``amount_negative``, ``amount_decimal``,
    ``amount_not_a_number``, ``amount_too_large``."""
    typed = _CURRENCY.sub("", unicodedata.normalize("NFC", text or "").strip()).strip()
    if not typed:
        raise AmountError("amount_missing")
    negative = typed[:1] in ("-", "−", "–")
    body = typed[1:].strip() if negative else typed
    if len(body) > 40 or not _DIGITS_AND_SEPARATORS.fullmatch(body):
        raise AmountError("amount_not_a_number")
    if negative and int(re.sub(r"\D", "", body)) != 0:
        raise AmountError("amount_negative")
    if not (body.isdigit() or _GROUPED.fullmatch(body)):
        raise AmountError("amount_decimal")
    value = int(re.sub(r"\D", "", body))
    if value > maximum:
        raise AmountError("amount_too_large")
    return value


# -- need weight -------------------------------------------------------------------------------

@dataclass(frozen=True)
class NeedInput:
    """A facility's finalised agreed result as the rule reads it."""

    key: str
    overall_tenths: int  # the overall agreed percentage in tenths, as published (62.5 % -> 625)
    red_flags: int
    capacity: int


def tenths(percentage: float | Fraction) -> int:
    """A percentage rounded half-up to one decimal, in tenths (what the results pages show)."""
    return int(round_half_up_decimal(percentage, 1).scaleb(1))


def base_weight(need: NeedInput, red_flag_weight: int) -> Fraction:
    return Fraction(1000 - need.overall_tenths, 10) + red_flag_weight * need.red_flags


def mean_capacity(needs: Sequence[NeedInput]) -> Fraction:
    return Fraction(sum(n.capacity for n in needs), len(needs)) if needs else Fraction(0)


def need_weights(needs: Sequence[NeedInput], red_flag_weight: int, use_capacity: bool) -> dict[str, Fraction]:
    """Key -> need weight (exact). With capacity, a mean capacity of 0 gives every weight 0."""
    weights = {n.key: base_weight(n, red_flag_weight) for n in needs}
    if not use_capacity:
        return weights
    mean = mean_capacity(needs)
    return {n.key: weights[n.key] * n.capacity / mean if mean else Fraction(0) for n in needs}


# -- allocation --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    key: str  # the facility code: ties go to the smaller key
    weight: Fraction
    requests: Mapping[str, int]  # category -> whole đồng


@dataclass(frozen=True)
class Rules:
    budget: int
    unit: int
    envelopes: Mapping[str, int | None]  # category -> envelope, or None (no envelope)

    def envelope(self, category: str) -> int | None:
        return self.envelopes.get(category)


@dataclass(frozen=True)
class GroupResult:
    categories: tuple[str, ...]
    available: int  # đồng the group could spend: its envelope, or what the budget leaves
    spent: int
    #: The exact share of one weight point, in đồng (None when nobody shares: no claim, or all capped).
    per_weight: Fraction | None
    capped: frozenset[str]  # keys that receive their whole request (to the unit)

    @property
    def unallocated(self) -> int:
        return self.available - self.spent


@dataclass(frozen=True)
class Allocation:
    amounts: Mapping[tuple[str, str], int]  # (key, category) -> whole đồng
    groups: tuple[GroupResult, ...]

    def amount(self, key: str, category: str) -> int:
        return self.amounts.get((key, category), 0)

    @property
    def total(self) -> int:
        return sum(self.amounts.values())

    def by_category(self) -> dict[str, int]:
        return {c: sum(v for (_k, cat), v in self.amounts.items() if cat == c) for c in CATEGORIES}

    def by_key(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for (key, _c), value in self.amounts.items():
            totals[key] = totals.get(key, 0) + value
        return totals


@dataclass(frozen=True)
class Fill:
    units: dict[str, int]
    level: Fraction | None  # units per weight point of the exact share
    capped: frozenset[str]


def water_fill(units: int, claims: Sequence[tuple[str, Fraction, int]]) -> Fill:
    """Share ``units`` among ``(key, weight, cap)`` claims in proportion to weight, never above
    a cap; leftover units one at a time to the uncapped claims with the largest weight (ties: the
    smaller key). Claims with weight 0 or cap 0 get nothing."""
    result = {key: 0 for key, _w, _c in claims}
    active = [(key, weight, cap) for key, weight, cap in claims if weight > 0 and cap > 0]
    if sum(cap for _k, _w, cap in active) <= units:
        result.update({key: cap for key, _w, cap in active})
        return Fill(result, None, frozenset(key for key, _w, _c in active))
    remaining, weight_left = Fraction(units), sum((w for _k, w, _c in active), Fraction(0))
    capped: set[str] = set()
    for key, weight, cap in sorted(active, key=lambda c: (Fraction(c[2]) / c[1], c[0])):
        if cap * weight_left > remaining * weight:  # its share remaining·w/W is below its cap
            break
        capped.add(key)
        result[key] = cap
        remaining -= cap
        weight_left -= weight
    level = remaining / weight_left
    uncapped = [(key, weight) for key, weight, _c in active if key not in capped]
    for key, weight in uncapped:
        result[key] = int(level * weight)  # floor: shares are not negative
    leftover = units - sum(result.values())
    assert 0 <= leftover < max(len(uncapped), 1)  # nosec B101 # an invariant, not an input check
    for key, _w in sorted(uncapped, key=lambda c: (-c[1], c[0]))[:leftover]:
        result[key] += 1
    return Fill(result, level, frozenset(capped))


def split_units(units: int, caps: Mapping[str, int]) -> dict[str, int]:
    """``units`` across categories in proportion to their ``caps`` (never above one), rounded
    down, the units left over by largest remainder, ties in category order."""
    total = sum(caps.values())
    if units >= total or units == 0:
        return dict(caps) if units >= total else {c: 0 for c in caps}
    exact = {c: Fraction(units * cap, total) for c, cap in caps.items()}
    result = {c: int(q) for c, q in exact.items()}
    leftover = units - sum(result.values())
    order = sorted(caps, key=lambda c: (-(exact[c] - result[c]), CATEGORIES.index(c)))
    for c in order[:leftover]:
        result[c] += 1
    return result


def groups_of(rules: Rules) -> list[tuple[str, ...]]:
    """The enveloped categories one by one (category order), then the others together."""
    enveloped = [(c,) for c in CATEGORIES if rules.envelope(c) is not None]
    pooled = tuple(c for c in CATEGORIES if rules.envelope(c) is None)
    return enveloped + ([pooled] if pooled else [])


def allocate(claims: Sequence[Claim], rules: Rules) -> Allocation:
    """The proposal: see the module docstring and docs/allocation.md."""
    problems = rules_problems(rules)
    if problems:
        raise ValueError(", ".join(p.code for p in problems))
    amounts: dict[tuple[str, str], int] = {}
    groups: list[GroupResult] = []
    left = rules.budget
    for categories in groups_of(rules):
        envelope = rules.envelope(categories[0]) if len(categories) == 1 else None
        available = envelope if envelope is not None else left
        group = _fill_group(claims, categories, available, rules.unit, amounts)
        groups.append(group)
        left -= group.spent
    return Allocation(amounts, tuple(groups))


def _fill_group(claims: Sequence[Claim], categories: tuple[str, ...], available: int, unit: int,
                amounts: dict[tuple[str, str], int]) -> GroupResult:
    caps = {c.key: {cat: c.requests.get(cat, 0) // unit for cat in categories} for c in claims}
    fill = water_fill(available // unit, [(c.key, c.weight, sum(caps[c.key].values())) for c in claims])
    for claim in claims:
        for cat, units in split_units(fill.units[claim.key], caps[claim.key]).items():
            amounts[(claim.key, cat)] = units * unit
    spent = sum(fill.units.values()) * unit
    per_weight = None if fill.level is None else fill.level * unit
    return GroupResult(categories, available, spent, per_weight, fill.capped)


def rules_problems(rules: Rules) -> list[Problem]:
    """What makes the rules unusable: a budget or envelope out of range, a unit below 1 or
    above the budget (it would allocate nothing), envelopes adding up to more than the budget."""
    problems = []
    if not 0 <= rules.budget <= MAX_BUDGET_VND:
        problems.append(Problem("budget", "amount_too_large" if rules.budget > 0 else "amount_negative"))
    if rules.unit < 1 or (rules.budget > 0 and rules.unit > rules.budget):
        problems.append(Problem("rounding_unit", "unit_range"))
    for category in CATEGORIES:
        value = rules.envelope(category)
        if value is not None and not 0 <= value <= MAX_BUDGET_VND:
            problems.append(Problem(f"envelope_{category}", "amount_negative" if value < 0 else "amount_too_large"))
    total = sum(v for v in rules.envelopes.values() if v is not None)
    if not problems and total > rules.budget:
        problems.append(Problem("envelope_" + next(c for c in reversed(CATEGORIES) if rules.envelope(c) is not None),
                                "envelopes_above_budget", (("total", total), ("budget", rules.budget))))
    return problems


# -- adjustments ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    key: str
    category: str
    request: int
    amount: int  # the amount as it stands (adjusted, or proposed)


def adjustment_problems(lines: Sequence[Line], key: str, category: str, new_amount: int,
                        rules: Rules) -> list[Problem]:
    """Whether ``(key, category)`` may be set to ``new_amount``: never negative, never above its
    request, and the totals never above the budget nor the category's envelope."""
    if new_amount < 0:
        return [Problem("amount", "amount_negative")]
    line = next(ln for ln in lines if ln.key == key and ln.category == category)
    if new_amount > line.request:
        return [Problem("amount", "above_request", (("request", line.request),))]
    others = [ln for ln in lines if (ln.key, ln.category) != (key, category)]
    total = sum(ln.amount for ln in others) + new_amount
    if total > rules.budget:
        return [Problem("amount", "above_budget", (("over", total - rules.budget), ("budget", rules.budget)))]
    envelope = rules.envelope(category)
    in_category = sum(ln.amount for ln in others if ln.category == category) + new_amount
    if envelope is not None and in_category > envelope:
        return [Problem("amount", "above_envelope", (("over", in_category - envelope), ("envelope", envelope)))]
    return []


def reason_problems(reason: str | None, field: str = "reason") -> list[Problem]:
    text = (reason or "").strip()
    if len(text) < REASON_MIN:
        return [Problem(field, "reason_missing", (("min", REASON_MIN),))]
    if len(text) > REASON_MAX:
        return [Problem(field, "too_long", (("max", REASON_MAX),))]
    return []


# -- money per point gained at follow-up -----------------------------------------------------------

class PerPointUndefined(str, enum.Enum):
    NO_VISIT = "no_visit"        # no submitted follow-up visit of the facility's plan yet
    NO_POINTS = "no_points"      # the visit found no point gained
    SCORES_FELL = "scores_fell"  # scores fell overall: never a negative figure


@dataclass(frozen=True)
class PerPoint:
    allocated: int
    points: int | None  # None: no follow-up visit
    value: Fraction | None
    undefined_reason: PerPointUndefined | None

    @property
    def rounded_vnd(self) -> int | None:
        return None if self.value is None else int((self.value * 2 + 1) // 2)


def money_per_point(allocated: int, points: int | None) -> PerPoint:
    """Đồng allocated per agreed-score point gained at follow-up; undefined without a visit,
    with no point gained, or when scores fell."""
    if points is None:
        return PerPoint(allocated, None, None, PerPointUndefined.NO_VISIT)
    if points == 0:
        return PerPoint(allocated, points, None, PerPointUndefined.NO_POINTS)
    if points < 0:
        return PerPoint(allocated, points, None, PerPointUndefined.SCORES_FELL)
    return PerPoint(allocated, points, Fraction(allocated, points), None)


def national_money_per_point(rows: Iterable[tuple[int, int | None]]) -> PerPoint:
    """Pooled over the facilities with a follow-up visit: their allocations ÷ their points."""
    visited = [(a, p) for a, p in rows if p is not None]
    if not visited:
        return money_per_point(0, None)
    return money_per_point(sum(a for a, _p in visited), sum(p for _a, p in visited))
