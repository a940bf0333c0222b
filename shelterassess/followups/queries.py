"""Read queries for follow-up visits: the visit form's rows, the lists of visits, the plans
waiting for a visit, the teams that may visit, and the domain's inputs."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from shelterassess.assessments.domain import Answer, AreaSpec, spec_of
from shelterassess.assessments.models import Score
from shelterassess.auth.models import User
from shelterassess.facilities.models import Facility
from shelterassess.followups import domain
from shelterassess.followups.models import FollowUpActionResult, FollowUpVisit, VisitStatus
from shelterassess.peer.models import PeerTeam, TeamAssignment, TeamMember, TrainingSession
from shelterassess.plans.models import ActionStatus, ImprovementPlan, PlanAction, PlanStatus
from shelterassess.rounds.models import Round, RoundStatus
from shelterassess.scoresheets.models import Indicator
from shelterassess.training_needs.queries import trainings_for_actions
from shelterassess.web.section_pages import SectionPage, paginate_section

#: Plans a follow-up visit can check.
VISITABLE_PLAN_STATUSES = (PlanStatus.ACCEPTED.value, PlanStatus.IN_PROGRESS.value)


# -- one visit ---------------------------------------------------------------------

@dataclass(frozen=True)
class ActionRow:
    number: int  # 1-based, in plan order (dropped actions keep their number)
    action: PlanAction
    result: FollowUpActionResult | None
    trainings: tuple[TrainingSession, ...] = ()


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    agreed: Score | None  # the agreed score of the round (before)
    score: Score | None  # the follow-up score (after); None until the row exists
    action_numbers: tuple[int, ...]


@dataclass(frozen=True)
class VisitData:
    visit: FollowUpVisit
    actions: tuple[ActionRow, ...]  # not dropped
    dropped: tuple[ActionRow, ...]
    indicators: tuple[IndicatorRow, ...]  # linked to an action not dropped, score-sheet order

    @property
    def plan(self) -> ImprovementPlan:
        return self.visit.plan

    def findings(self) -> list[domain.ActionFinding]:
        return [domain.ActionFinding(r.action.id, r.result.outcome if r.result else None,
                                     r.action.status == ActionStatus.DROPPED.value, r.action.cost_vnd,
                                     tuple(i.key for i in r.action.indicators))
                for r in (*self.actions, *self.dropped)]

    def before(self) -> dict[str, Answer]:
        return {r.indicator.key: Answer(r.agreed.value, r.agreed.not_applicable) if r.agreed else Answer()
                for r in self.indicators}

    def after(self) -> dict[str, Answer]:
        return {r.indicator.key: Answer(r.score.value, r.score.not_applicable) if r.score else Answer()
                for r in self.indicators}


def live_actions(plan: ImprovementPlan) -> list[PlanAction]:
    return [a for a in plan.actions if a.status != ActionStatus.DROPPED.value]


def linked_indicators(actions: list[PlanAction]) -> list[Indicator]:
    """The distinct indicators of ``actions``, in score-sheet order."""
    found = {ind.id: ind for a in actions for ind in a.indicators}
    return sorted(found.values(), key=lambda i: (i.area.position, i.position))


def scores_of(session: Session, assessment_id: int | None) -> dict[int, Score]:
    if assessment_id is None:
        return {}
    return {s.indicator_id: s for s in session.scalars(select(Score).where(Score.assessment_id == assessment_id))}


def visit_data(session: Session, visit: FollowUpVisit) -> VisitData:
    plan = visit.plan
    results = {r.action_id: r for r in visit.results}
    trainings = trainings_for_actions(session, [a.id for a in plan.actions])
    rows = [ActionRow(n, a, results.get(a.id), tuple(trainings.get(a.id, ()))) for n, a in enumerate(plan.actions, 1)]
    live = [r for r in rows if r.action.status != ActionStatus.DROPPED.value]
    agreed, after = scores_of(session, plan.agreed_id), scores_of(session, visit.assessment_id)
    indicators = tuple(
        IndicatorRow(ind, agreed.get(ind.id), after.get(ind.id),
                     tuple(r.number for r in live if any(i.id == ind.id for i in r.action.indicators)))
        for ind in linked_indicators([r.action for r in live])
    )
    dropped = tuple(r for r in rows if r.action.status == ActionStatus.DROPPED.value)
    return VisitData(visit, tuple(live), dropped, indicators)


def area_specs_by_key(sheet) -> list[AreaSpec]:
    """The sheet as the pure rules see it, keyed by indicator key (as VisitData.before/after are)."""
    return [AreaSpec(area.key, [spec_of(ind) for ind in area.indicators])
            for area in sheet.areas]


def agreed_answers(session: Session, plan: ImprovementPlan) -> dict[str, Answer]:
    """Every agreed answer of the plan's round, by indicator key."""
    rows = session.execute(
        select(Indicator.key, Score.value, Score.not_applicable)
        .join(Score, Score.indicator_id == Indicator.id)
        .where(Score.assessment_id == plan.agreed_id)
    )
    return {key: Answer(value, na) for key, value, na in rows}


# -- lists -------------------------------------------------------------------------

@dataclass(frozen=True)
class VisitListPages:
    """Follow-up visits and the plans waiting for a visit, one page of each list."""
    upcoming: SectionPage  # not submitted, planned today or later (or undated), soonest first
    overdue: SectionPage  # not submitted, the planned day has passed
    done: SectionPage  # submitted, latest first
    plans: SectionPage | None  # national team only


def visit_list_pages(session: Session, today: dt.date, args: Mapping[str, str], user: User | None = None,
                     with_plans: bool = False) -> VisitListPages:
    """Every visit, or (``user`` given) those of the user's teams and the submitted visits of the
    user's own facility, and (``with_plans``) the plans waiting for a visit, each list filtered, ordered and
    paged in SQL (``upcoming_page``, ``overdue_page``, ``done_page``, ``plans_page``): two
    statements per list whatever the number of visits."""
    query = (select(FollowUpVisit).join(ImprovementPlan, FollowUpVisit.plan_id == ImprovementPlan.id)
             .join(Facility, ImprovementPlan.facility_id == Facility.id))
    if user is not None:
        own_teams = select(TeamMember.team_id).where(TeamMember.user_id == user.id)
        own_facility = (ImprovementPlan.facility_id == user.facility_id) & (
            FollowUpVisit.status == VisitStatus.SUBMITTED.value)
        query = query.where(FollowUpVisit.team_id.in_(own_teams) | own_facility)
    open_ = query.where(FollowUpVisit.status != VisitStatus.SUBMITTED.value).order_by(
        FollowUpVisit.planned_on, Facility.code, FollowUpVisit.id)
    planned = FollowUpVisit.planned_on
    done = query.where(FollowUpVisit.status == VisitStatus.SUBMITTED.value).order_by(
        FollowUpVisit.visited_on.desc().nulls_last(), FollowUpVisit.id.desc())
    return VisitListPages(
        upcoming=paginate_section(session, open_.where(planned.is_(None) | (planned >= today)), args, "upcoming_page"),
        overdue=paginate_section(session, open_.where(planned < today), args, "overdue_page"),
        done=paginate_section(session, done, args, "done_page"),
        plans=paginate_section(session, plans_awaiting_visit_query(), args, "plans_page") if with_plans else None,
    )


def open_visit(session: Session, plan_id: int) -> FollowUpVisit | None:
    """The plan's visit that is not submitted yet, if any."""
    return session.scalar(select(FollowUpVisit).where(
        FollowUpVisit.plan_id == plan_id, FollowUpVisit.status != VisitStatus.SUBMITTED.value).limit(1))


def plans_awaiting_visit_query() -> Select:
    """Accepted plans with no visit under way, newest round first (the national team's list)."""
    busy = select(FollowUpVisit.plan_id).where(FollowUpVisit.status != VisitStatus.SUBMITTED.value)
    return (
        select(ImprovementPlan)
        .join(Facility, ImprovementPlan.facility_id == Facility.id)
        .join(Round, ImprovementPlan.round_id == Round.id)
        .where(ImprovementPlan.status.in_(VISITABLE_PLAN_STATUSES), ImprovementPlan.id.not_in(busy))
        .order_by(Round.created_at.desc(), Facility.code, ImprovementPlan.id)
    )


def submitted_visits_of_facility(session: Session, facility_id: int) -> list[FollowUpVisit]:
    """The facility's submitted follow-up visits, oldest first."""
    return list(session.scalars(
        select(FollowUpVisit).join(ImprovementPlan, FollowUpVisit.plan_id == ImprovementPlan.id)
        .where(ImprovementPlan.facility_id == facility_id, FollowUpVisit.status == VisitStatus.SUBMITTED.value)
        .order_by(FollowUpVisit.visited_on, FollowUpVisit.id)
    ))


# -- teams that may visit ------------------------------------------------------------

def candidate_teams(session: Session, plan: ImprovementPlan) -> list[PeerTeam]:
    """The teams that assessed the facility in the plan's round first (assignment not withdrawn),
    then the teams of rounds that are not closed, newest round first."""
    assessed = list(session.scalars(
        select(PeerTeam).join(TeamAssignment, TeamAssignment.team_id == PeerTeam.id)
        .where(PeerTeam.round_id == plan.round_id, TeamAssignment.facility_id == plan.facility_id,
               TeamAssignment.withdrawn_at.is_(None))
        .order_by(PeerTeam.name)
    ))
    others = session.scalars(
        select(PeerTeam).join(Round, PeerTeam.round_id == Round.id)
        .where(Round.status != RoundStatus.CLOSED.value)
        .order_by(Round.created_at.desc(), Round.id.desc(), PeerTeam.name)
    )
    seen = {t.id for t in assessed}
    return assessed + [t for t in others if t.id not in seen]


def assessing_team_ids(session: Session, plan: ImprovementPlan) -> set[int]:
    return set(session.scalars(
        select(PeerTeam.id).join(TeamAssignment, TeamAssignment.team_id == PeerTeam.id)
        .where(PeerTeam.round_id == plan.round_id, TeamAssignment.facility_id == plan.facility_id,
               TeamAssignment.withdrawn_at.is_(None))
    ))


def follow_up_teams_of_round(session: Session, round_id: int, exclude_plan_id: int) -> list[tuple[PeerTeam, int]]:
    """(team, visited facility id) of the follow-up visits of other plans of the round."""
    rows = session.execute(
        select(PeerTeam, ImprovementPlan.facility_id)
        .join(FollowUpVisit, FollowUpVisit.team_id == PeerTeam.id)
        .join(ImprovementPlan, FollowUpVisit.plan_id == ImprovementPlan.id)
        .where(ImprovementPlan.round_id == round_id, ImprovementPlan.id != exclude_plan_id)
    )
    return [(team, facility_id) for team, facility_id in rows]


def facility_codes(session: Session) -> dict[int, str]:
    return {fid: code for fid, code in session.execute(select(Facility.id, Facility.code))}


def rounds_with_submitted_visits(session: Session) -> set[int]:
    return set(session.scalars(
        select(ImprovementPlan.round_id).join(FollowUpVisit, FollowUpVisit.plan_id == ImprovementPlan.id)
        .where(FollowUpVisit.status == VisitStatus.SUBMITTED.value).distinct()
    ))
