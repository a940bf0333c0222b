"""Builders for funding tests on the ``world`` of tests/conftest.py, with figures computed by hand.
Agreed results and plans are made directly with the models (their own services are tested
elsewhere), so that the inputs of the rule are exact:

* SH-A (capacity 30): finalised agreed result 62.5 %, 1 red flag -> need 37.5 + 10 = 47.5;
  accepted plan: capacity building 4 000 000, facilities improvement 2 000 000 + 4 000 000,
  a dropped action of 9 000 000 (not requested).
* RC-B (capacity 20): finalised agreed result 75.0 %, no red flag -> need 25;
  accepted plan: facilities improvement 5 000 000, other 3 000 000.
* RC-C (capacity 10): agreed result not finalised (a draft), an accepted plan of 2 000 000
  (facilities improvement): listed apart.

Budget 10 000 000 in units of 1 000 000, red flag weight 10, no envelope, no capacity:
one pool; A's share 10 × 47.5 / 72.5 = 6.55, B's 3.45: 6 and 3, the unit left over to A (larger
weight): A 7, B 3. A's 7 units across its requests 4 : 6 -> 2.8 and 4.2 -> 2 and 4, the unit to
capacity building (larger remainder): CB 3, FI 4. B's 3 units across 5 : 3 -> 1.875 and 1.125 ->
1 and 1, the unit to facilities improvement: FI 2, other 1.
"""
from __future__ import annotations

from sqlalchemy import select

from shelterassess.assessments.models import Assessment
from shelterassess.db import utcnow
from shelterassess.extensions import db
from shelterassess.funding import services
from shelterassess.funding.models import AllocationLine, FundingFacility, FundingRound
from shelterassess.plans.models import ImprovementPlan, PlanAction
from tests import peer_scoring_fixtures as pf

M = 1_000_000
CB, FI, OT = "capacity_building", "facilities_improvement", "other"
PLANS = {
    "SH-A": [("Train staff in counselling", 4 * M, CB, "planned"), ("Lock the file cabinets", 2 * M, FI, "done"),
             ("Repair the bedrooms", 4 * M, FI, "planned"), ("Repaint the hall", 9 * M, OT, "dropped")],
    "RC-B": [("Build a play corner", 5 * M, FI, "planned"), ("Interpreters at the border", 3 * M, OT, "planned")],
    "RC-C": [("Replace the door locks", 2 * M, FI, "planned")],
}
PROPOSAL = {("SH-A", CB): 3 * M, ("SH-A", FI): 4 * M, ("SH-A", OT): 0,
            ("RC-B", CB): 0, ("RC-B", FI): 2 * M, ("RC-B", OT): 1 * M}


def agreed(world, facility, overall: float | None, red_flags: int = 0) -> Assessment:
    """A finalised agreed result with these figures (``overall`` None: an agreed result still in reconciliation)."""
    a = Assessment(round_id=world.round.id, facility_id=facility.id, kind="agreed",
                   status="submitted" if overall is not None else "draft", overall_percentage=overall,
                   red_flag_count=red_flags, submitted_at=utcnow() if overall is not None else None)
    db.session.add(a)
    db.session.flush()
    return a


def plan(world, facility, agreed_result, actions, status="accepted") -> ImprovementPlan:
    p = ImprovementPlan(facility_id=facility.id, round_id=world.round.id, agreed_id=agreed_result.id, status=status,
                        created_by_id=world.national.id)
    db.session.add(p)
    db.session.flush()
    for position, (text, cost, category, action_status) in enumerate(actions, start=1):
        db.session.add(PlanAction(plan_id=p.id, position=position, description=text, cost_vnd=cost, category=category,
                                  status=action_status, drop_reason="Not needed" if action_status == "dropped" else ""))
    db.session.flush()
    db.session.refresh(p)
    return p


def results(world):
    """The agreed results and plans of A, B and C described above."""
    if hasattr(world, "funding_results"):
        return world
    pf.add_facility_c(world)
    world.agreed_fa = agreed(world, world.facility_a, 62.5, 1)
    world.agreed_fb = agreed(world, world.facility_b, 75.0, 0)
    world.agreed_fc = agreed(world, world.facility_c, None)
    for facility, result in ((world.facility_a, world.agreed_fa), (world.facility_b, world.agreed_fb),
                             (world.facility_c, world.agreed_fc)):
        plan(world, facility, result, PLANS[facility.code])
    world.funding_results = True
    return world


def round_input(world, name="Improvement fund 2027", budget="10.000.000", unit="1.000.000", red_flag_weight="10",
                capacity=False, envelopes=None) -> services.RoundInput:
    return services.RoundInput(name, budget, unit, services.ParametersInput(red_flag_weight, capacity, envelopes or {}),
                               world.round.id)


def funding_round(world, **kwargs) -> FundingRound:
    if not hasattr(world, "funding_round"):
        results(world)
        world.funding_round = services.create_funding_round(db.session, world.national, round_input(world, **kwargs))
    return world.funding_round


def proposal(world) -> FundingRound:
    fround = funding_round(world)
    if fround.proposal_at is None:
        services.compute_proposal(db.session, world.national, fround)
    return fround


def approved(world) -> FundingRound:
    fround = proposal(world)
    if not fround.is_approved:
        services.approve(db.session, world.national, fround)
    return fround


def line(world, code: str, category: str) -> AllocationLine:
    return db.session.scalar(
        select(AllocationLine).join(FundingFacility).join(FundingFacility.facility)
        .where(FundingFacility.funding_round_id == world.funding_round.id, AllocationLine.category == category)
        .where(FundingFacility.facility.has(code=code)))


def apart_c(world) -> FundingFacility:
    proposal(world)
    return next(ff for ff in world.funding_round.facilities if ff.facility.code == "RC-C")


def amounts(fround: FundingRound) -> dict[tuple[str, str], int]:
    db.session.expire_all()
    return {(ff.facility.code, ln.category): ln.amount_vnd for ff in fround.facilities for ln in ff.lines
            if ff.has_result}


def second_national(world):
    from shelterassess.auth import services as auth
    from shelterassess.auth.roles import Role
    from tests.conftest import PASSWORD

    if not hasattr(world, "national_2"):
        world.national_2 = auth.create_user(db.session, "national2@example.org", Role.NATIONAL_TEAM, "national2")
        world.national_2.password_hash = auth.hash_password(PASSWORD)
        db.session.flush()
    return world.national_2
