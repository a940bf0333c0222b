"""Issue 11 in a real browser: a user turns on two-factor login with the key shown on the page,
logs out, logs in with password + code, then once with a recovery code (a second use fails)."""
import pytest
from playwright.sync_api import expect

from shelterassess.auth import totp
from tests.browser.helpers import log_out
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def password_step(page, base, user):
    page.goto(f"{base}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/login/code")


def code_step(page, code):
    page.fill("input[name=code]", code)
    page.get_by_role("button", name="Log in").click()


def test_enrol_log_in_with_code_and_with_a_recovery_code_once(page, live_server, world):
    base, user = live_server, world.national
    page.goto(f"{base}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/login" not in url)

    page.goto(f"{base}/account/password")
    page.get_by_role("link", name="Two-factor login").click()
    page.get_by_role("link", name="Set up two-factor login").click()
    expect(page.locator("svg.qr-code")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert len(secret) == 32
    page.fill("input[name=code]", totp.code_at_step(secret, totp.step_at()))
    page.get_by_role("button", name="Turn on two-factor login").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have saved my recovery codes").click()
    expect(page.locator("#recovery-remaining")).to_have_text("Unused recovery codes: 10 of 10.")

    log_out(page)
    password_step(page, base, user)
    code_step(page, "000000" if totp.matching_step(secret, "000000") is None else "999999")
    expect(page.locator(".error")).to_contain_text("This code is not correct or was used already.")
    # the setup used this step's code; the next step's code is accepted (one step of drift allowed)
    code_step(page, totp.code_at_step(secret, totp.step_at() + 1))
    page.wait_for_url(f"{base}/")

    log_out(page)
    password_step(page, base, user)
    code_step(page, codes[0])
    page.wait_for_url(f"{base}/")
    expect(page.locator(".flash-warning")).to_contain_text("You used a recovery code. 9 remain")

    log_out(page)
    password_step(page, base, user)
    code_step(page, codes[0])
    expect(page.locator(".error")).to_contain_text("This code is not correct or was used already.")
    assert page.url.endswith("/login/code")
