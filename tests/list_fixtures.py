"""Many rows for every list page: facilities QC-<nnn> with users, self/peer/agreed assessments,
an accepted improvement plan, a follow-up visit (one in three submitted with its outcomes, the
others planned ahead or past due), a peer team, a training attended and a certification, and a funding round whose
proposal covers them. Used by tests/web/test_query_counts.py (the statement count of a page must
not grow with the rows) and tests/web/test_page_sizes.py (every page stays under 150 KB).

``grow(world, first, count)`` adds facilities numbered from ``first`` and commits. Plans and
visits are made with the models (their services are tested elsewhere), assessments with the
services (through ``tests.comparisons_fixtures.scored``).
"""
from __future__ import annotations

import datetime as dt

from shelterassess.assessments.models import AssessmentKind
from shelterassess.auth import services as auth
from shelterassess.auth.roles import Role
from shelterassess.db import utcnow
from shelterassess.extensions import db
from shelterassess.facilities.services import FacilityInput, save_facility
from shelterassess.followups.models import FollowUpActionResult, FollowUpVisit
from shelterassess.funding import services as funding
from shelterassess.peer.models import Certification, TrainingParticipant, TrainingSession
from shelterassess.plans.models import ImprovementPlan, PlanAction
from tests.comparisons_fixtures import make_team, scored

SELF = {"A1": 3, "A2": 2, "B1": 1, "B2": 3}
PEER = {"A1": 2, "A2": 2, "B1": 1, "B2": 2}
AGREED = {"A1": 2, "A2": "na", "B1": 1, "B2": 0}
ACTIONS = [("Lock the file cabinets", 2_000_000, "facilities_improvement"),
           ("Train staff in counselling", 3_000_000, "capacity_building"),
           ("Interpreters at the border", 1_000_000, "other")]


def grow(w, first: int, count: int, funding_round: bool = True) -> list:
    """Facilities QC-<first>… with a staff user each, assessed by one new team, each with an
    accepted plan and a planned follow-up visit; then a (new) funding round with its proposal."""
    new = []
    training = TrainingSession(title=f"Training {first}", held_on=dt.date(2026, 3, 1), place="Hà Nội", trainers="T")
    db.session.add(training)
    db.session.flush()
    for n in range(first, first + count):
        province = (w.facility_a if n % 2 else w.facility_b).province_id
        facility = save_facility(db.session, FacilityInput(f"QC-{n:03d}", f"Facility {n:03d}", "shelter",
                                                           province, 10 + n, True, "", ""))
        staff = auth.create_user(db.session, f"staff.qc{n:03d}@example.org", Role.FACILITY_STAFF, f"Staff {n:03d}",
                                 facility)
        db.session.flush()
        db.session.add(TrainingParticipant(training_id=training.id, user_id=staff.id, attended=True))
        db.session.add(Certification(user_id=staff.id, certified_by_id=w.national.id, certified_at=utcnow(), note=""))
        new.append(facility)
    db.session.flush()
    team = make_team(w.round, f"Team {first}", w.manager_b, [w.staff_b], new)
    for facility in new:
        scored(w, w.manager_a, facility, w.round, AssessmentKind.SELF, SELF)
        scored(w, w.manager_b, facility, w.round, AssessmentKind.PEER, PEER, team=team)
        agreed = scored(w, w.manager_b, facility, w.round, AssessmentKind.AGREED, AGREED)
        plan = ImprovementPlan(facility_id=facility.id, round_id=w.round.id, agreed_id=agreed.id, status="accepted",
                               created_by_id=w.manager_b.id, decided_at=utcnow() - dt.timedelta(days=30),
                               decided_by_id=w.national.id)
        db.session.add(plan)
        db.session.flush()
        actions = [PlanAction(plan_id=plan.id, position=position, description=text, cost_vnd=cost,
                              category=category, status="planned", drop_reason="")
                   for position, (text, cost, category) in enumerate(ACTIONS, start=1)]
        db.session.add_all(actions)
        # one visit in three submitted (the compliance table), the others planned ahead or past due
        n = int(facility.code[3:])
        submitted = n % 3 == 0
        visit = FollowUpVisit(plan_id=plan.id, team_id=team.id, created_by_id=w.national.id,
                              planned_on=dt.date.today() + dt.timedelta(days=(n % 20 + 1) * (1 if n % 2 else -1)),
                              status="submitted" if submitted else "planned",
                              visited_on=dt.date.today() - dt.timedelta(days=1) if submitted else None,
                              submitted_at=utcnow() if submitted else None)
        db.session.add(visit)
        db.session.flush()
        if submitted:
            db.session.add_all(FollowUpActionResult(visit_id=visit.id, action_id=a.id, outcome=outcome, note="")
                               for a, outcome in zip(actions, ("implemented", "partly", "not_implemented")))
    db.session.flush()
    if funding_round:
        fround = funding.create_funding_round(db.session, w.national, funding.RoundInput(
            f"Fund {first}", "1.000.000.000", "1.000.000", funding.ParametersInput("10", False, {}), w.round.id))
        funding.compute_proposal(db.session, w.national, fround)
        w.funding_round = fround
    db.session.commit()
    return new
