"""In a browser, with CSRF on: a team member opens the visit pack and records a concern; the
national team sees it highlighted, acknowledges it, records an action and closes it; the
facility never sees it. Every control is labelled and nothing is wider than a tablet."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from shelterassess.extensions import db
from tests import toolkit_fixtures as tf
from tests.browser.helpers import log_in, status_of, switch_user
from tests.browser.test_accessibility import assert_all_controls_labelled

pytestmark = pytest.mark.browser

SEEN = "A night guard locks the girls' dormitory from outside after 21:00."


def test_record_and_act_on_a_concern(page, live_server, world):
    assignment = tf.assignment(world)
    db.session.commit()
    log_in(page, live_server, world.staff_b)
    page.get_by_role("link", name="Visit toolkit").first.click()
    page.get_by_role("link", name=re.compile("SH-A")).click()
    expect(page.get_by_role("heading", name="Resident interview protocol")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    page.get_by_role("link", name="Record a concern about this facility").click()
    assert_all_controls_labelled(page)
    assert page.locator("select[name=facility_id]").input_value() == str(world.facility_a.id)
    page.get_by_label("Detention or being locked in").check()
    page.fill("input[name=seen_on]", (dt.date.today() - dt.timedelta(days=1)).isoformat())
    # a name is refused, and what was typed stays
    page.fill("textarea[name=description]", "Chị Lan is locked in the dormitory at night.")
    page.fill("textarea[name=immediate_action]", "Told the manager.")
    page.get_by_role("button", name="Record the concern").click()
    expect(page.get_by_text("This seems to contain a name.")).to_be_visible()
    assert page.locator("textarea[name=immediate_action]").input_value() == "Told the manager."
    page.fill("textarea[name=description]", SEEN)
    page.get_by_role("button", name="Record the concern").click()
    page.wait_for_url(re.compile(r"/toolkit/escalations/\d+$"))
    url = page.url
    assert page.get_by_text("Open: waiting for the national team").is_visible()

    switch_user(page, live_server, world.manager_a)  # the visited facility
    assert status_of(page, url) == 404

    switch_user(page, live_server, world.national)
    assert page.get_by_text("Not acknowledged yet: 1. Being acted on: 0.").is_visible()
    page.get_by_role("link", name=re.compile("SH-A · Detention")).click()
    assert_all_controls_labelled(page)
    # each step waits for its own message: the next form is on the page before the answer arrives
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Acknowledged: the escalation is now with you.")).to_be_visible()
    page.get_by_label("What did the national team do?").fill("Phoned the provincial child protection office.")
    page.get_by_role("button", name="Record the action").click()
    expect(page.get_by_text("Action recorded.")).to_be_visible()
    page.get_by_label("Outcome: why the escalation can be closed").fill("The province inspected; the lock is gone.")
    page.get_by_role("button", name="Close the escalation").click()
    expect(page.get_by_text("Escalation closed.")).to_be_visible()
    history = page.locator("#history-h + .table-wrap").inner_text()
    for step in ("Recorded", "Acknowledged", "Action taken", "Closed"):
        assert step in history
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
