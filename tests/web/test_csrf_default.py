"""The shipped configuration turns CSRF protection on.

Every other test app sets ``WTF_CSRF_ENABLED = False`` itself, so turning it off in the
defaults would go unnoticed there. Here an app is built from the test settings *without*
that override: whatever ``DefaultConfig`` ships is what these tests see.
"""
from __future__ import annotations

import re

import pytest

from shelterassess import create_app
from shelterassess.config import DefaultConfig
from shelterassess.extensions import db
from tests.conftest import PASSWORD, test_config


@pytest.fixture
def shipped_app(app, tmp_path_factory):
    """A second app on the test database with CSRF left at its shipped default."""
    config = test_config(tmp_path_factory, DATABASE_URL=app.config["DATABASE_URL"])
    del config["WTF_CSRF_ENABLED"]
    shipped = create_app(config)
    yield shipped
    with shipped.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def shipped_client(shipped_app):
    client = shipped_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_default_config_enables_csrf():
    assert DefaultConfig.WTF_CSRF_ENABLED is True


def test_an_app_without_an_override_has_csrf_on(shipped_app):
    assert shipped_app.config["WTF_CSRF_ENABLED"] is True


def test_a_post_without_the_token_is_refused(shipped_client, world):
    page = shipped_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert token, "the login form carries a CSRF token"
    refused = shipped_client.post("/login", data={"email": world.staff_a.email, "password": PASSWORD})
    assert refused.status_code == 400 and "The form has expired" in refused.get_data(as_text=True)
    assert shipped_client.get("/").status_code == 302  # still logged out
    accepted = shipped_client.post("/login", data={"email": world.staff_a.email, "password": PASSWORD,
                                                   "csrf_token": token.group(1)})
    assert accepted.status_code == 302 and shipped_client.get("/").status_code == 200
