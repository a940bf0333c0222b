"""User administration: accounts, one-time activation links, (de)activation."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from shelterassess.auth import services
from shelterassess.auth.models import ActivationToken, User
from shelterassess.auth.roles import Role
from shelterassess.db import utcnow
from shelterassess.extensions import db
from tests.conftest import login

LINK = re.compile(r'value="(http://[^"]+/activate/([A-Za-z0-9_-]+))"')
NEW_PASSWORD = "a long new passphrase"


def _new_user(client, **overrides):
    data = {"email": "New.Person@Example.org", "display_name": "New person", "role": "facility_staff", "facility": ""}
    data.update(overrides)
    return client.post("/admin/users/new", data=data)


def _link(response) -> tuple[str, str]:
    match = LINK.search(response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:2000]
    return match.group(1), match.group(2)


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_list_shows_accounts_with_translated_roles_and_status(client, world):
    pending = services.create_user(db.session, "pending@example.org", Role.NATIONAL_TEAM, "Pending")
    from shelterassess.auth import throttle
    from shelterassess.auth.models import LoginAttempt

    key = throttle.account_key(world.staff_b.email)  # locked for everyone: over the per-account limit
    db.session.add_all(LoginAttempt(account_key=key, address=f"198.51.100.{i}") for i in range(61))
    world.manager_b.active = False
    world.staff_a.last_login_at = dt.datetime(2027, 3, 4, 9, 30, tzinfo=dt.timezone.utc)
    db.session.commit()
    login(client, world.admin)
    html = client.get("/admin/users/").get_data(as_text=True)
    for text in ("staff.a@example.org", "Facility staff", "Facility manager", "National team", "Administrator",
                 "SH-A", "RC-B", "Pending activation", "Locked", "Deactivated", "Active", "2027"):
        assert text in html, text
    row = html.split("pending@example.org", 1)[1].split("</tr>", 1)[0]
    assert "Pending activation" in row and "never" in row
    assert pending.password_hash is None


def test_list_in_vietnamese(client_vi, world):
    login(client_vi, world.admin)
    assert client_vi.get("/admin/users/").status_code == 200


def test_admin_creates_user_and_sees_the_link_once(client, world):
    login(client, world.admin)
    form = client.get("/admin/users/new").get_data(as_text=True)
    assert "— none —" in form and "SH-A · Nhà tạm lánh A" in form and "Facility staff" in form
    response = _new_user(client, facility=str(world.facility_a.id))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ("Send this link to the user. It works once and expires in 4 days. "
            "You never see or set their password.") in html
    url, token = _link(response)
    user = _user("new.person@example.org")
    assert user.facility_id == world.facility_a.id and user.role == "facility_staff" and user.password_hash is None
    stored = db.session.scalar(select(ActivationToken).where(ActivationToken.user_id == user.id))
    assert stored.token_hash != token and token not in stored.token_hash  # only a hash is kept
    assert token not in client.get("/admin/users/").get_data(as_text=True)  # never shown again


def test_activation_link_works_once(app, client, world):
    login(client, world.admin)
    _url, token = _link(_new_user(client, role="national_team"))
    person = app.test_client()
    person.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert person.get(f"/activate/{token}").status_code == 200
    response = person.post(f"/activate/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    login(person, "new.person@example.org", NEW_PASSWORD)
    assert person.get("/").status_code == 200
    assert person.get(f"/activate/{token}").status_code == 404
    assert person.post(f"/activate/{token}", data={"password": "x" * 12, "confirm": "x" * 12}).status_code == 404


def test_expired_link_is_404(client, world):
    login(client, world.admin)
    _url, token = _link(_new_user(client, role="national_team"))
    user = _user("new.person@example.org")
    record = db.session.scalar(select(ActivationToken).where(ActivationToken.user_id == user.id))
    record.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    assert client.get(f"/activate/{token}").status_code == 404


def test_new_link_replaces_the_old_one(client, world):
    login(client, world.admin)
    _url, first = _link(_new_user(client, role="national_team"))
    user = _user("new.person@example.org")
    response = client.post(f"/admin/users/{user.id}/activation-link")
    assert response.status_code == 200
    assert "Earlier links for this account no longer work." in response.get_data(as_text=True)
    _url, second = _link(response)
    assert first != second
    assert client.get(f"/activate/{first}").status_code == 404
    assert client.get(f"/activate/{second}").status_code == 200


def test_refused_input_keeps_typing_and_saves_nothing(client, world):
    login(client, world.admin)
    before = db.session.scalar(select(func.count(User.id)))
    cases = {
        "An account with this email already exists.": {"email": "STAFF.A@example.org", "role": "national_team"},
        "Facility staff and managers need a facility.": {"role": "facility_manager"},
        "Only facility staff and managers belong to a facility.": {"role": "admin", "facility": str(world.facility_b.id)},
        "Not a valid choice": {"role": "superuser"},
    }
    for message, overrides in cases.items():
        response = _new_user(client, display_name="Typed name", **overrides)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, message
        assert message in html and 'value="Typed name"' in html, message
        assert "/activate/" not in html
    response = _new_user(client, facility="999999")
    assert response.status_code == 200 and 'id="facility-error"' in response.get_data(as_text=True)
    response = _new_user(client, email="not an email", role="national_team")
    assert response.status_code == 200 and 'id="email-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == before


def test_deactivated_user_is_logged_out_on_next_request(app, client, world):
    staff = app.test_client()
    login(staff, world.staff_a)
    assert staff.get("/").status_code == 200
    login(client, world.admin)
    response = client.post(f"/admin/users/{world.staff_a.id}/deactivate")
    assert response.status_code == 302
    assert not _user("staff.a@example.org").active
    response = staff.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    staff.post("/login", data={"email": world.staff_a.email, "password": "correct horse battery"})
    assert staff.get("/").status_code == 302  # and cannot log in again
    assert "Deactivated" in client.get("/admin/users/").get_data(as_text=True)

    assert client.post(f"/admin/users/{world.staff_a.id}/activate").status_code == 302
    assert _user("staff.a@example.org").active
    login(staff, world.staff_a)
    assert staff.get("/").status_code == 200


def test_admin_cannot_deactivate_themselves(client, world):
    login(client, world.admin)
    response = client.post(f"/admin/users/{world.admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert _user("admin@example.org").active
    assert client.get("/admin/users/").status_code == 200


def test_non_admins_are_refused(client, world):
    for user in (world.staff_a, world.manager_a, world.national):
        login(client, user)
        assert client.get("/admin/users/").status_code == 403
        assert _new_user(client, role="admin").status_code == 403
        assert client.post(f"/admin/users/{world.staff_b.id}/activation-link").status_code == 403
        assert client.post(f"/admin/users/{world.staff_b.id}/deactivate").status_code == 403
        client.post("/logout")
    assert _user("new.person@example.org") is None and _user("staff.b@example.org").active


def test_unknown_user_is_404(client, world):
    login(client, world.admin)
    assert client.post("/admin/users/999999/activation-link").status_code == 404
    assert client.post("/admin/users/999999/deactivate").status_code == 404
    assert client.post("/admin/users/abc/activate").status_code == 404
