"""Builders for peer-scoring tests: certified assessors, teams assigned to facilities,
filled and submitted self, peer and agreed assessments. Teams are built directly with
the models (the team-forming services live in ``shelterassess.teams``).

All builders flush only; tests commit (``db.session.commit()``) before making requests.
Scores are given per indicator code of the mini score sheet (A1, A2, B1, B2):
an int 0..3 or ``"na"``.
"""
from __future__ import annotations

from sqlalchemy import select

from shelterassess.assessments import peer_queries, peer_services, services
from shelterassess.assessments.models import Assessment, AssessmentKind, Score
from shelterassess.db import utcnow
from shelterassess.extensions import db
from shelterassess.peer.models import Certification, PeerTeam, TeamAssignment, TeamMember

SELF_SCORES = {"A1": 3, "A2": "na", "B1": 3, "B2": 2}
PEER_SCORES = {"A1": 1, "A2": "na", "B1": 3, "B2": 2}   # A1: self 3, peer 1 -> a gap of 2


def certify(user, by):
    cert = Certification(user_id=user.id, certified_by_id=by.id, certified_at=utcnow(), note="")
    db.session.add(cert)
    db.session.flush()
    return cert


def add_facility_c(world):
    """A third facility (RC-C) with a staff member and a manager, for a second team."""
    from shelterassess.auth import services as auth
    from shelterassess.auth.roles import Role
    from shelterassess.facilities.services import FacilityInput, save_facility
    from tests.conftest import PASSWORD

    if hasattr(world, "facility_c"):
        return world.facility_c
    fc = save_facility(db.session, FacilityInput("RC-C", "Trung tâm tiếp nhận C", "reception_centre",
                                                 world.facility_a.province_id, 10, True, "", ""))
    for email, role, attr in (("staff.c@example.org", Role.FACILITY_STAFF, "staff_c"),
                              ("manager.c@example.org", Role.FACILITY_MANAGER, "manager_c")):
        u = auth.create_user(db.session, email, role, email.split("@")[0], fc)
        u.password_hash = auth.hash_password(PASSWORD)
        setattr(world, attr, u)
    world.facility_c = fc
    db.session.flush()
    return fc


def make_team(world, name, lead, members=(), facilities=None, round_=None):
    """A team in the round (default: the world's open round) led by ``lead``, assigned to ``facilities``
    (default: facility A). Every member is certified by the national team."""
    round_ = round_ or world.round
    team = PeerTeam(round_id=round_.id, name=name, lead_id=lead.id)
    db.session.add(team)
    db.session.flush()
    for user in {lead.id: lead, **{m.id: m for m in members}}.values():
        certify(user, world.national)
        db.session.add(TeamMember(team_id=team.id, user_id=user.id))
    for facility in facilities or [world.facility_a]:
        db.session.add(TeamAssignment(team_id=team.id, facility_id=facility.id))
    db.session.flush()
    db.session.refresh(team)
    return team


def team_one(world):
    """Team 1: manager B (lead) and staff B, assigned to facility A."""
    if not hasattr(world, "team_one"):
        world.team_one = make_team(world, "Team 1", world.manager_b, [world.staff_b])
    return world.team_one


def team_two(world):
    """Team 2: manager C (lead) and staff C, also assigned to facility A."""
    if not hasattr(world, "team_two"):
        add_facility_c(world)
        world.team_two = make_team(world, "Team 2", world.manager_c, [world.staff_c])
    return world.team_two


def assignment_of(team, facility):
    return next(a for a in team.assignments if a.facility_id == facility.id)


def fill(assessment: Assessment, values: dict, notes: dict | None = None) -> None:
    """Set scores directly by indicator code."""
    scores = db.session.scalars(select(Score).where(Score.assessment_id == assessment.id)).all()
    for s in scores:
        code = s.indicator.code
        if code not in values:
            continue
        v = values[code]
        s.value, s.not_applicable = (None, True) if v == "na" else (v, False)
        s.note = (notes or {}).get(code, "")
    db.session.flush()


def self_assessment(world, values=None, submit=True) -> Assessment:
    """Facility A's self-assessment, filled with ``values`` (default SELF_SCORES) and submitted."""
    a = services.start_assessment(db.session, world.staff_a, world.facility_a, world.round)
    if values is not False:
        fill(a, values or SELF_SCORES)
    if submit and not a.is_submitted:
        services.submit(db.session, world.manager_a, a)
    return a


def peer_assessment(world, team, values=None, submit=False, facility=None) -> Assessment:
    """The team's peer assessment of facility A (started by the lead), optionally filled and submitted."""
    facility = facility or world.facility_a
    lead = next(m.user for m in team.members if m.user_id == team.lead_id)
    peer = peer_services.start_peer_assessment(db.session, lead, assignment_of(team, facility))
    if values is not None:
        fill(peer, values)
    if submit and not peer.is_submitted:
        peer_services.submit_peer_assessment(db.session, lead, peer, visit())
    return peer


def visit(on=None, note="") -> peer_services.VisitInput:
    """A visit today (or ``on``), as the lead gives it when submitting."""
    today = utcnow().date()
    return peer_services.VisitInput(on or today, note, today)


def visit_form(on=None, note="") -> dict:
    """The submit form's fields for a visit today (or ``on``)."""
    return {"visited_on": (on or utcnow().date()).isoformat(), "visit_note": note}


def submitted_peer(world):
    """Team 1's submitted peer assessment of facility A (PEER_SCORES)."""
    if not hasattr(world, "peer_one"):
        world.peer_one = peer_assessment(world, team_one(world), PEER_SCORES, submit=True)
    return world.peer_one


def draft_peer(world):
    """Team 1's draft peer assessment of facility A."""
    if not hasattr(world, "peer_one"):
        world.peer_one = peer_assessment(world, team_one(world))
    return world.peer_one


def ready_to_reconcile(world):
    """Facility A's submitted self-assessment and team 1's submitted peer assessment."""
    if not hasattr(world, "self_a"):
        world.self_a = self_assessment(world)
    return submitted_peer(world)


def finalised_agreed(world) -> Assessment:
    """Agreed scores for facility A saved and finalised by team 1's lead (A1 agreed 2, no reason needed)."""
    ready_to_reconcile(world)
    if not hasattr(world, "agreed_a"):
        sheet = {i.code: i for i in world.sheet.indicators}
        agreed = {"A1": (2, False, "Seen on the visit"), "A2": (None, True, ""), "B1": (3, False, ""),
                  "B2": (2, False, "")}
        inputs = [peer_services.AgreedInput(sheet[c].id, v, na, reason, None) for c, (v, na, reason) in agreed.items()]
        peer_services.save_agreed(db.session, world.manager_b, world.facility_a, world.round, inputs)
        world.agreed_a = peer_services.finalise_agreed(db.session, world.manager_b, world.facility_a, world.round)
    return world.agreed_a


def released(world):
    """Facility A's agreed result finalised and released to it."""
    agreed = finalised_agreed(world)
    agreed.released_at = utcnow()
    db.session.flush()
    return world.round


def find_agreed(world):
    return peer_queries.find_agreed(db.session, world.facility_a.id, world.round.id)


def count_kind(kind: AssessmentKind) -> int:
    return db.session.scalar(select(db.func.count(Assessment.id)).where(Assessment.kind == kind.value))
