"""The JSON API (issue 13) through real requests: token authentication, scoping to the user's
role and facility, saving a draft area with optimistic locking, JSON errors, the audit trail, and
the OpenAPI document."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from shelterassess.api import services as tokens
from shelterassess.api.models import ApiToken
from shelterassess.assessments.models import AssessmentStatus
from shelterassess.assessments.services import start_assessment
from shelterassess.audit.models import AuditEvent
from shelterassess.auth import services as auth_services
from shelterassess.auth.roles import Role
from shelterassess.extensions import db
from tests.conftest import PASSWORD, login


def _token(user, days: int = 30) -> str:
    _row, token = tokens.create_token(db.session, user, f"test {user.email}", days)
    db.session.commit()
    return token


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _assessment(world, facility="a"):
    staff = world.staff_a if facility == "a" else world.staff_b
    found = start_assessment(db.session, staff, getattr(world, f"facility_{facility}"), world.round)
    db.session.commit()
    return found


def _answers(client, token, assessment, area):
    """The area's answers as GET returns them: (indicator id -> score)."""
    body = client.get(f"/api/v1/assessments/{assessment.id}", headers=_auth(token)).get_json()
    ids = {i.id for i in area.indicators}
    return {s["indicator_id"]: s for s in body["scores"] if s["indicator_id"] in ids}


def _put(client, token, assessment, area, answers, **extra):
    return client.put(f"/api/v1/assessments/{assessment.id}/areas/{area.id}", headers=_auth(token),
                      json={"answers": answers, **extra})


def _answer(indicator_id, version, value=2, **extra):
    return {"indicator_id": indicator_id, "value": value, "not_applicable": False, "evidence": ["observation"],
            "note": "", "version": version, **extra}


# -- authentication ---------------------------------------------------------------------------

def test_no_token_is_401_json_with_bearer_challenge(client, world):
    response = client.get("/api/v1/facilities")
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_session_cookie_does_not_open_the_api(client, world):
    login(client, world.national)
    assert client.get("/facilities/").status_code == 200
    assert client.get("/api/v1/facilities").status_code == 401
    assessment = _assessment(world)
    area = world.sheet.areas[0]
    response = client.put(f"/api/v1/assessments/{assessment.id}/areas/{area.id}", json={"answers": []})
    assert response.status_code == 401


def test_a_valid_token_reads_and_records_last_use_without_an_audit_row(client, world):
    token = _token(world.national)
    before = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    response = client.get("/api/v1/facilities", headers=_auth(token))
    assert response.status_code == 200
    assert {f["code"] for f in response.get_json()["items"]} == {"SH-A", "RC-B"}
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken)).last_used_at is not None
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == before


@pytest.mark.parametrize("spoil", ["revoked", "expired", "inactive", "role", "unknown", "basic"])
def test_unusable_tokens_are_401(client, world, spoil):
    token = _token(world.staff_a)
    row = db.session.scalar(select(ApiToken))
    if spoil == "revoked":
        tokens.revoke_token(db.session, world.staff_a, row.id)
    elif spoil == "expired":
        row.expires_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    elif spoil == "inactive":
        world.staff_a.active = False  # even without the revocation that deactivation does
    elif spoil == "role":
        world.staff_a.role = Role.FACILITY_MANAGER.value  # scoped to the role it was made under
    db.session.commit()
    headers = {"Authorization": f"Basic {token}"} if spoil == "basic" else \
        _auth(token + "x" if spoil == "unknown" else token)
    response = client.get("/api/v1/facilities", headers=headers)
    assert response.status_code == 401, spoil
    assert response.is_json


def test_required_two_factor_not_set_up_closes_the_api_but_never_redirects_it(client, world, app, monkeypatch):
    token = _token(world.national)
    monkeypatch.setitem(app.config, "TOTP_REQUIRED_ROLES", (Role.NATIONAL_TEAM.value,))
    login(client, world.national)  # the pages now show only the setup page
    assert client.get("/facilities/").status_code == 302
    response = client.get("/api/v1/facilities")  # the cookie is not read: no redirect to the setup page
    assert response.status_code == 401 and response.is_json
    response = client.get("/api/v1/facilities", headers=_auth(token))
    assert response.status_code == 401 and response.is_json


@pytest.mark.parametrize("change", ["password", "deactivate", "role", "totp_reset"])
def test_tokens_are_revoked_with_the_sessions(client, world, change):
    token = _token(world.staff_a)
    if change == "password":
        login(client, world.staff_a)
        response = client.post("/account/password", data={"current_password": PASSWORD,
                                                          "new_password": "a quite new passphrase",
                                                          "confirm": "a quite new passphrase"})
        assert response.status_code == 302
    elif change == "deactivate":
        auth_services.set_active(db.session, world.staff_a, False)
        db.session.commit()
    elif change == "totp_reset":  # an administrator resets two-factor login (a lost phone)
        from shelterassess.auth import mfa_services

        mfa_services.admin_reset(db.session, world.staff_a, world.admin, "Lost phone and laptop bag")
        db.session.commit()
    else:
        auth_services.set_role(db.session, world.staff_a, Role.FACILITY_MANAGER)
        db.session.commit()
    assert client.get("/api/v1/facilities", headers=_auth(token)).status_code == 401
    db.session.expire_all()
    row = db.session.scalar(select(ApiToken))
    assert row.revoked_at is not None
    assert row.revoked_reason == {"password": "password_change", "deactivate": "deactivated", "role": "role_change",
                                  "totp_reset": "totp_reset"}[change]
    revoked = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "revoke")).all()
    assert [(e.object_type, e.object_id) for e in revoked] == [("api_token", row.id)]


def test_failed_token_checks_are_throttled_per_address_and_audited(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_MAX_FAILURES", 3)
    statuses = [client.get("/api/v1/rounds", headers=_auth("sa_guess" + str(n))).status_code for n in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    failures = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed")).all()
    assert len(failures) == 5 and all(e.detail.startswith("api token: unknown") for e in failures)


# -- scope: the user's role and facility -------------------------------------------------------

def test_staff_of_facility_a_get_404_for_facility_b(client, world):
    token = _token(world.staff_a)
    listed = client.get("/api/v1/facilities", headers=_auth(token)).get_json()
    assert [f["code"] for f in listed["items"]] == ["SH-A"] and listed["total"] == 1
    assert client.get(f"/api/v1/facilities/{world.facility_a.id}", headers=_auth(token)).status_code == 200
    response = client.get(f"/api/v1/facilities/{world.facility_b.id}", headers=_auth(token))
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    theirs = _assessment(world, "b")
    assert client.get(f"/api/v1/assessments/{theirs.id}", headers=_auth(token)).status_code == 404
    area = world.sheet.areas[0]
    response = _put(client, token, theirs, area, [_answer(area.indicators[0].id, 1)])
    assert response.status_code == 404
    mine = _assessment(world, "a")
    listed = client.get("/api/v1/assessments", headers=_auth(token)).get_json()
    assert [a["id"] for a in listed["items"]] == [mine.id]
    listed = client.get(f"/api/v1/assessments?facility={world.facility_b.id}", headers=_auth(token)).get_json()
    assert listed["items"] == []


def test_national_team_sees_every_facility_and_assessment_but_cannot_save(client, world):
    token = _token(world.national)
    a, b = _assessment(world, "a"), _assessment(world, "b")
    listed = client.get("/api/v1/assessments", headers=_auth(token)).get_json()
    assert {x["id"] for x in listed["items"]} == {a.id, b.id}
    body = client.get(f"/api/v1/assessments/{b.id}", headers=_auth(token)).get_json()
    assert body["editable"] is False and len(body["scores"]) == len(world.sheet.indicators)
    area = world.sheet.areas[0]
    response = _put(client, token, a, area, [_answer(area.indicators[0].id, 1)])
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    denied = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "denied")).all()
    assert [(e.user_id, e.endpoint) for e in denied] == [(world.national.id, "api.save_area")]


def test_administrators_are_refused_assessments_and_rounds_as_on_the_pages(client, world):
    token = _token(world.admin)
    assert client.get("/api/v1/assessments", headers=_auth(token)).status_code == 403
    assert client.get("/api/v1/rounds", headers=_auth(token)).status_code == 403
    assert client.get("/api/v1/score-sheets", headers=_auth(token)).status_code == 200


def test_score_sheet_version_with_areas_and_indicators(client, world):
    token = _token(world.staff_a)
    body = client.get(f"/api/v1/score-sheets/{world.sheet.id}", headers=_auth(token)).get_json()
    assert [a["code"] for a in body["areas"]] == ["A", "B"]
    assert [i["code"] for i in body["areas"][0]["indicators"]] == ["A1", "A2"]
    assert body["areas"][0]["indicators"][1]["na_allowed"] is True
    assert len(body["areas"][0]["indicators"][0]["levels"]) == 4
    rounds = client.get("/api/v1/rounds", headers=_auth(token)).get_json()
    assert rounds["items"][0]["sheet_id"] == world.sheet.id and rounds["items"][0]["status"] == "open"


# -- saving a draft area ------------------------------------------------------------------------

def test_save_area_then_a_stale_copy_is_409_with_the_current_answers(client, world):
    token = _token(world.staff_a)
    assessment, area = _assessment(world), world.sheet.areas[0]
    a1, a2 = area.indicators
    current = _answers(client, token, assessment, area)
    response = _put(client, token, assessment, area, [_answer(a1.id, current[a1.id]["version"], 3),
                                                      _answer(a2.id, current[a2.id]["version"], None,
                                                              not_applicable=True, evidence=[])])
    assert response.status_code == 200, response.get_json()
    saved = {s["indicator_id"]: s for s in response.get_json()["scores"]}
    assert saved[a1.id]["value"] == 3 and saved[a1.id]["version"] == current[a1.id]["version"] + 1
    assert saved[a2.id]["not_applicable"] is True
    # a second client still holding the old version
    response = _put(client, token, assessment, area, [_answer(a1.id, current[a1.id]["version"], 1)])
    assert response.status_code == 409
    body = response.get_json()
    assert body["reason"] == "stale" and [c["indicator_id"] for c in body["conflicts"]] == [a1.id]
    assert body["conflicts"][0]["value"] == 3  # what is saved, so the client can merge
    assert _answers(client, token, assessment, area)[a1.id]["value"] == 3


def test_a_submitted_assessment_is_read_only_409_and_another_role_403(client, world):
    token = _token(world.staff_a)
    assessment, area = _assessment(world), world.sheet.areas[0]
    assessment.status = AssessmentStatus.SUBMITTED.value
    db.session.commit()
    response = _put(client, token, assessment, area, [_answer(area.indicators[0].id, 1)])
    assert response.status_code == 409
    assert response.get_json()["reason"] == "read_only" and "submitted" in response.get_json()["message"]


@pytest.mark.parametrize(("answer", "field"), [
    ({"value": 5}, "answers[0].value"),
    ({"value": True}, "answers[0].value"),
    ({"evidence": ["gossip"]}, "answers[0].evidence"),
    ({"note": "x\x00y"}, "answers[0].note"),
    ({"note": "x" * 2001}, "answers[0].note"),
    ({"colour": "red"}, "answers[0].colour"),
    ({"version": 0}, "answers[0].version"),
    ({"indicator_id": "A1"}, "answers[0].indicator_id"),
    ({"value": None, "not_applicable": True, "evidence": []}, "answers[0].value"),  # A1 allows no N/A
])
def test_bad_answers_are_422_with_the_field_and_save_nothing(client, world, answer, field):
    token = _token(world.staff_a)
    assessment, area = _assessment(world), world.sheet.areas[0]
    response = _put(client, token, assessment, area, [{**_answer(area.indicators[0].id, 1), **answer}])
    assert response.status_code == 422, response.get_json()
    assert field in [f["field"] for f in response.get_json()["fields"]]
    assert _answers(client, token, assessment, area)[area.indicators[0].id]["value"] is None


def test_an_indicator_of_another_area_is_422(client, world):
    token = _token(world.staff_a)
    assessment = _assessment(world)
    other = world.sheet.areas[1].indicators[0]
    response = _put(client, token, assessment, world.sheet.areas[0], [_answer(other.id, 1)])
    assert response.status_code == 422
    assert response.get_json()["fields"][0]["message"] == "Not an indicator of this area."


def test_an_identifying_note_needs_the_confirmation_the_page_asks_for(client, world):
    token = _token(world.staff_a)
    assessment, area = _assessment(world), world.sheet.areas[0]
    answer = _answer(area.indicators[0].id, 1, note="Gọi chị ấy theo số 0912 345 678")
    response = _put(client, token, assessment, area, [answer])
    assert response.status_code == 422 and "identifying" in response.get_json()["fields"][0]["message"]
    assert _put(client, token, assessment, area, [answer], confirm_identifying=True).status_code == 200


@pytest.mark.parametrize(("body", "content_type", "status"), [
    (b"{not json", "application/json", 400),
    (b'{"answers": []}', "text/plain", 415),
    (b'{"answers": []}', "application/json", 422),
    (b"[]", "application/json", 422),
    (b'{"answers": ["' + b"x" * (3 * 1024 * 1024) + b'"]}', "application/json", 413),
])
def test_malformed_bodies_are_json_errors(client, world, body, content_type, status):
    token = _token(world.staff_a)
    assessment, area = _assessment(world), world.sheet.areas[0]
    response = client.put(f"/api/v1/assessments/{assessment.id}/areas/{area.id}", data=body,
                          headers={**_auth(token), "Content-Type": content_type})
    assert response.status_code == status and response.is_json


def test_unknown_paths_and_methods_are_json(client, world):
    token = _token(world.staff_a)
    response = client.get("/api/v1/nothing-here", headers=_auth(token))
    assert response.status_code == 404 and response.is_json
    response = client.delete("/api/v1/facilities", headers=_auth(token))
    assert response.status_code == 405 and response.is_json and "GET" in response.headers["Allow"]
    for huge in (2**31, 2**70):  # never sent to the database (PostgreSQL INTEGER columns)
        assert client.get(f"/api/v1/facilities/{huge}", headers=_auth(token)).status_code == 404
        assert client.get(f"/api/v1/assessments?round={huge}&facility={huge}", headers=_auth(token)).status_code == 200
    assert client.get("/no-such-page").content_type.startswith("text/html")  # pages keep their error page


# -- the audit trail --------------------------------------------------------------------------

def test_token_create_revoke_and_api_write_are_audited(client, world):
    login(client, world.staff_a)
    response = client.post("/account/tokens/", data={"name": "sync laptop", "lifetime": "30", "password": PASSWORD})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    token = page.split('<code id="new-token" class="token">')[1].split("<")[0]
    assert token.startswith("sa_") and "sync laptop" in page
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == tokens.digest(token) and token not in (row.hint, row.token_hash)
    assert token not in client.get("/account/tokens/").get_data(as_text=True)  # shown once

    assessment, area = _assessment(world), world.sheet.areas[0]
    indicator = area.indicators[0]
    assert _put(client, token, assessment, area, [_answer(indicator.id, 1)]).status_code == 200
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 302
    assert client.get("/api/v1/rounds", headers=_auth(token)).status_code == 401

    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(["create", "update", "revoke"]))
                                .order_by(AuditEvent.id)).all()
    rows = [(e.action, e.object_type, e.user_id) for e in events if e.object_type in ("api_token", "assessment")]
    assert ("create", "api_token", world.staff_a.id) in rows
    assert ("revoke", "api_token", world.staff_a.id) in rows
    write = next(e for e in events if e.object_type == "assessment" and e.endpoint == "api.save_area")
    assert write.user_id == world.staff_a.id and f"api_token={row.id}" in write.detail and "score" in write.detail
    assert all(token not in (e.detail or "") and row.token_hash not in (e.detail or "") for e in events)


def test_the_token_page_refuses_another_users_token_and_bad_names(client, world):
    other = _token(world.staff_b)
    login(client, world.staff_a)
    row = db.session.scalar(select(ApiToken))
    client.post(f"/account/tokens/{row.id}/revoke")
    assert client.get("/api/v1/rounds", headers=_auth(other)).status_code == 200
    response = client.post("/account/tokens/", data={"name": "  ", "lifetime": "30", "password": PASSWORD})
    assert response.status_code == 200 and 'id="new-token"' not in response.get_data(as_text=True)
    response = client.post("/account/tokens/", data={"name": "ok", "lifetime": "7", "password": PASSWORD})
    assert 'id="new-token"' not in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(ApiToken)) == 1


def test_a_token_needs_the_password_again_and_guesses_are_throttled(client, world, app, monkeypatch):
    """A stolen session cookie alone cannot make a token that outlives the session; guessing the
    password here counts like failed logins (429 past the limit), and nothing is created."""
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 3)
    login(client, world.staff_a)
    response = client.post("/account/tokens/", data={"name": "laptop", "lifetime": "30"})
    assert response.status_code == 200 and "This field is required." in response.get_data(as_text=True)
    statuses = [client.post("/account/tokens/", data={"name": "laptop", "lifetime": "30", "password": f"guess {i}"})
                .status_code for i in range(4)]
    assert statuses[0] == 200 and statuses[-1] == 429
    response = client.post("/account/tokens/", data={"name": "laptop", "lifetime": "30", "password": PASSWORD})
    assert response.status_code == 429 and "Too many failed attempts" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(ApiToken)) == 0


# -- the OpenAPI document ------------------------------------------------------------------------

def test_openapi_document_validates_and_covers_every_api_route(client, app, world):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<int\([^)]*\):(\w+)>", r"{\1}", rule.rule)
            routes |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == documented


def test_database_unreachable_is_503_json(client, world, monkeypatch):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    token = _token(world.staff_a)

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, sqlite3.OperationalError("unable to open database file"))

    monkeypatch.setattr(tokens, "find_usable_token", down)
    response = client.get("/api/v1/facilities", headers=_auth(token))
    assert response.status_code == 503 and response.get_json()["error"] == "service_unavailable"
    assert response.headers["Retry-After"] == "30"
