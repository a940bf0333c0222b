"""Issue 11 in a real browser: a score-area note that seems to identify someone is not saved; the
page says what looked identifying, keeps the typing (and this browser's draft of it), and shows
a box to confirm; ticking it and saving again saves the note."""
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from shelterassess.assessments import services
from shelterassess.assessments.models import Score
from shelterassess.extensions import db
from tests.browser.helpers import log_in
from tests.conftest import build_world

pytestmark = pytest.mark.browser

NOTE = "Đã nói chuyện với chị Lan 0912 345 678 về nội quy"


@pytest.fixture
def mworld(app_ctx):
    w = build_world()  # the mini sheet: area A has A1 and A2
    assessment = services.start_assessment(db.session, w.staff_a, w.facility_a, w.round)
    db.session.commit()
    area = w.sheet.areas[0]
    return SimpleNamespace(staff=SimpleNamespace(email=w.staff_a.email), assessment_id=assessment.id,
                           url=f"/assessments/{assessment.id}/areas/{area.id}", a1=area.indicators[0].id)


def _stored_note(assessment_id: int, indicator_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Score.note).where(Score.assessment_id == assessment_id,
                                                      Score.indicator_id == indicator_id))


def test_identifying_note_is_warned_kept_and_saved_once_confirmed(page, live_server, mworld):
    log_in(page, live_server, mworld.staff)
    page.goto(live_server + mworld.url)
    expect(page.locator("input[name=confirm_identifying]")).to_have_count(0)  # no box before a warning
    page.check(f"input[name='score-{mworld.a1}'][value='2']")
    note = page.locator(f"textarea[name='note-{mworld.a1}']")
    note.fill(NOTE)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()

    # Refused: the warning on the note, what was typed still there, the box to confirm, nothing stored.
    error = page.locator(f"#note-{mworld.a1}-error")
    expect(error).to_contain_text("This note seems to contain a person's name (\"chị Lan\"), "
                                  "a phone number (\"0912 345 678\"). Remove it, or tick the box")
    expect(page.get_by_role("alert").first).to_contain_text("Nothing was saved.")
    expect(note).to_have_value(NOTE)
    expect(page.locator(f"input[name='score-{mworld.a1}'][value='2']")).to_be_checked()
    box = page.get_by_label("I checked: what I wrote identifies no resident or client. Save it as it is.")
    expect(box).to_be_visible()
    expect(box).not_to_be_checked()
    assert (_stored_note(mworld.assessment_id, mworld.a1) or "") == ""
    # The browser still keeps the unsaved answer as a draft (nothing is lost if the page is left).
    drafts = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('shelterassess:answer:'))"
                           ".map(k => JSON.parse(localStorage.getItem(k)).note)")
    assert NOTE in drafts

    # Confirmed: saved, and the warning is gone.
    box.check()
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(lambda url: "saved=1" in url)
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_have_count(1)
    expect(page.locator(f"textarea[name='note-{mworld.a1}']")).to_have_value(NOTE)
    expect(page.locator("input[name=confirm_identifying]")).to_have_count(0)
    assert _stored_note(mworld.assessment_id, mworld.a1) == NOTE
    drafts = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('shelterassess:answer:'))")
    assert drafts == []  # the confirmed save cleared the draft
