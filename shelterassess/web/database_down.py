"""The page shown while the database cannot be reached (503), rendered without the database.

Everything a normal page uses may need the database: the signed-in user (Flask-Login loads
it), the user's language, the navigation of ``base.html``, context processors. So this page
forgets the user for the rest of the request (anonymous, language from the session or the
browser), has its own small template (``errors/503.html``, not based on ``base.html``) and is
rendered straight from the Jinja environment, without context processors. If even that
fails, a short plain-text answer in both languages is sent. Nothing is retried here: the
engine's ``pool_pre_ping`` replaces dead connections, so the first request after the
database is back works again.
"""
from __future__ import annotations

import sqlite3

from flask import Response, current_app, g, request, url_for

from shelterassess.web.redirects import safe_local_path

#: Seconds a client is told to wait before trying again.
RETRY_AFTER_SECONDS = 30

#: Sent when even the template cannot be rendered (translations or templates unusable).
PLAIN_TEXT = ("Dịch vụ tạm thời không truy cập được. Vui lòng thử lại sau vài phút.\n"
              "The service is temporarily unavailable. Please try again in a few minutes.\n")


def database_error_classes() -> tuple[type[BaseException], ...]:
    """The exception classes a lost database raises (SQLAlchemy's, and the drivers' own)."""
    from sqlalchemy.exc import SQLAlchemyError

    classes: list[type[BaseException]] = [SQLAlchemyError, sqlite3.OperationalError]
    try:
        import psycopg
    except ImportError:  # pragma: no cover (installed with the app)
        return tuple(classes)
    return (*classes, psycopg.OperationalError, psycopg.InterfaceError)


def database_unavailable_response(error: BaseException) -> Response:
    """503 with ``Retry-After``; no traceback, no detail of the error (it goes to the log)."""
    _forget_database_state()
    detail = getattr(error, "orig", None) or error
    current_app.logger.error("Database unavailable (%s): %s", type(detail).__name__, str(detail).strip()[:500])
    try:
        home = url_for("main.dashboard")
        retry_url = (safe_local_path(request.full_path.rstrip("?")) or home) if request.method == "GET" else home
        body = current_app.jinja_env.get_template("errors/503.html").render(retry_url=retry_url)
        response = Response(body, status=503, mimetype="text/html")
    except Exception:  # the page must never turn into a 500
        current_app.logger.exception("The 503 page could not be rendered; sent plain text")
        response = Response(PLAIN_TEXT, status=503, mimetype="text/plain")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _forget_database_state() -> None:
    """Drop this request's transaction and treat the visitor as anonymous from here on, so
    that nothing later in the request (the page, ``after_request`` hooks) asks the database
    who is signed in. The session cookie is untouched: the user is still signed in next time."""
    from shelterassess.extensions import db, login_manager

    try:
        db.session.rollback()
    except Exception:  # the connection is gone: nothing to roll back
        current_app.logger.debug("Rollback after a lost database connection failed", exc_info=True)
    g._login_user = login_manager.anonymous_user()
