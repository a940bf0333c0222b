"""Demo data for improvement plans (issue 8): the pilot round's facility gets an accepted plan
with actions in several states (done, in progress, planned and overdue, dropped), and a 2027
facility a draft plan straight from the proposals. Called by ``seed-demo`` through the same
services as the web; a plan that exists already is left as it is."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelterassess.auth.models import User
from shelterassess.facilities.models import Facility
from shelterassess.plans import action_services, domain, services
from shelterassess.plans.models import ImprovementPlan, Skill
from shelterassess.plans.queries import plan_for
from shelterassess.rounds.models import Round

#: (responsible role, named person, cost in đồng, funding category, skill key or None), per action in order.
ACTION_DETAILS = (
    ("facility_manager", "", "12.000.000", domain.FACILITIES_IMPROVEMENT, None),
    ("counsellor", "", "8.500.000", domain.CAPACITY_BUILDING, "counselling-listening"),
    ("case_manager", "", "3.000.000", domain.OTHER, None),
    ("social_worker", "", "15.000.000", domain.CAPACITY_BUILDING, "case-management"),
    ("deputy_manager", "", "2.000.000", domain.OTHER, None),
)
#: What happened to the first actions: (status, progress note, days from today the note refers to).
PROGRESS = (
    (domain.DONE, "Đã hoàn thành, có biên bản nghiệm thu.", -20),
    (domain.ACTION_IN_PROGRESS, "Đã tổ chức buổi đầu tiên; còn hai buổi.", -5),
)
DROP_REASON = "Cơ sở đã được tỉnh hỗ trợ hạng mục này từ nguồn khác."


def seed_accepted_plan(session: Session, round_: Round, facility: Facility, lead: User, manager: User,
                       today: dt.date) -> ImprovementPlan | None:
    """The lead drafts and shares the plan, the manager accepts it and reports progress."""
    if plan_for(session, facility.id, round_.id) is not None:
        return None
    plan = services.create_plan(session, lead, facility, round_)
    if not plan.actions:
        return plan
    _merge_by_area(session, lead, plan)
    _complete_actions(session, lead, plan, today, overdue_last=True)
    if len(plan.actions) > 4:  # the last one stays planned and overdue
        action_services.drop_action(session, lead, plan.actions[3], DROP_REASON)
    services.share(session, lead, plan)
    services.accept(session, manager, plan)
    for action, (status, note, days) in zip(plan.actions, PROGRESS):
        services.report_progress(session, manager, action, services.ProgressInput(
            status=status, drop_reason="", noted_on=today + dt.timedelta(days=days), note=note, today=today))
    return plan


def seed_draft_plan(session: Session, round_: Round, facility: Facility, lead: User,
                    today: dt.date) -> ImprovementPlan | None:
    """A plan straight from the proposals, with the first actions worked out by the lead."""
    if plan_for(session, facility.id, round_.id) is not None:
        return None
    plan = services.create_plan(session, lead, facility, round_)
    _merge_by_area(session, lead, plan)
    _complete_actions(session, lead, plan, today, overdue_last=False, limit=2)
    return plan


def _merge_by_area(session: Session, lead: User, plan: ImprovementPlan, areas: int | None = None) -> None:
    """One action per area, as a team lead would write them (a proposal per weak indicator is the
    starting point, not the plan); only the first ``areas`` areas when given."""
    by_area: dict[int, list[int]] = {}
    for action in plan.actions:
        by_area.setdefault(action.indicators[0].area_id, []).append(action.id)
    for ids in list(by_area.values())[:areas]:
        if len(ids) > 1:
            action_services.merge_actions(session, lead, plan, ids)
    session.refresh(plan)


def _complete_actions(session: Session, lead: User, plan: ImprovementPlan, today: dt.date, overdue_last: bool,
                      limit: int | None = None) -> None:
    skills = {s.key: s.id for s in session.scalars(select(Skill))}
    actions = list(plan.actions)[:limit]
    for i, action in enumerate(actions):
        role, name, cost, category, skill = ACTION_DETAILS[i % len(ACTION_DETAILS)]
        start = today - dt.timedelta(days=60) + dt.timedelta(days=5 * i)
        due = today + dt.timedelta(days=30 * (i + 1))
        if overdue_last and i == len(actions) - 1:
            start, due = today - dt.timedelta(days=60), today - dt.timedelta(days=3)  # shows as overdue
        action_services.save_action(session, lead, action, action_services.ActionInput(
            description=action.description, responsible_role=role, responsible_name=name, start_on=start,
            due_on=due, cost=cost, category=category,
            skill_id=skills.get(skill) if category == domain.CAPACITY_BUILDING else None,
            indicator_ids=tuple(ind.id for ind in action.indicators), case_keys=tuple(action.case_key_list),
            version=action.version,
        ))


