"""Starting an assessment twice, one after the other or at the same moment, leaves one row:
the database refuses a second self, agreed or team peer assessment of a facility in a round,
and the start services return the row that won."""
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shelterassess.assessments import peer_queries, peer_services, queries, services
from shelterassess.assessments.models import Assessment, AssessmentKind
from shelterassess.extensions import db
from tests import peer_scoring_fixtures as pf
from tests.conftest import login


def _count(kind: AssessmentKind) -> int:
    return db.session.scalar(select(func.count(Assessment.id)).where(Assessment.kind == kind.value))


def _another_request(start):
    """Run ``start(session)`` in a session of its own and commit it, as a concurrent request would."""
    with Session(db.engine, expire_on_commit=False) as other:
        found = start(other)
        other.commit()
        return found.id


def test_two_members_starting_the_same_peer_assessment_get_one(client, world):
    team = pf.team_one(world)
    db.session.commit()
    assignment = pf.assignment_of(team, world.facility_a)
    locations = []
    for member in (world.staff_b, world.manager_b):
        client.post("/logout")
        login(client, member)
        r = client.post(f"/peer/assignments/{assignment.id}/start")
        assert r.status_code == 302
        locations.append(r.headers["Location"])
    assert locations[0] == locations[1]
    assert _count(AssessmentKind.PEER) == 1


def test_a_peer_start_that_loses_the_race_returns_the_winner(app_ctx, world, monkeypatch):
    team = pf.team_one(world)
    db.session.commit()
    assignment = pf.assignment_of(team, world.facility_a)
    find_peer, winner = peer_queries.find_peer, []

    def other_member_starts(session):
        return peer_services.start_peer_assessment(session, session.get(type(world.staff_b), world.staff_b.id),
                                                   session.get(type(assignment), assignment.id))

    def looked_before_the_other_inserted(*args):
        # Both requests looked before either inserted; the other one commits first.
        monkeypatch.setattr(peer_queries, "find_peer", find_peer)
        winner.append(_another_request(other_member_starts))
        return None

    monkeypatch.setattr(peer_queries, "find_peer", looked_before_the_other_inserted)
    peer = peer_services.start_peer_assessment(db.session, world.manager_b, assignment)
    db.session.commit()
    assert peer.id == winner[0]
    assert peer.team_id == team.id and peer.started_by_id == world.staff_b.id
    assert _count(AssessmentKind.PEER) == 1


@pytest.mark.parametrize("kind", [AssessmentKind.SELF, AssessmentKind.AGREED])
def test_a_self_or_agreed_start_that_loses_the_race_returns_the_winner(app_ctx, world, monkeypatch, kind):
    db.session.commit()
    monkeypatch.setattr(queries, "find_self_assessment", lambda *args: None)
    first = services.start_assessment(db.session, world.staff_a, world.facility_a, world.round, kind)
    db.session.commit()
    again = services.start_assessment(db.session, world.manager_a, world.facility_a, world.round, kind)
    db.session.commit()
    assert again.id == first.id and again.started_by_id == world.staff_a.id
    assert _count(kind) == 1


def test_the_database_refuses_duplicates_but_not_follow_ups(app_ctx, world):
    team = pf.team_one(world)
    db.session.commit()
    row = dict(round_id=world.round.id, facility_id=world.facility_a.id)
    for kind, team_id in ((AssessmentKind.SELF, None), (AssessmentKind.AGREED, None), (AssessmentKind.PEER, team.id)):
        db.session.add(Assessment(kind=kind.value, team_id=team_id, **row))
        db.session.commit()
        db.session.add(Assessment(kind=kind.value, team_id=team_id, **row))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    db.session.add_all([Assessment(kind=AssessmentKind.FOLLOW_UP.value, **row) for _ in range(2)])
    db.session.commit()
    assert _count(AssessmentKind.FOLLOW_UP) == 2
