"""Saving an area page whose assessment became read-only since it was opened (issue 7, "No typed
answer lost"): someone who could edit it as a draft gets a message and their typing back, not a
403; everybody else is refused as before."""
import re

import pytest
from sqlalchemy import select

from shelterassess.assessments import services
from shelterassess.assessments.models import AssessmentStatus, Score
from shelterassess.extensions import db
from shelterassess.rounds import services as rounds
from tests import peer_scoring_fixtures as pf
from tests.area_posts import post_area
from tests.conftest import login

SELF_MESSAGE = "This self-assessment was submitted; it is read-only now"
PEER_MESSAGE = "This peer assessment was submitted; it is read-only now"
TYPED_NOTE = "Typed in a tab left open: khóa phòng ngủ"


def _area_data(area, values, notes=None):
    data = {}
    for ind, value in zip(area.indicators, values):
        data[f"score-{ind.id}"] = value
        data[f"evidence-{ind.id}"] = ["observation"]
        data[f"note-{ind.id}"] = (notes or {}).get(ind.code, "")
        data[f"version-{ind.id}"] = "1"
    return data


def _mark_submitted(assessment):
    assessment.status = AssessmentStatus.SUBMITTED.value
    db.session.commit()


def _scores(assessment):
    rows = db.session.scalars(select(Score).where(Score.assessment_id == assessment.id)).all()
    return {s.indicator.code: (s.value, s.not_applicable, s.note) for s in rows}


def _as(client, user):
    client.post("/logout")
    login(client, user)


def _assert_typing_shown_read_only(page, area):
    a1 = area.indicators[0]
    assert TYPED_NOTE in page
    # the typed score is shown (checked), but nothing can be changed or saved
    assert re.search(rf'name="score-{a1.id}" value="1" checked\s+disabled', page)
    assert re.search(rf'<textarea[^>]*name="note-{a1.id}"[^>]*readonly', page)
    assert "Save draft" not in page
    assert 'data-draft-mode="indicator"' not in page  # the browser keeps its copy of the typing
    assert "Nothing was saved" in page


@pytest.fixture
def self_a(world):
    assessment = services.start_assessment(db.session, world.staff_a, world.facility_a, world.round)
    db.session.commit()
    return assessment


def test_saving_a_submitted_self_assessment_shows_the_typing_and_says_why(client, world, self_a):
    area = world.sheet.areas[0]
    login(client, world.staff_a)
    assert "Save draft" in client.get(f"/assessments/{self_a.id}/areas/{area.id}").get_data(as_text=True)
    before = _scores(self_a)
    _mark_submitted(self_a)  # the manager submits while staff A still types in an open tab
    r = post_area(client, f"/assessments/{self_a.id}/areas/{area.id}", data=_area_data(area, ["1", "na"], {"A1": TYPED_NOTE}))
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert SELF_MESSAGE in page and 'role="alert"' in page
    _assert_typing_shown_read_only(page, area)
    db.session.expire_all()
    assert _scores(self_a) == before


def test_saving_after_the_round_closed_says_so(client, world, self_a):
    area = world.sheet.areas[0]
    rounds.close_round(db.session, world.round)
    db.session.commit()
    login(client, world.manager_a)
    r = post_area(client, f"/assessments/{self_a.id}/areas/{area.id}", data=_area_data(area, ["1", "na"], {"A1": TYPED_NOTE}))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "The round is closed; this assessment is read-only now" in page
    _assert_typing_shown_read_only(page, area)


@pytest.mark.parametrize("who, status", [("staff_b", 404), ("manager_b", 404), ("national", 403), ("admin", 404)])
def test_users_who_never_could_edit_are_still_refused(client, world, self_a, who, status):
    area = world.sheet.areas[0]
    _mark_submitted(self_a)
    login(client, getattr(world, who))
    r = post_area(client, f"/assessments/{self_a.id}/areas/{area.id}", data=_area_data(area, ["1", "na"], {"A1": TYPED_NOTE}))
    assert r.status_code == status
    assert TYPED_NOTE not in r.get_data(as_text=True)


def test_national_team_cannot_save_a_draft_either(client, world, self_a):
    area = world.sheet.areas[0]
    login(client, world.national)
    r = post_area(client, f"/assessments/{self_a.id}/areas/{area.id}", data=_area_data(area, ["1", "na"]))
    assert r.status_code == 403


def test_submitted_area_page_says_it_is_read_only(client, world, self_a):
    area = world.sheet.areas[0]
    login(client, world.staff_a)
    page = client.get(f"/assessments/{self_a.id}/areas/{area.id}").get_data(as_text=True)
    assert 'id="read-only-notice"' not in page
    _mark_submitted(self_a)
    page = client.get(f"/assessments/{self_a.id}/areas/{area.id}").get_data(as_text=True)
    notice = page.split('id="read-only-notice"')[1].split("</div>")[0]
    assert SELF_MESSAGE in notice and "Nothing was saved" not in notice
    assert page.index('id="read-only-notice"') < page.index('class="area-form"')  # at the top


# -- peer assessments ---------------------------------------------------------------------------------

@pytest.fixture
def peer_a(world):
    peer = pf.peer_assessment(world, pf.team_one(world), pf.PEER_SCORES)  # team 1: manager B (lead), staff B
    pf.team_two(world)  # team 2: manager C (lead), staff C, also assigned to facility A
    db.session.commit()
    return peer


def test_saving_a_submitted_peer_assessment_shows_the_typing_and_says_why(client, world, peer_a):
    area = world.sheet.areas[0]
    login(client, world.staff_b)
    before = _scores(peer_a)
    _mark_submitted(peer_a)  # the lead submits while a member still types
    url = f"/peer/assessments/{peer_a.id}/areas/{area.id}"
    r = post_area(client, url, data=_area_data(area, ["1", "na"], {"A1": TYPED_NOTE}))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and PEER_MESSAGE in page
    _assert_typing_shown_read_only(page, area)
    db.session.expire_all()
    assert _scores(peer_a) == before
    page = client.get(f"/peer/assessments/{peer_a.id}/areas/{area.id}").get_data(as_text=True)
    assert PEER_MESSAGE in page.split('id="read-only-notice"')[1].split("</div>")[0]


@pytest.mark.parametrize("who, status", [("staff_a", 404), ("manager_a", 404), ("staff_c", 404), ("national", 403)])
def test_peer_users_who_never_could_edit_are_still_refused(client, world, peer_a, who, status):
    area = world.sheet.areas[0]
    _mark_submitted(peer_a)
    login(client, getattr(world, who))
    url = f"/peer/assessments/{peer_a.id}/areas/{area.id}"
    r = post_area(client, url, data=_area_data(area, ["1", "na"], {"A1": TYPED_NOTE}))
    assert r.status_code == status
