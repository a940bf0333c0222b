"""What the score form gives the browser so that no typed answer is lost (issue 7): per-indicator
saved answers and versions, whose drafts they are, which save the server confirmed; notes that are
counted, never cut, and refused with a message when too long."""
import html
import json
import re

import pytest
from sqlalchemy import select

from shelterassess.assessments import services
from shelterassess.assessments.models import Score
from shelterassess.extensions import db
from tests.area_posts import post_area
from tests.conftest import login


@pytest.fixture
def self_a(world):
    assessment = services.start_assessment(db.session, world.staff_a, world.facility_a, world.round)
    db.session.commit()
    return assessment


def _area_data(area, values, notes=None, versions=None):
    data = {"next": "stay"}
    for ind, value in zip(area.indicators, values):
        data[f"score-{ind.id}"] = value
        data[f"evidence-{ind.id}"] = ["observation"]
        data[f"note-{ind.id}"] = (notes or {}).get(ind.code, "")
        data[f"version-{ind.id}"] = str((versions or {}).get(ind.id, 1))
    return data


def _score(assessment, ind):
    db.session.expire_all()
    return db.session.scalar(select(Score).where(Score.assessment_id == assessment.id, Score.indicator_id == ind.id))


def _attr(page, name, within=None):
    text = within or page
    return html.unescape(re.search(rf'{name}="([^"]*)"', text).group(1))


def _fieldset(page, ind):
    return re.search(rf'<fieldset class="indicator[^"]*" id="ind-{ind.code}"[^>]*>', page).group(0)


def test_form_tells_the_browser_whose_drafts_and_which_saved_answers(client, world, self_a):
    area = world.sheet.areas[0]
    a1, a2 = area.indicators
    login(client, world.staff_a)
    post_area(client, f"/assessments/{self_a.id}/areas/{area.id}", data=_area_data(area, ["2", "na"], {"A1": "Có khóa"}))
    client.post("/logout")
    login(client, world.manager_a)
    page = client.get(f"/assessments/{self_a.id}/areas/{area.id}").get_data(as_text=True)
    form = re.search(r'<form method="post" novalidate class="area-form"[^>]*>', page).group(0)
    assert _attr(page, "data-user", form) == str(world.manager_a.id)  # drafts are kept per user
    assert _attr(page, "data-assessment", form) == str(self_a.id)
    assert _attr(page, "data-draft-mode", form) == "indicator"
    assert json.loads(_attr(page, "data-saved", _fieldset(page, a1))) == {
        "score": "2", "evidence": ["observation"], "note": "Có khóa"}
    assert json.loads(_attr(page, "data-saved", _fieldset(page, a2))) == {
        "score": "na", "evidence": ["observation"], "note": ""}
    assert f'name="version-{a1.id}" type="hidden" value="{_score(self_a, a1).version}"' in page


def test_a_save_is_confirmed_once_with_the_versions_it_produced(client, world, self_a):
    area = world.sheet.areas[0]
    a1, a2 = area.indicators
    login(client, world.staff_a)
    data = _area_data(area, ["2", ""])
    del data[f"evidence-{a2.id}"]  # A2 stays as it was
    r = post_area(client, f"/assessments/{self_a.id}/areas/{area.id}", data=data)
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    confirmed = json.loads(_attr(page, "data-saved-versions"))
    assert confirmed == {str(a1.id): _score(self_a, a1).version, str(a2.id): _score(self_a, a2).version}
    assert confirmed[str(a1.id)] == 2 and confirmed[str(a2.id)] == 1  # A2 was not changed
    again = client.get(r.headers["Location"]).get_data(as_text=True)
    assert json.loads(_attr(again, "data-saved-versions")) == {}  # said once: a reload never clears newer typing


def test_save_and_next_area_confirms_the_area_that_was_saved(client, world, self_a):
    area_a, area_b = world.sheet.areas
    login(client, world.staff_a)
    data = _area_data(area_a, ["2", "1"])
    data["next"] = "area"
    r = post_area(client, f"/assessments/{self_a.id}/areas/{area_a.id}", data=data)
    assert f"/areas/{area_b.id}" in r.headers["Location"]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert set(json.loads(_attr(page, "data-saved-versions"))) == {str(i.id) for i in area_a.indicators}


def test_counters_are_live_regions_and_the_note_has_no_maxlength(client, world, self_a):
    area = world.sheet.areas[0]
    a1 = area.indicators[0]
    login(client, world.staff_a)
    post_area(client, f"/assessments/{self_a.id}/areas/{area.id}", data=_area_data(area, ["2", ""], {"A1": "abc"}))
    page = client.get(f"/assessments/{self_a.id}/areas/{area.id}").get_data(as_text=True)
    textarea = re.search(rf'<textarea[^>]*name="note-{a1.id}"[^>]*>', page).group(0)
    assert "maxlength" not in textarea  # maxlength silently cuts pasted text
    assert f'aria-describedby="note-{a1.id}-count"' in textarea
    counter = re.search(rf'<p class="char-count" id="note-{a1.id}-count".*?</p>', page, re.S).group(0)
    assert "3 / 2000 characters" in counter
    assert _attr(page, "data-text", counter) == "{count} / 2000 characters"
    assert f'aria-live="polite" data-char-count-live="note-{a1.id}"' in page
    answered = re.search(r'<span class="hint" id="answered-count" aria-live="polite"[^>]*>([^<]*)</span>', page, re.S)
    assert answered.group(1).strip() == "1 of 2 answered in this area"
    assert json.loads(_attr(page, "data-texts", answered.group(0))) == [
        f"{n} of 2 answered in this area" for n in range(3)]


def test_an_overlong_note_is_refused_with_a_message_and_nothing_is_saved(client, world, self_a):
    area = world.sheet.areas[0]
    a1 = area.indicators[0]
    login(client, world.staff_a)
    pasted = "Ghi chú dài " + "x" * 2489  # 2501 characters
    for note in (pasted, "y" * 2001, "z" * 5000):
        r = post_area(client, f"/assessments/{self_a.id}/areas/{area.id}", data=_area_data(area, ["2", "1"], {"A1": note}))
        page = r.get_data(as_text=True)
        assert r.status_code == 200
        assert "A1: the note is longer than 2000 characters." in page
        assert "Nothing was saved" in page
        assert note in page  # all of it, not cut
        assert f"{len(note)} / 2000 characters: {len(note) - 2000} too many" in page and 'aria-invalid="true"' in page
        score = _score(self_a, a1)
        assert (score.value, score.note, score.version) == (None, "", 1)


def test_line_breaks_count_as_one_character_as_the_browser_counts_them(client, world, self_a):
    area = world.sheet.areas[0]
    a1 = area.indicators[0]
    login(client, world.staff_a)
    note = "\r\n".join(["x" * 99] * 20)  # a browser counts 99*20 + 19 = 1999, but sends CRLF: 2018 bytes
    r = post_area(client, f"/assessments/{self_a.id}/areas/{area.id}", data=_area_data(area, ["2", "1"], {"A1": note}))
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert _score(self_a, a1).note == note.replace("\r\n", "\n")
    note = "y" * 2000  # exactly the limit
    r = client.post(f"/assessments/{self_a.id}/areas/{area.id}",
                    data=_area_data(area, ["2", "1"], {"A1": note}, {a1.id: _score(self_a, a1).version}))
    assert r.status_code == 302 and _score(self_a, a1).note == note


def test_case_links_on_the_score_form_open_in_a_new_tab_only_there(client, standard_world):
    w = standard_world
    assessment = services.start_assessment(db.session, w.staff_a, w.facility_a, w.round)
    db.session.commit()
    login(client, w.staff_a)
    area = next(a for a in w.sheet.areas if a.code == "E")
    page = client.get(f"/assessments/{assessment.id}/areas/{area.id}").get_data(as_text=True)
    links = re.findall(r'<details class="case-guidance">.*?</details>', page, re.S)
    assert links
    for block in links:
        for a in re.findall(r"<a [^>]*>.*?</a>", block, re.S):
            assert 'target="_blank" rel="noopener"' in a
            assert '<span class="visually-hidden"> (opens in a new tab)</span>' in a
