"""The JSON API's reads of peer and agreed assessments follow the pages' blind and release rules
(``shelterassess/api/visibility.py``); writes stay with self-assessments."""
from __future__ import annotations

import pytest

from shelterassess.extensions import db
from tests.conftest import login
from tests.web.test_api import _answer, _answers, _auth, _put, _token  # the API tests' own helpers


def _get(client, user, path):
    return client.get(path, headers=_auth(_token(user)))


def _status(client, user, assessment):
    return _get(client, user, f"/api/v1/assessments/{assessment.id}").status_code


def _listed(client, user, kind):
    response = _get(client, user, f"/api/v1/assessments?kind={kind}")
    assert response.status_code == 200, response.get_json()
    return {a["id"] for a in response.get_json()["items"]}


def test_the_facility_sees_peer_scores_and_the_agreed_result_only_once_released(client, world):
    from tests import peer_scoring_fixtures as ps

    ps.add_facility_c(world)
    peer = ps.ready_to_reconcile(world)
    agreed = ps.finalised_agreed(world)
    db.session.commit()
    for user in (world.staff_a, world.manager_a):
        assert (_status(client, user, peer), _status(client, user, agreed)) == (404, 404)
        assert _listed(client, user, "peer") == set() and _listed(client, user, "agreed") == set()
    ps.released(world)
    db.session.commit()
    body = _get(client, world.staff_a, f"/api/v1/assessments/{peer.id}").get_json()
    assert body["kind"] == "peer" and body["team"] == {"id": world.team_one.id, "name": "Team 1"}
    assert body["editable"] is False and body["scores"][0]["value"] == ps.PEER_SCORES["A1"]
    assert _status(client, world.manager_a, agreed) == 200
    assert _listed(client, world.staff_a, "peer") == {peer.id} and _listed(client, world.staff_a, "agreed") == {agreed.id}
    assert _status(client, world.staff_c, peer) == 404  # another facility's staff: still blind


def test_a_team_sees_its_own_peer_assessment_but_not_another_teams_draft(client, world):
    from tests import peer_scoring_fixtures as ps

    self_a = ps.self_assessment(world)
    one = ps.submitted_peer(world)
    two = ps.peer_assessment(world, ps.team_two(world), ps.PEER_SCORES)  # a draft
    db.session.commit()
    # team 1 (submitted): its own, not team 2's draft; and the facility's self-assessment, as on its peer page
    assert (_status(client, world.staff_b, one), _status(client, world.staff_b, two)) == (200, 404)
    assert _listed(client, world.staff_b, "peer") == {one.id}
    assert _status(client, world.staff_b, self_a) == 200
    assert self_a.id in _listed(client, world.staff_b, "self")
    login(client, world.staff_b)
    assert client.get(f"/peer/assessments/{one.id}/self-assessment").status_code == 200  # the page shows it too
    client.post("/logout")
    # team 2 (draft): its own draft, and nothing of team 1 nor the facility's self-assessment yet
    body = _get(client, world.staff_c, f"/api/v1/assessments/{two.id}").get_json()
    assert body["team"]["name"] == "Team 2" and body["status"] == "draft"
    assert (_status(client, world.staff_c, one), _status(client, world.staff_c, self_a)) == (404, 404)
    assert _listed(client, world.staff_c, "peer") == {two.id}
    assert _listed(client, world.staff_c, "self") == set()
    # the assessed facility sees neither before release
    assert (_status(client, world.staff_a, one), _status(client, world.staff_a, two)) == (404, 404)
    # once team 2 submits, it sees team 1's submitted one too
    from shelterassess.assessments import peer_services
    peer_services.submit_peer_assessment(db.session, world.manager_c, two, ps.visit())
    db.session.commit()
    assert _status(client, world.staff_c, one) == 200 and _listed(client, world.staff_c, "peer") == {one.id, two.id}


def test_the_agreed_draft_is_shown_to_the_reconciling_lead_and_the_result_to_the_team(client, world):
    from shelterassess.assessments import peer_services
    from tests import peer_scoring_fixtures as ps

    ps.ready_to_reconcile(world)
    sheet = {i.code: i for i in world.sheet.indicators}
    inputs = [peer_services.AgreedInput(sheet[c].id, v, False, "Seen", None)
              for c, v in (("A1", 2), ("B1", 3), ("B2", 2))] + [peer_services.AgreedInput(sheet["A2"].id, None, True, "", None)]
    peer_services.save_agreed(db.session, world.manager_b, world.facility_a, world.round, inputs)
    db.session.commit()
    draft = ps.find_agreed(world)
    assert not draft.is_submitted
    # as on the reconciliation page: the lead and the national team; not a member, not the facility
    assert [_status(client, u, draft) for u in (world.manager_b, world.national, world.staff_b, world.staff_a)] \
        == [200, 200, 404, 404]
    assert _listed(client, world.manager_b, "agreed") == {draft.id}
    assert _listed(client, world.staff_b, "agreed") == set()
    peer_services.finalise_agreed(db.session, world.manager_b, world.facility_a, world.round)
    db.session.commit()
    # as on the results page: the team once finalised; the facility still waits for the release
    assert [_status(client, u, draft) for u in (world.staff_b, world.staff_a)] == [200, 404]
    assert _listed(client, world.staff_b, "agreed") == {draft.id}


def test_the_national_team_sees_peer_and_agreed_and_administrators_are_refused(client, world):
    from tests import peer_scoring_fixtures as ps

    agreed = ps.finalised_agreed(world)  # before team 2 is assigned, which would hold it back
    one = ps.submitted_peer(world)
    two = ps.peer_assessment(world, ps.team_two(world))
    db.session.commit()
    assert _listed(client, world.national, "peer") == {one.id, two.id}
    assert _listed(client, world.national, "agreed") == {agreed.id}
    listed = _get(client, world.national, "/api/v1/assessments?kind=peer&status=draft").get_json()
    assert [a["id"] for a in listed["items"]] == [two.id] and listed["total"] == 1
    assert {_status(client, world.national, a) for a in (one, two, agreed)} == {200}
    assert _get(client, world.admin, "/api/v1/assessments?kind=peer").status_code == 403
    assert {_status(client, world.admin, a) for a in (one, two, agreed)} == {404}
    response = _get(client, world.national, "/api/v1/assessments?kind=official")
    assert response.status_code == 400 and "kind" in response.get_json()["message"]


def test_peer_and_agreed_assessments_are_never_written_through_the_api(client, world):
    from tests import peer_scoring_fixtures as ps

    peer = ps.draft_peer(world)  # editable by its team on the pages
    db.session.commit()
    area = world.sheet.areas[0]
    indicator = area.indicators[0]
    before = _answers(client, _token(world.manager_b), peer, area)[indicator.id]
    response = _put(client, _token(world.manager_b), peer, area, [_answer(indicator.id, before["version"])])
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    assert _answers(client, _token(world.manager_b), peer, area)[indicator.id] == before
    from shelterassess.assessments import peer_services
    ps.fill(peer, ps.PEER_SCORES)
    peer_services.submit_peer_assessment(db.session, world.manager_b, peer, ps.visit())
    world.self_a = ps.self_assessment(world)
    agreed = ps.finalised_agreed(world)
    db.session.commit()
    assert _put(client, _token(world.national), agreed, area, [_answer(indicator.id, 1)]).status_code == 404


@pytest.mark.parametrize("who", ["staff_a", "staff_b", "manager_b", "staff_c", "national", "admin"])
def test_the_api_shows_a_peer_assessment_exactly_when_the_page_does(app, world, who):
    from tests import peer_scoring_fixtures as ps

    ps.finalised_agreed(world)
    one = ps.submitted_peer(world)
    two = ps.peer_assessment(world, ps.team_two(world))
    db.session.commit()
    user = getattr(world, who)
    for released in (False, True):
        if released:
            ps.released(world)
            db.session.commit()
        shown = set()
        for peer in (one, two):
            page_client, api_client = app.test_client(), app.test_client()
            login(page_client, user)
            page = page_client.get(f"/peer/assessments/{peer.id}").status_code
            assert page in (200, 404) and _status(api_client, user, peer) == page, (released, peer.team.name)
            shown |= {peer.id} if page == 200 else set()
        if who != "admin":  # the list (filtered in SQL) holds exactly the ones shown one by one
            assert _listed(app.test_client(), user, "peer") == shown, released
