"""Issue 11, findings 1-4, 6, 7 and 9: logins counted in the database per account and address,
activation after deactivation, revocable and time-limited sessions, open redirects, equal
password-hash work on every login path, the password policy, and production configuration.
(The 20-parallel-logins race test is in test_login_race.py.)"""
from __future__ import annotations

import datetime as dt
import importlib
import re
import stat
import sys
import time

import pytest
from sqlalchemy import select
from werkzeug.http import parse_date

from shelterassess import InsecureConfiguration, create_app
from shelterassess.auth import services
from shelterassess.auth.models import ActivationToken, User
from shelterassess.auth.roles import Role
from shelterassess.errors import ValidationFailed
from shelterassess.extensions import db
from shelterassess.web.redirects import safe_local_path
from tests.conftest import CHEAP_ARGON2, PASSWORD, login, test_config

WRONG = "wrong password guess"
NOT_CORRECT = "Email or password is not correct"


def _from(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _try(client, email, password=WRONG, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


# -- 1. lockout per account and address, address throttle --------------------------------------

def test_six_failures_lock_the_account_only_from_that_address(app, client, world):
    attacker = _from(client, "203.0.113.7")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _try(attacker, world.admin.email).status_code == 200
    refused = _try(attacker, world.admin.email, PASSWORD)
    assert refused.status_code == 200 and NOT_CORRECT in refused.get_data(as_text=True)
    owner = _from(app.test_client(), "198.51.100.20")
    assert _try(owner, world.admin.email, PASSWORD).status_code == 302  # nobody locks the admin from one address


def test_failures_from_many_addresses_lock_the_account_for_everyone(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_MAX_FAILURES", 9)
    for i in range(10):
        _try(_from(app.test_client(), f"203.0.113.{i % 2 + 1}"), world.staff_a.email)
    assert _try(_from(client, "198.51.100.9"), world.staff_a.email, PASSWORD).status_code == 200


def test_too_many_failures_from_one_address_get_429_with_a_clear_message(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_MAX_FAILURES", 8)
    attacker = _from(client, "203.0.113.8")
    statuses = [_try(attacker, f"guess{i}@example.org").status_code for i in range(8)]
    assert statuses == [200] * 8
    r = _try(attacker, world.staff_a.email, PASSWORD)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "Too many failed attempts. Wait 30 minutes" in r.get_data(as_text=True)
    vi = _from(app.test_client(), "203.0.113.8")
    vi.environ_base["HTTP_ACCEPT_LANGUAGE"] = "vi"
    assert _try(vi, world.staff_a.email).status_code == 429
    assert _try(_from(app.test_client(), "198.51.100.1"), world.staff_a.email, PASSWORD).status_code == 302


def test_a_successful_login_forgets_earlier_failures(app, client, world):
    client = _from(client, "203.0.113.9")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        _try(client, world.staff_a.email)
    login(client, world.staff_a)
    client.post("/logout")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        _try(client, world.staff_a.email)
    login(client, world.staff_a)


# -- 2. deactivation and activation links ------------------------------------------------------

def test_deactivation_cancels_pending_activation_links(app, client, world):
    user = services.create_user(db.session, "pending@example.org", Role.FACILITY_STAFF, "P", world.facility_a)
    token = services.issue_activation_token(db.session, user, dt.timedelta(days=4))
    db.session.commit()
    login(client, world.admin)
    assert client.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    assert db.session.scalar(select(ActivationToken).where(ActivationToken.user_id == user.id)).used_at is not None
    person = app.test_client()
    assert person.get(f"/activate/{token}").status_code == 404
    new = "a long new passphrase"
    assert person.post(f"/activate/{token}", data={"password": new, "confirm": new}).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash is None and not db.session.get(User, user.id).active


def test_activation_refuses_an_inactive_account(app, world):
    user = services.create_user(db.session, "pending@example.org", Role.FACILITY_STAFF, "P", world.facility_a)
    token = services.issue_activation_token(db.session, user, dt.timedelta(days=4))
    user.active = False  # deactivated by any route, link left alone
    db.session.commit()
    with app.test_request_context():
        with pytest.raises(ValidationFailed):
            services.activate(db.session, token, "a long new passphrase")
    assert app.test_client().get(f"/activate/{token}").status_code == 404


# -- 3. sessions revoked on the server, absolute lifetime --------------------------------------

COOKIE = "shelterassess_session"


def _replay(app, cookie_value):
    other = app.test_client()
    other.set_cookie(COOKIE, cookie_value)
    return other.get("/")


def test_a_replayed_cookie_after_logout_is_refused(app, client, world):
    login(client, world.staff_a)
    stolen = client.get_cookie(COOKIE).value
    assert _replay(app, stolen).status_code == 200  # the copy works while the session lives
    client.post("/logout")
    assert _replay(app, stolen).status_code == 302


def test_a_replayed_cookie_after_password_change_role_change_or_deactivation_is_refused(app, client, world):
    login(client, world.staff_a)
    stolen = client.get_cookie(COOKIE).value
    client.post("/account/password", data={"current_password": PASSWORD, "new_password": "another long passphrase",
                                           "confirm": "another long passphrase"})
    assert _replay(app, stolen).status_code == 302
    manager = app.test_client()
    login(manager, world.manager_a)
    stolen = manager.get_cookie(COOKIE).value
    services.set_role(db.session, world.manager_a, Role.FACILITY_STAFF)
    db.session.commit()
    assert _replay(app, stolen).status_code == 302
    other = app.test_client()
    login(other, world.staff_b)
    stolen = other.get_cookie(COOKIE).value
    services.set_active(db.session, world.staff_b, False)
    db.session.commit()
    assert _replay(app, stolen).status_code == 302


def test_session_ends_after_the_absolute_lifetime_however_active(app, client, world):
    assert app.config["SESSION_ABSOLUTE_LIFETIME"] == dt.timedelta(hours=12)
    login(client, world.staff_a)
    with client.session_transaction() as s:
        s["_started"] = int(time.time()) - 12 * 3600 - 60
    r = client.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert client.get("/").status_code == 302


def test_the_cookie_never_renews_itself_past_the_absolute_limit(app, client, world):
    login(client, world.staff_a)
    started = int(time.time()) - 12 * 3600 + 600  # ten minutes left; the idle timeout is 30
    with client.session_transaction() as s:
        s["_started"] = started
    r = client.get("/")
    assert r.status_code == 200
    expires = re.search(r"Expires=([^;]+)", r.headers["Set-Cookie"]).group(1)
    assert parse_date(expires).timestamp() <= started + 12 * 3600


# -- 4. open redirects ------------------------------------------------------------------------

EVIL = ["/\t/evil.example", "//evil.example", "\\\\evil", "/\\evil", "https:evil", "https://evil.example/",
        "/\r\nSet-Cookie: x=1", "\r\n//evil.example", " //evil.example", "javascript:alert(1)",
        "http:/evil.example", "///evil.example"]
# (a NUL byte anywhere in a request is refused with 400 before any view: finding 8)


@pytest.mark.parametrize("target", EVIL)
def test_login_never_redirects_off_site(client, world, target):
    r = client.post("/login", query_string={"next": target}, data={"email": world.staff_a.email, "password": PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == "/"


def test_login_raw_percent_encoded_tab_is_refused(client, world):
    r = client.post("/login?next=/%09/evil.example", data={"email": world.staff_a.email, "password": PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == "/"


@pytest.mark.parametrize("target", EVIL)
def test_language_switch_never_redirects_off_site(client, world, target):
    r = client.post("/language", data={"locale": "en", "next": target})
    assert r.status_code == 302 and r.headers["Location"] == "/"


def test_a_local_path_with_a_query_is_kept(client, world):
    r = client.post("/login", query_string={"next": "/assessments/?round=2"},
                    data={"email": world.staff_a.email, "password": PASSWORD})
    assert r.headers["Location"] == "/assessments/?round=2"
    assert client.post("/language", data={"locale": "vi", "next": "/cases/"}).headers["Location"] == "/cases/"


@pytest.mark.parametrize("target", EVIL + ["", None, "evil.example", "../x", "/\x00/evil", "/a\x7f"])
def test_safe_local_path_refuses(target):
    assert safe_local_path(target) is None


# -- 6. the same password-hash work on every login path ----------------------------------------

class _Spy:
    def __init__(self, real):
        self.real, self.verified = real, []

    def verify(self, hash_, password):
        self.verified.append(hash_)
        return self.real.verify(hash_, password)

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.fixture
def hasher_spy(monkeypatch):
    spy = _Spy(services._hasher)
    monkeypatch.setattr(services, "_hasher", spy)
    return spy


def _pending(world):
    user = services.create_user(db.session, "pending@example.org", Role.FACILITY_STAFF, "P", world.facility_a)
    db.session.commit()
    return user.email


def _locked(app, world):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _try(app.test_client(), world.staff_b.email)
    return world.staff_b.email


def _inactive(world):
    services.set_active(db.session, world.manager_b, False)
    db.session.commit()
    return world.manager_b.email


@pytest.mark.parametrize("case", ["wrong password", "unknown email", "locked", "not yet activated", "deactivated"])
def test_every_login_path_verifies_one_argon2_hash(app, client, world, hasher_spy, case):
    email = {"wrong password": lambda: world.staff_a.email, "unknown email": lambda: "nobody@example.org",
             "locked": lambda: _locked(app, world), "not yet activated": lambda: _pending(world),
             "deactivated": lambda: _inactive(world)}[case]()
    hasher_spy.verified.clear()
    r = _try(client, email, PASSWORD if case != "wrong password" else WRONG)
    assert r.status_code == 200 and NOT_CORRECT in r.get_data(as_text=True)
    assert len(hasher_spy.verified) == 1
    assert hasher_spy.verified[0].startswith("$argon2id$")


# -- 7. password change and activation policy --------------------------------------------------

def _change(client, current, new, confirm=None):
    return client.post("/account/password", data={"current_password": current, "new_password": new,
                                                  "confirm": new if confirm is None else confirm})


def test_guessing_the_current_password_is_throttled(app, client, world):
    login(client, world.staff_a)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _change(client, "a wrong guess", "another long passphrase").status_code == 200
    r = _change(client, PASSWORD, "another long passphrase")
    assert r.status_code == 429 and "Too many failed attempts" in r.get_data(as_text=True)
    db.session.expire_all()
    assert services.verify_password(db.session.get(User, world.staff_a.id), PASSWORD)


@pytest.mark.parametrize("new, message", [
    (PASSWORD, "The new password must differ from the current one."),
    ("a" * 14, "Do not use one character repeated."),
    ("elevenchars", "Use at least 12 characters."),
    ("password1234", "This password is too common."),
    ("Qwertyuiop123", "This password is too common."),
])
def test_password_change_policy(client, world, new, message):
    login(client, world.staff_a)
    assert message in _change(client, PASSWORD, new).get_data(as_text=True)


def test_the_common_password_list_is_shipped_with_its_licence():
    common = services.common_passwords()
    assert len(common) >= 10_000 and "123456" in common and "1234567890123" in common
    from importlib.resources import files

    header = (files("shelterassess.auth") / "data" / "common-passwords.txt").read_text("utf-8")[:3000]
    assert "Licence: BSD-3-Clause" in header and "Source:" in header


@pytest.mark.parametrize("new, message", [("b" * 12, "Do not use one character repeated."),
                                          ("password12345", "This password is too common."),
                                          ("elevenchars", "Use at least 12 characters.")])
def test_activation_applies_the_same_policy(app, world, new, message):
    user = services.create_user(db.session, "pending@example.org", Role.FACILITY_STAFF, "P", world.facility_a)
    token = services.issue_activation_token(db.session, user, dt.timedelta(days=4))
    db.session.commit()
    person = app.test_client()
    person.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    r = person.post(f"/activate/{token}", data={"password": new, "confirm": new})
    assert message in r.get_data(as_text=True)


# -- 9. configuration -------------------------------------------------------------------------

def _production(tmp_path, **extra):
    return create_app({"ENV": "production", "DATABASE_URL": "sqlite:///" + str(tmp_path / "p.sqlite"),
                       "PASSWORD_HASH_PARAMS": CHEAP_ARGON2, **extra})


@pytest.mark.parametrize("key", [None, "", "change-me", "dev", "short-but-random-1234"])
def test_production_refuses_a_missing_or_default_secret_key(tmp_path, key):
    with pytest.raises(InsecureConfiguration):
        _production(tmp_path, SECRET_KEY=key)
    assert not (tmp_path / "secret_key").exists()


def test_production_accepts_a_real_secret_key(tmp_path):
    assert _production(tmp_path, SECRET_KEY="k" * 20 + "0123456789abcdef").config["ENV"] == "production"


def test_production_through_the_environment_and_wsgi(tmp_path, monkeypatch):
    monkeypatch.setenv("SHELTERASSESS_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("SHELTERASSESS_SECRET_KEY", raising=False)
    monkeypatch.setenv("SHELTERASSESS_ENV", "production")
    with pytest.raises(InsecureConfiguration):
        create_app({"PASSWORD_HASH_PARAMS": CHEAP_ARGON2})
    monkeypatch.delenv("SHELTERASSESS_ENV")
    sys.modules.pop("wsgi", None)
    with pytest.raises(InsecureConfiguration):
        importlib.import_module("wsgi")  # what gunicorn does
    sys.modules.pop("wsgi", None)
    assert not (tmp_path / "instance" / "secret_key").exists()
    # a development start (make run: flask --app shelterassess) still generates a key
    assert create_app({"PASSWORD_HASH_PARAMS": CHEAP_ARGON2}).config["SECRET_KEY"]


def test_instance_folder_and_sqlite_file_are_owner_only(tmp_path, monkeypatch):
    instance = tmp_path / "fresh" / "instance"
    monkeypatch.setenv("SHELTERASSESS_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("SHELTERASSESS_DATABASE_URL", raising=False)
    app = create_app({"PASSWORD_HASH_PARAMS": CHEAP_ARGON2})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    assert stat.S_IMODE((instance / "shelterassess.sqlite").stat().st_mode) == 0o600
    assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600


def test_activation_page_is_not_stored(app, world):
    user = services.create_user(db.session, "pending@example.org", Role.FACILITY_STAFF, "P", world.facility_a)
    token = services.issue_activation_token(db.session, user, dt.timedelta(days=4))
    db.session.commit()
    person = app.test_client()
    assert person.get(f"/activate/{token}").headers["Cache-Control"] == "no-store"
    assert person.post(f"/activate/{token}", data={"password": "x"}).headers["Cache-Control"] == "no-store"
    assert person.get("/activate/not-a-token").headers["Cache-Control"] == "no-store"


@pytest.fixture
def proxied_app(app, tmp_path_factory):
    """The app behind one proxy (PROXY_COUNT=1), on the test database."""
    proxied = create_app(test_config(tmp_path_factory, DATABASE_URL=app.config["DATABASE_URL"], PROXY_COUNT=1))
    yield proxied
    with proxied.app_context():
        db.session.remove()
        db.engine.dispose()


def test_secure_cookie_and_hsts_when_https_came_through_the_proxy(proxied_app, world):
    c = proxied_app.test_client()
    r = _try(c, world.staff_a.email, PASSWORD, headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.5"})
    assert r.status_code == 302
    assert "Secure" in r.headers["Set-Cookie"] and "max-age=31536000" in r.headers["Strict-Transport-Security"]
    plain = _try(proxied_app.test_client(), world.staff_a.email, PASSWORD, headers={"X-Forwarded-Proto": "http"})
    assert "Secure" not in plain.headers["Set-Cookie"] and "Strict-Transport-Security" not in plain.headers


def test_forwarded_https_is_ignored_without_a_configured_proxy(app, client, world):
    r = _try(client, world.staff_a.email, PASSWORD, headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in r.headers["Set-Cookie"] and "Strict-Transport-Security" not in r.headers
    direct = _try(app.test_client(), world.staff_b.email, PASSWORD, base_url="https://localhost")
    assert "Secure" in direct.headers["Set-Cookie"] and "Strict-Transport-Security" in direct.headers


def test_assessor_records_of_others_look_like_missing_ones(client, world):
    login(client, world.staff_b)
    existing = client.get(f"/assessors/{world.staff_a.id}")
    missing = client.get("/assessors/987654")
    assert existing.status_code == missing.status_code == 404


def test_user_list_shows_an_account_locked_from_many_addresses(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_MAX_FAILURES", 3)
    for i in range(4):
        _try(_from(app.test_client(), f"203.0.113.{i + 1}"), world.staff_b.email)
    login(_from(client, "198.51.100.3"), world.admin)
    html = client.get("/admin/users/").get_data(as_text=True)
    assert "Locked" in html.split("staff.b@example.org", 1)[1].split("</tr>", 1)[0]


def test_https_deployments_use_a_host_only_secure_cookie(app, world, tmp_path_factory):
    """Checklist 18: with HTTPS on, the session cookie is named ``__Host-…`` (the browser then
    accepts it only Secure, without a Domain, on path /)."""
    https = create_app(test_config(tmp_path_factory, DATABASE_URL=app.config["DATABASE_URL"], HTTPS=True))
    try:
        r = https.test_client().post("/login", data={"email": world.staff_a.email, "password": PASSWORD},
                                     base_url="https://localhost")
        cookie = r.headers["Set-Cookie"]
        assert r.status_code == 302 and cookie.startswith("__Host-shelterassess_session=")
        assert "Secure" in cookie and "Path=/" in cookie and "Domain=" not in cookie
    finally:
        with https.app_context():
            db.session.remove()
            db.engine.dispose()
