"""Builders for follow-up and training-need tests: facility A's improvement plan, made directly
with the plan models (the plan services are built separately) on top of its finalised agreed
result (``peer_scoring_fixtures.finalised_agreed``: A1 2, A2 N/A, B1 3, B2 2), and follow-up
visits by team 1 (manager B leads, staff B) through the follow-up services.

The plan has four actions (numbers are their positions):

1. lock the file cabinets: B2, 2 000 000 đ, facilities improvement
2. a play corner: A2 (N/A in the agreed result), 5 000 000 đ, facilities improvement
3. train staff on private bedrooms: A1 and B2, 3 000 000 đ, capacity building (skill "confidentiality")
4. dropped: B1, 9 000 000 đ

``RESULTS``/``SCORES`` below give, by hand: compliance (1 + 0.5) / 2 = 75 %; A1 +1, B2 +1, A2 not
counted (N/A before) -> 2 points gained; spent 2 000 000 + 3 000 000 = 5 000 000 đ on A1 and B2
-> 2 500 000 đ per point; area A 66.7 % -> 83.3 %, area B 83.3 % -> 100 %.

Builders flush only; tests commit before making requests.
"""
from __future__ import annotations

import datetime as dt

from shelterassess.db import utcnow
from shelterassess.extensions import db
from shelterassess.followups import services
from shelterassess.followups.models import FollowUpVisit
from shelterassess.plans.models import ImprovementPlan, PlanAction, Skill
from tests import peer_scoring_fixtures as pf

ACTIONS = [
    # description, indicator codes, cost, category, status
    ("Lock the file cabinets", ("B2",), 2_000_000, "facilities_improvement", "in_progress"),
    ("Set up a play corner", ("A2",), 5_000_000, "facilities_improvement", "planned"),
    ("Train staff on private bedrooms", ("A1", "B2"), 3_000_000, "capacity_building", "planned"),
    ("Repaint the files room", ("B1",), 9_000_000, "other", "dropped"),
]
RESULTS = {1: "implemented", 2: "not_relevant", 3: "partly"}
SCORES = {"A1": 3, "A2": 2, "B2": 3}


def today() -> dt.date:
    """Today in the app's time zone (as the views see it)."""
    from flask_babel import to_user_timezone

    return to_user_timezone(utcnow()).date()


def skill(key: str = "confidentiality") -> Skill:
    found = db.session.scalar(db.select(Skill).where(Skill.key == key))
    if found is None:
        found = Skill(key=key, name_vi=f"Kỹ năng {key}", name_en=f"Skill {key}", position=1)
        db.session.add(found)
        db.session.flush()
    return found


def indicators(world) -> dict:
    return {i.code: i for i in world.sheet.indicators}


def make_plan(world, facility=None, round_=None, agreed=None, status: str = "accepted",
              actions=ACTIONS) -> ImprovementPlan:
    """A plan of ``facility`` (default A) drawn from ``agreed`` (default A's finalised agreed result)."""
    agreed = agreed or pf.finalised_agreed(world)
    by_code = indicators(world)
    plan = ImprovementPlan(facility_id=(facility or world.facility_a).id, round_id=(round_ or world.round).id,
                           agreed_id=agreed.id, status=status, created_by_id=world.manager_b.id,
                           decided_at=utcnow() - dt.timedelta(days=30), decided_by_id=world.manager_a.id)
    db.session.add(plan)
    db.session.flush()
    for position, (text, codes, cost, category, action_status) in enumerate(actions, start=1):
        action = PlanAction(plan_id=plan.id, position=position, description=text, cost_vnd=cost, category=category,
                            status=action_status, drop_reason="Not needed any more" if action_status == "dropped" else "",
                            skill_id=skill().id if category == "capacity_building" else None)
        action.indicators = [by_code[c] for c in codes]
        db.session.add(action)
    db.session.flush()
    db.session.refresh(plan)
    return plan


def plan_a(world, status: str = "accepted") -> ImprovementPlan:
    if not hasattr(world, "plan_a"):
        world.plan_a = make_plan(world, status=status)
    return world.plan_a


def action(world, number: int) -> PlanAction:
    return plan_a(world).actions[number - 1]


def visit_a(world, planned_on: dt.date | None = None) -> FollowUpVisit:
    """Team 1's follow-up visit of facility A's plan, planned a week ahead (or ``planned_on``)."""
    if not hasattr(world, "visit_a"):
        world.visit_a = services.schedule_visit(db.session, world.national, plan_a(world), pf.team_one(world),
                                                planned_on or today() + dt.timedelta(days=7),
                                                min(today(), planned_on or today()))
    return world.visit_a


def record(world, visit: FollowUpVisit, results=None, scores=None, user=None) -> None:
    """Save outcomes by action number and new scores by indicator code (int or "na")."""
    results = RESULTS if results is None else results
    scores = SCORES if scores is None else scores
    by_code = indicators(world)
    actions = [services.ActionInput(action(world, n).id, outcome, f"Seen: {outcome}", None)
               for n, outcome in results.items()]
    inputs = [services.ScoreInput(by_code[c].id, None if v == "na" else v, v == "na", ("observation",), "", None)
              for c, v in scores.items()]
    services.save_results(db.session, user or world.staff_b, visit, actions, inputs)


def submitted_visit(world) -> FollowUpVisit:
    """Visit A recorded with RESULTS and SCORES and submitted by the lead, visited today."""
    visit = visit_a(world)
    if visit.status != "submitted":
        record(world, visit)
        services.submit_visit(db.session, world.manager_b, visit, today(), today())
    return visit


def visit_form(world, visit, results=None, scores=None) -> dict:
    """The visit form's fields (as the browser posts them) for results by action number and scores by code."""
    results = RESULTS if results is None else results
    scores = SCORES if scores is None else scores
    by_code = indicators(world)
    data: dict = {}
    for n, outcome in results.items():
        data[f"outcome-{action(world, n).id}"] = outcome
        data[f"anote-{action(world, n).id}"] = f"note {n}"
    for code, value in scores.items():
        data[f"score-{by_code[code].id}"] = str(value)
        data[f"evidence-{by_code[code].id}"] = "observation"
    return data
