"""Demo data for follow-ups (issue 8): the skills, and a completed follow-up visit of the pilot
round's accepted plan (the plans seed makes the plan). Called by ``seed-demo``; uses the same
services as the web and does nothing when there is no accepted plan or it was visited already."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelterassess.auth.models import User
from shelterassess.facilities.models import Facility
from shelterassess.followups import domain, queries, services
from shelterassess.followups.models import FollowUpVisit
from shelterassess.plans.models import ImprovementPlan
from shelterassess.rounds.models import Round
from shelterassess.training_needs.services import seed_skills

#: What the demo visit finds, action by action (cycled): the plan's first actions were implemented.
OUTCOMES = (domain.IMPLEMENTED, domain.IMPLEMENTED, domain.PARTLY, domain.NOT_IMPLEMENTED, domain.NOT_RELEVANT)
NOTES = {
    domain.IMPLEMENTED: "Đã thực hiện, có biên bản và quan sát tại chỗ.",
    domain.PARTLY: "Đã bắt đầu, còn thiếu một phần.",
    domain.NOT_IMPLEMENTED: "Chưa thực hiện do chưa có kinh phí.",
    domain.NOT_RELEVANT: "Không còn phù hợp sau khi cơ sở chuyển khu nhà ở.",
}


def seed_demo_follow_up(session: Session, round_: Round, facility: Facility, national: User,
                        today: dt.date) -> FollowUpVisit | None:
    seed_skills(session)
    plan = session.scalar(select(ImprovementPlan).where(ImprovementPlan.round_id == round_.id,
                                                        ImprovementPlan.facility_id == facility.id))
    if plan is None or plan.status not in queries.VISITABLE_PLAN_STATUSES or not queries.live_actions(plan):
        return None
    if session.scalar(select(FollowUpVisit.id).where(FollowUpVisit.plan_id == plan.id).limit(1)) is not None:
        return None
    teams = queries.candidate_teams(session, plan)
    team = next((t for t in teams if not services.team_errors(session, t, plan)), None)
    if team is None:
        return None
    visit = services.schedule_visit(session, national, plan, team, today, today)
    lead = next(m.user for m in team.members if m.user_id == team.lead_id)
    data = queries.visit_data(session, visit)
    found = {row.action.id: OUTCOMES[i % len(OUTCOMES)] for i, row in enumerate(data.actions)}
    actions = [services.ActionInput(aid, outcome, NOTES[outcome], None) for aid, outcome in found.items()]
    improved = {ind.id for row in data.actions if found[row.action.id] == domain.IMPLEMENTED
                for ind in row.action.indicators}
    scores = [_rescore(row, row.indicator.id in improved) for row in data.indicators]
    services.save_results(session, lead, visit, actions, scores)
    services.submit_visit(session, lead, visit, today, today)
    return visit


def _rescore(row: queries.IndicatorRow, improved: bool) -> services.ScoreInput:
    """One point more where an implemented action touched the indicator, the agreed score otherwise."""
    before = row.agreed
    if before is None or before.not_applicable or before.value is None:
        return services.ScoreInput(row.indicator.id, 1, False, ("observation",), "", None)
    value = min(3, before.value + 1) if improved else before.value
    return services.ScoreInput(row.indicator.id, value, False, ("observation", "document_review"), "", None)
