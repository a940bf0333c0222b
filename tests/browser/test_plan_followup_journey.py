"""Issue 8 in a real browser: from the agreed result to an improvement plan, its follow-up visit,
and what the facility sees.

Facility A's agreed result is finalised and released (tests/plan_fixtures.py, mini sheet):
A1 1 · A2 N/A · B1 0 (critical: a red flag) · B2 1. Team 1 (lead manager B, member staff B)
assessed it.

1. The lead drafts the plan from the proposals: B1 (red flag), A1, B2. They edit action 3 (B2:
   owner, dates, "1.500.000" đ, facilities improvement) and merge it into action 2 (A1), add
   action 3 on A2 (5.000.000 đ) and action 4 on B2 (800000 đ, other needs), are refused sharing
   while action 1 has no owner or due date, complete action 1 (2000000 đ) and share.
2. The facility manager returns the plan with a comment; the lead makes action 1 capacity
   building (a skill, a named owner) and shares it again; the manager accepts it.
3. A staff member of the facility marks action 1 done with a dated note.
4. The national team schedules the follow-up visit with team 1 (proposed as the team that assessed
   the facility).
5. Staff B (a team member) records: action 1 implemented (B1 0 -> 2), action 2 partly (A1 1 -> 2,
   B2 1 -> 1), action 3 no longer relevant (A2 N/A -> N/A), action 4 not implemented (B2 again).
   The lead submits.
6. The facility's staff see before/after, compliance and cost per point, and the plan PDF.
   Staff of another facility get 404 on the plan, its PDF, the visit and its results.

Hand-computed figures:
* funding request: capacity building 2 000 000; facilities improvement 1 500 000 + 5 000 000 =
  6 500 000; other 800 000; total 9 300 000 đ.
* compliance: (1 + 0.5 + 0) / 3 = 50.0 % (action 3, no longer relevant, is left out).
* points gained: B1 +2, A1 +1, B2 0, A2 not counted (N/A before) -> +3.
* cost per point: (2 000 000 + 1 500 000) / 3 points (B1, A1, B2) = 1 166 666.67 -> 1 166 667 đ
  (action 4, not implemented, spent nothing).
* area A: A1 1, A2 N/A -> 33.3 %; after A1 2 -> 66.7 % (+33.3).
  area B: B1 0, B2 1 -> 16.7 %; after B1 2, B2 1 -> 50.0 % (+33.3).
  overall (mean of the areas): 25.0 % -> 58.3 %.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from types import SimpleNamespace

import pytest
from babel.dates import format_date
from playwright.sync_api import expect
from pypdf import PdfReader

from shelterassess.extensions import db
from tests import followup_fixtures as ff
from tests import peer_scoring_fixtures as pf
from tests import plan_fixtures as plf
from tests.browser.helpers import status_of, switch_user

pytestmark = pytest.mark.browser

RETURN_COMMENT = "Action 1 is staff training: make it capacity building and name who leads it."
PROGRESS_NOTE = "Two counselling sessions held; every file is now coded."
PLAY_CORNER = "Set up a play corner for children"
LOCK = "Lock the file cabinet every evening"


@pytest.fixture
def journey(world):
    """The released, finalised weak agreed result of facility A, a skill to choose, and facility C
    (whose staff must not see anything). Only plain values leave the test's database session."""
    w = world
    plf.weak_agreed(w)
    pf.released(w)
    plf.skill(w)
    pf.add_facility_c(w)
    db.session.commit()
    today = ff.today()
    people = {name: SimpleNamespace(email=getattr(w, name).email)
              for name in ("manager_b", "staff_b", "manager_a", "staff_a", "national", "staff_c")}
    return SimpleNamespace(w=SimpleNamespace(**people), today=today, round_name=w.round.name, ids={})


def _nav(page, name):
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def _iso(s, days: int) -> str:
    return (s.today + dt.timedelta(days=days)).isoformat()


def _day(s, days: int) -> str:
    """A date as the English pages print it (Babel's medium format)."""
    return format_date(s.today + dt.timedelta(days=days), "medium", locale="en")


def _actions(page):
    return page.locator("article.plan-action")


def _codes(action) -> list[str]:
    return action.locator("dd ul.plain li strong").all_inner_texts()


def _flash(page, text):
    expect(page.locator(".flash").filter(has_text=text)).to_be_visible()


def _fill_action(page, *, role=None, name=None, start=None, due=None, cost=None, category=None, skill=None):
    if role is not None:
        page.get_by_label("Responsible role").select_option(label=role)
    if name is not None:
        page.get_by_label("Responsible staff member (optional)").fill(name)
    if start is not None:
        page.get_by_label("Start", exact=True).fill(start)
    if due is not None:
        page.get_by_label("Due", exact=True).fill(due)
    if cost is not None:
        page.get_by_label("Cost estimate (đồng)").fill(cost)
    if category is not None:
        page.get_by_label("Funding category").select_option(label=category)
    if skill is not None:
        page.get_by_label("Skill built (capacity building)").select_option(label=skill)
    page.get_by_role("button", name="Save the action").click()
    _flash(page, "The action was ")  # saved / added


# -- 1. the lead drafts, edits, merges, adds and shares --------------------------------------------

def lead_drafts_the_plan(page, base, s):
    switch_user(page, base, s.w.manager_b)
    _nav(page, "Improvement plans")
    page.get_by_role("link", name="Draft the plan").click()
    page.get_by_role("button", name="Draft the plan from the agreed result").click()
    _flash(page, "The plan is drafted with one proposed action per weak indicator.")
    s.ids["plan"] = int(re.search(r"/plans/(\d+)$", page.url).group(1))
    actions = _actions(page)
    expect(actions).to_have_count(3)
    assert [_codes(actions.nth(i)) for i in range(3)] == [["B1"], ["A1"], ["B2"]]  # red flag, then by score
    expect(actions.nth(0)).to_contain_text("red flag")
    expect(actions.nth(0).locator("p.preserve-lines").first).to_have_text(re.compile(r"^Reach level 1 on B1"))


def lead_edits_and_merges(page, s):
    page.get_by_role("link", name="Edit action 3").click()
    expect(page.get_by_role("heading", name="Action 3", exact=True)).to_be_visible()
    _fill_action(page, role="Facility manager", name="Mr Hung", start=_iso(s, 7), due=_iso(s, 60), cost="1.500.000",
                 category="Facilities improvement")
    third = _actions(page).nth(2)
    expect(third).to_contain_text("Facility manager – Mr Hung")
    expect(third).to_contain_text("₫1,500,000")
    expect(third).to_contain_text("Facilities improvement")
    expect(third).to_contain_text(_day(s, 7))
    expect(third).to_contain_text(_day(s, 60))

    page.get_by_role("link", name="Merge actions").click()
    page.get_by_role("checkbox", name=re.compile(r"^Action 2 \(A1;")).check()
    page.get_by_role("checkbox", name=re.compile(r"^Action 3 \(B2;")).check()
    page.get_by_role("button", name="Merge the chosen actions").click()
    _flash(page, "The actions were merged into one.")
    actions = _actions(page)
    expect(actions).to_have_count(2)
    merged = actions.nth(1)
    assert _codes(merged) == ["A1", "B2"]
    expect(merged).to_contain_text("₫1,500,000")  # 0 + 1 500 000
    expect(merged).to_contain_text("Facility manager – Mr Hung")  # the owner of the action merged in
    expect(merged).to_contain_text(_day(s, 60))


def lead_adds_actions(page, s):
    for text, code, role, cost, category, count in (
            (PLAY_CORNER, "A2", "All staff", "5.000.000", "Facilities improvement", 3),
            (LOCK, "B2", "Social worker", "800000", "Other needs", 4)):
        page.get_by_role("link", name="Add an action").click()
        page.get_by_label("What will be done").fill(text)
        page.get_by_role("checkbox", name=re.compile(rf"^{code} ")).check()
        _fill_action(page, role=role, due=_iso(s, 90), cost=cost, category=category)
        expect(_actions(page)).to_have_count(count)
        assert _codes(_actions(page).nth(count - 1)) == [code]


def lead_completes_action_1_and_shares(page, s):
    page.get_by_role("button", name="Share with the facility").click()  # confirmed (dialogs are accepted)
    alerts = page.get_by_role("alert")
    expect(alerts).to_have_text(["Action 1: say who is responsible.", "Action 1: give the due date."])
    expect(page.locator("dl.facts").first).to_contain_text("Draft")

    page.get_by_role("link", name="Edit action 1").click()
    _fill_action(page, role="Case manager", start=_iso(s, 1), due=_iso(s, 30), cost="2000000")
    page.get_by_role("button", name="Share with the facility").click()
    _flash(page, "The plan is shared with the facility.")
    expect(page.locator("dl.facts").first).to_contain_text("Shared with the facility")


# -- 2. returned with a comment, fixed, shared again, accepted ----------------------------------------

def _open_own_plan(page, s):
    _nav(page, "Improvement plans")
    page.get_by_role("link", name=s.round_name).click()


def manager_returns_the_plan(page, base, s):
    switch_user(page, base, s.w.manager_a)
    _open_own_plan(page, s)
    page.get_by_role("link", name="Return it with comments").click()
    page.get_by_label("Your comments for the team").fill(RETURN_COMMENT)
    page.get_by_role("button", name="Return the plan").click()
    _flash(page, "The plan went back to the team with your comments.")
    expect(page.locator("dl.facts").first).to_contain_text("Returned with comments")
    expect(page.get_by_role("button", name="Accept the plan")).to_have_count(0)


def lead_fixes_and_shares_again(page, base, s):
    switch_user(page, base, s.w.manager_b)
    _nav(page, "Improvement plans")
    page.get_by_role("link", name="Open the plan").click()
    expect(page.locator(".plan-workflow blockquote")).to_have_text(RETURN_COMMENT)
    page.get_by_role("link", name="Edit action 1").click()
    _fill_action(page, name="Ms Lan", category="Capacity building", skill="Counselling and listening")
    first = _actions(page).nth(0)
    expect(first).to_contain_text("Case manager – Ms Lan")
    expect(first).to_contain_text("Capacity building · skill: Counselling and listening")
    page.get_by_role("button", name="Share with the facility").click()
    _flash(page, "The plan is shared with the facility.")
    history = page.locator("table.plan-history")
    expect(history).to_contain_text(RETURN_COMMENT)
    expect(history).to_contain_text("Actions merged")


def manager_accepts(page, base, s):
    switch_user(page, base, s.w.manager_a)
    _open_own_plan(page, s)
    page.get_by_role("button", name="Accept the plan").click()
    _flash(page, "You accepted the plan.")
    expect(page.locator("dl.facts").first).to_contain_text("Accepted")
    funding = page.locator("table.funding")
    expect(funding.get_by_role("row", name=re.compile("^Capacity building"))).to_contain_text("₫2,000,000")
    expect(funding.get_by_role("row", name=re.compile("^Facilities improvement"))).to_contain_text("₫6,500,000")
    expect(funding.get_by_role("row", name=re.compile("^Other needs"))).to_contain_text("₫800,000")
    expect(funding.get_by_role("row", name=re.compile("^Total"))).to_contain_text("₫9,300,000")


# -- 3. staff report progress ----------------------------------------------------------------

def staff_mark_action_1_done(page, base, s):
    switch_user(page, base, s.w.staff_a)
    _open_own_plan(page, s)
    expect(page.get_by_role("button", name="Accept the plan")).to_have_count(0)  # the manager decides
    page.get_by_role("link", name="Report progress on action 1").click()
    page.get_by_label("Status of the action").select_option(label="Done")
    page.get_by_label("Date of the note").fill(_iso(s, -2))
    page.get_by_label("Progress note").fill(PROGRESS_NOTE)
    page.get_by_role("button", name="Save progress").click()
    _flash(page, "Progress recorded.")
    first = _actions(page).nth(0)
    expect(first.get_by_role("heading", level=3)).to_contain_text("Done")
    expect(first.locator(".progress-notes")).to_contain_text(f"{_day(s, -2)} · staff.a: {PROGRESS_NOTE}")
    expect(page.locator("dl.facts").first).to_contain_text("In progress")  # the first action done starts the plan


# -- 4. the national team schedules the visit --------------------------------------------------

def national_schedules_the_visit(page, base, s):
    switch_user(page, base, s.w.national)
    _nav(page, "Follow-up visits")
    page.get_by_role("link", name="Schedule a visit SH-A").click()
    expect(page.get_by_text("The visit checks 4 actions that are not dropped.")).to_be_visible()
    team = page.get_by_label("Team", exact=True)
    expect(team.locator("option:checked")).to_have_text(re.compile(r"^Team 1 · .*\(assessed this facility\)$"))
    page.get_by_label("Planned date of the visit").fill(s.today.isoformat())
    page.get_by_role("button", name="Schedule the visit").click()
    _flash(page, "Follow-up visit of SH-A scheduled with Team 1.")
    s.ids["visit"] = int(re.search(r"/follow-ups/(\d+)", page.url).group(1))


# -- 5. a team member records, the lead submits ----------------------------------------------------

OUTCOMES = {1: "Implemented", 2: "Partly implemented", 3: "No longer relevant", 4: "Not implemented"}
SCORES = {"B1": "2", "A1": "2", "B2": "1", "A2": "na"}


def member_records_the_visit(page, base, s):
    switch_user(page, base, s.w.staff_b)
    _nav(page, "Follow-up visits")
    page.get_by_role("link", name=re.compile(r"^SH-A · ")).click()
    expect(page.locator("#ind-B1")).to_contain_text("Agreed score (before): 0")
    expect(page.locator("#ind-A1")).to_contain_text("Agreed score (before): 1")
    expect(page.locator("#ind-A2")).to_contain_text("linked to action(s) 3")
    expect(page.locator("#ind-B2")).to_contain_text("linked to action(s) 2, 4")
    expect(page.get_by_role("button", name="Submit the follow-up visit")).to_have_count(0)  # the lead submits
    for number, outcome in OUTCOMES.items():
        page.get_by_role("radiogroup", name=f"What the visit found for action {number}").get_by_label(
            outcome, exact=True).check()
        page.get_by_label(f"Note on action {number}").fill(f"Seen on the visit: {outcome.lower()}")
    for code, value in SCORES.items():
        page.get_by_role("radiogroup", name=f"Score for {code}").locator(f"input[value='{value}']").check()
        page.locator(f"#ind-{code}").get_by_label("Observation").check()
    page.get_by_role("button", name="Save", exact=True).click()
    _flash(page, "Saved.")
    expect(page.get_by_role("radiogroup", name="What the visit found for action 3").get_by_label(
        "No longer relevant")).to_be_checked()


def lead_submits_the_visit(page, base, s):
    switch_user(page, base, s.w.manager_b)
    _nav(page, "Follow-up visits")
    page.get_by_role("link", name=re.compile(r"^SH-A · ")).click()
    expect(page.get_by_label("Day of the visit")).to_have_value(s.today.isoformat())
    page.get_by_role("button", name="Submit the follow-up visit").click()
    _flash(page, "The follow-up visit has been submitted.")


# -- 6. the facility sees the results and the plan PDF; another facility sees nothing -------------

def _row(table, name):
    return [c.strip() for c in table.get_by_role("row", name=name).locator("th, td").all_inner_texts()]


def facility_sees_the_results(page, base, s):
    switch_user(page, base, s.w.staff_a)
    _nav(page, "Follow-up visits")
    page.get_by_role("link", name=re.compile(r"^SH-A · ")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Follow-up results: SH-A"))
    summary = page.locator("dl.facts").nth(1)

    def fact(term):
        return summary.locator(f"dt:text-is('{term}') + dd")

    expect(fact("Compliance rate").locator("strong")).to_have_text("50.0%")
    expect(fact("Compliance rate")).to_contain_text(
        "1 implemented, 1 partly, 1 not implemented, 1 no longer relevant, 0 dropped.")
    expect(fact("Points gained").locator("strong")).to_have_text("+3")
    expect(fact("Points gained")).to_contain_text(re.compile(r"1 re-scored indicators? not counted"))
    expect(fact("Cost per point gained").locator("strong")).to_have_text("1,166,667 ₫")
    expect(fact("Cost per point gained")).to_contain_text("3,500,000 ₫ spent")
    expect(fact("Cost per point gained")).to_contain_text("for 3 points gained")
    expect(fact("Overall score")).to_contain_text("25.0% → 58.3%")

    areas = page.get_by_role("table", name="Before and after by area (%)")
    indicators = page.get_by_role("table", name="Before and after by indicator")
    actions = page.get_by_role("table", name="Actions of the plan")
    assert _row(areas, re.compile(r"^A\. Facilities")) == ["A. Facilities", "33.3%", "66.7%", "+33.3", "2"]
    assert _row(areas, re.compile(r"^B\. Confidentiality")) == ["B. Confidentiality", "16.7%", "50.0%", "+33.3", "2"]
    assert _row(indicators, re.compile(r"^A1 ")) == ["A1 Private, safe bedrooms", "1", "2", "+1", ""]
    assert _row(indicators, re.compile(r"^A2 ")) == [
        "A2 Play space for children", "N/A", "N/A", "–", "N/A in the agreed result: no change counted"]
    assert _row(indicators, re.compile(r"^B1 ")) == ["B1 Files carry a code, not a name", "0", "2", "+2", ""]
    assert _row(indicators, re.compile(r"^B2 ")) == ["B2 Files are locked", "1", "1", "0", ""]
    expect(actions.get_by_role("row", name=re.compile(r"^3\. Set up a play corner"))).to_contain_text(
        "No longer relevant")
    expect(actions.get_by_role("row", name=re.compile(r"^1\. "))).to_contain_text("2,000,000 ₫")
    expect(actions.get_by_role("row", name=re.compile(r"^2\. "))).to_contain_text("Partly implemented")
    expect(actions.get_by_role("row", name=re.compile(r"^4\. Lock the file cabinet"))).to_contain_text(
        "Not implemented")


def facility_downloads_the_plan_pdf(page, base, s):
    _open_own_plan(page, s)
    href = page.get_by_role("link", name="Print (PDF, English)").get_attribute("href")
    # page.request does not send the browser's Accept-Language; say it as a browser would
    pdf = page.request.get(f"{base}{href}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    squeezed = re.sub(r"\s+", " ", text)
    assert "SH-A" in squeezed
    assert PLAY_CORNER in squeezed
    assert "Case manager – Ms Lan" in squeezed
    assert re.search(r"Capacity building ₫2,000,000", squeezed)
    assert re.search(r"Facilities improvement ₫6,500,000", squeezed)
    assert re.search(r"Other needs ₫800,000", squeezed)
    assert re.search(r"Total ₫9,300,000", squeezed)


def other_facility_gets_404(page, base, s):
    switch_user(page, base, s.w.staff_c)
    plan, visit = s.ids["plan"], s.ids["visit"]
    for url in (f"/plans/{plan}", f"/follow-ups/{visit}", f"/follow-ups/{visit}/results"):
        assert status_of(page, f"{base}{url}") == 404, url
    for url in (f"/plans/{plan}.pdf?lang=en", f"/follow-ups/{visit}.pdf?lang=en"):
        assert page.request.get(f"{base}{url}").status == 404, url


def test_plan_from_proposals_to_follow_up_results(page, live_server, journey):
    s, base = journey, live_server
    lead_drafts_the_plan(page, base, s)
    lead_edits_and_merges(page, s)
    lead_adds_actions(page, s)
    lead_completes_action_1_and_shares(page, s)
    manager_returns_the_plan(page, base, s)
    lead_fixes_and_shares_again(page, base, s)
    manager_accepts(page, base, s)
    staff_mark_action_1_done(page, base, s)
    national_schedules_the_visit(page, base, s)
    member_records_the_visit(page, base, s)
    lead_submits_the_visit(page, base, s)
    facility_sees_the_results(page, base, s)
    facility_downloads_the_plan_pdf(page, base, s)
    other_facility_gets_404(page, base, s)
