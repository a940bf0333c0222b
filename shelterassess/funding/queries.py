"""Read queries of the funding package, and the rule's inputs built from a funding round.

The allocation table (:class:`AllocationTable`) is made of plain values, so that pages, exports,
the allocation letter and the national workshop pack all print the same figures. The workshop
pack reads it with :func:`approved_allocation` (one funding round) or
:func:`approved_allocations_for_round` (every approved funding round of an assessment round).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import Select, case, func, select, union
from sqlalchemy.orm import Session

from shelterassess.assessments.models import Assessment, AssessmentKind, AssessmentStatus
from shelterassess.facilities.models import Facility
from shelterassess.funding import domain
from shelterassess.funding.models import AllocationLine, FundingEvent, FundingFacility, FundingRound, FundingStatus
from shelterassess.plans.domain import CATEGORIES
from shelterassess.plans.models import ActionStatus, ImprovementPlan, PlanAction, PlanStatus

#: The plans whose actions are requests: accepted by the facility (and those under way or closed since).
FUNDED_PLAN_STATUSES = (PlanStatus.ACCEPTED.value, PlanStatus.IN_PROGRESS.value, PlanStatus.CLOSED.value)


# -- the snapshot a proposal is computed from -----------------------------------------------------

@dataclass(frozen=True)
class ResultRow:
    facility_id: int
    agreed_id: int
    overall_percentage: float
    red_flags: int
    capacity: int


def finalised_results(session: Session, round_id: int) -> list[ResultRow]:
    """The finalised agreed results of the round (one per facility), with the facility's capacity."""
    rows = session.execute(
        select(Assessment.facility_id, Assessment.id, Assessment.overall_percentage, Assessment.red_flag_count,
               Facility.capacity)
        .join(Facility, Facility.id == Assessment.facility_id)
        .where(Assessment.round_id == round_id, Assessment.kind == AssessmentKind.AGREED.value,
               Assessment.status == AssessmentStatus.SUBMITTED.value, Assessment.overall_percentage.is_not(None))
        .order_by(Facility.code)
    )
    return [ResultRow(fid, aid, pct, flags or 0, capacity or 0) for fid, aid, pct, flags, capacity in rows]


def requests_by_facility(session: Session, round_id: int) -> dict[int, dict[str, int]]:
    """Facility id -> category -> the costs of the actions not dropped of its accepted (or in
    progress, or closed) plan of the round, summed by the database."""
    rows = session.execute(
        select(ImprovementPlan.facility_id, PlanAction.category, func.sum(PlanAction.cost_vnd))
        .join(PlanAction, PlanAction.plan_id == ImprovementPlan.id)
        .where(ImprovementPlan.round_id == round_id, ImprovementPlan.status.in_(FUNDED_PLAN_STATUSES),
               PlanAction.status != ActionStatus.DROPPED.value)
        .group_by(ImprovementPlan.facility_id, PlanAction.category)
    )
    requests: dict[int, dict[str, int]] = {}
    for facility_id, category, total in rows:
        if category in CATEGORIES:
            requests.setdefault(facility_id, {c: 0 for c in CATEGORIES})[category] = int(total or 0)
    return requests


def participants(session: Session, round_id: int) -> set[int]:
    """Facilities with an assessment of any kind or a plan in the round."""
    ids = union(select(Assessment.facility_id).where(Assessment.round_id == round_id),
                select(ImprovementPlan.facility_id).where(ImprovementPlan.round_id == round_id))
    return set(session.scalars(select(ids.subquery().c[0])))


# -- the rule's inputs from a funding round ------------------------------------------------------

@dataclass(frozen=True)
class Parameters:
    red_flag_weight: int
    use_capacity: bool
    envelopes: dict[str, int | None]

    @classmethod
    def of(cls, obj) -> "Parameters":
        """The parameters of a funding round or of a scenario."""
        return cls(obj.red_flag_weight, obj.use_capacity, obj.envelopes())


def need_inputs(fround: FundingRound) -> list[domain.NeedInput]:
    return [domain.NeedInput(ff.facility.code, ff.overall_tenths, ff.red_flags, ff.capacity)
            for ff in fround.facilities if ff.has_result]


def weights(fround: FundingRound, params: Parameters) -> dict[str, Fraction]:
    return domain.need_weights(need_inputs(fround), params.red_flag_weight, params.use_capacity)


def rules(fround: FundingRound, params: Parameters) -> domain.Rules:
    return domain.Rules(fround.budget_vnd, fround.rounding_unit_vnd, params.envelopes)


def allocation_for(fround: FundingRound, params: Parameters) -> domain.Allocation:
    """The proposal the rule makes on the round's snapshot with ``params``."""
    weight = weights(fround, params)
    claims = [domain.Claim(ff.facility.code, weight[ff.facility.code],
                           {ln.category: ln.request_vnd for ln in ff.lines})
              for ff in fround.facilities if ff.has_result]
    return domain.allocate(claims, rules(fround, params))


# -- the allocation table --------------------------------------------------------------------------

@dataclass(frozen=True)
class LineRow:
    id: int
    category: str
    request_vnd: int
    proposed_vnd: int
    adjusted_vnd: int | None
    reason: str
    version: int

    @property
    def amount_vnd(self) -> int:
        return self.proposed_vnd if self.adjusted_vnd is None else self.adjusted_vnd

    @property
    def is_adjusted(self) -> bool:
        return self.adjusted_vnd is not None


@dataclass(frozen=True)
class FacilityRow:
    id: int  # the FundingFacility
    facility_id: int
    code: str
    name: str
    province_id: int
    has_result: bool
    overall_tenths: int | None
    red_flags: int
    capacity: int
    added_by_hand: bool
    added_reason: str
    weight: Fraction | None
    lines: tuple[LineRow, ...]  # one per category, in category order
    per_point: domain.PerPoint | None = None

    def line(self, category: str) -> LineRow | None:
        return next((ln for ln in self.lines if ln.category == category), None)

    @property
    def requested(self) -> int:
        return sum(ln.request_vnd for ln in self.lines)

    @property
    def proposed(self) -> int:
        return sum(ln.proposed_vnd for ln in self.lines)

    @property
    def allocated(self) -> int:
        return sum(ln.amount_vnd for ln in self.lines)

    @property
    def fundable(self) -> bool:
        """Weighed by the rule, or added by hand: its amounts may be adjusted."""
        return self.has_result or self.added_by_hand


@dataclass(frozen=True)
class CategoryTotal:
    category: str
    envelope: int | None
    requested: int
    proposed: int
    allocated: int


@dataclass(frozen=True)
class AllocationTable:
    funding_round_id: int
    name: str
    round_id: int
    round_name: str
    status: str
    budget_vnd: int
    rounding_unit_vnd: int
    parameters: Parameters
    proposal_at: dt.datetime | None
    approved_at: dt.datetime | None
    rows: tuple[FacilityRow, ...]  # weighed facilities and those added by hand, by code
    apart: tuple[FacilityRow, ...]  # without a finalised result, not added
    categories: tuple[CategoryTotal, ...]
    groups: tuple[domain.GroupResult, ...]
    national_per_point: domain.PerPoint | None = None
    adjustments: int = field(default=0)
    mean_capacity: Fraction = Fraction(0)  # of the facilities weighed (the capacity scaling divides by it)

    @property
    def allocated(self) -> int:
        return sum(c.allocated for c in self.categories)

    @property
    def proposed(self) -> int:
        return sum(c.proposed for c in self.categories)

    @property
    def requested(self) -> int:
        return sum(c.requested for c in self.categories)

    @property
    def unallocated(self) -> int:
        return self.budget_vnd - self.allocated

    def row(self, facility_id: int) -> FacilityRow | None:
        return next((r for r in (*self.rows, *self.apart) if r.facility_id == facility_id), None)


def facility_row(ff: FundingFacility, weight: Fraction | None, per_point: domain.PerPoint | None) -> FacilityRow:
    by_category = {ln.category: ln for ln in ff.lines}
    lines = tuple(LineRow(ln.id, ln.category, ln.request_vnd, ln.proposed_vnd, ln.adjusted_vnd, ln.reason,
                          ln.version) for c in CATEGORIES if (ln := by_category.get(c)) is not None)
    f = ff.facility
    return FacilityRow(ff.id, f.id, f.code, f.name, f.province_id, ff.has_result, ff.overall_tenths, ff.red_flags,
                       ff.capacity, ff.added_by_hand, ff.added_reason, weight, lines, per_point)


def allocation_table(session: Session, fround: FundingRound, with_per_point: bool = True) -> AllocationTable:
    params = Parameters.of(fround)
    weight = weights(fround, params)
    points = points_gained(session, fround.round_id) if with_per_point else {}
    rows, apart = [], []
    for ff in sorted(fround.facilities, key=lambda ff: ff.facility.code):
        if not (ff.has_result or ff.added_by_hand):
            apart.append(facility_row(ff, None, None))
            continue
        allocated = sum(ln.amount_vnd for ln in ff.lines)
        per_point = domain.money_per_point(allocated, points.get(ff.facility_id)) if with_per_point else None
        rows.append(facility_row(ff, weight.get(ff.facility.code), per_point))
    envelopes = params.envelopes
    categories = tuple(CategoryTotal(
        c, envelopes.get(c), sum(r.line(c).request_vnd for r in rows if r.line(c)),
        sum(r.line(c).proposed_vnd for r in rows if r.line(c)), sum(r.line(c).amount_vnd for r in rows if r.line(c)),
    ) for c in CATEGORIES)
    national = (domain.national_money_per_point((r.allocated, points.get(r.facility_id)) for r in rows)
                if with_per_point else None)
    groups = allocation_for(fround, params).groups if fround.proposal_at else ()
    return AllocationTable(
        fround.id, fround.name, fround.round_id, fround.round.name, fround.status, fround.budget_vnd,
        fround.rounding_unit_vnd, params, fround.proposal_at, fround.approved_at, tuple(rows), tuple(apart),
        categories, groups, national, sum(ln.is_adjusted for r in rows for ln in r.lines),
        domain.mean_capacity(need_inputs(fround)))


def points_gained(session: Session, round_id: int) -> dict[int, int]:
    """Facility id -> agreed-score points gained at its plan's latest submitted follow-up visit
    (facilities without a submitted visit are left out)."""
    from shelterassess.followups.national_data import compliance_table

    table = compliance_table(session, round_id, "en")
    by_code = {row.facility_code: row.figures.points_gained for group in table.groups for row in group.rows}
    if not by_code:
        return {}
    ids = dict(session.execute(select(Facility.code, Facility.id).where(Facility.code.in_(by_code))).all())
    return {ids[code]: points for code, points in by_code.items() if code in ids}


def events_query(funding_round_id: int) -> Select:
    """The funding round's history, newest first (the round page shows the first few, the
    history page pages through it)."""
    return (select(FundingEvent).where(FundingEvent.funding_round_id == funding_round_id)
            .order_by(FundingEvent.id.desc()))


# -- finding funding rounds -------------------------------------------------------------------------

def funding_rounds(session: Session) -> list[FundingRound]:
    return list(session.scalars(funding_rounds_query()))


def funding_rounds_query() -> Select:
    """Every funding round, newest first (the funding list pages through it)."""
    return select(FundingRound).order_by(FundingRound.created_at.desc(), FundingRound.id.desc())


def name_taken(session: Session, name: str, except_id: int | None = None) -> bool:
    query = select(FundingRound.id).where(func.lower(FundingRound.name) == name.lower())
    if except_id is not None:
        query = query.where(FundingRound.id != except_id)
    return session.scalar(query.limit(1)) is not None


def facility_allocations(session: Session, facility_id: int) -> list[tuple[FundingRound, int]]:
    """The approved funding rounds the facility is part of, with its total (summed by the
    database: one statement however many rounds), newest first."""
    amount = func.coalesce(AllocationLine.adjusted_vnd, AllocationLine.proposed_vnd)
    fundable = FundingFacility.overall_tenths.is_not(None) | FundingFacility.added_by_hand.is_(True)
    total = (select(func.coalesce(func.sum(amount), 0))
             .where(AllocationLine.funding_facility_id == FundingFacility.id).scalar_subquery())
    rows = session.execute(
        select(FundingRound, case((fundable, total), else_=0))
        .join(FundingFacility, FundingFacility.funding_round_id == FundingRound.id)
        .where(FundingFacility.facility_id == facility_id, FundingRound.status == FundingStatus.APPROVED.value)
        .order_by(FundingRound.approved_at.desc(), FundingRound.id.desc())
    )
    return [(fround, int(value or 0)) for fround, value in rows]


def funded_actions(session: Session, round_id: int, facility_id: int) -> dict[str, list[tuple[int, PlanAction]]]:
    """Category -> (number in the plan, action) of the actions not dropped of the facility's accepted
    plan of the round, in plan order (numbers as on the plan page)."""
    plan = session.scalar(select(ImprovementPlan).where(
        ImprovementPlan.facility_id == facility_id, ImprovementPlan.round_id == round_id,
        ImprovementPlan.status.in_(FUNDED_PLAN_STATUSES)))
    actions: dict[str, list[tuple[int, PlanAction]]] = {c: [] for c in CATEGORIES}
    for number, action in enumerate(plan.actions if plan else (), start=1):
        if action.status != ActionStatus.DROPPED.value and action.category in actions:
            actions[action.category].append((number, action))
    return actions


# -- for the national workshop pack ------------------------------------------------------------------

def approved_allocation(session: Session, funding_round_id: int) -> AllocationTable | None:
    """The allocation of an approved funding round (None when it does not exist or is not approved)."""
    fround = session.get(FundingRound, funding_round_id)
    if fround is None or not fround.is_approved:
        return None
    return allocation_table(session, fround)


def approved_allocations_for_round(session: Session, round_id: int) -> list[AllocationTable]:
    """Every approved funding round of an assessment round, oldest approval first."""
    rounds = session.scalars(select(FundingRound).where(
        FundingRound.round_id == round_id, FundingRound.status == FundingStatus.APPROVED.value)
        .order_by(FundingRound.approved_at, FundingRound.id))
    return [allocation_table(session, fround) for fround in rounds]
