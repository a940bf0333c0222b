"""Issue 11: two-factor login with an authenticator app (TOTP), recovery codes, admin reset."""
from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select, text

from shelterassess.auth import mfa_services, totp
from shelterassess.auth.models import RecoveryCode, User
from shelterassess.auth.roles import Role
from shelterassess.extensions import db
from tests.conftest import login
from tests.served import Client, run_together, serving

REQUIRED = (Role.NATIONAL_TEAM.value, Role.ADMIN.value)
WRONG = "This code is not correct or was used already."


@pytest.fixture
def required(app, monkeypatch):
    monkeypatch.setitem(app.config, "TOTP_REQUIRED_ROLES", REQUIRED)


def enrol(app, user) -> str:
    secret = mfa_services.enrol_without_code(db.session, user, totp.SecretBox.from_config(app.config))
    db.session.commit()
    return secret


def now_code(secret: str, offset: int = 0) -> str:
    return totp.code_at_step(secret, totp.step_at() + offset)


def wrong_code(secret: str) -> str:
    valid = {now_code(secret, k) for k in (-1, 0, 1)}
    return next(c for c in (now_code(secret, k) for k in range(5, 50)) if c not in valid)


def fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def codes_on(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", html)


def test_required_role_without_enrolment_reaches_only_the_setup_page(app, client, world, required):
    login(client, world.national)
    for path in ("/", "/admin/users/", "/account/password", "/account/two-factor"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.endswith("/account/two-factor/setup"), path
    page = client.get("/account/two-factor/setup")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Your role requires two-factor login" in html and "<svg" in html
    secret = re.search(r'id="totp-secret" class="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert client.get("/account/two-factor/setup").get_data(as_text=True).count(totp.group_secret(secret)) == 1  # same key on reload
    bad = client.post("/account/two-factor/setup", data={"code": wrong_code(secret)})
    assert bad.status_code == 200 and "This code is not correct" in bad.get_data(as_text=True)
    assert not fresh(world.national).totp_enrolled
    done = client.post("/account/two-factor/setup", data={"code": now_code(secret)})
    codes = codes_on(done.get_data(as_text=True))
    assert done.status_code == 200 and len(codes) == 10 and "This page shows the codes only once" in done.get_data(as_text=True)
    assert client.get("/").status_code == 200  # enrolled: free to go
    assert "Unused recovery codes: 10 of 10." in client.get("/account/two-factor").get_data(as_text=True)
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == world.national.id)).all()
    assert sorted(stored) == sorted(totp.hash_recovery_code(c) for c in codes) and not set(codes) & set(stored)


def test_logout_works_before_enrolment_and_optional_roles_are_not_forced(client, world, required):
    login(client, world.admin)
    assert client.get("/").status_code == 302
    assert client.post("/logout").status_code == 302
    assert client.get("/account/two-factor/setup").status_code == 302  # logged out: to the login page
    login(client, world.staff_a)
    assert client.get("/").status_code == 200


def test_enrolled_user_needs_the_code(app, client, world, required):
    secret = enrol(app, world.national)
    response = login(client, world.national)
    assert response.location.endswith("/login/code")
    assert client.get("/").status_code == 302  # the password alone does not log in
    page = client.get("/login/code")
    assert page.status_code == 200 and 'name="code"' in page.get_data(as_text=True)
    form = page.get_data(as_text=True).split('<form method="post" novalidate>', 1)[1].split("</form>", 1)[0]
    assert set(re.findall(r'<input[^>]* name="([^"]+)"', form)) <= {"code", "csrf_token"}  # one field
    bad = client.post("/login/code", data={"code": wrong_code(secret)})
    assert bad.status_code == 200 and WRONG in bad.get_data(as_text=True)
    junk = client.post("/login/code", data={"code": "x" * 64})
    assert junk.status_code == 200 and WRONG in junk.get_data(as_text=True)
    good = client.post("/login/code", data={"code": now_code(secret)})
    assert good.status_code == 302 and good.location.endswith("/")
    assert client.get("/").status_code == 200
    assert fresh(world.national).last_login_at is not None


def test_a_code_cannot_be_replayed(app, client, world):
    secret = enrol(app, world.national)
    code = now_code(secret)
    login(client, world.national)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    client.post("/logout")
    login(client, world.national)
    again = client.post("/login/code", data={"code": code})
    assert again.status_code == 200 and WRONG in again.get_data(as_text=True)
    assert client.get("/").status_code == 302
    # an older step than the last used one is refused too; the next step is accepted
    assert client.post("/login/code", data={"code": now_code(secret, -1)}).status_code == 200
    assert client.post("/login/code", data={"code": now_code(secret, 1)}).status_code == 302


def test_two_parallel_requests_with_the_same_code_one_wins(app, world):
    secret = enrol(app, world.national)
    with serving(app, SECRET_KEY=app.config["SECRET_KEY"]) as base:
        first, second = Client(base, world.national), Client(base, world.national)
        code = now_code(secret)
        results = run_together(lambda: first.post("/login/code", {"code": code}),
                               lambda: second.post("/login/code", {"code": code}), gap=0)
        assert sorted(status for status, _body in results) == [200, 302]
        assert any(WRONG in body for status, body in results if status == 200)
        assert sorted(c.get("/")[0] for c in (first, second)) == [200, 302]  # exactly one is logged in


def test_recovery_code_works_once(app, client, world, required):
    enrol(app, world.admin)
    code = mfa_services._replace_recovery_codes(db.session, fresh(world.admin))[3]
    db.session.commit()
    login(client, world.admin)
    used = client.post("/login/code", data={"code": code.upper()}, follow_redirects=True)
    assert used.status_code == 200 and "You used a recovery code. 9 remain" in used.get_data(as_text=True)
    client.post("/logout")
    login(client, world.admin)
    again = client.post("/login/code", data={"code": code})
    assert again.status_code == 200 and WRONG in again.get_data(as_text=True)


def test_guessing_the_code_is_throttled_and_a_new_password_step_does_not_reset_it(app, client, world):
    secret = enrol(app, world.national)
    login(client, world.national)
    limit = app.config["LOGIN_MAX_FAILURES"]
    statuses = [client.post("/login/code", data={"code": wrong_code(secret)}).status_code for _ in range(limit)]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {200}  # the password step counted as one check
    locked = client.post("/login/code", data={"code": now_code(secret)})
    assert locked.status_code == 429 and "Too many failed attempts" in locked.get_data(as_text=True)
    relogin = client.post("/login", data={"email": world.national.email, "password": "correct horse battery"})
    assert relogin.status_code == 200  # locked for this address: the password step does not reset the count
    assert client.get("/").status_code == 302


def test_pending_second_factor_expires(app, client, world):
    secret = enrol(app, world.national)
    login(client, world.national)
    with client.session_transaction() as s:
        s["_second_factor"] = {**s["_second_factor"], "at": int(time.time()) - 5 * 60 - 1}
    late = client.post("/login/code", data={"code": now_code(secret)})
    assert late.status_code == 302 and late.location.endswith("/login")
    assert "Your login has expired. Log in again." in client.get("/login").get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert client.get("/login/code").status_code == 302  # no marker: back to the password


def test_next_is_kept_through_the_second_step(app, client, world):
    secret = enrol(app, world.admin)
    first = client.post("/login?next=/admin/users/", data={"email": world.admin.email, "password": "correct horse battery"})
    assert first.status_code == 302 and first.location.endswith("/login/code")
    done = client.post("/login/code", data={"code": now_code(secret)})
    assert done.status_code == 302 and done.location.endswith("/admin/users/")
    assert client.get("/admin/users/").status_code == 200


def test_secret_is_not_stored_in_plain_text(app, world):
    secret = enrol(app, world.national)
    raw = db.session.execute(text('SELECT totp_secret_encrypted FROM "user" WHERE id = :id'),
                             {"id": world.national.id}).scalar_one()
    assert secret not in raw and totp.group_secret(secret) not in raw
    assert totp.SecretBox.from_config(app.config).decrypt(raw) == secret


def test_admin_reset_is_recorded_and_ends_the_users_sessions(app, world, required):
    secret = enrol(app, world.national)
    person, admin = app.test_client(), app.test_client()
    for c in (person, admin):
        c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(person, world.national)
    assert person.post("/login/code", data={"code": now_code(secret)}).status_code == 302
    assert person.get("/").status_code == 200
    enrol(app, world.admin)
    login(admin, world.admin)
    admin.post("/login/code", data={"code": now_code(mfa_services.current_secret(
        fresh(world.admin), totp.SecretBox.from_config(app.config)))})
    page = admin.get(f"/admin/users/{world.national.id}")
    assert page.status_code == 200 and "Reset two-factor login" in page.get_data(as_text=True)
    empty = admin.post(f"/admin/users/{world.national.id}/two-factor/reset", data={"reason": "   "})
    assert empty.status_code == 200 and "This field is required." in empty.get_data(as_text=True)
    assert fresh(world.national).totp_enrolled
    done = admin.post(f"/admin/users/{world.national.id}/two-factor/reset",
                      data={"reason": "Phone stolen; identity checked by video call"}, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "is reset and they have been logged out" in html
    assert "Phone stolen; identity checked by video call" in html and "admin@example.org" in html
    user = fresh(world.national)
    assert not user.totp_enrolled and user.totp_secret_encrypted is None and user.totp_reset_by_id == world.admin.id
    assert db.session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user.id)) is None
    assert person.get("/").status_code == 302  # the old cookie is refused
    login(person, world.national)  # the password alone now, then the setup page (required role)
    assert person.get("/").location.endswith("/account/two-factor/setup")


def test_admin_cannot_reset_own_or_a_user_without_two_factor(app, client, world):
    login(client, world.admin)
    response = client.post(f"/admin/users/{world.staff_a.id}/two-factor/reset", data={"reason": "x"}, follow_redirects=True)
    assert "has no two-factor login to reset" in response.get_data(as_text=True)
    assert fresh(world.staff_a).totp_reset_at is None


def test_optional_user_disables_with_a_code_required_role_cannot(app, client, world, required):
    secret = enrol(app, world.staff_a)
    login(client, world.staff_a)
    client.post("/login/code", data={"code": now_code(secret)})
    refused = client.post("/account/two-factor/disable", data={"disable-code": wrong_code(secret)}, follow_redirects=True)
    assert WRONG in refused.get_data(as_text=True) and fresh(world.staff_a).totp_enrolled
    off = client.post("/account/two-factor/disable", data={"disable-code": now_code(secret, 1)}, follow_redirects=True)
    assert "Two-factor login is off." in off.get_data(as_text=True) and not fresh(world.staff_a).totp_enrolled
    national_secret = enrol(app, world.national)
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(other, world.national)
    other.post("/login/code", data={"code": now_code(national_secret)})
    assert "cannot be turned off" in other.get("/account/two-factor").get_data(as_text=True)
    response = other.post("/account/two-factor/disable", data={"disable-code": now_code(national_secret, 1)},
                          follow_redirects=True)
    assert "it cannot be turned off" in response.get_data(as_text=True) and fresh(world.national).totp_enrolled


def test_regenerating_recovery_codes_needs_a_code(app, client, world):
    secret = enrol(app, world.staff_a)
    login(client, world.staff_a)
    client.post("/login/code", data={"code": now_code(secret)})
    old = set(db.session.scalars(select(RecoveryCode.code_hash)))
    refused = client.post("/account/two-factor/recovery-codes", data={"regenerate-code": "123"}, follow_redirects=True)
    assert WRONG in refused.get_data(as_text=True) and set(db.session.scalars(select(RecoveryCode.code_hash))) == old
    done = client.post("/account/two-factor/recovery-codes", data={"regenerate-code": now_code(secret, 1)})
    assert done.status_code == 200 and len(codes_on(done.get_data(as_text=True))) == 10
    db.session.expire_all()
    assert not set(db.session.scalars(select(RecoveryCode.code_hash))) & old


def test_pages_in_vietnamese(app, client_vi, world, required):
    secret = enrol(app, world.staff_a)
    login(client_vi, world.staff_a)
    assert client_vi.get("/login/code").status_code == 200
    assert client_vi.post("/login/code", data={"code": "000000" if totp.matching_step(secret, "000000") is None
                                               else "999999"}).status_code == 200
    client_vi.post("/login/code", data={"code": now_code(secret)})
    assert client_vi.get("/account/two-factor").status_code == 200
    client_vi.post("/logout")
    login(client_vi, world.national)
    assert client_vi.get("/account/two-factor/setup").status_code == 200
    client_vi.post("/logout")
    login(client_vi, world.admin)
    assert client_vi.get("/account/two-factor/setup").status_code == 200
