"""Who is calling ``/api/v1``: a personal token in ``Authorization: Bearer …``, and nothing else.

The API never looks at the session cookie. A page of another site can make a browser send its
cookie with a request (cross-site request forgery), but it cannot add an ``Authorization`` header;
so an API that accepts only tokens needs no CSRF token, and the API blueprint is exempt from the
CSRF check. For the same reason reads are token-only too: one rule, easy to audit.

Before each API view runs, :func:`authenticate` sets Flask-Login's user for the request
(``g._login_user``) to the token's owner, or to the anonymous user, so that nothing later in the
request (permission predicates, the audit trail, the language) loads the user from the cookie.
A missing, unknown, revoked or expired token, or one whose owner is deactivated, changed role or
facility, or must still set up a required two-factor login, gets 401. Each failed check is counted like a failed password
(:mod:`shelterassess.auth.throttle`): past ``LOGIN_ADDRESS_MAX_FAILURES`` from one address within
``LOGIN_LOCK_MINUTES`` the address gets 429, as the login page would give it.
"""
from __future__ import annotations

from flask import current_app, g, request

from shelterassess.api import services
from shelterassess.api.errors import error_response
from shelterassess.api.models import ApiToken
from shelterassess.audit import services as audit
from shelterassess.auth import mfa_services, throttle
from shelterassess.extensions import db, login_manager

#: Endpoints of the API blueprint that anyone may call (the OpenAPI description).
PUBLIC_ENDPOINTS = frozenset({"api.openapi"})
#: The throttle's account key for failed token checks (one counter, whatever token was tried).
THROTTLE_KEY = throttle.account_key("api-token@shelterassess")


def current_token() -> ApiToken | None:
    return g.get("api_token")


def bearer_token() -> str | None:
    """The token in ``Authorization: Bearer <token>`` (None when the header is absent or another scheme)."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate():
    """``before_request`` of the API blueprint: None to go on, or a 401/429 response."""
    g._login_user = login_manager.anonymous_user()  # never the cookie's user
    g.api_token = None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    raw = bearer_token()
    if raw is None:
        return error_response(401)
    row, problem = services.find_usable_token(db.session, raw)
    if not problem and mfa_services.must_enrol(row.user, current_app.config.get("TOTP_REQUIRED_ROLES", ())):
        problem = "two-factor login not set up"  # the pages show such a user only the setup page
    if problem:
        return _refuse(row, problem)
    if services.note_use(db.session, row):
        db.session.commit()  # nosemgrep: commit-outside-error-handling (bookkeeping only: last_used_at)
    g._login_user = row.user
    g.api_token = row
    return None


def _refuse(row: ApiToken | None, problem: str):
    """Count the failed check (429 past the address's limit) and keep it in the audit trail."""
    db.session.rollback()
    limits = throttle.Limits.from_config(current_app.config)
    try:
        attempt = throttle.record(db.session, THROTTLE_KEY, request.remote_addr or "unknown", limits.window)
        throttle.check(db.session, attempt, limits)
    except throttle.AddressThrottled:
        _audit_failure(row, f"api token: {problem}; too many attempts")
        minutes = current_app.config["LOGIN_LOCK_MINUTES"]
        return error_response(429, headers={"Retry-After": str(minutes * 60)})
    _audit_failure(row, f"api token: {problem}")
    return error_response(401, "The API token is not valid: it is unknown, revoked or expired, or its "
                               "owner's account changed. Create a new one on your account page.")


def _audit_failure(row: ApiToken | None, detail: str) -> None:
    owner = row.user if row is not None else None
    audit.record(db.session, "login_failed", obj=owner, user=owner, outcome="failure", detail=detail)
    db.session.commit()  # nosemgrep: commit-outside-error-handling (the refusal's audit event)
