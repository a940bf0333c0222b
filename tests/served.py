"""A served app for race tests: a second app on the test database, CSRF off, served by
Werkzeug in threads on a free loopback port; and a small HTTP client per user (its own
cookie jar, redirects not followed), so that threads can send requests at the same time.

Use the ``served`` fixture (import it into the test module) and ``Client(served, user)``.
"""
from __future__ import annotations

import http.cookiejar
import socket
import threading
from contextlib import contextmanager
import urllib.error
import urllib.parse
import urllib.request

import pytest
from werkzeug.serving import make_server

from shelterassess import create_app
from tests.conftest import CHEAP_ARGON2, PASSWORD


def _free_port() -> int:
    """A port that was free a moment ago (another process may take it before it is bound:
    prefer binding port 0 and reading the port back, as :func:`serving` does)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(app, **config):
    """Serve a second app on ``app``'s test database in threads on a free loopback port (CSRF
    off unless ``config`` says otherwise); yields its base URL."""
    server_app = create_app({
        "TESTING": False, "SECRET_KEY": "race-test", "DATABASE_URL": app.config["DATABASE_URL"],
        "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_PARAMS": CHEAP_ARGON2, "TOTP_REQUIRED_ROLES": (),
        "SQLALCHEMY_ENGINE_OPTIONS": app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), **config,
    })
    server = make_server("127.0.0.1", 0, server_app, threaded=True)  # port 0: the system picks a free one
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        from shelterassess.extensions import db

        with server_app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def served(app):
    with serving(app) as base:
        yield base


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One signed-in person talking to the served app."""

    def __init__(self, base: str, user, password: str = PASSWORD):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())
        status, _body = self.post("/login", {"email": user.email, "password": password})
        assert status == 302, f"login of {user.email} failed: {status}"

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data or {}, doseq=True).encode() if method == "POST" else None
        req = urllib.request.Request(self.base + path, data=body, method=method,
                                     headers={"Accept-Language": "en"})
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path: str, data: dict | None = None) -> tuple[int, str]:
        return self.request("POST", path, data)

    def get(self, path: str) -> tuple[int, str]:
        return self.request("GET", path)


def pause_after(monkeypatch, module, name: str, path_end: str = "", seconds: float = 1.0) -> threading.Event:
    """Make ``module.name`` pause ``seconds`` after it returns, once per request, in requests to
    a path ending in ``path_end``. The returned event is set when the first pause begins: the
    request is then inside the window between its check and its commit (holding any lock it
    took before), which :func:`run_in_window` opens the second request in."""
    import time

    from flask import g, has_request_context, request

    original, reached = getattr(module, name), threading.Event()

    def paused(*args, **kwargs):
        result = original(*args, **kwargs)
        if has_request_context() and request.path.endswith(path_end) and not g.get("_race_paused"):
            g._race_paused = True
            reached.set()
            time.sleep(seconds)
        return result

    monkeypatch.setattr(module, name, paused)
    return reached


def run_in_window(first, second, reached: threading.Event, timeout: float = 30):
    """Start ``first`` in a thread; once it is inside its pause (``reached``, see
    :func:`pause_after`), run ``second``; return both results. Unlike :func:`run_together`,
    the order does not depend on how fast each thread is scheduled on a loaded machine."""
    results: list = [None, None]

    def run_first():
        results[0] = first()

    thread = threading.Thread(target=run_first)
    thread.start()
    assert reached.wait(timeout), "the first request never reached its pause"
    results[1] = second()
    thread.join(timeout=60)
    return results


def run_together(*calls, gap: float = 0.3):
    """Start every call in its own thread, ``gap`` seconds apart in the given order; return their results."""
    import time

    results: list = [None] * len(calls)

    def run(i, call):
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
        time.sleep(gap)
    for t in threads:
        t.join(timeout=60)
    return results
