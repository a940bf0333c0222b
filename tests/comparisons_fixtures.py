"""Self, peer and agreed assessments on the mini score sheet, built with the services and models.

Scores are given by indicator code (A1, A2, B1, B2; only A2 allows N/A, written "na").
``comparison_world(w)`` extends the ``world`` fixture:

* facility C (SH-C, Hà Nội like A) with ``staff_c`` and ``manager_c``;
* three teams in ``w.round``, each assessing one facility, none assessing its own or each other:
  North team (manager_b lead, staff_b) -> facility A; South team (staff_c lead, manager_c) -> B;
  West team (manager_a lead, staff_a) -> C;
* submitted self and peer assessments for A, B and C; agreed assessments for A and B only.

Hand-computed figures for facility A (self vs North team), N/A pair A2 excluded:
pairs (3,1) (1,1) (3,2): exact 1/3 = 33.3 %, within one 2/3 = 66.7 %,
quadratic-weighted kappa = 1 - 3·5/19 = 4/19 = 0.21; A1 gap +2 (flagged).
"""
from __future__ import annotations

from types import SimpleNamespace

from shelterassess.assessments import services
from shelterassess.assessments.models import Assessment, AssessmentKind
from shelterassess.assessments.services import AnswerInput
from shelterassess.auth import services as auth
from shelterassess.auth.roles import Role
from shelterassess.db import utcnow
from shelterassess.extensions import db
from shelterassess.facilities.models import Province
from shelterassess.facilities.services import FacilityInput, save_facility
from shelterassess.peer.models import PeerTeam, TeamAssignment, TeamMember
from tests.conftest import PASSWORD

SELF_A = {"A1": 3, "A2": "na", "B1": 1, "B2": 3}
PEER_A = {"A1": 1, "A2": 2, "B1": 1, "B2": 2}
AGREED_A = {"A1": 2, "A2": "na", "B1": 1, "B2": 2}  # area A 66.7 %, area B 50.0 %, overall 58.3 %
SELF_B = {"A1": 0, "A2": 1, "B1": 3, "B2": 3}
PEER_B = {"A1": 2, "A2": 1, "B1": 3, "B2": 3}  # A1 gap -2 (flagged)
AGREED_B = {"A1": 1, "A2": 1, "B1": 3, "B2": 3}  # area A 33.3 %, area B 100.0 %, overall 66.7 %
SELF_C = {"A1": 3, "A2": 3, "B1": 0, "B2": 1}
PEER_C = {"A1": 0, "A2": 3, "B1": 3, "B2": 1}


def answers(area, scores: dict) -> list[AnswerInput]:
    out = []
    for ind in area.indicators:
        value = scores[ind.code]
        out.append(AnswerInput(ind.id, None if value == "na" else value, value == "na", ("observation",), "", None))
    return out


def scored(w, user, facility, round_, kind: AssessmentKind, scores: dict, team: PeerTeam | None = None,
           submit: bool = True) -> Assessment:
    """An assessment of ``kind`` with the given scores, submitted unless ``submit`` is False."""
    assessment = services.start_assessment(db.session, user, facility, round_, kind)
    if team is not None:
        assessment.team_id = team.id
    for area in round_.sheet.areas:
        services.save_area(db.session, user, assessment, area, answers(area, scores))
    if submit:
        services.submit(db.session, user, assessment)
    db.session.flush()
    return assessment


def make_team(round_, name: str, lead, members, facilities) -> PeerTeam:
    team = PeerTeam(round_id=round_.id, name=name, lead_id=lead.id)
    db.session.add(team)
    db.session.flush()
    for user in {lead, *members}:
        db.session.add(TeamMember(team_id=team.id, user_id=user.id))
    for facility in facilities:
        db.session.add(TeamAssignment(team_id=team.id, facility_id=facility.id))
    db.session.flush()
    db.session.refresh(team)
    return team


def release(round_) -> None:
    """Release every finalised agreed result of the round."""
    for agreed in db.session.scalars(db.select(Assessment).where(
            Assessment.round_id == round_.id, Assessment.kind == AssessmentKind.AGREED.value)):
        if agreed.is_submitted:
            agreed.released_at = utcnow()
    db.session.commit()


def add_facility_c(w) -> None:
    hn = db.session.scalar(db.select(Province).where(Province.code == "VN-HN"))
    data = FacilityInput("SH-C", "Nhà tạm lánh C", "shelter", hn.id, 15, True, "", "")
    w.facility_c = save_facility(db.session, data)
    w.staff_c = auth.create_user(db.session, "staff.c@example.org", Role.FACILITY_STAFF, "staff.c", w.facility_c)
    w.manager_c = auth.create_user(db.session, "manager.c@example.org", Role.FACILITY_MANAGER, "manager.c",
                                   w.facility_c)
    for user in (w.staff_c, w.manager_c):
        user.password_hash = auth.hash_password(PASSWORD)


def comparison_world(w) -> SimpleNamespace:
    add_facility_c(w)
    r = w.round
    w.north = make_team(r, "North team", w.manager_b, [w.staff_b], [w.facility_a])
    w.south = make_team(r, "South team", w.staff_c, [w.manager_c], [w.facility_b])
    w.west = make_team(r, "West team", w.manager_a, [w.staff_a], [w.facility_c])
    w.self_a = scored(w, w.manager_a, w.facility_a, r, AssessmentKind.SELF, SELF_A)
    w.peer_a = scored(w, w.manager_b, w.facility_a, r, AssessmentKind.PEER, PEER_A, team=w.north)
    w.agreed_a = scored(w, w.manager_b, w.facility_a, r, AssessmentKind.AGREED, AGREED_A)
    w.self_b = scored(w, w.manager_b, w.facility_b, r, AssessmentKind.SELF, SELF_B)
    w.peer_b = scored(w, w.staff_c, w.facility_b, r, AssessmentKind.PEER, PEER_B, team=w.south)
    w.agreed_b = scored(w, w.staff_c, w.facility_b, r, AssessmentKind.AGREED, AGREED_B)
    w.self_c = scored(w, w.manager_c, w.facility_c, r, AssessmentKind.SELF, SELF_C)
    w.peer_c = scored(w, w.manager_a, w.facility_c, r, AssessmentKind.PEER, PEER_C, team=w.west)
    db.session.commit()
    return w


def matrix_setup(w) -> None:
    """For the route matrix: facility A self, North team (manager_b, staff_b) peer and agreed, all
    submitted; results not released (so facility A's users do not see the comparison yet)."""
    if hasattr(w, "comparison_ready"):
        return
    w.north = make_team(w.round, "North team", w.manager_b, [w.staff_b], [w.facility_a])
    scored(w, w.manager_a, w.facility_a, w.round, AssessmentKind.SELF, SELF_A)
    scored(w, w.manager_b, w.facility_a, w.round, AssessmentKind.PEER, PEER_A, team=w.north)
    scored(w, w.manager_b, w.facility_a, w.round, AssessmentKind.AGREED, AGREED_A)
    w.comparison_ready = True


def matrix_setup_released(w) -> None:
    """``matrix_setup`` with the round's results released to the facilities."""
    matrix_setup(w)
    for agreed in db.session.scalars(db.select(Assessment).where(
            Assessment.round_id == w.round.id, Assessment.kind == AssessmentKind.AGREED.value)):
        agreed.released_at = utcnow()
