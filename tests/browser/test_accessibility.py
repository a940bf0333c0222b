"""Accessibility basics on the main pages: labelled controls, keyboard focus, tablet width."""
import re

import pytest

from tests.browser.helpers import log_in
from tests.conftest import build_world

pytestmark = pytest.mark.browser

UNLABELLED = """els => els.filter(el => el.type !== 'hidden' && !(el.labels && el.labels.length)
    && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')).map(el => el.outerHTML.slice(0, 120))"""


@pytest.fixture
def sworld(app_ctx):
    return build_world(sheet_file=None)


def assert_all_controls_labelled(page):
    unlabelled = page.locator("input, select, textarea").evaluate_all(UNLABELLED)
    assert unlabelled == [], f"{page.url}: {unlabelled}"


def test_controls_are_labelled_and_keyboard_reaches_them(page, live_server, sworld):
    page.goto(f"{live_server}/login")
    assert_all_controls_labelled(page)
    assert page.evaluate("document.activeElement.name") == "email"  # the form is ready to type in
    log_in(page, live_server, sworld.staff_a)
    assert_all_controls_labelled(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # visible focus
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.get_by_role("button", name=re.compile("Start the self-assessment")).click()
    page.get_by_role("link", name="Fill in the score sheet").click()
    assert_all_controls_labelled(page)
    # keyboard only: focus the first score radio and choose with the arrow keys
    first = sworld.sheet.areas[0].indicators[0]
    page.focus(f"input[name='score-{first.id}'][value='0']")
    page.keyboard.press("ArrowRight")
    assert page.is_checked(f"input[name='score-{first.id}'][value='1']")
    # usable on a tablet: nothing wider than the 1024 px viewport
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
