"""Follow-up rules: plan compliance, before/after scores and cost per point. Pure Python:
no Flask, no database. Services and queries build the dataclasses; pages and PDFs print them.

* **Compliance rate** of a facility's plan = mean credit of its actions: implemented 1,
  partly 0.5, not implemented 0. Actions found "no longer relevant" and actions the plan
  dropped are left out (they are counted and shown, not scored). With no action left, the
  rate is undefined (``None``, printed "–" with the reason), never 0.
* **Before/after per indicator**: the agreed score of the round (before) against the
  follow-up score (after). The change counts only when both are scores: N/A (or a missing
  score) on either side gives no change, and the line says so.
* **Before/after per area**, with the scoring rule of :mod:`shelterassess.assessments.domain`
  (mean of the applicable scores / 3 x 100): *before* is the agreed area; *after* is the same
  area with the re-scored indicators at their follow-up score and the others still at their
  agreed score. Only the areas the follow-up touched are listed.
* **Points gained** = the sum of the indicator changes (may be negative: scores can fall).
* **Cost per point gained** = the cost estimates (whole đồng) of the actions implemented or
  partly implemented, in full (see docs/decisions.md), divided by the points gained on the
  indicators those actions are linked to (each indicator once). Undefined when no such action
  exists, or when those points are 0 or fewer: no division by zero, and never a negative
  cost per point (when scores fell, the page says they fell).

Exact arithmetic (``fractions.Fraction``); display rounds half-up once.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Mapping, Sequence

from shelterassess.assessments.domain import Answer, AreaScore, AreaSpec, exact_percentage, score_area

# The outcome values (same strings as followups.models.ActionOutcome; a test checks it).
IMPLEMENTED = "implemented"
PARTLY = "partly"
NOT_IMPLEMENTED = "not_implemented"
NOT_RELEVANT = "not_relevant"
OUTCOMES = (IMPLEMENTED, PARTLY, NOT_IMPLEMENTED, NOT_RELEVANT)

#: Credit of each outcome in the compliance rate ("no longer relevant" is left out).
CREDIT = {IMPLEMENTED: Fraction(1), PARTLY: Fraction(1, 2), NOT_IMPLEMENTED: Fraction(0)}
#: Outcomes whose cost counts as spent (in full: a partly implemented action spent its money too).
SPENT = (IMPLEMENTED, PARTLY)


class ComplianceUndefined(str, enum.Enum):
    NO_ACTIONS = "no_actions"            # the plan has no action that is not dropped
    ALL_NOT_RELEVANT = "all_not_relevant"  # every remaining action was found no longer relevant
    NOT_RECORDED = "not_recorded"        # no outcome recorded yet


class CostUndefined(str, enum.Enum):
    NOTHING_DONE = "nothing_done"  # no action implemented or partly implemented
    NO_POINTS = "no_points"        # their indicators gained no point (unchanged, or N/A)
    SCORES_FELL = "scores_fell"    # their indicators lost points overall


class NoChange(str, enum.Enum):
    """Why an indicator's change is not counted."""

    NA_BEFORE = "na_before"
    NA_AFTER = "na_after"
    MISSING_BEFORE = "missing_before"
    MISSING_AFTER = "missing_after"


@dataclass(frozen=True)
class ActionFinding:
    """One plan action as the follow-up found it."""

    action_id: int
    outcome: str | None  # one of OUTCOMES, None while not recorded
    dropped: bool = False
    cost_vnd: int = 0
    indicator_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Compliance:
    rate: Fraction | None  # 0..1, None when undefined
    implemented: int
    partly: int
    not_implemented: int
    not_relevant: int
    dropped: int
    not_recorded: int
    undefined_reason: ComplianceUndefined | None

    @property
    def counted(self) -> int:
        """Actions in the rate's denominator."""
        return self.implemented + self.partly + self.not_implemented

    @property
    def percentage(self) -> float | None:
        return None if self.rate is None else float(self.rate * 100)


def compliance_from_counts(implemented: int, partly: int, not_implemented: int) -> Fraction | None:
    """The rate from outcome counts (used by the national SQL aggregates too)."""
    counted = implemented + partly + not_implemented
    if counted <= 0:
        return None
    return (implemented * CREDIT[IMPLEMENTED] + partly * CREDIT[PARTLY]) / counted


def compliance(findings: Iterable[ActionFinding]) -> Compliance:
    findings = list(findings)
    live = [f for f in findings if not f.dropped]
    count = {o: sum(f.outcome == o for f in live) for o in OUTCOMES}
    not_recorded = sum(f.outcome not in OUTCOMES for f in live)
    rate = compliance_from_counts(count[IMPLEMENTED], count[PARTLY], count[NOT_IMPLEMENTED])
    reason = None
    if rate is None:
        if not live:
            reason = ComplianceUndefined.NO_ACTIONS
        elif count[NOT_RELEVANT]:
            reason = ComplianceUndefined.ALL_NOT_RELEVANT
        else:
            reason = ComplianceUndefined.NOT_RECORDED
    return Compliance(rate, count[IMPLEMENTED], count[PARTLY], count[NOT_IMPLEMENTED], count[NOT_RELEVANT],
                      len(findings) - len(live), not_recorded, reason)


# -- before and after -------------------------------------------------------------

@dataclass(frozen=True)
class IndicatorChange:
    key: str
    area_key: str
    before: Answer
    after: Answer
    change: int | None  # after minus before, None when not counted
    no_change_reason: NoChange | None


@dataclass(frozen=True)
class AreaChange:
    key: str
    before: Fraction | None  # percentage
    after: Fraction | None
    rescored: int  # indicators of the area the follow-up re-scored

    @property
    def difference(self) -> Fraction | None:
        """In percentage points (after minus before); None when either side has no percentage."""
        return None if self.before is None or self.after is None else self.after - self.before


@dataclass(frozen=True)
class BeforeAfter:
    indicators: tuple[IndicatorChange, ...]
    areas: tuple[AreaChange, ...]
    #: The whole sheet: agreed before, and after with the re-scored indicators replaced.
    overall_before: Fraction | None
    overall_after: Fraction | None

    @property
    def points_gained(self) -> int:
        return sum(i.change for i in self.indicators if i.change is not None)

    @property
    def not_counted(self) -> int:
        return sum(i.change is None for i in self.indicators)

    def changes(self) -> dict[str, int | None]:
        return {i.key: i.change for i in self.indicators}


def indicator_change(before: Answer | None, after: Answer | None) -> tuple[int | None, NoChange | None]:
    """(after - before, None), or (None, why it is not counted)."""
    if before is None or not before.answered:
        return None, NoChange.MISSING_BEFORE
    if before.not_applicable:
        return None, NoChange.NA_BEFORE
    if after is None or not after.answered:
        return None, NoChange.MISSING_AFTER
    if after.not_applicable:
        return None, NoChange.NA_AFTER
    return after.value - before.value, None  # type: ignore[operator]


def _area_percentage(area: AreaSpec, answers: Mapping[str, Answer]) -> Fraction | None:
    given = [answers.get(ind.key, Answer()) for ind in area.indicators]
    return exact_percentage(a.value for a in given if not a.not_applicable)


def _overall(areas: Sequence[AreaSpec], answers: Mapping[str, Answer]) -> Fraction | None:
    existing = [p for p in (_area_percentage(a, answers) for a in areas) if p is not None]
    return sum(existing) / len(existing) if existing else None


def _carried(before: Mapping[str, Answer], after: Mapping[str, Answer]) -> dict[str, Answer]:
    """The agreed answers with the re-scored indicators replaced (one not re-scored yet keeps its agreed answer)."""
    return {**before, **{k: a for k, a in after.items() if a.answered}}


def before_after(areas: Sequence[AreaSpec], before: Mapping[str, Answer], after: Mapping[str, Answer]) -> BeforeAfter:
    """``before``: the agreed answers of the whole sheet; ``after``: the follow-up answers of the
    re-scored indicators only (keys of ``after`` are the re-scored indicators)."""
    carried = _carried(before, after)
    lines, area_lines = [], []
    for area in areas:
        keys = [ind.key for ind in area.indicators if ind.key in after]
        for key in keys:
            change, reason = indicator_change(before.get(key), after.get(key))
            lines.append(IndicatorChange(key, area.key, before.get(key, Answer()), after[key], change, reason))
        if keys:
            area_lines.append(AreaChange(area.key, _area_percentage(area, before), _area_percentage(area, carried),
                                         len(keys)))
    return BeforeAfter(tuple(lines), tuple(area_lines), _overall(areas, before), _overall(areas, carried))


def after_area_scores(areas: Sequence[AreaSpec], before: Mapping[str, Answer],
                      after: Mapping[str, Answer]) -> list[tuple[int, AreaScore]]:
    """(position in the sheet, area score after the visit) for each area the follow-up re-scored:
    the re-scored indicators at their new score, the others at their agreed score. These are the
    area results a submitted follow-up stores."""
    carried = _carried(before, after)
    return [(pos, score_area(area, carried)) for pos, area in enumerate(areas, start=1)
            if any(ind.key in after for ind in area.indicators)]


def red_flags_after(areas: Sequence[AreaSpec], after: Mapping[str, Answer]) -> list[str]:
    """Re-scored critical indicators at or below their red-flag level at the follow-up."""
    return [ind.key for area in areas for ind in area.indicators
            if ind.key in after and ind.flags(after[ind.key].value)]


# -- cost per point -------------------------------------------------------------------

@dataclass(frozen=True)
class CostPerPoint:
    spent_vnd: int  # cost estimates of the implemented and partly implemented actions
    points: int  # points gained on the indicators of those actions (each indicator once)
    value: Fraction | None  # đồng per point, None when undefined
    undefined_reason: CostUndefined | None

    @property
    def rounded_vnd(self) -> int | None:
        """Whole đồng, rounded half up."""
        if self.value is None:
            return None
        return int((self.value * 2 + 1) // 2)


def cost_per_point_from_totals(spent_vnd: int, points: int, any_spent_action: bool = True) -> CostPerPoint:
    if not any_spent_action:
        return CostPerPoint(spent_vnd, points, None, CostUndefined.NOTHING_DONE)
    if points == 0:
        return CostPerPoint(spent_vnd, points, None, CostUndefined.NO_POINTS)
    if points < 0:
        return CostPerPoint(spent_vnd, points, None, CostUndefined.SCORES_FELL)
    return CostPerPoint(spent_vnd, points, Fraction(spent_vnd, points), None)


def cost_per_point(findings: Iterable[ActionFinding], changes: Mapping[str, int | None]) -> CostPerPoint:
    """``changes``: indicator key -> change (from :func:`before_after`), None when not counted."""
    spent = [f for f in findings if not f.dropped and f.outcome in SPENT]
    keys = {k for f in spent for k in f.indicator_keys}
    points = sum(changes.get(k) or 0 for k in keys)
    return cost_per_point_from_totals(sum(f.cost_vnd for f in spent), points, bool(spent))


# -- the visit form ---------------------------------------------------------------------

def missing_answers(findings: Iterable[ActionFinding], after: Mapping[str, Answer],
                    linked_keys: Iterable[str]) -> tuple[list[int], list[str]]:
    """(actions without an outcome, linked indicators without a score or N/A), to refuse a submission."""
    actions = [f.action_id for f in findings if not f.dropped and f.outcome not in OUTCOMES]
    indicators = [k for k in linked_keys if k not in after or not after[k].answered]
    return actions, indicators
