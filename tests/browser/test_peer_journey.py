"""Issue 3 in a real browser: from training and certification to a released agreed result.

The national team records a training and certifies three assessors (two people of facility B
who passed a calibration practice case since; one of facility C who did not, certified by a
recorded exception after the refusal says what is missing) and forms a team in the open round. Assigning it to facility A while a
member of A is on it is refused with the conflict message and saves nothing; without that
member the team is assigned to A with a visit date. A team member starts the peer
assessment from "/peer/" and scores every area blind (facility A's self-assessment, already
submitted, is 404 for the team until the lead submits). The lead submits, reconciles (a gap
of 2 without a reason is refused, naming the indicator) and finalises. Facility A sees the
peer results only once the national team releases the round.
"""
import datetime as dt
import re
from types import SimpleNamespace

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from shelterassess.assessments.models import AssessmentKind
from shelterassess.assessors import queries as assessor_queries
from shelterassess.assessors import services as assessors
from shelterassess.extensions import db
from tests.browser.helpers import status_of, switch_user
from tests.comparisons_fixtures import scored
from tests.team_fixtures import add_facility_c

pytestmark = pytest.mark.browser

# Mini score sheet (A1, A2 | B1, B2; only A2 allows N/A).
SELF = {"A1": 3, "A2": "na", "B1": 1, "B2": 3}       # areas 100.0 %, 66.7 %
PEER = {"A1": "1", "A2": "na", "B1": "1", "B2": "2"}  # A1: self 3, team 1 -> a gap of 2, reason needed
AGREED = {"A1": "2", "B2": "2"}                     # A2 (N/A) and B1 (1) are prefilled: equal ratings
# agreed: area A 2/3 = 66.7 %, area B 3/6 = 50.0 %, overall 58.3 %
REASON = "Bedrooms lock, but two rooms still sleep eight; the manager agreed with the team."
TEAM = "North team"
VISIT = dt.date(2027, 3, 15)
#: The training the browser records: a week ago, so the calibration attempts made now follow it.
TRAINED_ON = dt.date.today() - dt.timedelta(days=7)
OVERRIDE = "Calibrated on paper at the end of the training; the practice case page was offline."


@pytest.fixture
def peer_world(world):
    """Facility C with staff.c; staff.a certified after an earlier training (so that the team
    form offers a member of facility A); facility A's self-assessment submitted."""
    w = world
    add_facility_c(w)
    earlier = assessors.save_training(db.session, assessors.TrainingInput(
        "Peer assessor training, southern provinces", dt.date(2026, 11, 2), "Cần Thơ", "Trainer One"))
    assessors.add_participant(db.session, earlier, w.staff_a)
    # a passed practice case (the reference answers) since the training, for staff.a,
    # manager.b and staff.b; staff.c has none
    case = assessor_queries.practice_cases()[0]
    for user in (w.staff_a, w.manager_b, w.staff_b):
        assessors.submit_calibration(db.session, user, case, assessor_queries.sheet_for(case), dict(case.reference))
    assessors.certify(db.session, w.national, w.staff_a)
    self_a = scored(w, w.manager_a, w.facility_a, w.round, AssessmentKind.SELF, SELF)
    db.session.commit()
    # plain values only: the live server writes to the same database while the test runs
    areas = [SimpleNamespace(id=a.id, code=a.code, indicators=[
        SimpleNamespace(id=i.id, code=i.code, evidence=list(i.evidence_list)) for i in a.indicators])
        for a in w.sheet.areas]
    people = {name: SimpleNamespace(id=u.id, email=u.email, display_name=u.display_name,
                                    code=u.facility.code if u.facility else "")
              for name in ("staff_a", "staff_b", "manager_b", "staff_c", "national")
              for u in [getattr(w, name)]}
    result = SimpleNamespace(
        w=SimpleNamespace(**people), areas=areas, round_id=w.round.id, round_name=w.round.name, self_id=self_a.id,
        facility_a_id=w.facility_a.id,
    )
    db.session.commit()
    return result


def fill_area(page, area, values):
    for ind in area.indicators:
        page.check(f"input[name='score-{ind.id}'][value='{values[ind.code]}']")
        if ind.evidence:
            page.check(f"input[name='evidence-{ind.id}'][value='{ind.evidence[0]}']")


def record_training_and_certify(page, base, s):
    w = s.w
    switch_user(page, base, w.national)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessors").click()
    page.get_by_role("link", name="Training sessions").click()
    page.get_by_role("link", name="New training session").click()
    page.get_by_label("Title").fill("Peer assessor training, northern provinces")
    page.get_by_label("Date").fill(TRAINED_ON.isoformat())
    page.get_by_label("Place").fill("Lào Cai")
    page.get_by_label("Trainers").fill("Trainer One, Trainer Two")
    page.get_by_role("button", name="Save the training session").click()
    expect(page.get_by_text("Training session saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Peer assessor training, northern provinces")
    for user in (w.manager_b, w.staff_b, w.staff_c):
        page.get_by_label("Person").select_option(
            label=f"{user.code} · {user.display_name} · {user.email}")
        page.get_by_role("button", name="Add to the training").click()
        expect(page.get_by_text("Participant added.")).to_be_visible()
        expect(page.get_by_label(f"{user.display_name} attended")).to_be_checked()

    for user in (w.manager_b, w.staff_b, w.staff_c):
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessors").click()
        page.get_by_role("rowheader", name=user.display_name).get_by_role("link").click()
        expect(page.get_by_role("listitem").filter(
            has_text="Peer assessor training, northern provinces")).to_be_visible()
        page.get_by_role("button", name=f"Certify {user.display_name}").click()
        if user is w.staff_c:  # no calibration attempt: refused, then certified by a recorded exception
            expect(page.get_by_role("alert")).to_contain_text(
                "staff.c has no calibration attempt since their last training (Peer assessor training, northern "
                "provinces,")
            page.get_by_label("Reason to certify without a passed calibration").fill(OVERRIDE)
            page.get_by_role("button", name=f"Certify {user.display_name}").click()
        expect(page.get_by_text(f"{user.display_name} is now a certified peer assessor.")).to_be_visible()
        if user is w.staff_c:
            expect(page.get_by_text(OVERRIDE)).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessors").click()
    for user in (w.manager_b, w.staff_b, w.staff_c, w.staff_a):
        expect(page.get_by_role("row", name=re.compile(rf"^{re.escape(user.display_name)} "))
               .get_by_text("Certified")).to_be_visible()


def form_and_assign_team(page, base, s):
    w = s.w
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Peer teams").click()
    page.get_by_role("link", name="New team").click()
    expect(page.get_by_label("Round")).to_have_value(str(s.round_id))  # the open round
    page.get_by_label("Team name").fill(TEAM)
    members = page.get_by_role("group", name="Members")
    for label in ("manager.b (RC-B)", "staff.b (RC-B)", "staff.c (SH-C)", "staff.a (SH-A)"):
        members.get_by_label(label).check()
    page.get_by_label("Team lead").select_option(label="manager.b (RC-B)")
    page.get_by_role("button", name="Save team").click()
    expect(page.get_by_text(f"Team {TEAM} created.")).to_be_visible()

    # staff.a works at facility A: the team cannot be assigned to A
    page.get_by_role("link", name=f"Assign {TEAM}").click()
    page.get_by_label("Facility to assess").select_option(label="SH-A · Nhà tạm lánh A")
    page.get_by_label("Planned visit date").fill(VISIT.isoformat())
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("staff.a (SH-A) works at SH-A, which this team assesses.")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Team {TEAM}")
    expect(page.get_by_text("No facility assigned yet.")).to_be_visible()  # nothing saved

    # a valid team: staff.a taken off, manager.b leads
    page.get_by_role("link", name="Edit team").click()
    page.get_by_role("group", name="Members").get_by_label("staff.a (SH-A)").uncheck()
    expect(page.get_by_label("Team lead")).to_have_value(str(w.manager_b.id))
    page.get_by_role("button", name="Save team").click()
    expect(page.get_by_text(f"Team {TEAM} saved.")).to_be_visible()
    page.get_by_role("link", name="Assign a facility").click()
    page.get_by_label("Facility to assess").select_option(label="SH-A · Nhà tạm lánh A")
    page.get_by_label("Planned visit date").fill(VISIT.isoformat())
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text(f"Team {TEAM} assigned to SH-A.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("SH-A · Nhà tạm lánh A"))
    expect(row).to_contain_text(format_date(VISIT, "medium", locale="en"))
    expect(row).to_contain_text("not started")

    # putting a member of A on the team now assigned to A is refused too, and saves nothing
    page.get_by_role("link", name="Edit team").click()
    page.get_by_role("group", name="Members").get_by_label("staff.a (SH-A)").check()
    page.get_by_role("button", name="Save team").click()
    expect(page.get_by_role("group", name="Members")).to_contain_text(
        "staff.a (SH-A) works at SH-A, which this team assesses.")
    page.get_by_role("link", name="Cancel").click()
    members = page.locator("h2:has-text('Members') + ul")
    expect(members.get_by_role("listitem")).to_have_text(["manager.b (RC-B) Lead", "staff.b (RC-B)", "staff.c (SH-C)"])


def member_scores_blind(page, base, s):
    w = s.w
    switch_user(page, base, w.staff_c)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Peer assessments").click()
    expect(page).to_have_url(f"{base}/peer/")
    page.get_by_role("button", name="Start the peer assessment of SH-A").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Peer assessment by {TEAM}: Nhà tạm lánh A, {s.round_name}")
    peer_id = int(re.search(r"/peer/assessments/(\d+)", page.url).group(1))
    page.get_by_role("link", name="Fill in the score sheet").click()
    for area in s.areas:
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"{area.code}.")
        fill_area(page, area, PEER)
        if area.code == "A":
            page.get_by_label("Note for A1").fill("Two bedrooms have no lock; eight beds in one room.")
        page.get_by_role("button", name="Save and go to the next area").click()
    expect(page.get_by_text("4 of 4 indicators answered")).to_be_visible()
    # only the lead submits; the facility's self-assessment stays hidden until then
    expect(page.get_by_role("button", name="Submit the peer assessment")).to_have_count(0)
    expect(page.get_by_text("Your team lead submits the peer assessment")).to_be_visible()
    expect(page.get_by_role("link", name="The facility's self-assessment")).to_have_count(0)
    assert status_of(page, f"{base}/peer/assessments/{peer_id}/self-assessment") == 404
    assert status_of(page, f"{base}/assessments/{s.self_id}") == 404
    return peer_id


def lead_submits_and_reconciles(page, base, s, peer_id):
    w = s.w
    switch_user(page, base, w.manager_b)
    assert status_of(page, f"{base}/peer/assessments/{peer_id}/self-assessment") == 404
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Peer assessments").click()
    page.get_by_role("link", name="Open the peer assessment of SH-A").click()
    # the visit was planned for a later day: the actual day needs a note, or the submission is refused
    expect(page.get_by_label("Day of the team's visit")).not_to_have_value("")  # today, in the user's time zone
    page.get_by_role("button", name="Submit the peer assessment").click()  # the confirm dialog is accepted
    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields marked below.")
    expect(page.get_by_text("Say why the team visited on another day.")).to_be_visible()
    page.get_by_label("Note on the visit date").fill("The facility asked us to come before the holiday.")
    page.get_by_role("button", name="Submit the peer assessment").click()
    expect(page.get_by_text("The peer assessment has been submitted.")).to_be_visible()
    page.get_by_role("link", name="The facility's self-assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"The facility's self-assessment: Nhà tạm lánh A, {s.round_name}")
    expect(page.get_by_text("Overall score: 83.3%")).to_be_visible()
    page.go_back()

    page.get_by_role("link", name="Reconciliation").click()
    expect(page.get_by_role("row", name=re.compile(r"^A1 ")).get_by_text("gap of 2 or more")).to_be_visible()
    expect(page.get_by_label("Agreed score for A2")).to_have_value("na")  # equal ratings are prefilled
    expect(page.get_by_label("Agreed score for B1")).to_have_value("1")
    for code, value in AGREED.items():
        page.get_by_label(f"Agreed score for {code}").select_option(value)
    page.get_by_role("button", name="Save the agreed scores as a draft").click()
    message = "A1: the scores differ by 2 or more (or on N/A); write the reason for the agreed score."
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved.")
    expect(page.get_by_role("alert")).to_contain_text(message)
    expect(page.get_by_role("row", name=re.compile(r"^A1 ")).get_by_text(message)).to_be_visible()
    reconcile_url = page.url
    page.goto(reconcile_url)  # the server kept nothing
    expect(page.get_by_text("No agreed score is saved yet.")).to_be_visible()

    page.get_by_label("Agreed score for A1").select_option("2")
    page.get_by_label("Agreed score for B2").select_option("2")
    page.get_by_label("Reason for A1").fill(REASON)
    page.get_by_role("button", name="Save the agreed scores as a draft").click()
    expect(page.get_by_text("The agreed scores were saved as a draft.")).to_be_visible()
    expect(page.get_by_label("Reason for A1")).to_have_value(REASON)
    page.get_by_role("button", name="Finalise the agreed assessment").click()
    expect(page.get_by_text("The agreed assessment has been finalised.")).to_be_visible()
    expect(page.get_by_text("Not released yet")).to_be_visible()


def overall_by_column(page) -> dict[str, str]:
    table = page.locator("#area-table")
    headers = table.locator("thead th").all_inner_texts()[1:]
    cells = table.get_by_role("row", name=re.compile("^Overall")).locator("td").all_inner_texts()
    return dict(zip(headers, cells))


def test_peer_assessment_from_training_to_released_result(page, live_server, peer_world):
    s, base = peer_world, live_server
    w = s.w
    results_url = f"{base}/peer/results/{s.facility_a_id}/{s.round_id}"

    record_training_and_certify(page, base, s)
    form_and_assign_team(page, base, s)
    peer_id = member_scores_blind(page, base, s)
    lead_submits_and_reconciles(page, base, s, peer_id)

    # facility A: no peer results before the release
    switch_user(page, base, w.staff_a)
    assert status_of(page, results_url) == 404
    assert status_of(page, f"{base}/peer/assessments/{peer_id}") == 404
    page.goto(base + "/")
    page.get_by_role("link", name=f"Open {s.round_name}").click()
    expect(page.get_by_role("link", name="Peer and agreed results")).to_have_count(0)

    # the national team releases the round
    switch_user(page, base, w.national)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Peer assessments").click()
    row = page.get_by_role("row", name=re.compile("SH-A · Nhà tạm lánh A"))
    expect(row).to_contain_text("Finalised")
    page.get_by_role("link", name=f"Release results of {s.round_name}").click()
    expect(page.get_by_text("Finalised, not released: 1")).to_be_visible()
    page.get_by_label("Release SH-A").check()
    page.get_by_role("button", name="Release the chosen results").click()
    expect(page.get_by_text("1 result released: the facility now sees its peer and agreed scores.")).to_be_visible()

    # facility A now sees the agreed result beside its own and the team's
    switch_user(page, base, w.staff_a)
    page.get_by_role("link", name=f"Open {s.round_name}").click()
    page.get_by_role("link", name="Peer and agreed results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Peer and agreed results: Nhà tạm lánh A, {s.round_name}")
    expect(page.get_by_text("Not released yet")).to_have_count(0)
    expect(page.get_by_text("The agreed scores are the facility's official result for this round.")).to_be_visible()
    assert overall_by_column(page) == {"Self": "83.3%", TEAM: "41.7%", "Agreed": "58.3%"}
    a1 = page.locator("table.indicator-table").get_by_role("row", name=re.compile(r"^A1 "))
    expect(a1.locator("td")).to_have_text(["3", "1", "2", REASON])
