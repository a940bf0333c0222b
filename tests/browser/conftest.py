"""Browser tests: Playwright drives Debian's Chromium against a live server.

The live server is a second app on the same test database, with CSRF on, served
by Werkzeug in a thread on a free loopback port.
"""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from shelterassess import create_app
from tests.conftest import CHEAP_ARGON2

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-quic", "--disable-sync"]


@pytest.fixture(scope="session")
def live_server(app):
    config = dict(app.config)
    server_app = create_app({
        "TESTING": False, "SECRET_KEY": "browser-test", "DATABASE_URL": config["DATABASE_URL"],
        "WTF_CSRF_ENABLED": True, "PASSWORD_HASH_PARAMS": CHEAP_ARGON2, "TOTP_REQUIRED_ROLES": (),
    })
    # Port 0: the system picks a free port while binding (no race with parallel test workers).
    server = make_server("127.0.0.1", 0, server_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    from shelterassess.extensions import db

    with server_app.app_context():  # close the server's pooled connections before exit
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _page(browser, locale):
    context = browser.new_context(locale=locale, viewport={"width": 1024, "height": 768})  # a tablet
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return page


@pytest.fixture
def page(browser):
    page = _page(browser, "en-GB")
    yield page
    page.context.close()


@pytest.fixture
def page_vi(browser):
    page = _page(browser, "vi-VN")
    yield page
    page.context.close()
