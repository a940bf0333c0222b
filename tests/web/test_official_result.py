"""The agreed (official) result: reconciled from every team sent, frozen sources once
finalised, reopened only deliberately, released facility by facility (issue 7)."""
import datetime as dt

from sqlalchemy import select

from shelterassess.assessments import peer_queries, peer_services
from shelterassess.assessments.models import Assessment, AssessmentKind
from shelterassess.db import utcnow
from shelterassess.extensions import db
from shelterassess.peer.models import TeamAssignment
from tests import peer_scoring_fixtures as pf
from tests.conftest import login


def _as(client, user):
    client.post("/logout")
    login(client, user)


def _agreed_inputs(world, reason="Seen on the visit"):
    sheet = {i.code: i for i in world.sheet.indicators}
    agreed = {"A1": (2, False, reason), "A2": (None, True, ""), "B1": (3, False, ""), "B2": (2, False, "")}
    return [peer_services.AgreedInput(sheet[c].id, v, na, r, None) for c, (v, na, r) in agreed.items()]


def _two_teams_one_submitted(world):
    """Team 1 submitted, team 2 still drafting; agreed scores saved as a draft by team 1's lead."""
    pf.ready_to_reconcile(world)
    team2 = pf.team_two(world)
    peer2 = pf.peer_assessment(world, team2, pf.PEER_SCORES)
    peer_services.save_agreed(db.session, world.manager_b, world.facility_a, world.round, _agreed_inputs(world))
    db.session.commit()
    return team2, peer2


def _finalise_url(world):
    return f"/peer/reconcile/{world.facility_a.id}/{world.round.id}/finalise"


def test_finalising_is_refused_while_a_team_has_not_submitted_and_names_it(client, world):
    team2, peer2 = _two_teams_one_submitted(world)
    login(client, world.manager_b)
    r = client.post(_finalise_url(world), follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "Not every team has submitted: Team 2." in page
    db.session.expire_all()
    assert not pf.find_agreed(world).is_submitted

    peer_services.submit_peer_assessment(db.session, world.manager_c, peer2, pf.visit())
    db.session.commit()
    client.post(_finalise_url(world))
    db.session.expire_all()
    assert pf.find_agreed(world).is_submitted


def test_the_reconciliation_page_warns_which_team_is_missing(client, world):
    _two_teams_one_submitted(world)
    login(client, world.manager_b)
    page = client.get(f"/peer/reconcile/{world.facility_a.id}/{world.round.id}").get_data(as_text=True)
    assert "Not every team has submitted (Team 2)" in page


def test_a_withdrawn_assignment_is_recorded_and_lets_the_lead_finalise_without_it(client, world):
    team2, peer2 = _two_teams_one_submitted(world)
    assignment = pf.assignment_of(team2, world.facility_a)
    login(client, world.national)
    url = f"/teams/assignments/{assignment.id}/withdraw"
    r = client.post(url, data={"reason": "short"})
    assert r.status_code == 200 and "at least 10 characters" in r.get_data(as_text=True)
    db.session.expire_all()
    assert not assignment.is_withdrawn
    assert client.post(url, data={"reason": "The team could not reach the facility"}).status_code == 302
    db.session.expire_all()
    assert assignment.is_withdrawn and assignment.withdrawn_by_id == world.national.id
    assert assignment.withdraw_reason == "The team could not reach the facility"
    assert [(e.action, e.reason) for e in peer2.events][-1] == (
        "assignment_withdrawn", "The team could not reach the facility")

    _as(client, world.manager_b)
    client.post(_finalise_url(world))
    db.session.expire_all()
    agreed = pf.find_agreed(world)
    assert agreed.is_submitted


def test_a_withdrawn_teams_peer_assessment_is_never_part_of_the_result(client, world):
    team2, peer2 = _two_teams_one_submitted(world)
    assignment = pf.assignment_of(team2, world.facility_a)
    assignment.withdrawn_at, assignment.withdrawn_by_id = utcnow(), world.national.id
    assignment.withdraw_reason = "Replaced by team 1"
    db.session.commit()
    # The withdrawn team can no longer score or submit.
    login(client, world.manager_c)
    area = world.sheet.areas[0]
    assert client.post(f"/peer/assessments/{peer2.id}/areas/{area.id}", data={}).status_code in (403, 409)
    assert client.post(f"/peer/assessments/{peer2.id}/submit", data=pf.visit_form()).status_code == 403
    # Even a submission made anyway does not count.
    db.session.expire_all()
    peer2.status = "submitted"
    db.session.commit()
    data = peer_queries.reconciliation_data(db.session, world.facility_a, world.round)
    assert [p.team.name for p in data.peers] == ["Team 1"]
    assert [a.team.name for a in data.withdrawn] == ["Team 2"]
    assert data.pending_teams == []
    _as(client, world.manager_b)
    page = client.get(f"/peer/reconcile/{world.facility_a.id}/{world.round.id}").get_data(as_text=True)
    assert "Withdrawn by the national team, never part of the result: Team 2." in page
    client.post(_finalise_url(world))
    db.session.expire_all()
    pf.find_agreed(world).released_at = utcnow()
    db.session.commit()
    _as(client, world.staff_a)
    page = client.get(f"/peer/results/{world.facility_a.id}/{world.round.id}").get_data(as_text=True)
    assert "Team 1" in page and "Team 2" not in page
    assert client.get(f"/peer/assessments/{peer2.id}").status_code == 404
    compare = client.get(f"/comparisons/facilities/{world.facility_a.id}/rounds/{world.round.id}")
    assert compare.status_code == 200 and "Team 2" not in compare.get_data(as_text=True)


def test_withdrawing_is_refused_once_the_result_is_finalised(client, world):
    pf.finalised_agreed(world)
    db.session.commit()
    assignment = pf.assignment_of(world.team_one, world.facility_a)
    login(client, world.national)
    r = client.post(f"/teams/assignments/{assignment.id}/withdraw", data={"reason": "The team could not travel"})
    assert "The agreed result of SH-A is finalised" in r.get_data(as_text=True)
    db.session.expire_all()
    assert not assignment.is_withdrawn


def test_no_new_team_is_assigned_once_the_result_is_finalised(client, world):
    pf.finalised_agreed(world)
    team_c = pf.make_team(world, "Team C", world.manager_b, [world.staff_b], facilities=[world.facility_b])
    db.session.commit()
    login(client, world.national)
    r = client.post(f"/teams/{team_c.id}/assign", data={"facility_id": world.facility_a.id})
    assert "The agreed result of SH-A is finalised" in r.get_data(as_text=True)
    assert db.session.scalar(select(TeamAssignment).where(TeamAssignment.team_id == team_c.id,
                                                          TeamAssignment.facility_id == world.facility_a.id)) is None


def test_sources_are_frozen_until_the_national_team_reopens_the_agreed_result(client, world):
    agreed = pf.finalised_agreed(world)
    pf.released(world)
    db.session.commit()
    self_a, peer1 = world.self_a, world.peer_one
    login(client, world.national)
    for source in (self_a, peer1):
        r = client.post(f"/assessments/{source.id}/reopen", data={"reason": "Typo in A1"})
        assert "cannot be reopened. Reopen the agreed result first" in r.get_data(as_text=True)
        db.session.expire_all()
        assert source.is_submitted

    # The agreed result is reopened with a reason: back to reconciliation, release withdrawn, recorded.
    url = f"/peer/reconcile/{world.facility_a.id}/{world.round.id}/reopen"
    assert "withdraws the release" in client.get(url).get_data(as_text=True)
    r = client.post(url, data={"reason": ""})
    assert r.status_code == 200
    assert client.post(url, data={"reason": "A1 was mistyped on the sheet"}).status_code == 302
    db.session.expire_all()
    assert not agreed.is_submitted and agreed.released_at is None and agreed.area_results == []
    actions = [(e.action, e.reason) for e in agreed.events]
    assert ("release_withdrawn", "A1 was mistyped on the sheet") in actions
    assert actions[-1] == ("reopened", "A1 was mistyped on the sheet")
    _as(client, world.staff_a)
    assert client.get(f"/peer/results/{world.facility_a.id}/{world.round.id}").status_code == 404

    # Now the self-assessment can be reopened.
    _as(client, world.national)
    assert client.post(f"/assessments/{self_a.id}/reopen", data={"reason": "Typo in A1"}).status_code == 302
    db.session.expire_all()
    assert not self_a.is_submitted


def test_the_generic_reopen_page_refuses_an_agreed_result(client, world):
    agreed = pf.finalised_agreed(world)
    db.session.commit()
    login(client, world.national)
    assert client.post(f"/assessments/{agreed.id}/reopen", data={"reason": "Typo in A1"}).status_code == 403


def _finalise_for_b(world):
    """Facility B assessed by team 2 (facility C's users), reconciled and finalised."""
    pf.add_facility_c(world)
    team = pf.make_team(world, "Team B", world.manager_c, [world.staff_c], facilities=[world.facility_b])
    from shelterassess.assessments import services

    self_b = services.start_assessment(db.session, world.staff_b, world.facility_b, world.round)
    pf.fill(self_b, pf.SELF_SCORES)
    services.submit(db.session, world.manager_b, self_b)
    peer_b = pf.peer_assessment(world, team, pf.PEER_SCORES, submit=True, facility=world.facility_b)
    sheet = {i.code: i for i in world.sheet.indicators}
    inputs = [peer_services.AgreedInput(sheet[c].id, v, na, r, None) for c, (v, na, r) in
              {"A1": (2, False, "Seen"), "A2": (None, True, ""), "B1": (3, False, ""), "B2": (2, False, "")}.items()]
    peer_services.save_agreed(db.session, world.manager_c, world.facility_b, world.round, inputs)
    return peer_services.finalise_agreed(db.session, world.manager_c, world.facility_b, world.round), peer_b


def test_release_one_facility_at_a_time(client, world):
    agreed_a = pf.finalised_agreed(world)
    agreed_b, _peer_b = _finalise_for_b(world)
    db.session.commit()
    login(client, world.national)
    page = client.get(f"/peer/release/rounds/{world.round.id}").get_data(as_text=True)
    assert "Finalised, not released: 2" in page and "Release SH-A" in page and "Release RC-B" in page

    r = client.post(f"/peer/release/rounds/{world.round.id}/release", data={"facility_ids": [world.facility_a.id]})
    assert r.status_code == 302
    db.session.expire_all()
    assert agreed_a.released_at is not None and agreed_b.released_at is None
    assert "results_released" in [e.action for e in world.peer_one.events]

    _as(client, world.manager_a)
    assert client.get(f"/peer/results/{world.facility_a.id}/{world.round.id}").status_code == 200
    _as(client, world.manager_b)
    assert client.get(f"/peer/results/{world.facility_b.id}/{world.round.id}").status_code == 404


def test_nothing_chosen_to_release_gets_a_message_and_changes_nothing(client, world):
    agreed = pf.finalised_agreed(world)
    db.session.commit()
    login(client, world.national)
    r = client.post(f"/peer/release/rounds/{world.round.id}/release", data={})
    assert r.status_code == 422
    assert "There is no finalised result to release among those chosen." in r.get_data(as_text=True)
    db.session.expire_all()
    assert agreed.released_at is None


def test_a_result_finalised_after_a_round_wide_release_waits_for_its_own(client, world):
    from shelterassess.assessments import services

    agreed_a = pf.finalised_agreed(world)
    services.start_assessment(db.session, world.staff_b, world.facility_b, world.round)  # B takes part
    db.session.commit()
    login(client, world.national)
    page = client.get(f"/peer/release/rounds/{world.round.id}").get_data(as_text=True)
    # facility B has no agreed result yet: the confirmation says so
    assert "Release 1 finalised result?" in page and "1 facility has no agreed result yet" in page
    assert client.post(f"/peer/release/rounds/{world.round.id}/release",
                       data={"everything": "y"}).status_code == 302
    agreed_b, _peer_b = _finalise_for_b(world)
    db.session.commit()
    db.session.expire_all()
    assert agreed_a.released_at is not None
    assert agreed_b.released_at is None
    _as(client, world.manager_b)
    assert client.get(f"/peer/results/{world.facility_b.id}/{world.round.id}").status_code == 404


def test_release_counts_on_the_peer_and_comparison_indexes(client, world):
    pf.released(world)
    db.session.commit()
    login(client, world.national)
    assert "1 of 1 finalised results released" in client.get("/peer/").get_data(as_text=True)
    assert "1 of 1 finalised results released" in client.get("/comparisons/").get_data(as_text=True)


# -- the actual visit date -------------------------------------------------------------------

def _planned(world, on):
    assignment = pf.assignment_of(pf.team_one(world), world.facility_a)
    assignment.planned_visit_on = on
    return assignment


def _filled_peer(world):
    peer = pf.draft_peer(world)
    pf.fill(peer, pf.PEER_SCORES)
    return peer


def test_submitting_records_the_actual_visit_date(client, world):
    peer = _filled_peer(world)
    assignment = _planned(world, utcnow().date())
    db.session.commit()
    login(client, world.manager_b)
    assert client.post(f"/peer/assessments/{peer.id}/submit", data=pf.visit_form()).status_code == 302
    db.session.expire_all()
    assert peer.is_submitted and assignment.visited_on == utcnow().date() and assignment.visit_note == ""


def test_submitting_before_the_planned_visit_needs_a_note(client, world):
    peer = _filled_peer(world)
    planned = utcnow().date() + dt.timedelta(days=10)
    assignment = _planned(world, planned)
    db.session.commit()
    login(client, world.manager_b)
    r = client.post(f"/peer/assessments/{peer.id}/submit", data=pf.visit_form())
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "Say why the team visited on another day." in page
    db.session.expire_all()
    assert not peer.is_submitted and assignment.visited_on is None
    note = "The facility asked us to come earlier"
    r = client.post(f"/peer/assessments/{peer.id}/submit", data=pf.visit_form(note=note))
    assert r.status_code == 302
    db.session.expire_all()
    assert peer.is_submitted and assignment.visit_note == note


def test_a_visit_in_the_future_is_refused_and_the_note_is_kept(client, world):
    peer = _filled_peer(world)
    db.session.commit()
    login(client, world.manager_b)
    tomorrow = utcnow().date() + dt.timedelta(days=2)
    r = client.post(f"/peer/assessments/{peer.id}/submit", data=pf.visit_form(tomorrow, note="Visite prévue"))
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "The visit date cannot be in the future." in page
    assert "Visite prévue" in page
    db.session.expire_all()
    assert not peer.is_submitted


def test_a_missing_or_malformed_visit_date_is_refused(client, world):
    peer = _filled_peer(world)
    db.session.commit()
    login(client, world.manager_b)
    for value in ("", "31/02/2027", "99999-01-01"):
        r = client.post(f"/peer/assessments/{peer.id}/submit", data={"visited_on": value})
        assert r.status_code == 422
    db.session.expire_all()
    assert not peer.is_submitted
    assert db.session.scalar(select(Assessment).where(Assessment.kind == AssessmentKind.PEER.value)).status == "draft"
