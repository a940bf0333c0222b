"""The plan pages in a browser at tablet width: every control labelled, nothing wider than the
screen, keyboard focus visible, confirmations before workflow steps, a typed cost kept after a
refusal. Set PLAN_SCREENSHOTS to a folder to save a screenshot of each page."""
from __future__ import annotations

import os

import pytest

from shelterassess.extensions import db
from tests import plan_fixtures as plf
from tests.browser.helpers import log_in, switch_user
from tests.browser.test_accessibility import assert_all_controls_labelled

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("PLAN_SCREENSHOTS")  # a folder: save screenshots there to look at


def _check(page, name):
    assert_all_controls_labelled(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024, f"{name} is wider than a tablet"
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_plan_pages_at_tablet_width(page, live_server, world):
    plan = plf.shared_plan(world)
    plf.skill(world)
    db.session.commit()
    base = f"{live_server}/plans"

    log_in(page, live_server, world.manager_a)
    page.goto(f"{base}/{plan.id}")
    _check(page, "plan-shared-manager")
    page.get_by_role("link", name="Return it with comments").click()
    _check(page, "return")
    page.fill("textarea[name=comment]", "Please give action 2 a named owner")
    page.get_by_role("button", name="Return the plan").click()
    page.wait_for_url(f"**/plans/{plan.id}")

    switch_user(page, live_server, world.manager_b)
    page.goto(f"{base}/{plan.id}")
    _check(page, "plan-returned-lead")
    page.get_by_role("link", name="Edit action 2").click()
    _check(page, "action-form")
    page.fill("input[name=cost]", "2GB")
    page.get_by_role("button", name="Save the action").click()
    assert page.locator("#cost-error").inner_text().startswith("Enter the cost as a whole number")
    assert page.locator("input[name=cost]").input_value() == "2GB"
    _check(page, "action-form-error")
    page.fill("input[name=cost]", "2.500.000")
    page.fill("input[name=responsible_name]", "Ms Lan")
    page.get_by_role("button", name="Save the action").click()
    page.wait_for_url(f"**/plans/{plan.id}#action-*")
    page.get_by_role("link", name="Merge actions").click()
    _check(page, "merge")
    page.goto(f"{base}/{plan.id}")
    page.get_by_role("button", name="Share with the facility").click()  # confirmed (dialogs are accepted)
    page.wait_for_url(f"**/plans/{plan.id}")
    assert "Shared with the facility" in page.locator("dl.facts").first.inner_text()

    switch_user(page, live_server, world.manager_a)
    page.goto(f"{base}/{plan.id}")
    dialogs = []
    page.once("dialog", lambda dialog: dialogs.append(dialog.message))  # the page fixture accepts it
    page.get_by_role("button", name="Accept the plan").click()
    page.wait_for_url(f"**/plans/{plan.id}")
    assert dialogs and "Accept this plan?" in dialogs[0]
    page.get_by_role("link", name="Report progress on action 1").click()
    _check(page, "progress")
    page.focus("select[name=status]")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.select_option("select[name=status]", "done")
    page.fill("textarea[name=note]", "Files coded, cabinet locked")
    page.get_by_role("button", name="Save progress").click()
    page.wait_for_url(f"**/plans/{plan.id}#action-*")
    _check(page, "plan-in-progress-manager")

    switch_user(page, live_server, world.national)
    page.goto(f"{base}/rounds/{world.round.id}")
    _check(page, "overview")
    page.goto(f"{base}/{plan.id}/reopen")
    _check(page, "reopen")
