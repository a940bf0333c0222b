"""Issue 7, "No typed answer lost", in a real browser: unsaved answers are kept per indicator and
per user, survive other saves, let the user choose when a colleague saved the same indicator, are
removed on logout; leaving with unsaved changes asks first; the counters follow the typing.

The mini score sheet has areas A (A1, A2) and B (B1, B2): the issue's "area C / area D" are A and B here."""
import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from shelterassess.assessments import services
from shelterassess.extensions import db
from tests.browser.helpers import log_in, log_out
from tests.conftest import build_world

pytestmark = pytest.mark.browser

STORED_KEYS = "Object.keys(localStorage).filter(k => k.startsWith('shelterassess:'))"


@pytest.fixture
def mworld(app_ctx):
    w = build_world()  # the mini sheet
    assessment = services.start_assessment(db.session, w.staff_a, w.facility_a, w.round)
    db.session.commit()
    area_a, area_b = w.sheet.areas
    return SimpleNamespace(
        staff=SimpleNamespace(email=w.staff_a.email), colleague=SimpleNamespace(email=w.manager_a.email),
        area_a=f"/assessments/{assessment.id}/areas/{area_a.id}",
        area_b=f"/assessments/{assessment.id}/areas/{area_b.id}",
        a1=area_a.indicators[0].id, a2=area_a.indicators[1].id, b1=area_b.indicators[0].id, b2=area_b.indicators[1].id,
    )


class Tab:
    """A browser context and page that records dialogs and answers them as told (accept by default)."""

    def __init__(self, browser):
        self.context = browser.new_context(locale="en-GB", viewport={"width": 1024, "height": 768})
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.dialogs: list[tuple[str, str]] = []
        self.accept = True
        self.context.on("page", lambda p: p.on("dialog", self._answer))
        self.page.on("dialog", self._answer)

    def _answer(self, dialog):
        self.dialogs.append((dialog.type, dialog.message))
        dialog.accept() if self.accept else dialog.dismiss()


@pytest.fixture
def tabs(browser):
    made = []

    def make():
        made.append(Tab(browser))
        return made[-1]

    yield make
    for tab in made:
        tab.context.close()


def wait_until(page, condition, timeout_ms=5000):
    for _ in range(timeout_ms // 100):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError("timed out")


def note(page, ind):
    return page.locator(f"textarea[name='note-{ind}']")


def score(page, ind, value):
    return page.locator(f"input[name='score-{ind}'][value='{value}']")


def save(page):
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    # the message shows while the page is still loading; its script (which forgets the drafts the
    # save confirmed, said once by the server) must have run before the test reloads or looks
    page.wait_for_load_state("load")


def type_area_a(page, w, a1=("1", "Unsaved A1: khóa hỏng"), a2=("2", "Unsaved A2")):
    score(page, w.a1, a1[0]).check()
    note(page, w.a1).fill(a1[1])
    score(page, w.a2, a2[0]).check()
    note(page, w.a2).fill(a2[1])


def assert_area_a_has(page, w, a1=("1", "Unsaved A1: khóa hỏng"), a2=("2", "Unsaved A2")):
    expect(score(page, w.a1, a1[0])).to_be_checked()
    expect(note(page, w.a1)).to_have_value(a1[1])
    expect(score(page, w.a2, a2[0])).to_be_checked()
    expect(note(page, w.a2)).to_have_value(a2[1])


def colleague_saves(tab, base, w, url, answers):
    """The colleague opens ``url`` and saves ``answers`` ({indicator id: (score, note)})."""
    page = tab.page
    page.goto(base + url)
    for ind, (value, text) in answers.items():
        score(page, ind, value).check()
        note(page, ind).fill(text)
    save(page)


def test_unsaved_answers_survive_other_saves_and_conflicts_are_chosen(tabs, live_server, mworld):
    w, base = mworld, live_server
    me, colleague = tabs(), tabs()
    page = me.page
    log_in(page, base, w.staff)
    log_in(colleague.page, base, w.colleague)

    page.goto(base + w.area_a)
    expect(page.locator("#answered-count")).to_have_text("0 of 2 answered in this area")
    type_area_a(page, w)
    expect(page.locator("#answered-count")).to_have_text("2 of 2 answered in this area")  # live

    # 1. The same user saves area B in another tab of the same browser: area A's typing stays.
    other_tab = me.context.new_page()
    other_tab.goto(base + w.area_b)
    score(other_tab, w.b1, "3").check()
    score(other_tab, w.b2, "2").check()
    save(other_tab)
    other_tab.close()
    page.reload()
    expect(page.locator("#restore-notice")).to_be_visible()
    assert_area_a_has(page, w)

    # 2. A colleague saves other indicators (area B): still there.
    colleague_saves(colleague, base, w, w.area_b, {w.b1: ("1", "Colleague's B1")})
    page.reload()
    assert_area_a_has(page, w)
    expect(page.locator(".draft-conflict")).to_have_count(0)

    # 3. The colleague saves A2, which I changed too: A1 comes back, A2 shows both answers.
    colleague_saves(colleague, base, w, w.area_a, {w.a2: ("0", "Colleague's A2")})
    page.reload()
    expect(score(page, w.a1, "1")).to_be_checked()
    expect(note(page, w.a1)).to_have_value("Unsaved A1: khóa hỏng")
    conflict = page.locator("#ind-A2 .draft-conflict")
    expect(conflict).to_be_visible()
    expect(page.locator("#draft-conflict-notice")).to_be_visible()
    expect(page.locator("#draft-conflict-notice")).to_contain_text("A2")
    expect(conflict.get_by_role("heading", name="Your unsaved answer")).to_be_visible()
    expect(conflict.get_by_role("heading", name="Saved by a colleague")).to_be_visible()
    expect(conflict).to_contain_text("Unsaved A2")
    expect(conflict).to_contain_text("Colleague's A2")
    expect(note(page, w.a2)).to_have_value("Colleague's A2")  # the form shows the saved answer until I choose

    # Saving before choosing is held back, and says why.
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Choose which answer to keep before saving.")).to_be_visible()
    expect(conflict.get_by_role("button", name="Keep my answer")).to_be_focused()
    assert page.url.endswith(w.area_a)

    # Keyboard only: real buttons, reached with Tab, pressed with Enter, with a visible focus.
    page.keyboard.press("Tab")
    expect(conflict.get_by_role("button", name="Keep the colleague's answer")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(conflict.get_by_role("button", name="Keep my answer")).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # visible focus
    page.keyboard.press("Enter")
    expect(page.locator(".draft-conflict")).to_have_count(0)
    expect(page.locator("#draft-conflict-notice")).to_be_hidden()
    expect(page.get_by_text("Your answer is back in the form. Save to keep it.")).to_be_focused()
    assert_area_a_has(page, w)
    save(page)  # replaces the colleague's A2, deliberately
    page.reload()
    assert_area_a_has(page, w)
    expect(page.locator("#restore-notice")).to_be_hidden()
    page.wait_for_load_state("load")
    assert page.evaluate(STORED_KEYS) == []  # the save cleared the drafts it saved

    # 4. Again, and this time keep the colleague's answer.
    note(page, w.a1).fill("My second thought on A1")
    colleague_saves(colleague, base, w, w.area_a, {w.a1: ("3", "Colleague fixed the locks")})
    page.reload()
    conflict = page.locator("#ind-A1 .draft-conflict")
    expect(conflict).to_contain_text("My second thought on A1")
    conflict.get_by_role("button", name="Keep the colleague's answer").click()
    expect(page.locator(".draft-conflict")).to_have_count(0)
    expect(note(page, w.a1)).to_have_value("Colleague fixed the locks")
    expect(score(page, w.a1, "3")).to_be_checked()
    page.reload()
    expect(note(page, w.a1)).to_have_value("Colleague fixed the locks")
    expect(page.locator(".draft-conflict")).to_have_count(0)


def test_drafts_are_per_user_and_logout_removes_them(tabs, live_server, mworld):
    w, base = mworld, live_server
    me = tabs()
    page = me.page
    log_in(page, base, w.staff)
    page.goto(base + w.area_a)
    type_area_a(page, w)
    assert len(page.evaluate(STORED_KEYS)) == 2

    # A session timeout keeps them (tests/browser/test_self_assessment_journey.py has the full case).
    page.context.clear_cookies()
    log_in(page, base, w.staff)
    page.goto(base + w.area_a)
    assert_area_a_has(page, w)

    # Someone else on this computer never sees them.
    log_out(page)
    assert me.dialogs[-1][0] == "confirm" and "Log out anyway?" in me.dialogs[-1][1]  # unsaved typing on the page
    assert page.evaluate(STORED_KEYS) == []  # logging out removed them from the browser
    log_in(page, base, w.colleague)
    page.goto(base + w.area_a)
    expect(note(page, w.a1)).to_have_value("")
    log_out(page)

    # Back as myself: nothing is restored.
    log_in(page, base, w.staff)
    page.goto(base + w.area_a)
    expect(note(page, w.a1)).to_have_value("")
    expect(page.locator("#restore-notice")).to_be_hidden()


def test_drafts_of_another_user_are_not_restored(tabs, live_server, mworld):
    w, base = mworld, live_server
    me = tabs()
    page = me.page
    log_in(page, base, w.staff)
    page.goto(base + w.area_a)
    type_area_a(page, w)
    page.context.clear_cookies()  # staff A walks away; the session ends without logging out
    log_in(page, base, w.colleague)
    page.goto(base + w.area_a)
    expect(note(page, w.a1)).to_have_value("")
    expect(page.locator("#restore-notice")).to_be_hidden()
    assert len(page.evaluate(STORED_KEYS)) == 2  # still kept for staff A


def test_leaving_with_unsaved_changes_asks_first(tabs, live_server, mworld):
    w, base = mworld, live_server
    me = tabs()
    page = me.page
    log_in(page, base, w.staff)
    page.goto(base + w.area_a)
    area_b_link = page.get_by_role("navigation", name="Areas").get_by_role("link", name=re.compile("^B\\."))

    area_b_link.click()  # nothing typed: no question
    page.wait_for_url(f"**{w.area_b}")
    assert me.dialogs == []
    page.goto(base + w.area_a)

    note(page, w.a1).fill("Not saved yet")
    me.accept = False
    area_b_link.click()
    wait_until(page, lambda: me.dialogs)
    assert [d[0] for d in me.dialogs] == ["beforeunload"]
    assert page.url.endswith(w.area_a)  # stayed
    expect(note(page, w.a1)).to_have_value("Not saved yet")

    me.accept = True
    area_b_link.click()
    page.wait_for_url(f"**{w.area_b}")
    assert [d[0] for d in me.dialogs] == ["beforeunload", "beforeunload"]
    page.go_back()
    expect(note(page, w.a1)).to_have_value("Not saved yet")  # the draft was kept

    me.dialogs.clear()
    save(page)  # submitting the form itself asks nothing
    assert me.dialogs == []


def test_live_counters_and_a_pasted_note_is_never_cut(tabs, live_server, mworld):
    w, base = mworld, live_server
    me = tabs()
    page = me.page
    log_in(page, base, w.staff)
    page.goto(base + w.area_a)
    counter = page.locator(f"#note-{w.a1}-count")
    expect(counter).to_have_text("0 / 2000 characters")
    note(page, w.a1).fill("Phòng ngủ")
    expect(counter).to_have_text("9 / 2000 characters")
    live = page.locator(f"[data-char-count-live='note-{w.a1}']")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live).to_have_text("9 / 2000 characters")  # said once typing pauses

    pasted = "x" * 2100
    note(page, w.a1).fill(pasted)
    assert len(note(page, w.a1).input_value()) == 2100  # not cut
    expect(counter).to_have_text("2100 / 2000 characters: 100 too many. Shorten the note to save it.")
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    expect(note(page, w.a1)).to_have_attribute("aria-invalid", "true")

    score(page, w.a1, "2").check()
    expect(page.locator("#answered-count")).to_have_text("1 of 2 answered in this area")
    expect(page.locator("#answered-count")).to_have_attribute("aria-live", "polite")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("A1: the note is longer than 2000 characters.")).to_be_visible()
    assert len(note(page, w.a1).input_value()) == 2100  # still all there
    note(page, w.a1).fill("x" * 2000)
    expect(counter).to_have_text("2000 / 2000 characters")
    save(page)
    page.reload()
    assert len(note(page, w.a1).input_value()) == 2000


def test_a_draft_kept_by_the_earlier_per_area_page_is_taken_over(tabs, live_server, mworld):
    """Typing kept before this version was deployed (one key per area, no user) is not lost."""
    w, base = mworld, live_server
    page = tabs().page
    log_in(page, base, w.staff)
    page.goto(base + w.area_a)
    form = page.locator("form.area-form")
    legacy_key = "shelterassess:draft:" + form.get_attribute("data-keep-draft")
    page.evaluate("([key, value]) => localStorage.setItem(key, JSON.stringify(value))", [legacy_key, {
        "base": form.get_attribute("data-saved-at"),
        "data": {f"score-{w.a1}": ["2"], f"evidence-{w.a1}": [], f"note-{w.a1}": "Typed before the upgrade",
                 f"score-{w.a2}": [], f"evidence-{w.a2}": [], f"note-{w.a2}": ""}}])
    page.reload()
    expect(page.locator("#restore-notice")).to_be_visible()
    expect(score(page, w.a1, "2")).to_be_checked()
    expect(note(page, w.a1)).to_have_value("Typed before the upgrade")
    assert page.evaluate(STORED_KEYS) == [f"shelterassess:answer:{form.get_attribute('data-user')}:"
                                          f"{form.get_attribute('data-assessment')}:{w.a1}"]
