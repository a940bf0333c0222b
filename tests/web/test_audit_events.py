"""The audit trail records each kind of event through real requests (issue 11), in the same
transaction as the change, and never the text people typed."""
from __future__ import annotations

from sqlalchemy import select

from shelterassess.assessments import services as assessment_services
from shelterassess.assessments.models import Score
from shelterassess.audit.models import AuditEvent
from shelterassess.extensions import db
from tests.area_posts import post_area
from tests.conftest import PASSWORD, login
from tests.web.test_self_assessment import _area_data, _start


def _events(**where) -> list[AuditEvent]:
    statement = select(AuditEvent).order_by(AuditEvent.id)
    for name, value in where.items():
        statement = statement.where(getattr(AuditEvent, name) == value)
    db.session.expire_all()
    return list(db.session.scalars(statement))


def _last_id() -> int:
    return db.session.scalar(select(db.func.max(AuditEvent.id))) or 0


def _since(last: int) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.id > last).order_by(AuditEvent.id)))




def test_login_success_is_recorded_with_who_and_where(client, world):
    last = _last_id()
    login(client, world.manager_a)
    [event] = _since(last)
    assert (event.action, event.outcome, event.user_id, event.user_email) == (
        "login", "success", world.manager_a.id, "manager.a@example.org")
    assert (event.role, event.facility_id, event.object_type, event.object_id) == (
        "facility_manager", world.facility_a.id, "user", world.manager_a.id)
    assert event.endpoint == "auth.login" and event.remote_address == "127.0.0.1"
    assert event.occurred_at is not None


def test_failed_login_of_a_known_account_keeps_its_id_and_no_password(client, world):
    last = _last_id()
    response = client.post("/login", data={"email": "Staff.A@example.org", "password": "wrong-secret-123"})
    assert "Email or password is not correct" in response.get_data(as_text=True)
    [event] = _since(last)
    assert (event.action, event.outcome, event.user_id, event.user_email) == (
        "login_failed", "failure", world.staff_a.id, "staff.a@example.org")
    assert "wrong-secret-123" not in " ".join(str(v) for v in _columns(event))


def test_failed_login_of_an_unknown_email_has_no_user_id(client, world):
    last = _last_id()
    client.post("/login", data={"email": "nobody@example.org", "password": "whatever-123"})
    [event] = _since(last)
    assert event.action == "login_failed" and event.user_id is None and event.outcome == "failure"
    assert event.user_email == "nobody@example.org" and event.detail == "unknown account"


def test_a_password_typed_as_the_email_is_not_kept(client, world):
    last = _last_id()
    client.post("/login", data={"email": "MySecretPassw0rd", "password": "x"})
    events = _since(last)
    assert [e.action for e in events] in ([], ["login_failed"])  # the form may refuse it first
    assert all("MySecretPassw0rd".lower() not in " ".join(str(v) for v in _columns(e)).lower() for e in events)


def test_too_many_attempts_are_recorded_as_failures(client, world, app):
    app.config["LOGIN_ADDRESS_MAX_FAILURES"], old = 1, app.config["LOGIN_ADDRESS_MAX_FAILURES"]
    try:
        for _ in range(3):
            client.post("/login", data={"email": "staff.a@example.org", "password": "wrong password"})
    finally:
        app.config["LOGIN_ADDRESS_MAX_FAILURES"] = old
    details = [e.detail for e in _events(action="login_failed")]
    assert "too many attempts" in details and len(details) == 3


def test_logout_and_password_change_are_recorded(client, world):
    login(client, world.staff_a)
    last = _last_id()
    r = client.post("/account/password", data={"current_password": "not the password", "new_password": "x",
                                               "confirm": "x"})
    assert r.status_code == 200
    new = "a new long passphrase 7"
    r = client.post("/account/password", data={"current_password": PASSWORD, "new_password": new, "confirm": new})
    assert r.status_code == 302
    client.post("/logout")
    events = [(e.action, e.outcome, e.user_id) for e in _since(last)]
    me = world.staff_a.id
    assert events == [("password_change", "failure", me), ("password_change", "success", me), ("logout", "success", me)]
    assert all(PASSWORD not in e.detail and "passphrase" not in e.detail for e in _since(last))


def test_a_403_is_recorded_as_denied(client, world):
    login(client, world.staff_a)
    last = _last_id()
    assert client.get("/audit/").status_code == 403
    [event] = _since(last)
    assert (event.action, event.outcome, event.user_id, event.endpoint) == (
        "denied", "denied", world.staff_a.id, "audit.index")


def test_denied_with_the_object_from_the_url(client, world):
    login(client, world.staff_a)
    assessment = _start(client, world)
    client.post("/logout")
    login(client, world.staff_a)
    last = _last_id()
    assert client.post(f"/assessments/{assessment.id}/submit").status_code == 403  # staff may not submit
    [event] = _since(last)
    assert (event.action, event.object_type, event.object_id, event.detail) == (
        "denied", "assessment", assessment.id, f"POST assessment_id={assessment.id}")


def test_create_update_submit_through_real_routes_write_one_row_each(client, world):
    login(client, world.staff_a)
    last = _last_id()
    assessment = _start(client, world)
    [created] = _since(last)
    assert (created.action, created.object_type, created.object_id, created.object_facility_id, created.user_id) == (
        "create", "assessment", assessment.id, world.facility_a.id, world.staff_a.id)
    assert "score" in created.detail and "assessment_event" in created.detail

    for area, values in zip(world.sheet.areas, (("3", "na"), ("0", "2"))):
        last = _last_id()
        url = f"/assessments/{assessment.id}/areas/{area.id}"
        assert post_area(client, url, _area_data(area, values)).status_code == 302
        [updated] = _since(last)
        assert (updated.action, updated.object_type, updated.object_id) == ("update", "assessment", assessment.id)
        assert "score ×2 update" in updated.detail and "value" in updated.detail
        assert updated.endpoint == "assessments.fill_area"

    client.post("/logout")
    login(client, world.manager_a)
    last = _last_id()
    assert client.post(f"/assessments/{assessment.id}/submit").status_code == 302
    [submitted] = _since(last)
    assert (submitted.action, submitted.object_id, submitted.user_id, submitted.role) == (
        "submit", assessment.id, world.manager_a.id, "facility_manager")
    assert "status: draft → submitted" in submitted.detail


def test_reopen_by_the_national_team_is_recorded(client, world):
    login(client, world.staff_a)
    assessment = _start(client, world)
    assessment.status = "submitted"
    db.session.commit()
    client.post("/logout")
    login(client, world.national)
    last = _last_id()
    r = client.post(f"/assessments/{assessment.id}/reopen", data={"reason": "Secret reopen reason XYZ"})
    assert r.status_code == 302
    [event] = _since(last)
    assert event.action == "reopen" and event.object_id == assessment.id and event.role == "national_team"
    assert "Secret reopen reason XYZ" not in event.detail


def test_no_note_text_in_any_audit_column(client, world):
    marker = "MARKER-7f3a9 phòng ngủ sạch"
    login(client, world.staff_a)
    assessment = _start(client, world)
    area = world.sheet.areas[0]
    r = post_area(client, f"/assessments/{assessment.id}/areas/{area.id}",
                  data=_area_data(area, ["2", "na"], {area.indicators[0].code: marker}))
    assert r.status_code == 302
    assert db.session.scalar(select(Score.note).where(Score.note == marker)) == marker  # it was saved
    for event in _events():
        assert all("MARKER-7f3a9" not in str(value) for value in _columns(event))


def test_failure_after_a_flush_leaves_neither_the_change_nor_its_audit_row(client, world, monkeypatch):
    login(client, world.staff_a)
    assessment = _start(client, world)
    area = world.sheet.areas[0]
    original = assessment_services.save_area

    def save_then_fail(session, *args, **kwargs):
        original(session, *args, **kwargs)
        session.flush()
        raise RuntimeError("injected failure")

    monkeypatch.setattr(assessment_services, "save_area", save_then_fail)
    last = _last_id()
    r = post_area(client, f"/assessments/{assessment.id}/areas/{area.id}", data=_area_data(area, ["3", "na"]))
    assert r.status_code == 500 and "reference" in r.get_data(as_text=True).lower()
    assert _since(last) == []
    db.session.expire_all()
    assert set(db.session.scalars(select(Score.value).where(Score.assessment_id == assessment.id))) == {None}


def test_pdf_download_is_recorded(client, world):
    login(client, world.staff_a)
    last = _last_id()
    r = client.get(f"/reports/facilities/{world.facility_a.id}/rounds/{world.round.id}/blank.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    [event] = _since(last)
    assert (event.action, event.object_type, event.object_id, event.user_id) == (
        "pdf", "facility", world.facility_a.id, world.staff_a.id)
    assert event.detail == f"pdf facility_id={world.facility_a.id} round_id={world.round.id}"


def test_a_page_view_writes_nothing(client, world):
    login(client, world.staff_a)
    last = _last_id()
    assert client.get("/").status_code == 200
    assert _since(last) == []


def _columns(event: AuditEvent) -> list:
    return [getattr(event, c.key) for c in AuditEvent.__table__.columns]


def test_a_403_stays_a_403_when_the_audit_row_cannot_be_written(client, world, monkeypatch):
    from shelterassess.audit import services as audit_services

    def broken(session):
        raise RuntimeError("database unreachable")

    login(client, world.staff_a)
    monkeypatch.setattr(audit_services, "flush_pending", broken)
    response = client.get("/audit/")
    assert response.status_code == 403
    monkeypatch.undo()
    assert [e.action for e in _events(action="denied")] == []  # nothing half-written


def test_account_creation_and_activation_are_recorded_without_the_token(client, world):
    import datetime as dt

    from shelterassess.auth import services as auth_services
    from shelterassess.auth.roles import Role

    last = _last_id()
    user = auth_services.create_user(db.session, "new.staff@example.org", Role.FACILITY_STAFF, "New", world.facility_a)
    token = auth_services.issue_activation_token(db.session, user, dt.timedelta(days=2))
    db.session.commit()
    [created] = _since(last)
    assert (created.action, created.object_type, created.object_id, created.object_facility_id) == (
        "create", "user", user.id, world.facility_a.id)
    assert created.detail == "activation_token ×1 create"
    last = _last_id()
    new = "a long new passphrase 9"
    r = client.post(f"/activate/{token}", data={"password": new, "confirm": new})
    assert r.status_code == 302
    [activated] = _since(last)
    assert (activated.action, activated.user_id, activated.user_email, activated.endpoint) == (
        "account_activated", user.id, "new.staff@example.org", "auth.activate")
    assert "activation_token" in activated.detail
    assert all(token not in str(value) for e in _events() for value in _columns(e))


def test_funding_approval_and_export_write_one_row_each(client, world):
    from tests.web.route_matrix import _funding

    _funding("proposal")(world)
    db.session.commit()
    login(client, world.national)
    last = _last_id()
    assert client.post(f"/funding/{world.funding_round.id}/approve").status_code == 302
    [approved] = _since(last)
    assert (approved.action, approved.object_type, approved.object_id, approved.role) == (
        "approve", "funding_round", world.funding_round.id, "national_team")
    assert "status: " in approved.detail and "→ approved" in approved.detail
    last = _last_id()
    response = client.get(f"/funding/{world.funding_round.id}/allocation.csv")
    assert response.status_code == 200
    [exported] = _since(last)
    assert (exported.action, exported.object_type, exported.object_id, exported.endpoint) == (
        "export", "funding_round", world.funding_round.id, "funding.export_csv")
