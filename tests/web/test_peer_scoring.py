"""Blind peer scoring, reconciliation into agreed scores and release of results, through HTTP."""
import re

from sqlalchemy import select

from shelterassess.assessments import peer_services
from shelterassess.assessments.models import Assessment, AssessmentKind, Score
from shelterassess.extensions import db
from tests import peer_scoring_fixtures as pf
from tests.area_posts import post_area
from tests.conftest import login


def _codes(world):
    return {i.code: i for i in world.sheet.indicators}


def _area_data(area, values, versions=None, notes=None):
    data = {}
    for ind, value in zip(area.indicators, values):
        data[f"score-{ind.id}"] = value
        data[f"evidence-{ind.id}"] = ["observation"]
        data[f"note-{ind.id}"] = (notes or {}).get(ind.code, "")
        if versions:
            data[f"version-{ind.id}"] = str(versions[ind.id])
    return data


def _reconcile_data(world, agreed, versions=None):
    """``agreed``: code -> (value as sent, reason)."""
    data = {}
    for code, ind in _codes(world).items():
        value, reason = agreed.get(code, ("", ""))
        data[f"agreed-{ind.id}"] = value
        data[f"reason-{ind.id}"] = reason
        data[f"version-{ind.id}"] = str((versions or {}).get(ind.id, 1))
    return data


def _scores(assessment):
    rows = db.session.scalars(select(Score).where(Score.assessment_id == assessment.id)).all()
    return {s.indicator.code: s for s in rows}


def _as(client, user):
    client.post("/logout")
    login(client, user)


def test_full_flow_blind_scoring_reconciliation_and_release(client, world):
    pf.team_one(world)
    self_a = pf.self_assessment(world)  # A1 3, A2 N/A, B1 3, B2 2
    db.session.commit()
    area_a, area_b = world.sheet.areas

    # A team member sees the assignment and starts the peer assessment (once).
    login(client, world.staff_b)
    page = client.get("/peer/").get_data(as_text=True)
    assert "SH-A" in page and "Team 1" in page and "Start the peer assessment of SH-A" in page
    assignment = pf.assignment_of(world.team_one, world.facility_a)
    r = client.post(f"/peer/assignments/{assignment.id}/start")
    assert r.status_code == 302
    peer = db.session.scalar(select(Assessment).where(Assessment.kind == "peer"))
    assert peer.team_id == world.team_one.id and peer.facility_id == world.facility_a.id
    again = client.post(f"/peer/assignments/{assignment.id}/start")
    assert again.headers["Location"].endswith(f"/peer/assessments/{peer.id}")
    assert pf.count_kind(AssessmentKind.PEER) == 1

    # Blind: the facility's self-assessment is out of reach until the team has submitted.
    assert client.get(f"/assessments/{self_a.id}").status_code == 404
    assert client.get(f"/assessments/{self_a.id}/results").status_code == 404
    assert client.get(f"/reports/assessments/{self_a.id}.pdf").status_code == 404
    assert client.get(f"/peer/assessments/{peer.id}/self-assessment").status_code == 404
    assert client.get(f"/peer/results/{world.facility_a.id}/{world.round.id}").status_code == 404
    assert client.get(f"/peer/reconcile/{world.facility_a.id}/{world.round.id}").status_code == 404
    overview = client.get(f"/peer/assessments/{peer.id}").get_data(as_text=True)
    assert f"/peer/assessments/{peer.id}/self-assessment" not in overview
    assert f"/assessments/{self_a.id}\"" not in overview

    # Fill area A; the form is the self-assessment's, with the draft kept in the browser.
    page = client.get(f"/peer/assessments/{peer.id}/areas/{area_a.id}").get_data(as_text=True)
    assert f'data-keep-draft="{peer.id}-{area_a.id}"' in page
    r = post_area(client, f"/peer/assessments/{peer.id}/areas/{area_a.id}", data=_area_data(area_a, ["1", "na"]))
    assert r.status_code == 302

    # Two members edit area B together: the stale save is refused and nothing is lost.
    versions = {i.id: s.version for i, s in zip(area_b.indicators, [_scores(peer)["B1"], _scores(peer)["B2"]])}
    r = client.post(f"/peer/assessments/{peer.id}/areas/{area_b.id}",
                    data=_area_data(area_b, ["3", "2"], versions, {"B1": "Tủ hồ sơ có khóa"}))
    assert r.status_code == 302
    _as(client, world.manager_b)
    r = client.post(f"/peer/assessments/{peer.id}/areas/{area_b.id}",
                    data=_area_data(area_b, ["1", "1"], versions, {"B1": "Bản nháp của trưởng nhóm"}))
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Someone else changed B1, B2 since you opened this page" in page
    assert "Bản nháp của trưởng nhóm" in page  # what the lead typed is still in the form
    db.session.expire_all()
    assert (_scores(peer)["B1"].value, _scores(peer)["B1"].note) == (3, "Tủ hồ sơ có khóa")

    # Only the lead submits.
    _as(client, world.staff_b)
    assert client.post(f"/peer/assessments/{peer.id}/submit", data=pf.visit_form()).status_code == 403
    _as(client, world.manager_b)
    assert client.post(f"/peer/assessments/{peer.id}/submit", data=pf.visit_form()).status_code == 302
    db.session.expire_all()
    assert peer.is_submitted

    # Now the team sees the facility's self-assessment (in the peer pages; the facility's own pages stay theirs).
    _as(client, world.staff_b)
    page = client.get(f"/peer/assessments/{peer.id}/self-assessment").get_data(as_text=True)
    assert "The facility&#39;s self-assessment" in page or "The facility's self-assessment" in page
    assert client.get(f"/assessments/{self_a.id}").status_code == 404
    assert client.get(f"/peer/reconcile/{world.facility_a.id}/{world.round.id}").status_code == 404  # not the lead

    # The facility sees nothing of the team's work before release.
    _as(client, world.manager_a)
    assert client.get(f"/peer/assessments/{peer.id}").status_code == 404
    assert client.get(f"/peer/assessments/{peer.id}/areas/{area_a.id}").status_code == 404
    assert client.get(f"/peer/results/{world.facility_a.id}/{world.round.id}").status_code == 404
    assert "Peer and agreed results" not in client.get(f"/assessments/{self_a.id}").get_data(as_text=True)

    # The lead reconciles: A1 (self 3, peer 1) needs a reason; equal scores are prefilled.
    _as(client, world.manager_b)
    url = f"/peer/reconcile/{world.facility_a.id}/{world.round.id}"
    page = client.get(url).get_data(as_text=True)
    codes = _codes(world)
    assert "gap of 2 or more: reason needed" in page
    b1_select = page.split(f'name="agreed-{codes["B1"].id}"')[1].split("</select>")[0]
    assert '<option selected value="3">3</option>' in b1_select
    assert "+2" in page  # self minus peer for A1
    agreed = {"A1": ("2", ""), "A2": ("na", ""), "B1": ("3", ""), "B2": ("2", "")}
    r = client.post(url, data=_reconcile_data(world, agreed))
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "A1: the scores differ by 2 or more" in page
    assert "Nothing was saved" in page
    assert pf.count_kind(AssessmentKind.AGREED) == 0  # all or nothing: not even the agreed assessment

    agreed["A1"] = ("2", "Hai phòng ngủ dùng chung; đã thống nhất mức 2")
    assert client.post(url, data=_reconcile_data(world, agreed)).status_code == 302
    agreed_a = pf.find_agreed(world)
    assert agreed_a is not None and not agreed_a.is_submitted
    assert _scores(agreed_a)["A1"].value == 2
    assert _scores(agreed_a)["A1"].note.startswith("Hai phòng ngủ")
    assert _scores(agreed_a)["A2"].not_applicable

    # The national team reads but does not edit.
    _as(client, world.national)
    assert client.get(url).status_code == 200
    assert client.post(url, data=_reconcile_data(world, agreed)).status_code == 403
    assert client.post(f"{url}/finalise").status_code == 403

    # The lead finalises: the agreed assessment is the official result, with stored area results.
    _as(client, world.manager_b)
    r = client.post(f"{url}/finalise")
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/peer/results/{world.facility_a.id}/{world.round.id}")
    db.session.expire_all()
    assert agreed_a.is_submitted
    assert [round(ar.percentage, 1) for ar in agreed_a.area_results] == [66.7, 83.3]
    assert [e.action for e in agreed_a.events][-1] == "submitted"

    # Before release the facility still sees nothing.
    _as(client, world.manager_a)
    assert client.get(f"/peer/results/{world.facility_a.id}/{world.round.id}").status_code == 404
    assert client.get(f"/assessments/{agreed_a.id}").status_code == 404

    # The national team releases: the facility sees self, peer and agreed scores.
    _as(client, world.national)
    assert client.post(f"/peer/release/rounds/{world.round.id}/release",
                       data={"facility_ids": [world.facility_a.id]}).status_code == 302
    db.session.expire_all()
    assert agreed_a.released_at is not None and agreed_a.released_by_id == world.national.id
    assert "results_released" in [e.action for e in agreed_a.events]
    _as(client, world.staff_a)
    assert "Peer and agreed results" in client.get(f"/assessments/{self_a.id}").get_data(as_text=True)
    r = client.get(f"/peer/results/{world.facility_a.id}/{world.round.id}")
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Team 1" in page and "Agreed" in page and "Hai phòng ngủ dùng chung" in page
    assert "83.3%" in page  # agreed area B: (3 + 2) / 2 / 3

    # Withdrawing needs a reason and is recorded; the facility loses sight again.
    _as(client, world.national)
    withdraw = f"/peer/release/rounds/{world.round.id}/withdraw"
    r = client.post(withdraw, data={"reason": "", "facility_ids": [world.facility_a.id]})
    assert r.status_code == 422 and "Say why the release is withdrawn." in r.get_data(as_text=True)
    db.session.expire_all()
    assert agreed_a.released_at is not None
    client.post(withdraw, data={"reason": "Agreed B2 to be checked", "facility_ids": [world.facility_a.id]})
    db.session.expire_all()
    assert agreed_a.released_at is None
    event = agreed_a.events[-1]
    assert (event.action, event.reason) == ("release_withdrawn", "Agreed B2 to be checked")
    assert event.user_id == world.national.id
    _as(client, world.staff_a)
    assert client.get(f"/peer/results/{world.facility_a.id}/{world.round.id}").status_code == 404


def test_another_teams_draft_is_404_for_a_different_team(client, world):
    team2 = pf.team_two(world)
    peer1 = pf.draft_peer(world)
    peer2 = pf.peer_assessment(world, team2, pf.PEER_SCORES)
    db.session.commit()
    area = world.sheet.areas[0]
    login(client, world.staff_c)
    assert client.get(f"/peer/assessments/{peer1.id}").status_code == 404
    assert client.get(f"/peer/assessments/{peer1.id}/areas/{area.id}").status_code == 404
    r = post_area(client, f"/peer/assessments/{peer1.id}/areas/{area.id}", data=_area_data(area, ["0", "0"]))
    assert r.status_code == 404
    assert client.get(f"/peer/assessments/{peer2.id}").status_code == 200
    # Team 1 submits: still hidden from team 2 until team 2 has submitted its own.
    pf.fill(peer1, pf.PEER_SCORES)
    peer_services.submit_peer_assessment(db.session, world.manager_b, peer1, pf.visit())
    db.session.commit()
    assert client.get(f"/peer/assessments/{peer1.id}").status_code == 404
    peer_services.submit_peer_assessment(db.session, world.manager_c, peer2, pf.visit())
    db.session.commit()
    assert client.get(f"/peer/assessments/{peer1.id}").status_code == 200
    # ... while team 1 sees team 2's submitted scores as soon as its own are in.
    _as(client, world.staff_b)
    assert client.get(f"/peer/assessments/{peer2.id}").status_code == 200


def test_team_does_not_see_a_submitted_other_team_before_its_own_submission(client, world):
    team2 = pf.team_two(world)
    pf.self_assessment(world)
    peer1 = pf.submitted_peer(world)
    pf.peer_assessment(world, team2)  # team 2 still drafting
    db.session.commit()
    login(client, world.manager_c)  # team 2's lead
    assert client.get(f"/peer/assessments/{peer1.id}").status_code == 404
    assert client.get(f"/peer/reconcile/{world.facility_a.id}/{world.round.id}").status_code == 404
    assert client.get(f"/peer/results/{world.facility_a.id}/{world.round.id}").status_code == 404
    _as(client, world.manager_b)  # team 1's lead reconciles with what is submitted; team 2 is named as pending
    page = client.get(f"/peer/reconcile/{world.facility_a.id}/{world.round.id}").get_data(as_text=True)
    assert "Not submitted yet, so not shown: Team 2." in page


def test_assessed_facility_never_opens_the_teams_draft(client, world):
    pf.released(world)  # team 1's result is released to facility A ...
    peer = pf.peer_assessment(world, pf.team_two(world))  # ... while team 2 still drafts
    db.session.commit()
    area = world.sheet.areas[0]
    for user in (world.staff_a, world.manager_a):
        _as(client, user)
        assert client.get(f"/peer/assessments/{peer.id}").status_code == 404
        assert client.get(f"/peer/assessments/{peer.id}/areas/{area.id}").status_code == 404
        assert client.get(f"/peer/assessments/{peer.id}/self-assessment").status_code == 404
        assert client.get(f"/assessments/{peer.id}").status_code == 404
        assert client.get(f"/reports/assessments/{peer.id}.pdf").status_code == 404
        assert client.post(f"/peer/assessments/{peer.id}/submit").status_code == 404


def test_released_submitted_peer_is_visible_to_the_facility_read_only(client, world):
    peer = pf.submitted_peer(world)
    pf.released(world)
    db.session.commit()
    login(client, world.manager_a)
    assert client.get(f"/peer/assessments/{peer.id}").status_code == 200
    page = client.get(f"/peer/assessments/{peer.id}/areas/{world.sheet.areas[0].id}").get_data(as_text=True)
    assert "Save draft" not in page


def test_reconciliation_waits_for_the_self_assessment(client, world):
    pf.self_assessment(world, submit=False)
    pf.submitted_peer(world)
    db.session.commit()
    login(client, world.manager_b)
    url = f"/peer/reconcile/{world.facility_a.id}/{world.round.id}"
    r = client.get(url)
    assert r.status_code == 200 and "Reconciliation opens when" in r.get_data(as_text=True)
    assert "Self-assessment:" in r.get_data(as_text=True) and "agreed-" not in r.get_data(as_text=True)
    assert client.post(url, data={}).status_code == 403


def test_stale_reconciliation_save_is_refused_and_nothing_is_lost(client, world):
    pf.ready_to_reconcile(world)
    team2 = pf.team_two(world)
    pf.peer_assessment(world, team2, pf.PEER_SCORES, submit=True)
    db.session.commit()
    codes = _codes(world)
    url = f"/peer/reconcile/{world.facility_a.id}/{world.round.id}"
    agreed = {"A1": ("2", "Both teams saw shared rooms"), "A2": ("na", ""), "B1": ("3", ""), "B2": ("2", "")}
    login(client, world.manager_c)
    assert client.post(url, data=_reconcile_data(world, agreed)).status_code == 302
    _as(client, world.manager_b)  # still holds the page as it was before the first save (version 1)
    mine = dict(agreed, B2=("1", "Khóa tủ bị hỏng"))
    r = client.post(url, data=_reconcile_data(world, mine))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Someone else changed B2" in page and "Khóa tủ bị hỏng" in page
    agreed_a = pf.find_agreed(world)
    assert _scores(agreed_a)["B2"].value == 2
    # Saving again with the versions the page now carries keeps the lead's choice.
    rendered = re.search(rf'name="version-{codes["B2"].id}" type="hidden" value="(\d+)"', page).group(1)
    versions = {ind.id: _scores(agreed_a)[c].version for c, ind in codes.items()}
    assert int(rendered) == versions[codes["B2"].id] == 2
    assert client.post(url, data=_reconcile_data(world, mine, versions)).status_code == 302
    db.session.expire_all()
    assert (_scores(agreed_a)["B2"].value, _scores(agreed_a)["B2"].note) == (1, "Khóa tủ bị hỏng")


def test_finalising_needs_every_indicator_agreed(client, world):
    pf.ready_to_reconcile(world)
    db.session.commit()
    url = f"/peer/reconcile/{world.facility_a.id}/{world.round.id}"
    login(client, world.manager_b)
    r = client.post(f"{url}/finalise", follow_redirects=True)
    assert "Save the agreed scores before finalising." in r.get_data(as_text=True)
    assert client.post(url, data=_reconcile_data(world, {"B1": ("3", "")})).status_code == 302
    r = client.post(f"{url}/finalise", follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "A1: choose the agreed score." in page and "B2: choose the agreed score." in page
    assert not pf.find_agreed(world).is_submitted


def test_finalised_agreed_is_read_only(client, world):
    pf.finalised_agreed(world)
    db.session.commit()
    url = f"/peer/reconcile/{world.facility_a.id}/{world.round.id}"
    login(client, world.manager_b)
    page = client.get(url).get_data(as_text=True)
    assert "Finalised" in page and "Save the agreed scores" not in page
    assert client.post(url, data=_reconcile_data(world, {"A1": ("3", "x")})).status_code == 403


def test_release_twice_is_refused_and_only_national_releases(client, world):
    pf.finalised_agreed(world)
    db.session.commit()
    url = f"/peer/release/rounds/{world.round.id}/release"
    login(client, world.manager_b)
    assert client.post(url, data={"everything": "y"}).status_code == 403
    assert client.get(f"/peer/release/rounds/{world.round.id}").status_code == 403
    _as(client, world.national)
    assert client.post(url, data={"everything": "y"}).status_code == 302
    r = client.post(url, data={"everything": "y"})
    assert r.status_code == 422 and "There is no finalised result to release" in r.get_data(as_text=True)


def test_national_index_lists_assignments_and_release_controls(client, world):
    pf.draft_peer(world)
    db.session.commit()
    login(client, world.national)
    page = client.get("/peer/").get_data(as_text=True)
    assert "SH-A" in page and "Team 1" in page and "Release results of 2027 national round" in page
    assert "0 of 0 finalised results released" in page


def test_facility_user_without_team_sees_an_empty_list(client, world):
    pf.team_one(world)
    db.session.commit()
    login(client, world.staff_a)
    page = client.get("/peer/").get_data(as_text=True)
    assert "You are not on a peer team" in page and "SH-A ·" not in page
