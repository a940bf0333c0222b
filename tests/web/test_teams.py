"""Peer teams through HTTP: forming teams, conflict-of-interest rules, assignments and visits."""
import datetime as dt
import html

from sqlalchemy import func, select

from shelterassess.assessments.models import AssessmentKind
from shelterassess.assessments.services import start_assessment
from shelterassess.assessors import queries as assessor_queries
from shelterassess.extensions import db
from shelterassess.peer.models import Certification, PeerTeam, TeamAssignment, TeamMember
from shelterassess.rounds import services as rounds
from shelterassess.teams import queries, services
from tests.conftest import login
from tests.team_fixtures import add_facility_c, certify, make_team


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _team_form(w, members, lead, name="Alpha", **extra):
    return {"round_id": w.round.id, "name": name, "members": [u.id for u in members], "lead_id": lead.id, **extra}


# -- forming a team -------------------------------------------------------------------

def test_new_team_form_offers_certified_assessors_with_their_facility(client, world):
    certify(world, world.staff_a, world.staff_b)
    db.session.commit()
    login(client, world.national)
    page = _text(client.get(f"/teams/new?round={world.round.id}"))
    assert "staff.a (SH-A)" in page and "staff.b (RC-B)" in page
    assert "manager.a (SH-A)" not in page  # not certified


def test_national_team_creates_a_team_and_sees_it_in_the_round(client, world):
    certify(world, world.staff_a, world.staff_b)
    db.session.commit()
    login(client, world.national)
    r = client.post("/teams/new", data=_team_form(world, [world.staff_a, world.staff_b], world.staff_b))
    assert r.status_code == 302
    team = db.session.scalar(select(PeerTeam))
    assert team.name == "Alpha" and team.lead_id == world.staff_b.id
    assert team.member_ids == {world.staff_a.id, world.staff_b.id}
    page = _text(client.get(r.headers["Location"]))
    assert "Team Alpha created." in page and "staff.a (SH-A)" in page


def test_uncertified_member_is_refused_by_name(client, world):
    certify(world, world.staff_a)
    db.session.commit()
    login(client, world.national)
    r = client.post("/teams/new", data=_team_form(world, [world.staff_a, world.staff_b], world.staff_a))
    assert r.status_code == 200
    assert "staff.b (RC-B) is not a certified assessor." in _text(r)
    assert _count(PeerTeam) == 0


def test_revoked_certification_no_longer_counts(app_ctx, world):
    certify(world, world.staff_a, world.staff_b)
    cert = db.session.scalar(select(Certification).where(Certification.user_id == world.staff_b.id))
    assert assessor_queries.is_certified(db.session, world.staff_b.id)
    cert.revoked_at = cert.certified_at
    db.session.flush()
    assert not assessor_queries.is_certified(db.session, world.staff_b.id)
    assert [u.id for u in assessor_queries.certified_assessors(db.session)] == [world.staff_a.id]
    assert assessor_queries.certified_user_ids(db.session, [world.staff_a.id, world.staff_b.id]) == {world.staff_a.id}


def test_size_and_lead_errors_keep_the_input(client, world):
    certify(world, world.staff_a, world.staff_b)
    db.session.commit()
    login(client, world.national)
    r = client.post("/teams/new", data=_team_form(world, [world.staff_a], world.staff_b, name="Solo"))
    page = _text(r)
    assert "A team needs 2 to 5 members; this one has 1." in page
    assert "The team lead must be one of the members." in page
    assert 'value="Solo"' in page
    assert f'value="{world.staff_a.id}" checked' in page
    assert _count(PeerTeam) == 0


def test_warnings_need_confirmation(client, world):
    certify(world, world.staff_a, world.manager_a)
    db.session.commit()
    login(client, world.national)
    data = _team_form(world, [world.staff_a, world.manager_a], world.manager_a)
    r = client.post("/teams/new", data=data)
    page = _text(r)
    assert r.status_code == 200
    assert "No member works at a border reception centre." in page
    form = page[page.index('<form method="post" novalidate>'):]
    assert 'name="confirm_warnings"' in form[:form.index("</form>")]  # inside the form, so the browser sends it
    assert _count(PeerTeam) == 0
    r = client.post("/teams/new", data={**data, "confirm_warnings": "y"})
    assert r.status_code == 302
    assert _count(PeerTeam) == 1


def test_duplicate_team_name_in_a_round_is_refused(client, world):
    make_team(world, [world.staff_a, world.staff_b], name="Alpha")
    db.session.commit()
    login(client, world.national)
    r = client.post("/teams/new", data=_team_form(world, [world.staff_a, world.staff_b], world.staff_a))
    assert "A team called Alpha exists already in 2027 national round." in _text(r)
    assert _count(PeerTeam) == 1


# -- conflicts of interest ----------------------------------------------------------------

def test_member_from_the_assessed_facility_is_refused_with_the_message(client, world):
    team = make_team(world, [world.staff_a, world.staff_b], lead=world.staff_b)
    db.session.commit()
    login(client, world.national)
    r = client.post(f"/teams/{team.id}/assign", data={"facility_id": world.facility_a.id,
                                                      "planned_visit_on": "2027-05-02"})
    assert r.status_code == 200
    page = _text(r)
    assert "staff.a (SH-A) works at SH-A, which this team assesses." in page
    assert 'value="2027-05-02"' in page
    assert _count(TeamAssignment) == 0


def test_adding_a_member_from_an_assessed_facility_is_refused(client, world):
    add_facility_c(world)
    team = make_team(world, [world.staff_b, world.staff_c], lead=world.staff_b, facility=world.facility_a)
    certify(world, world.staff_a)
    db.session.commit()
    login(client, world.national)
    data = {"name": team.name, "members": [world.staff_b.id, world.staff_c.id, world.staff_a.id],
            "lead_id": world.staff_b.id}
    r = client.post(f"/teams/{team.id}/edit", data=data)
    assert r.status_code == 200
    assert "staff.a (SH-A) works at SH-A, which this team assesses." in _text(r)
    db.session.expire_all()
    assert {m.user_id for m in db.session.scalars(select(TeamMember))} == {world.staff_b.id, world.staff_c.id}


def test_reciprocal_assessment_is_refused(client, world):
    make_team(world, [world.staff_a, world.manager_a], facility=world.facility_b, name="Alpha")
    beta = make_team(world, [world.staff_b, world.manager_b], name="Beta")
    db.session.commit()
    login(client, world.national)
    r = client.post(f"/teams/{beta.id}/assign", data={"facility_id": world.facility_a.id})
    assert r.status_code == 200
    assert ("RC-B and SH-A would assess each other in this round: this team has a member from RC-B and assesses "
            "SH-A, while team Alpha has a member from SH-A and assesses RC-B.") in _text(r)
    assert _count(TeamAssignment) == 1


def test_a_facility_has_at_most_two_teams(client, world):
    add_facility_c(world)
    make_team(world, [world.staff_a, world.staff_c], facility=world.facility_b, name="Alpha")
    make_team(world, [world.manager_a, world.staff_c], facility=world.facility_b, name="Beta")
    gamma = make_team(world, [world.staff_a, world.manager_a], name="Gamma")
    db.session.commit()
    login(client, world.national)
    r = client.post(f"/teams/{gamma.id}/assign", data={"facility_id": world.facility_b.id})
    assert "RC-B already has 2 teams in this round (Alpha, Beta)." in _text(r)
    assert len(queries.assignments_for_facility(db.session, world.facility_b.id, world.round.id)) == 2


def test_assignment_warning_for_last_rounds_team_needs_confirmation(client, world):
    make_team(world, [world.staff_a, world.manager_a], facility=world.facility_b, name="Alpha")
    rounds.close_round(db.session, world.round)
    new_round = rounds.create_round(db.session, "2028 national round", world.sheet)
    team = make_team(world, [world.staff_a, world.manager_a], name="Alpha again", round_=new_round)
    db.session.commit()
    login(client, world.national)
    r = client.post(f"/teams/{team.id}/assign", data={"facility_id": world.facility_b.id})
    assert "The same members assessed RC-B in the previous round (2027 national round)." in _text(r)
    assert len(team.assignments) == 0
    r = client.post(f"/teams/{team.id}/assign", data={"facility_id": world.facility_b.id, "confirm_warnings": "y"})
    assert r.status_code == 302
    db.session.expire_all()
    assert [a.facility_id for a in db.session.get(PeerTeam, team.id).assignments] == [world.facility_b.id]


def test_create_team_service_returns_confirmed_warnings(app_ctx, world):
    certify(world, world.staff_a, world.manager_a)
    team, warnings = services.create_team(db.session, world.round, " Alpha ", [world.staff_a, world.manager_a],
                                          world.staff_a, confirm_warnings=True)
    assert team.name == "Alpha"
    assert [w.code for w in warnings] == ["no_reception_centre_member"]
    assert services.teams_for_user(db.session, world.manager_a) == [team]


def test_renaming_a_team_does_not_ask_again_about_known_warnings(client, world):
    team = make_team(world, [world.staff_a, world.manager_a], facility=world.facility_b)
    db.session.commit()
    login(client, world.national)
    data = {"name": "Alpha renamed", "members": [world.staff_a.id, world.manager_a.id], "lead_id": world.manager_a.id}
    assert client.post(f"/teams/{team.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(PeerTeam, team.id).name == "Alpha renamed"


# -- who sees what ---------------------------------------------------------------------

def test_staff_get_403_on_team_management(client, world):
    team = make_team(world, [world.staff_a, world.manager_a], facility=world.facility_b)
    db.session.commit()
    login(client, world.manager_a)  # the team lead
    assert client.get("/teams/").status_code == 403
    assert client.get("/teams/new").status_code == 403
    assert client.get(f"/teams/{team.id}/edit").status_code == 403
    assert client.post(f"/teams/{team.id}/assign", data={"facility_id": world.facility_b.id}).status_code == 403
    assert client.post(f"/teams/{team.id}/delete").status_code == 403
    assert client.post(f"/teams/assignments/{team.assignments[0].id}/visit",
                       data={"planned_visit_on": "2027-01-01"}).status_code == 403
    assert _count(PeerTeam) == 1


def test_members_see_their_team_and_others_get_404(client, world):
    team = make_team(world, [world.staff_a, world.manager_a], facility=world.facility_b, visit=dt.date(2027, 5, 2))
    db.session.commit()
    login(client, world.staff_a)
    page = _text(client.get(f"/teams/{team.id}"))
    assert "Team Alpha" in page and "RC-B" in page and "Edit team" not in page
    mine = _text(client.get("/teams/mine"))
    assert "Alpha" in mine and "RC-B · Trung tâm tiếp nhận B" in mine and "2027" in mine
    assert "My teams" in _text(client.get("/"))
    client.post("/logout")
    login(client, world.staff_b)
    assert client.get(f"/teams/{team.id}").status_code == 404
    assert client.get("/teams/999999").status_code == 404
    assert "You are not on a peer team yet." in _text(client.get("/teams/mine"))
    assert "My teams" not in _text(client.get("/"))


def test_national_team_sees_the_round_with_warnings(client, world):
    make_team(world, [world.staff_a, world.manager_a], facility=world.facility_b, visit=dt.date(2027, 5, 2))
    db.session.commit()
    login(client, world.national)
    page = _text(client.get("/teams/"))
    assert "Peer teams" in page and "Teams of 2027 national round" in page
    assert "No member works at a border reception centre." in page
    assert "RC-B" in page and "May 2, 2027" in page


# -- visits ------------------------------------------------------------------------------

def test_visits_are_listed_soonest_first_and_past_due_separately(client, world):
    add_facility_c(world)
    today = dt.date.today()
    make_team(world, [world.staff_a, world.manager_a], facility=world.facility_b, visit=today + dt.timedelta(days=20),
              name="Alpha")
    make_team(world, [world.staff_b, world.manager_b], facility=world.facility_c, visit=today + dt.timedelta(days=3),
              name="Beta")
    late = make_team(world, [world.staff_b, world.staff_a], facility=world.facility_c,
                     visit=today - dt.timedelta(days=10), name="Gamma")
    db.session.commit()
    login(client, world.national)
    page = _text(client.get("/teams/visits"))
    upcoming, _sep, overdue = page.partition("Past the planned date")
    assert upcoming.index("Beta") < upcoming.index("Alpha")
    assert "Gamma" not in upcoming and "Gamma" in overdue
    client.post("/logout")
    login(client, world.manager_a)
    own = _text(client.get("/teams/visits"))
    assert "Alpha" in own and "Beta" not in own and "Gamma" not in own
    # once the late team's peer assessment is submitted it is no longer past due
    peer = start_assessment(db.session, world.staff_b, world.facility_c, world.round, AssessmentKind.PEER)
    peer.team_id, peer.status = late.id, "submitted"
    db.session.commit()
    schedule = queries.visit_schedule_pages(db.session, today, {})
    assert [v.team.name for v in schedule.upcoming.items] == ["Beta", "Alpha"] and schedule.overdue.items == []


def test_bad_visit_date_keeps_what_was_typed(client, world):
    team = make_team(world, [world.staff_a, world.manager_a], facility=world.facility_b, visit=dt.date(2027, 5, 2))
    db.session.commit()
    login(client, world.national)
    url = f"/teams/assignments/{team.assignments[0].id}/visit"
    r = client.post(url, data={"planned_visit_on": "2027-13-45"})
    page = _text(r)
    assert r.status_code == 200
    assert 'value="2027-13-45"' in page
    assert "Enter the date as year-month-day, for example 2027-03-15." in page
    assert team.assignments[0].planned_visit_on == dt.date(2027, 5, 2)
    assert client.post(url, data={"planned_visit_on": "2027-06-10"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(TeamAssignment, team.assignments[0].id).planned_visit_on == dt.date(2027, 6, 10)


def test_bad_date_when_assigning_keeps_the_typing(client, world):
    team = make_team(world, [world.staff_a, world.manager_a])
    db.session.commit()
    login(client, world.national)
    data = {"facility_id": world.facility_b.id, "planned_visit_on": "tomorrow", "confirm_warnings": "y"}
    r = client.post(f"/teams/{team.id}/assign", data=data)
    page = _text(r)
    assert 'value="tomorrow"' in page and "Enter the date as year-month-day" in page
    assert f'<option selected value="{world.facility_b.id}">' in page
    assert _count(TeamAssignment) == 0


# -- deleting -----------------------------------------------------------------------------

def test_team_with_a_started_peer_assessment_cannot_be_deleted(client, world):
    team = make_team(world, [world.staff_a, world.manager_a], facility=world.facility_b)
    peer = start_assessment(db.session, world.staff_a, world.facility_b, world.round, AssessmentKind.PEER)
    peer.team_id = team.id
    db.session.commit()
    login(client, world.national)
    r = client.post(f"/teams/{team.id}/delete", follow_redirects=True)
    assert "Team Alpha has started peer assessments, so it cannot be deleted." in _text(r)
    r = client.post(f"/teams/assignments/{team.assignments[0].id}/delete", follow_redirects=True)
    assert "Team Alpha has started its peer assessment of RC-B" in _text(r)
    assert _count(PeerTeam) == 1 and _count(TeamAssignment) == 1


def test_deleting_an_assignment_and_a_team(client, world):
    team = make_team(world, [world.staff_a, world.manager_a], facility=world.facility_b)
    db.session.commit()
    login(client, world.national)
    assert client.post(f"/teams/assignments/{team.assignments[0].id}/delete").status_code == 302
    assert _count(TeamAssignment) == 0
    r = client.post(f"/teams/{team.id}/delete")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/teams/?round={world.round.id}")
    assert _count(PeerTeam) == 0 and _count(TeamMember) == 0


def test_closed_round_teams_cannot_change(client, world):
    team = make_team(world, [world.staff_a, world.manager_a])
    rounds.close_round(db.session, world.round)
    db.session.commit()
    login(client, world.national)
    r = client.post(f"/teams/{team.id}/assign", data={"facility_id": world.facility_b.id, "confirm_warnings": "y"})
    assert "The round 2027 national round is closed" in _text(r)
    assert _count(TeamAssignment) == 0


def test_pages_render_in_vietnamese(client_vi, world):
    team = make_team(world, [world.staff_a, world.manager_a], facility=world.facility_b, visit=dt.date(2027, 5, 2))
    db.session.commit()
    login(client_vi, world.national)
    for url in ("/teams/", f"/teams/{team.id}", f"/teams/{team.id}/assign", "/teams/visits", "/teams/new"):
        assert client_vi.get(url).status_code == 200, url
