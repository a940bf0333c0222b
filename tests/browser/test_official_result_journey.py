"""Issue 7 in a real browser: an official result reconciled from every team sent.

Two teams assess facility A. The lead of team 1 reconciles while team 2 is still scoring:
the page says which team is missing and finalising is refused, naming it. Team 2's lead
submits (recording the visit day); team 1's lead finalises with the critical indicator B1
agreed at 0. The national team cannot reopen the reconciled self-assessment (the message
says to reopen the agreed result first), releases facility A's result on its own (facility B,
without an agreed result, is counted in the confirmation), and sees the red flag in the
national table. Facility A sees the red flag on its results page, its comparison page and in
the comparison PDF.
"""
import io
import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from shelterassess.assessments import services
from shelterassess.extensions import db
from tests import peer_scoring_fixtures as pf
from tests.browser.helpers import switch_user

pytestmark = pytest.mark.browser

SELF = {"A1": 3, "A2": "na", "B1": 2, "B2": 2}
TEAM_1 = {"A1": 2, "A2": "na", "B1": 0, "B2": 2}   # B1 (critical): self 2, team 1 gives 0
TEAM_2 = {"A1": 2, "A2": "na", "B1": 1, "B2": 2}
REASON = "The file cabinet held named files on the day of the visit; both teams saw them."


@pytest.fixture
def two_teams(world):
    w = world
    w.self_a = pf.self_assessment(w, SELF)
    pf.peer_assessment(w, pf.team_one(w), TEAM_1, submit=True)
    peer_2 = pf.peer_assessment(w, pf.team_two(w), TEAM_2)
    services.start_assessment(db.session, w.staff_b, w.facility_b, w.round)  # B takes part, no result yet
    db.session.commit()
    codes = {i.code: i.id for i in w.sheet.indicators}
    people = {name: SimpleNamespace(email=getattr(w, name).email, display_name=getattr(w, name).display_name)
              for name in ("manager_b", "manager_c", "national", "staff_a")}
    return SimpleNamespace(w=SimpleNamespace(**people), codes=codes, round_id=w.round.id, round_name=w.round.name,
                           facility_a=w.facility_a.id, self_id=w.self_a.id, peer_2=peer_2.id)


def _nav(page, name):
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def lead_reconciles_before_team_2(page, base, s):
    switch_user(page, base, s.w.manager_b)
    _nav(page, "Peer assessments")
    page.get_by_role("link", name="Reconciliation").click()
    expect(page.get_by_text("Not every team has submitted (Team 2)")).to_be_visible()
    page.get_by_label("Agreed score for A1").select_option("2")
    page.get_by_label("Agreed score for B1").select_option("0")
    page.get_by_label("Reason for B1").fill(REASON)
    page.get_by_role("button", name="Save the agreed scores as a draft").click()
    expect(page.get_by_text("The agreed scores were saved as a draft.")).to_be_visible()
    page.get_by_role("button", name="Finalise the agreed assessment").click()
    expect(page.get_by_text("Not every team has submitted: Team 2.")).to_be_visible()
    expect(page.get_by_role("button", name="Finalise the agreed assessment")).to_be_visible()


def team_2_submits(page, base, s):
    switch_user(page, base, s.w.manager_c)
    _nav(page, "Peer assessments")
    page.get_by_role("link", name="Open the peer assessment of SH-A").click()
    expect(page.get_by_label("Day of the team's visit")).not_to_have_value("")
    page.get_by_role("button", name="Submit the peer assessment").click()
    expect(page.get_by_text("The peer assessment has been submitted.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Visited on "))).to_be_visible()


def lead_finalises(page, base, s):
    switch_user(page, base, s.w.manager_b)
    _nav(page, "Peer assessments")
    page.get_by_role("link", name="Reconciliation").click()
    expect(page.get_by_text("Not every team has submitted")).to_have_count(0)
    expect(page.locator("table.reconcile thead").first).to_contain_text("Team 2")
    page.get_by_role("button", name="Finalise the agreed assessment").click()
    expect(page.get_by_text("The agreed assessment has been finalised.")).to_be_visible()


def national_cannot_reopen_the_self_assessment(page, base, s):
    switch_user(page, base, s.w.national)
    page.goto(f"{base}/assessments/{s.self_id}")
    page.get_by_role("link", name="Reopen").click()
    page.get_by_label("Why is it reopened?").fill("The manager asked to correct A1.")
    page.get_by_role("button", name="Reopen").click()
    expect(page.get_by_role("alert")).to_contain_text("cannot be reopened. Reopen the agreed result first")
    page.goto(f"{base}/assessments/{s.self_id}")
    expect(page.get_by_text("Submitted").first).to_be_visible()


def national_releases_facility_a(page, base, s):
    _nav(page, "Peer assessments")
    page.get_by_role("link", name=f"Release results of {s.round_name}").click()
    expect(page.get_by_role("row", name=re.compile("RC-B"))).to_contain_text("no agreed result yet")
    expect(page.get_by_text("1 facility has no agreed result yet")).to_be_visible()
    page.get_by_label("Release SH-A").check()
    page.get_by_role("button", name="Release the chosen results").click()
    expect(page.get_by_text("1 result released: the facility now sees its peer and agreed scores.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("SH-A"))).to_contain_text("Released on")

    page.goto(f"{base}/comparisons/rounds/{s.round_id}/national")
    row = page.locator("#national-table").get_by_role("row", name=re.compile("SH-A"))
    expect(row.locator("td").last).to_have_text("1 (B1)")


def facility_sees_the_red_flag(page, base, s):
    switch_user(page, base, s.w.staff_a)
    page.goto(f"{base}/assessments/{s.self_id}")
    page.get_by_role("link", name="Peer and agreed results").click()
    flags = page.locator("#agreed-red-flags")
    expect(flags).to_contain_text("B1")
    expect(page.locator("#agreed-lowest").get_by_role("row", name=re.compile(r"^B1 "))).to_contain_text("red flag")
    expect(page.get_by_role("row", name=re.compile(r"^B1 .*red flag in the agreed result"))).to_be_visible()

    page.get_by_role("link", name="Comparison").first.click()
    expect(page.locator("#agreed-red-flags")).to_contain_text("B1")
    pdf = page.request.get(f"{base}/comparisons/facilities/{s.facility_a}/rounds/{s.round_id}.pdf",
                           headers={"Accept-Language": "en"})
    assert pdf.status == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Red flags of the agreed result" in text
    assert re.search(r"B1\s+Files carry a code, not a name", text)


def test_official_result_from_two_teams_to_a_per_facility_release(page, live_server, two_teams):
    s, base = two_teams, live_server
    lead_reconciles_before_team_2(page, base, s)
    team_2_submits(page, base, s)
    lead_finalises(page, base, s)
    national_cannot_reopen_the_self_assessment(page, base, s)
    national_releases_facility_a(page, base, s)
    facility_sees_the_red_flag(page, base, s)
