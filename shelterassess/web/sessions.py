"""Session lifetime: an absolute limit besides the idle timeout, and ``Secure`` cookies on HTTPS.

The idle timeout is ``PERMANENT_SESSION_LIFETIME``: Flask refuses a cookie whose signature is
older than that, so it holds on the server too. The absolute limit
(``SESSION_ABSOLUTE_LIFETIME``) counts from login (``SESSION_STARTED_KEY``, signed with the
rest of the session): past it the session is cleared, and the cookie's own expiry is never
set beyond it, however often it is refreshed. Logout revokes the session on the server
(:func:`shelterassess.auth.services.end_sessions`).
"""
from __future__ import annotations

import datetime as dt
import time

from flask import Flask, request, session
from flask.sessions import SecureCookieSessionInterface

SESSION_STARTED_KEY = "_started"


def mark_started() -> None:
    session[SESSION_STARTED_KEY] = int(time.time())


def _absolute_end(app: Flask, data) -> dt.datetime | None:
    started = data.get(SESSION_STARTED_KEY)
    if not isinstance(started, int):
        return None
    return dt.datetime.fromtimestamp(started, dt.timezone.utc) + app.config["SESSION_ABSOLUTE_LIFETIME"]


class LimitedSessionInterface(SecureCookieSessionInterface):
    def get_expiration_time(self, app, session):
        expires = super().get_expiration_time(app, session)
        end = _absolute_end(app, session)
        if expires is not None and end is not None:
            return min(expires, end)
        return expires

    def get_cookie_secure(self, app) -> bool:
        """Also ``Secure`` whenever this request came over HTTPS (directly, or through the
        configured proxies: ``PROXY_COUNT``)."""
        return super().get_cookie_secure(app) or bool(request and request.is_secure)


def _end_expired_session() -> None:
    from flask import current_app

    end = _absolute_end(current_app, session)
    if end is not None and dt.datetime.now(dt.timezone.utc) >= end:
        session.clear()


def init_sessions(app: Flask) -> None:
    app.session_interface = LimitedSessionInterface()
    app.before_request(_end_expired_session)
