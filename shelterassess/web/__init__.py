"""Cross-cutting web concerns: error pages, security headers, template helpers."""
from __future__ import annotations

import uuid

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from shelterassess.errors import database_unavailable
from shelterassess.web import templating
from shelterassess.web.database_down import database_error_classes, database_unavailable_response
from shelterassess.web.sessions import init_sessions


def init_web(app: Flask) -> None:
    templating.init_templating(app)
    init_sessions(app)
    app.before_request(_refuse_nul_bytes)
    app.after_request(_security_headers)
    app.after_request(_audit_download)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(Exception, _server_error)
    for error_class in database_error_classes():
        app.register_error_handler(error_class, _database_error)


def _refuse_nul_bytes():
    """A NUL character anywhere in the path, the query string or a form (a note, a search, the login e-mail)
    is refused with a clear 400 page before any view runs, so nothing is saved: PostgreSQL cannot
    store it in text (it raised, a 500) and no one types it. One rule for the whole app."""
    from flask_babel import gettext as _
    from werkzeug.exceptions import BadRequest

    values = [request.path, *_keys_and_values(request.args)]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        values += _keys_and_values(request.form)
        values += [f.filename or "" for files in request.files.listvalues() for f in files]
    if any("\x00" in value for value in values):
        message = _("What you sent contains an invisible NUL character, which cannot be stored. Nothing was saved: "
                    "remove it (it usually comes from text copied out of another program) and send again.")
        return render_template("errors/error.html", error=BadRequest(), message=message), 400
    return None


def _keys_and_values(multidict) -> list[str]:
    return [text for key, values in multidict.lists() for text in (key, *values)]


def _security_headers(response):
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; style-src-attr 'unsafe-inline'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    from flask import current_app
    from flask_login import current_user

    if current_app.config.get("HTTPS") or request.is_secure:  # is_secure: directly or through PROXY_COUNT proxies
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if _signed_in(current_user) and not request.path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
    return response


def _signed_in(user) -> bool:
    """Whether a user is signed in; True (so: ``no-store``) when the database that would say so is down."""
    try:
        return bool(getattr(user, "is_authenticated", False))
    except Exception as error:
        if not database_unavailable(error):
            raise
        return True


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    original = getattr(error, "original_exception", None)  # a 500 made by Flask from an error outside the view
    if original is not None and database_unavailable(original):
        return database_unavailable_response(original)
    if error.code == 403:
        _audit_denied()
    try:
        return render_template("errors/error.html", error=error), error.code
    except Exception as failure:  # the page's navigation loads the user: the database may be down
        if database_unavailable(failure):
            return database_unavailable_response(failure)
        raise


def _audit_denied() -> None:
    """Every refusal is kept in the audit trail, in its own transaction (never raises)."""
    from shelterassess.audit.services import record_denied
    from shelterassess.extensions import db

    record_denied(db.session)


def _audit_download(response):
    """Every PDF, CSV or spreadsheet sent is kept in the audit trail (who downloaded what)."""
    if response.status_code in (200, 206) and request.endpoint and request.endpoint != "static":
        from shelterassess.audit.services import record_download
        from shelterassess.extensions import db

        record_download(db.session, response)
    return response


def _csrf_error(error: CSRFError):
    """A form sent after the session ended: log in again, then come back to the same page,
    where the browser still holds the unsaved answers (static/js/app.js)."""
    from flask import flash, redirect, url_for
    from flask_babel import gettext as _
    from flask_login import current_user

    if not current_user.is_authenticated and request.path != url_for("auth.login"):
        flash(_("Your session ended, so nothing was saved. Log in again: the answers you typed are kept "
                "in this browser and come back on the page."), "warning")
        return redirect(url_for("auth.login", next=request.path))
    return render_template("errors/csrf.html", error=error), 400


def _database_error(error: Exception):
    """The database cannot be reached: a clear 503 page (the next request tries again by itself);
    any other database error is a 500 like every unexpected error."""
    if database_unavailable(error):
        return database_unavailable_response(error)
    return _server_error(error)


def _server_error(error: Exception):
    from flask import current_app

    from shelterassess.extensions import db

    if isinstance(error, HTTPException):
        return _http_error(error)
    reference = uuid.uuid4().hex[:10]
    db.session.rollback()
    current_app.logger.exception("Unhandled error, reference %s", reference)
    if current_app.config.get("PROPAGATE_EXCEPTIONS") and current_app.testing:
        raise error
    return render_template("errors/500.html", reference=reference), 500
