"""Issue 13 in a real browser: two people type the same paper sheet in, the second blind and by
keyboard only; the one difference is shown side by side, resolved, and the assessment then holds
the resolved scores."""
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from shelterassess.assessments import queries, services
from shelterassess.assessments.models import Assessment
from shelterassess.extensions import db
from shelterassess.paper import domain
from shelterassess.paper import services as paper
from tests.browser.helpers import log_in, switch_user
from tests.conftest import build_world

pytestmark = pytest.mark.browser

#: The paper sheet (mini score sheet). The second typist reads B2 as 1 instead of 2.
SHEET = {"A1": "3", "A2": "N/A", "B1": "1", "B2": "2"}


@pytest.fixture
def pworld(app_ctx):
    w = build_world()
    assessment = services.start_assessment(db.session, w.staff_a, w.facility_a, w.round)
    db.session.commit()
    return SimpleNamespace(
        staff=SimpleNamespace(email=w.staff_a.email), manager=SimpleNamespace(email=w.manager_a.email),
        assessment_id=assessment.id, code=domain.display_code(paper.expected_code(assessment)),
        codes=[i.code for i in w.sheet.indicators], b2=next(i.id for i in w.sheet.indicators if i.code == "B2"))


def _type_by_keyboard(page, values: dict, codes: list[str]) -> None:
    """From the check-code box, Tab through the form: each indicator is a score box, four evidence
    ticks and a note (six stops); Enter in a score box saves."""
    for n, code in enumerate(codes):
        page.keyboard.press("Tab")  # into the score box
        page.keyboard.type(values[code])
        if n + 1 < len(codes):
            for _stop in range(5):  # past the four evidence ticks and the note
                page.keyboard.press("Tab")
    page.keyboard.press("Enter")


def test_two_people_enter_the_same_sheet_and_resolve_one_difference(page, live_server, pworld):
    # First person: from the overview, with the mouse and real labels.
    log_in(page, live_server, pworld.staff)
    page.goto(f"{live_server}/assessments/{pworld.assessment_id}")
    page.get_by_role("link", name="Enter a paper sheet").click()
    page.get_by_role("link", name="Type entry 1").click()
    wrong = "ZZZ-ZZZ" if pworld.code != "ZZZ-ZZZ" else "ZZZ-ZZY"
    page.get_by_label("Check code printed on the sheet").fill(wrong)
    for code, value in SHEET.items():
        page.get_by_label(f"Score for {code}").fill(value)
    page.get_by_role("button", name="Save entry 1").click()
    expect(page.locator("#check_code-error")).to_contain_text("This check code does not belong to this assessment")
    expect(page.get_by_label("Score for B2")).to_have_value("2")  # the typing is kept
    page.get_by_label("Check code printed on the sheet").fill(pworld.code)
    page.get_by_role("button", name="Save entry 1").click()
    expect(page.get_by_role("status").or_(page.locator(".flash-success")).first).to_contain_text("Entry 1 is saved")
    expect(page.locator(".paper-entries")).to_contain_text("Entry 2: not typed yet")

    # Second person: blind (an empty form), keyboard only.
    switch_user(page, live_server, pworld.manager)
    page.goto(f"{live_server}/paper/assessments/{pworld.assessment_id}")
    page.get_by_role("link", name="Type entry 2").click()
    for code in pworld.codes:
        expect(page.get_by_label(f"Score for {code}")).to_have_value("")
    expect(page.get_by_label("Check code printed on the sheet")).to_be_focused()
    page.keyboard.type(pworld.code.replace("-", "").lower())
    _type_by_keyboard(page, {**SHEET, "B2": "1"}, pworld.codes)
    page.wait_for_url(f"**/paper/assessments/{pworld.assessment_id}/resolve")

    # The difference, side by side; nothing is saved until it is resolved.
    expect(page.locator("#difference-count")).to_contain_text("1 indicator differs")
    difference = page.locator("#diff-B2")
    expect(difference.locator(".draft-version").nth(0)).to_contain_text("Entry 1")
    expect(difference.locator(".draft-version").nth(0).locator("dd").first).to_have_text("2")
    expect(difference.locator(".draft-version").nth(1).locator("dd").first).to_have_text("1")
    expect(page.locator("#diff-A1")).to_have_count(0)
    page.get_by_role("button", name="Save the resolved answers into the assessment").click()
    expect(page.locator(f"#choice-{pworld.b2}-error")).to_have_text("B2: choose which answer to keep.")
    page.get_by_role("radio", name="Keep entry 1 (B2)").check()
    page.get_by_role("button", name="Save the resolved answers into the assessment").click()
    expect(page.locator("#paper-resolved")).to_contain_text("Resolved by manager.a")
    expect(page.locator("#kept-B2")).to_contain_text("entry 1")

    # The assessment holds the resolved scores.
    db.session.expire_all()
    assessment = db.session.get(Assessment, pworld.assessment_id)
    scores = {s.indicator.code: s for s in queries.scores_by_indicator(db.session, assessment).values()}
    assert {c: (s.value, s.not_applicable) for c, s in scores.items()} == {
        "A1": (3, False), "A2": (None, True), "B1": (1, False), "B2": (2, False)}
    page.get_by_role("link", name="Back to the assessment").last.click()
    expect(page.locator("body")).to_contain_text("4 of 4")
