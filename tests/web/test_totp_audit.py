"""Two-factor events in the audit trail (issue 11): enrolment, a wrong code at the login's second
step, a recovery code used, new recovery codes, turning it off, and an administrator's reset. No
code, secret or reset reason is ever written into an audit row."""
from __future__ import annotations

import re

from sqlalchemy import select

from shelterassess.audit.models import AuditEvent
from shelterassess.extensions import db
from tests.conftest import PASSWORD, login
from tests.web.test_totp_login import codes_on, enrol, now_code, wrong_code


def events(user_id: int | None = None) -> list[AuditEvent]:
    db.session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    if user_id is not None:
        query = query.where(AuditEvent.object_type == "user", AuditEvent.object_id == user_id)
    return list(db.session.scalars(query))


def all_audit_text() -> str:
    return " ".join(f"{e.action} {e.detail} {e.user_email} {e.endpoint} {e.object_type}" for e in events())


def test_enrolment_is_audited_without_the_secret(client, world):
    login(client, world.staff_a)
    html = client.get("/account/two-factor/setup").get_data(as_text=True)
    secret = re.search(r'id="totp-secret" class="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    codes = codes_on(client.post("/account/two-factor/setup", data={"code": now_code(secret)}).get_data(as_text=True))
    enrolled = [e for e in events(world.staff_a.id) if e.action == "totp_enrol"]
    assert len(enrolled) == 1 and enrolled[0].user_id == world.staff_a.id and enrolled[0].outcome == "success"
    text = all_audit_text()
    assert secret not in text and not any(code in text for code in codes)


def test_wrong_code_and_recovery_code_at_the_second_step(app, client, world):
    secret = enrol(app, world.manager_a)
    client.post("/login", data={"email": world.manager_a.email, "password": PASSWORD})
    assert client.post("/login/code", data={"code": wrong_code(secret)}).status_code == 200
    failed = [e for e in events(world.manager_a.id) if e.action == "login_failed"]
    assert [(e.outcome, e.detail) for e in failed] == [("failure", "wrong code")]

    new_codes = _new_recovery_codes(client, world, secret)
    client.post("/logout")
    client.post("/login", data={"email": world.manager_a.email, "password": PASSWORD})
    assert client.post("/login/code", data={"code": new_codes[0]}).status_code == 302
    actions = [e.action for e in events(world.manager_a.id)]
    assert "totp_codes" in actions and actions.count("recovery_code_used") == 1
    assert new_codes[0] not in all_audit_text()


def _new_recovery_codes(client, world, secret: str) -> list[str]:
    client.post("/login/code", data={"code": now_code(secret)})
    response = client.post("/account/two-factor/recovery-codes", data={"regenerate-code": now_code(secret, 1)})
    return codes_on(response.get_data(as_text=True))


def test_turning_off_and_admin_reset_are_audited_without_the_reason(app, client, world):
    secret = enrol(app, world.staff_a)
    client.post("/login", data={"email": world.staff_a.email, "password": PASSWORD})
    client.post("/login/code", data={"code": now_code(secret)})
    client.post("/account/two-factor/disable", data={"disable-code": now_code(secret, 1)})
    assert [e.action for e in events(world.staff_a.id)].count("totp_disable") == 1
    client.post("/logout")

    enrol(app, world.manager_b)
    login(client, world.admin)
    reason = "Telephone lost on the bus, marker 7Q"
    client.post(f"/admin/users/{world.manager_b.id}/two-factor/reset", data={"reason": reason})
    reset = [e for e in events(world.manager_b.id) if e.action == "totp_reset"]
    assert len(reset) == 1 and reset[0].user_id == world.admin.id
    assert "marker 7Q" not in all_audit_text()


def test_a_wrong_code_on_the_two_factor_page_is_audited_as_a_failure(app, client, world):
    secret = enrol(app, world.staff_a)
    client.post("/login", data={"email": world.staff_a.email, "password": PASSWORD})
    client.post("/login/code", data={"code": now_code(secret)})
    client.post("/account/two-factor/disable", data={"disable-code": wrong_code(secret)})
    client.post("/account/two-factor/recovery-codes", data={"regenerate-code": wrong_code(secret)})
    failed = [(e.action, e.outcome, e.detail) for e in events(world.staff_a.id) if e.outcome == "failure"]
    assert failed == [("totp_disable", "failure", "wrong code"), ("totp_codes", "failure", "wrong code")]
    assert db.session.get(type(world.staff_a), world.staff_a.id).totp_enrolled  # still on


def test_opening_the_setup_page_changes_nothing_in_the_database(client, world):
    login(client, world.staff_a)
    before = len(events())
    for _ in range(2):
        assert client.get("/account/two-factor/setup").status_code == 200
    db.session.expire_all()
    assert db.session.get(type(world.staff_a), world.staff_a.id).totp_secret_encrypted is None
    assert len(events()) == before
