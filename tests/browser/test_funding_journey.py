"""The national team creates a funding round, computes the proposal, compares two scenarios, adjusts
one facility with a reason (a change over the budget is refused, the totals hold) and approves; the
facility then sees its allocation and downloads its letter. Figures: tests/funding_fixtures.py.
Set FUNDING_SCREENSHOTS to a folder to save a screenshot of each page."""
from __future__ import annotations

import io
import os
import re

import pytest
from pypdf import PdfReader

from shelterassess.extensions import db
from tests import funding_fixtures as ff
from tests.browser.helpers import log_in, switch_user
from tests.browser.test_accessibility import assert_all_controls_labelled

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("FUNDING_SCREENSHOTS")


def _check(page, name):
    assert_all_controls_labelled(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024, f"{name} is wider than a tablet"
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _add_scenario(page, name, red_flag_weight=None, capacity=False):
    page.get_by_role("link", name="Add a scenario").click()
    page.fill("input[name=name]", name)
    if red_flag_weight is not None:
        page.fill("input[name=red_flag_weight]", red_flag_weight)
    if capacity:
        page.check("input[name=use_capacity]")
    page.get_by_role("button", name="Save and compare").click()
    page.wait_for_url(re.compile(r".*/compare\?.*"))


def _adjust(page, facility, category, amount, reason):
    page.get_by_role("link", name=f"Adjust {facility}, {category}").click()
    page.fill("input[name=amount]", amount)
    page.fill("textarea[name=reason]", reason)
    page.get_by_role("button", name="Save the adjustment").click()


def test_national_team_allocates_and_the_facility_reads_its_letter(page, live_server, world):
    ff.results(world)
    db.session.commit()
    log_in(page, live_server, world.national)
    page.get_by_role("link", name="Funding", exact=True).click()
    page.get_by_role("link", name="New funding round").click()
    _check(page, "funding-new")
    page.fill("input[name=name]", "Improvement fund 2027")
    page.select_option("select[name=round_id]", str(world.round.id))
    page.fill("input[name=budget]", "10.000.000")
    assert page.input_value("input[name=rounding_unit]") == "1,000,000"  # the configured default
    page.get_by_role("button", name="Create the funding round").click()
    page.wait_for_url(re.compile(r".*/funding/\d+$"))
    round_url = page.url

    page.get_by_role("button", name="Compute the proposal").click()
    page.wait_for_url(round_url)
    assert "Allocated ₫10,000,000 of a budget of ₫10,000,000" in page.inner_text("#budget-check")
    assert "RC-C" in page.inner_text("#apart-h + p + .table-wrap")
    _check(page, "funding-round-proposal")

    _add_scenario(page, "No red flag weight", red_flag_weight="0")
    page.goto(round_url)
    _add_scenario(page, "By capacity", capacity=True)
    page.select_option("select[name=a]", label="No red flag weight")
    page.select_option("select[name=b]", label="By capacity")
    page.get_by_role("button", name="Compare", exact=True).click()
    totals = page.inner_text("table.compare-totals")
    assert "No red flag weight" in page.inner_text("#side-a-h") and "By capacity" in page.inner_text("#side-b-h")
    assert "₫10,000,000" in totals
    # red flags at 0: A 37.5 (CB 2, FI 4), B 25 (FI 3, other 1); by capacity: A 57 (CB 3, FI 5), B 20 (FI 1, other 1)
    assert "weight 37.50 → 57.00" in page.inner_text("table.compare")
    assert "+₫1,000,000" in totals and "−₫1,000,000" in totals
    _check(page, "funding-compare")

    page.goto(round_url)
    _adjust(page, "RC-B", "Facilities improvement", "4.000.000", "The play corner needs a fence")
    assert "above the budget of ₫10,000,000" in page.inner_text("#amount-error")  # refused: the totals hold
    assert page.input_value("input[name=amount]") == "4.000.000"
    _check(page, "funding-adjust-refused")
    page.goto(round_url)
    _adjust(page, "SH-A", "Capacity building", "2.000.000", "Half of the counselling course is paid by the province")
    page.wait_for_url(re.compile(r".*/funding/\d+#facility-\d+"))
    _adjust(page, "RC-B", "Facilities improvement", "3.000.000", "The play corner needs a fence")
    page.wait_for_url(re.compile(r".*/funding/\d+#facility-\d+"))
    assert "Allocated ₫10,000,000 of a budget of ₫10,000,000: ₫0 not allocated." in page.inner_text("#budget-check")
    assert "Half of the counselling course is paid by the province" in page.inner_text("table.allocation")
    page.get_by_role("button", name="Approve the allocation").click()  # confirmed (dialogs are accepted)
    page.wait_for_url(round_url)
    assert "Approved" in page.inner_text("dl.facts")
    assert page.get_by_role("link", name=re.compile("^Adjust ")).count() == 0  # locked
    _check(page, "funding-round-approved")

    switch_user(page, live_server, world.manager_a)
    page.get_by_role("link", name="Funding", exact=True).click()
    page.get_by_role("link", name="Improvement fund 2027").click()
    assert page.inner_text("#facility-total") == "₫6,000,000"
    assert "Half of the counselling course is paid by the province" in page.inner_text("table.funding")
    assert "Repair the bedrooms" in page.inner_text("main")
    _check(page, "funding-facility")
    href = page.get_by_role("link", name="Allocation letter (PDF, English)").get_attribute("href")
    response = page.context.request.get(live_server + href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages).split())
    assert "₫6,000,000" in text and "Half of the counselling course is paid by the province" in text
