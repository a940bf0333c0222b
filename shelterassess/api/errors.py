"""JSON errors for ``/api/v1``: every refusal is ``{"status", "error", "message"}`` (plus ``fields``
on 422 and ``conflicts`` on 409), never an HTML page.

Messages are English on purpose: they are read by programs and by the developers who write them,
and stay the same whatever language the token's owner chose for the pages (see docs/api.md).

The API blueprint's own handlers catch what its views raise. A URL under ``/api/v1`` that matches
no route (404) or not with this method (405) fails before any blueprint is chosen, so
:func:`register_app_handlers` adds application handlers for those two codes, which answer JSON
under ``/api/v1`` and hand every other path to the application's usual error page.
"""
from __future__ import annotations

import uuid
from typing import Any

from flask import Flask, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from shelterassess.errors import database_unavailable

PREFIX = "/api/v1"

#: The ``error`` code and the default message of each status the API answers with.
ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request is malformed (e.g. the body is not valid JSON)."),
    401: ("unauthorized", "A valid API token is required: send the header 'Authorization: Bearer <token>'."),
    403: ("forbidden", "Your role may not do this."),
    404: ("not_found", "Not found, or not visible to you."),
    405: ("method_not_allowed", "This method is not allowed here."),
    409: ("conflict", "The request conflicts with the current state of the resource."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body as application/json."),
    422: ("unprocessable_entity", "Some fields are not valid. Nothing was saved."),
    429: ("too_many_requests", "Too many failed token checks from this address. Wait, then try again."),
    500: ("internal_error", "Unexpected error. Nothing was saved."),
    503: ("service_unavailable", "The database cannot be reached. Try again in a minute."),
}
RETRY_AFTER_SECONDS = 30


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def error_response(status: int, message: str | None = None, headers: dict[str, str] | None = None, **extra: Any):
    """A JSON error body with ``status``; ``extra`` adds ``fields`` or ``conflicts``."""
    code, default = ERRORS.get(status, ("error", "Error."))
    body = {"status": status, "error": code, "message": message or default, **extra}
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="ShelterAssess API"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_http_error(error: HTTPException):
    status = error.code or 500
    if status < 400:
        return error
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if status == 403:
        from shelterassess.audit.services import record_denied
        from shelterassess.extensions import db

        record_denied(db.session)  # as the pages do: every refusal is kept in the audit trail
    if status not in ERRORS:
        status = 400 if status < 500 else 500
    return error_response(status, headers=headers)


def handle_exception(error: Exception):
    """Anything else a view raised: 503 when the database is unreachable, else 500 with a reference."""
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    from shelterassess.extensions import db, login_manager

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 (the connection is gone)
        current_app.logger.debug("Rollback after an API error failed", exc_info=True)
    if database_unavailable(error):
        g._login_user = login_manager.anonymous_user()
        current_app.logger.error("Database unavailable (%s)", type(error).__name__)
        return error_response(503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    reference = uuid.uuid4().hex[:10]
    current_app.logger.exception("Unhandled API error, reference %s", reference)
    if current_app.config.get("PROPAGATE_EXCEPTIONS") and current_app.testing:
        raise error
    return error_response(500, f"Unexpected error (reference {reference}). Nothing was saved.")


def register_app_handlers(app: Flask) -> None:
    """404 and 405 for URLs under ``/api/v1`` that match no route: JSON. Other paths keep the
    application's page (its ``HTTPException`` handler, looked up when the error happens)."""

    def routing_error(error: HTTPException):
        if is_api_request():
            return handle_http_error(error)
        fallback = current_app.error_handler_spec.get(None, {}).get(None, {}).get(HTTPException)
        return fallback(error) if fallback is not None else error

    app.register_error_handler(404, routing_error)
    app.register_error_handler(405, routing_error)

