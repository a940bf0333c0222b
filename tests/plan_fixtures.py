"""Builders for improvement-plan tests, on the ``world`` of tests/conftest.py and the peer
fixtures of tests/peer_scoring_fixtures.py: team 1 (lead manager_b, member staff_b) assessed
facility A, and facility A's agreed result is finalised with weak scores:

    A1 1 · A2 N/A · B1 0 (critical: a red flag) · B2 1

so the proposals are, in order: B1 (red flag), A1, B2. Builders flush only; tests commit.
"""
from __future__ import annotations

import datetime as dt

from shelterassess.assessments import peer_services
from shelterassess.extensions import db
from shelterassess.plans import action_services, services
from shelterassess.plans.models import ImprovementPlan, PlanAction, Skill
from tests import peer_scoring_fixtures as pf

WEAK_SCORES = {"A1": 1, "A2": "na", "B1": 0, "B2": 1}
DUE = dt.date(2027, 9, 30)


def weak_agreed(world):
    """Facility A's self, team 1's peer and the finalised agreed result, all with WEAK_SCORES."""
    if hasattr(world, "agreed_a"):
        return world.agreed_a
    world.self_a = pf.self_assessment(world, WEAK_SCORES)
    world.peer_one = pf.peer_assessment(world, pf.team_one(world), WEAK_SCORES, submit=True)
    sheet = {i.code: i for i in world.sheet.indicators}
    inputs = [peer_services.AgreedInput(sheet[c].id, None if v == "na" else v, v == "na", "", None)
              for c, v in WEAK_SCORES.items()]
    peer_services.save_agreed(db.session, world.manager_b, world.facility_a, world.round, inputs)
    world.agreed_a = peer_services.finalise_agreed(db.session, world.manager_b, world.facility_a, world.round)
    return world.agreed_a


def indicator(world, code):
    return next(i for i in world.sheet.indicators if i.code == code)


def skill(world, key="counselling", name_en="Counselling and listening", name_vi="Tham vấn và lắng nghe"):
    existing = db.session.scalar(db.select(Skill).where(Skill.key == key))
    if existing is not None:
        return existing
    s = Skill(key=key, name_en=name_en, name_vi=name_vi, position=1, active=True)
    db.session.add(s)
    db.session.flush()
    return s


def draft_plan(world) -> ImprovementPlan:
    """Facility A's plan drafted by team 1's lead from the proposals (three actions)."""
    if not hasattr(world, "plan"):
        weak_agreed(world)
        world.plan = services.create_plan(db.session, world.manager_b, world.facility_a, world.round)
    return world.plan


def action_input(action: PlanAction, **changes) -> action_services.ActionInput:
    """The action as its edit form would send it unchanged, with ``changes``."""
    values = dict(
        description=action.description, responsible_role=action.responsible_role,
        responsible_name=action.responsible_name, start_on=action.start_on, due_on=action.due_on,
        cost=str(action.cost_vnd), category=action.category, skill_id=action.skill_id,
        indicator_ids=tuple(i.id for i in action.indicators), case_keys=tuple(action.case_key_list),
        practice_id=action.practice_id, version=action.version,
    )
    values.update(changes)
    return action_services.ActionInput(**values)


def complete_plan(world) -> ImprovementPlan:
    """The draft plan with an owner, dates and a cost on every action (ready to share)."""
    plan = draft_plan(world)
    for n, action in enumerate(plan.actions, start=1):
        if action.due_on is None:
            action_services.save_action(db.session, world.manager_b, action, action_input(
                action, responsible_role="facility_manager", start_on=dt.date(2027, 6, 1), due_on=DUE,
                cost=str(1_000_000 * n)))
    return plan


def shared_plan(world) -> ImprovementPlan:
    plan = complete_plan(world)
    if plan.status in ("draft", "returned"):
        services.share(db.session, world.manager_b, plan)
    return plan


def accepted_plan(world) -> ImprovementPlan:
    plan = shared_plan(world)
    if plan.status == "shared":
        services.accept(db.session, world.manager_a, plan)
    return plan


def in_progress_plan(world) -> ImprovementPlan:
    plan = accepted_plan(world)
    if plan.status == "accepted":
        services.start(db.session, world.manager_a, plan)
    return plan


def first_action(world) -> PlanAction:
    return draft_plan(world).actions[0]


def dropped_action(world) -> PlanAction:
    action = first_action(world)
    if action.status != "dropped":
        action_services.drop_action(db.session, world.manager_b, action, "Covered by the provincial programme")
    return action


def action_form(world, action: PlanAction | None = None, **changes) -> dict:
    """The action form's fields: ``action`` as saved (or a new action on B1), with ``changes``."""
    data = {
        "description": action.description if action else "Lock the file cabinet and code every file",
        "indicator_ids": [str(i.id) for i in action.indicators] if action else [str(indicator(world, "B1").id)],
        "responsible_role": action.responsible_role if action else "case_manager",
        "responsible_name": action.responsible_name if action else "",
        "start_on": action.start_on.isoformat() if action and action.start_on else "2027-06-01",
        "due_on": action.due_on.isoformat() if action and action.due_on else "2027-07-15",
        "cost": str(action.cost_vnd) if action else "2500000",
        "category": action.category if action else "facilities_improvement",
        "skill_id": str(action.skill_id or "") if action else "",
        "case_keys": action.case_key_list if action else [],
        "practice_id": str(action.practice_id or "") if action else "",
        "version": str(action.version) if action else "",
    }
    data.update(changes)
    return data
