"""The national compliance table of a round: for each facility with a submitted follow-up visit
(its latest one), compliance, points gained and cost per point, by province, with totals.

The counts and sums come from SQL aggregates (three queries per round, whatever the number of
facilities); the rates are then computed by the same functions as one facility's page
(:func:`domain.compliance_from_counts`, :func:`domain.cost_per_point_from_totals`), so the two
always agree. Province and national totals pool the actions and points of their facilities.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Mapping

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from shelterassess.assessments.models import Score
from shelterassess.facilities.models import Facility, Province
from shelterassess.followups import domain
from shelterassess.followups.models import FollowUpActionResult, FollowUpVisit, VisitStatus
from shelterassess.i18n import localized
from shelterassess.plans.models import ActionStatus, ImprovementPlan, PlanAction, plan_action_indicator
from shelterassess.web.pagination import Page, bounded_number, page_size, requested_page


@dataclass(frozen=True)
class Figures:
    implemented: int = 0
    partly: int = 0
    not_implemented: int = 0
    not_relevant: int = 0
    points_gained: int = 0
    spent_vnd: int = 0
    spent_actions: int = 0
    points_for_cost: int = 0  # on the indicators of the implemented and partly implemented actions

    @property
    def compliance(self) -> Fraction | None:
        return domain.compliance_from_counts(self.implemented, self.partly, self.not_implemented)

    @property
    def compliance_pct(self) -> float | None:
        rate = self.compliance
        return None if rate is None else float(rate * 100)

    @property
    def cost(self) -> domain.CostPerPoint:
        return domain.cost_per_point_from_totals(self.spent_vnd, self.points_for_cost, self.spent_actions > 0)

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(*(a + b for a, b in zip(self._values(), other._values())))

    def _values(self) -> tuple[int, ...]:
        return (self.implemented, self.partly, self.not_implemented, self.not_relevant, self.points_gained,
                self.spent_vnd, self.spent_actions, self.points_for_cost)


@dataclass(frozen=True)
class FacilityRow:
    visit_id: int
    facility_code: str
    facility_name: str
    visited_on: dt.date | None
    figures: Figures


@dataclass(frozen=True)
class ProvinceGroup:
    name: str
    rows: tuple[FacilityRow, ...]
    totals: Figures


@dataclass(frozen=True)
class ComplianceTable:
    groups: tuple[ProvinceGroup, ...]
    totals: Figures
    facilities: int = field(default=0)


SPENT = list(domain.SPENT)
LIVE = PlanAction.status != ActionStatus.DROPPED.value


def latest_submitted_visits(round_id: int):
    """Ids of each plan's latest submitted visit in the round (a subquery)."""
    ranked = (
        select(FollowUpVisit.id.label("visit_id"), func.row_number().over(
            partition_by=FollowUpVisit.plan_id, order_by=(FollowUpVisit.visited_on.desc(), FollowUpVisit.id.desc()),
        ).label("n"))
        .join(ImprovementPlan, FollowUpVisit.plan_id == ImprovementPlan.id)
        .where(ImprovementPlan.round_id == round_id, FollowUpVisit.status == VisitStatus.SUBMITTED.value)
        .subquery()
    )
    return select(ranked.c.visit_id).where(ranked.c.n == 1)


def _outcome_counts(session: Session, visits) -> dict[int, tuple[int, ...]]:
    outcome = FollowUpActionResult.outcome

    def count(value):
        return func.sum(case((outcome == value, 1), else_=0))

    rows = session.execute(
        select(FollowUpActionResult.visit_id, count(domain.IMPLEMENTED), count(domain.PARTLY),
               count(domain.NOT_IMPLEMENTED), count(domain.NOT_RELEVANT),
               func.sum(case((outcome.in_(SPENT), PlanAction.cost_vnd), else_=0)),
               func.sum(case((outcome.in_(SPENT), 1), else_=0)))
        .join(PlanAction, PlanAction.id == FollowUpActionResult.action_id)
        .where(FollowUpActionResult.visit_id.in_(visits), LIVE)
        .group_by(FollowUpActionResult.visit_id)
    )
    return {visit_id: tuple(int(v or 0) for v in values) for visit_id, *values in rows}


def _points(session: Session, visits) -> dict[int, tuple[int, int]]:
    """visit id -> (points gained on the linked indicators, points on those of spent actions).

    Counted only where the agreed and the follow-up score are both scores (not N/A, not missing),
    over the indicators linked to an action not dropped, each indicator once."""
    after, before = aliased(Score), aliased(Score)
    linked = aliased(plan_action_indicator)
    live_link = exists().where(linked.c.indicator_id == after.indicator_id, linked.c.action_id == PlanAction.id,
                               PlanAction.plan_id == ImprovementPlan.id, LIVE)
    spent_link = exists().where(
        plan_action_indicator.c.indicator_id == after.indicator_id,
        plan_action_indicator.c.action_id == FollowUpActionResult.action_id,
        FollowUpActionResult.visit_id == FollowUpVisit.id, FollowUpActionResult.outcome.in_(SPENT),
        PlanAction.id == FollowUpActionResult.action_id, LIVE,
    )
    change = after.value - before.value
    rows = session.execute(
        select(FollowUpVisit.id, func.sum(change), func.sum(case((spent_link, change), else_=0)))
        .join(ImprovementPlan, FollowUpVisit.plan_id == ImprovementPlan.id)
        .join(after, after.assessment_id == FollowUpVisit.assessment_id)
        .join(before, and_(before.assessment_id == ImprovementPlan.agreed_id, before.indicator_id == after.indicator_id))
        .where(FollowUpVisit.id.in_(visits), live_link, after.value.is_not(None), before.value.is_not(None),
               after.not_applicable.is_(False), before.not_applicable.is_(False))
        .group_by(FollowUpVisit.id)
    )
    return {visit_id: (int(total or 0), int(spent or 0)) for visit_id, total, spent in rows}


def compliance_table(session: Session, round_id: int, language: str) -> ComplianceTable:
    visits = latest_submitted_visits(round_id)
    counts, points = _outcome_counts(session, visits), _points(session, visits)
    rows = session.execute(
        select(FollowUpVisit.id, FollowUpVisit.visited_on, Facility.code, Facility.name, Province)
        .join(ImprovementPlan, FollowUpVisit.plan_id == ImprovementPlan.id)
        .join(Facility, ImprovementPlan.facility_id == Facility.id)
        .join(Province, Facility.province_id == Province.id)
        .where(FollowUpVisit.id.in_(visits))
        .order_by(Province.code, Facility.code)
    )
    by_province: dict[str, list[FacilityRow]] = {}
    for visit_id, visited_on, code, name, province in rows:
        implemented, partly, not_impl, not_rel, spent, spent_actions = counts.get(visit_id, (0,) * 6)
        gained, for_cost = points.get(visit_id, (0, 0))
        figures = Figures(implemented, partly, not_impl, not_rel, gained, spent, spent_actions, for_cost)
        by_province.setdefault(localized(province, "name", language), []).append(
            FacilityRow(visit_id, code, name, visited_on, figures))
    groups = tuple(ProvinceGroup(name, tuple(items), sum((r.figures for r in items), Figures()))
                   for name, items in sorted(by_province.items()))
    return ComplianceTable(groups, sum((g.totals for g in groups), Figures()),
                           sum(len(g.rows) for g in groups))


def table_page(table: ComplianceTable, args: Mapping[str, str], size: int | None = None) -> tuple[Page, tuple[ProvinceGroup, ...]]:
    """One page of the table's facility rows (in province, then code order) and the province
    groups they fall in. A group's ``totals`` stay those of all its facilities, and the table's
    national totals are untouched: the rows are sliced from the whole table, which the three
    aggregate queries above build whatever the number of facilities."""
    size = size or page_size()
    rows = [(g, r) for g in table.groups for r in g.rows]
    number = bounded_number(requested_page(args), len(rows), size)
    shown = rows[(number - 1) * size:number * size]
    groups: dict[str, ProvinceGroup] = {}
    for group, row in shown:
        current = groups.get(group.name) or ProvinceGroup(group.name, (), group.totals)
        groups[group.name] = ProvinceGroup(group.name, (*current.rows, row), group.totals)
    return Page(items=[r for _g, r in shown], number=number, size=size, total=len(rows)), tuple(groups.values())
