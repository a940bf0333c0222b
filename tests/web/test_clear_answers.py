"""Clear answers instead of 500s (issue 11, finding 8), through HTTP, on SQLite and PostgreSQL:
huge ids in URLs and query strings, NUL characters, control characters in names, and area or
reconciliation forms that lack fields. The races (two saves, two submits) are in
``test_assessment_races.py``."""
import html

import pytest
from sqlalchemy import func, select

from shelterassess.assessments import queries
from shelterassess.extensions import db
from shelterassess.peer.models import PeerTeam
from tests import peer_scoring_fixtures as pf
from tests.comparisons_fixtures import comparison_world
from tests.conftest import login
from tests.team_fixtures import certify

HUGE = str(2**64)
MISMATCH = "The form does not match this score sheet. Reload the page."
NUL_REFUSED = "What you sent contains an invisible NUL character"
CONTROL_REFUSED = "Remove the control characters"


# -- ids above 2^63 ------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    f"/assessments/{HUGE}", f"/assessments/{HUGE}/areas/1", f"/assessments/1/areas/{HUGE}",
    f"/peer/reconcile/{HUGE}/{HUGE}", f"/follow-ups/{HUGE}", f"/plans/{HUGE}", f"/teams/{HUGE}",
    f"/comparisons/facilities/{HUGE}/rounds/1", f"/facilities/{2**63}",
])
def test_a_huge_id_in_the_path_is_not_found(client, world, path):
    login(client, world.national)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", [
    f"/assessments/?round={HUGE}", f"/facilities/?province={HUGE}", f"/follow-ups/compliance?round={HUGE}",
    f"/teams/?round={HUGE}", f"/teams/new?round={HUGE}",
])
def test_a_huge_id_in_the_query_string_is_ignored(client, world, path):
    login(client, world.national)
    assert client.get(path).status_code == 200


def test_a_huge_province_in_the_comparison_and_plan_filters_is_ignored(client, world):
    login(client, world.national)
    assert client.get(f"/comparisons/rounds/{world.round.id}/national?province={HUGE}").status_code == 200
    assert client.get(f"/plans/rounds/{world.round.id}?province={HUGE}").status_code == 200


def test_a_huge_id_in_a_form_list_is_refused(client, world):
    pf.finalised_agreed(world)
    db.session.commit()
    login(client, world.national)
    r = client.post(f"/peer/release/rounds/{world.round.id}/release", data={"facility_ids": [HUGE]})
    assert r.status_code in (200, 422)


# -- NUL characters ---------------------------------------------------------------------------

def test_a_note_with_a_nul_character_is_refused_and_nothing_is_saved(client, world):
    draft = pf.self_assessment(world, submit=False)
    db.session.commit()
    area = world.sheet.areas[0]
    a1, a2 = area.indicators
    login(client, world.staff_a)
    r = client.post(f"/assessments/{draft.id}/areas/{area.id}", data={
        f"score-{a1.id}": "1", f"note-{a1.id}": "Phòng\x00ngủ", f"version-{a1.id}": "1",
        f"score-{a2.id}": "na", f"note-{a2.id}": "", f"version-{a2.id}": "1"})
    assert r.status_code == 400 and NUL_REFUSED in r.get_data(as_text=True)
    db.session.expire_all()
    assert queries.scores_by_indicator(db.session, draft)[a1.id].value == 3


@pytest.mark.parametrize("path", ["/cases/?q=abc%00", "/facilities/?q=%00", "/assessments/?status=%00"])
def test_a_search_with_a_nul_character_is_refused(client, world, path):
    login(client, world.national)
    r = client.get(path)
    assert r.status_code == 400 and NUL_REFUSED in r.get_data(as_text=True)


def test_a_login_e_mail_with_a_nul_character_is_refused(client, world):
    r = client.post("/login", data={"email": "national@example.org\x00", "password": "whatever it is"})
    assert r.status_code == 400 and NUL_REFUSED in r.get_data(as_text=True)


# -- control characters in names ------------------------------------------------------------------

def test_a_team_name_with_a_control_character_is_refused(client, world):
    certify(world, world.staff_a, world.staff_b)
    db.session.commit()
    login(client, world.national)
    r = client.post("/teams/new", data={"round_id": world.round.id, "name": "North\x08 team",
                                        "members": [world.staff_a.id, world.staff_b.id], "lead_id": world.staff_b.id})
    assert r.status_code in (200, 422) and CONTROL_REFUSED in html.unescape(r.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(PeerTeam)) == 0


def test_a_control_character_already_in_a_team_name_does_not_break_the_comparison(client, world):
    cw = comparison_world(world)
    cw.north.name = "North\x08\x1b team"  # stored before names refused them
    db.session.commit()
    login(client, cw.national)
    url = f"/comparisons/facilities/{cw.facility_a.id}/rounds/{cw.round.id}"
    page = client.get(url)
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    assert client.get(url + ".pdf?lang=en").status_code == 200


# -- forms that lack fields ---------------------------------------------------------------------------

def test_an_area_post_without_its_version_fields_changes_nothing(client, world):
    draft = pf.self_assessment(world, submit=False)  # A1 3, A2 N/A
    db.session.commit()
    area = world.sheet.areas[0]
    a1, a2 = area.indicators
    before = {i: s.version for i, s in queries.scores_by_indicator(db.session, draft).items()}
    login(client, world.staff_a)
    r = client.post(f"/assessments/{draft.id}/areas/{area.id}", data={f"score-{a1.id}": "1"})
    assert r.status_code == 200 and MISMATCH in r.get_data(as_text=True)
    r = client.post(f"/assessments/{draft.id}/areas/{area.id}", data={
        f"score-{a1.id}": "1", f"note-{a1.id}": "", f"version-{a1.id}": str(before[a1.id])})  # A2 left out
    assert r.status_code == 200 and MISMATCH in r.get_data(as_text=True)
    db.session.expire_all()
    scores = queries.scores_by_indicator(db.session, draft)
    assert (scores[a1.id].value, scores[a2.id].not_applicable) == (3, True)
    assert {i: s.version for i, s in scores.items()} == before


def test_a_reconciliation_post_without_its_version_fields_changes_nothing(client, world):
    pf.ready_to_reconcile(world)
    db.session.commit()
    sheet = {i.code: i for i in world.sheet.indicators}
    login(client, world.manager_b)
    data = {f"agreed-{sheet['B1'].id}": "3", f"reason-{sheet['B1'].id}": ""}
    r = client.post(f"/peer/reconcile/{world.facility_a.id}/{world.round.id}", data=data)
    assert r.status_code == 200 and MISMATCH in r.get_data(as_text=True)
    assert pf.find_agreed(world) is None
