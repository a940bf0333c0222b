"""The database goes away: every page answers a clear 503 (never a 500, no traceback) and
``/health`` 503; when the database is back the same app serves again, without a restart.

Outages are real: PostgreSQL behind a TCP proxy that the test stops (open connections cut,
new ones refused); a SQLite file whose folder disappears; and, on both databases, new
connections that fail on purpose (a ``do_connect`` listener) after the pool was emptied.
"""
from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import threading
import urllib.error
import urllib.request

import pytest
from flask_babel import gettext
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from shelterassess import create_app
from shelterassess.assessments.models import Assessment
from shelterassess.extensions import db
from tests.conftest import CHEAP_ARGON2, build_world, login
from tests.served import Client, _free_port, serving

MESSAGE = "The database cannot be reached at the moment"
PAGE_TEXT = ("The database cannot be reached at the moment, so pages cannot be shown and nothing can be saved. "
             "Nothing from this request was saved.")
LEAKS = ("Traceback", "OperationalError", "psycopg", "sqlite3", "SELECT", "File \"")

needs_postgres = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
                                    reason="needs PostgreSQL (TEST_DATABASE_URL)")


def assert_clear_503(status: int, body: str, headers=None, message: str = MESSAGE) -> None:
    assert status == 503, body[:500]
    assert message in body
    for leak in LEAKS:
        assert leak not in body, f"{leak!r} shown on the 503 page"
    if headers is not None:
        assert headers["Retry-After"] == "30"
        assert headers["Cache-Control"] == "no-store"


def fetch(url: str) -> tuple[int, str, dict]:
    """An anonymous GET: status, body, headers."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode(), dict(error.headers)


class FailingConnections:
    """While failing, every new connection of ``engine`` fails as the driver fails when the server
    is down; pooled connections are dropped first (``dispose``)."""

    def __init__(self, engine):
        self.engine = engine
        self.failing = False

    def __enter__(self):
        event.listen(self.engine, "do_connect", self._connect)
        return self

    def __exit__(self, *exc_info):
        self.failing = False
        event.remove(self.engine, "do_connect", self._connect)

    def _connect(self, dialect, connection_record, cargs, cparams):
        if not self.failing:
            return None  # the normal connect
        if dialect.name == "sqlite":
            raise sqlite3.OperationalError("unable to open database file")
        import psycopg

        raise psycopg.OperationalError("connection failed: Connection refused (test outage)")

    def fail(self) -> None:
        self.failing = True
        db.session.remove()  # the test's own session gives its connection back to the pool
        self.engine.dispose()

    def heal(self) -> None:
        self.failing = False


class TcpProxy:
    """127.0.0.1:<port> → the PostgreSQL server, in threads. ``stop`` cuts every open
    connection and refuses new ones, as a stopped server does; ``start`` again on the same port."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = _free_port()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.1)
        self._listener = listener
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while listener is self._listener:
            try:
                client, _address = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            client.setblocking(True)
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is None:
            return
        listener.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for s in pair:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()


def _health(base: str) -> tuple[int, dict]:
    status, body, _headers = fetch(base + "/health")
    return status, json.loads(body)


def _assessments() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Assessment))


@needs_postgres
def test_postgresql_server_stopped_then_started_again(app, world):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        with serving(app, DATABASE_URL=through_proxy) as base:
            staff = Client(base, world.staff_a)
            assert staff.get("/")[0] == 200
            assert _health(base) == (200, {"status": "ok"})

            proxy.stop()  # the server is gone: pooled connections are dead, new ones refused
            for _ in range(2):  # the dead pooled connection, then a fresh attempt
                assert_clear_503(*staff.get("/"))
            assert _health(base) == (503, {"status": "unavailable"})
            assert fetch(base + "/health")[2]["Retry-After"] == "30"
            status, body, headers = fetch(base + "/login")  # needs no database: still served
            assert status == 200
            assert_clear_503(*staff.post("/assessments/start", {"round_id": world.round.id}))

            proxy.start()  # the server is back: the same app serves again, the user still signed in
            status, body = staff.get("/")
            assert status == 200 and "2027 national round" in body
            assert _health(base) == (200, {"status": "ok"})
            assert staff.post("/assessments/start", {"round_id": world.round.id})[0] == 302
    finally:
        proxy.stop()
    assert _assessments() == 1  # the form sent during the outage saved nothing


def test_connections_failing_give_503_then_recover(app, client, world):
    login(client, world.staff_a)
    assert client.get("/").status_code == 200
    with FailingConnections(db.engine) as outage:
        outage.fail()
        response = client.get("/")
        assert_clear_503(response.status_code, response.get_data(as_text=True), response.headers)
        assert "Try again" in response.get_data(as_text=True)
        health = client.get("/health")  # signed in: loading the user fails too, still no 500
        assert (health.status_code, health.get_json()) == (503, {"status": "unavailable"})
        sent = client.post("/assessments/start", data={"round_id": world.round.id})
        assert_clear_503(sent.status_code, sent.get_data(as_text=True))
        outage.heal()
        assert client.get("/").status_code == 200
        assert client.get("/health").get_json() == {"status": "ok"}
    assert _assessments() == 0


def test_503_page_speaks_the_users_language(app, client_vi, world):
    login(client_vi, world.staff_a)
    with FailingConnections(db.engine) as outage:
        outage.fail()
        response = client_vi.get("/facilities/")
    body = response.get_data(as_text=True)
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        expected = gettext(PAGE_TEXT)  # Vietnamese once the catalogue has it
    assert_clear_503(response.status_code, body, response.headers, message=expected)
    assert '<html lang="vi">' in body


def test_503_falls_back_to_plain_text_when_the_page_cannot_be_rendered(app, client, world, monkeypatch):
    login(client, world.staff_a)

    def broken(*args, **kwargs):
        raise RuntimeError("templates unreadable")

    monkeypatch.setattr(app.jinja_env, "get_template", broken)
    with FailingConnections(db.engine) as outage:
        outage.fail()
        response = client.get("/")
    assert response.status_code == 503
    assert response.mimetype == "text/plain"
    assert "The service is temporarily unavailable" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "30"


def test_sqlite_file_out_of_reach_then_back(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    other = create_app({"SECRET_KEY": "s" * 40, "DATABASE_URL": f"sqlite:///{folder / 'app.sqlite'}",
                        "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_PARAMS": CHEAP_ARGON2})
    with other.app_context():
        db.create_all()
        build_world()
        db.session.remove()
    client = other.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    try:
        login(client, "staff.a@example.org")
        assert client.get("/").status_code == 200
        folder.rename(tmp_path / "moved")  # the disk is unmounted, say
        with other.app_context():
            db.engine.dispose()
        response = client.get("/")
        assert_clear_503(response.status_code, response.get_data(as_text=True), response.headers)
        assert client.get("/health").status_code == 503
        (tmp_path / "moved").rename(folder)
        assert client.get("/").status_code == 200
        assert client.get("/health").get_json() == {"status": "ok"}
    finally:
        with other.app_context():
            db.engine.dispose()


def test_database_lost_in_an_after_request_hook_gives_503_too(tmp_path):
    """An ``after_request`` hook that writes to the database (an audit record, say) fails after
    the view succeeded: Flask turns that into a 500, which must still be the 503 page."""
    other = create_app({"SECRET_KEY": "s" * 40, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}",
                        "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_PARAMS": CHEAP_ARGON2})

    @other.after_request
    def touches_the_database(response):
        db.session.execute(select(func.count()).select_from(Assessment))
        return response

    with other.app_context():
        db.create_all()
    client = other.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    try:
        assert client.get("/login").status_code == 200
        with other.app_context(), FailingConnections(db.engine) as outage:
            outage.fail()
            response = client.get("/login")  # the view needs no database, the hook does
            assert_clear_503(response.status_code, response.get_data(as_text=True), response.headers)
            outage.heal()
            assert client.get("/login").status_code == 200
    finally:
        with other.app_context():
            db.engine.dispose()


@pytest.mark.parametrize(("error", "unavailable"), [
    (sqlite3.OperationalError("unable to open database file"), True),
    (sqlite3.OperationalError("no such table: facility"), False),  # a bug, not an outage: 500
    (sqlite3.OperationalError("database is locked"), False),
    (sqlite3.IntegrityError("UNIQUE constraint failed"), False),
    (RuntimeError("unable to open database file"), False),
], ids=["sqlite-no-file", "sqlite-no-table", "sqlite-locked", "sqlite-integrity", "not-a-database-error"])
def test_which_sqlite_errors_mean_the_database_is_unavailable(error, unavailable):
    from sqlalchemy import exc

    from shelterassess.errors import database_unavailable

    assert database_unavailable(error) is unavailable
    if isinstance(error, sqlite3.Error):
        assert database_unavailable(exc.DBAPIError.instance("SELECT 1", {}, error, sqlite3.Error)) is unavailable


def test_which_postgresql_errors_mean_the_database_is_unavailable():
    import psycopg
    from psycopg import errors as pg
    from sqlalchemy import exc

    from shelterassess.errors import database_unavailable

    def wrapped(error):
        return exc.DBAPIError.instance("SELECT 1", {}, error, psycopg.Error)

    for error in (psycopg.OperationalError("connection failed: Connection refused"), pg.AdminShutdown(),
                  pg.CannotConnectNow(), pg.TooManyConnections(), pg.ConnectionFailure(),
                  psycopg.InterfaceError("the connection is closed")):
        assert database_unavailable(wrapped(error)), error
    for error in (pg.SerializationFailure(), pg.DeadlockDetected(), pg.QueryCanceled(), pg.UniqueViolation(),
                  pg.UndefinedTable()):
        assert not database_unavailable(wrapped(error)), error
    lost = exc.DBAPIError.instance("SELECT 1", {}, pg.QueryCanceled(), psycopg.Error, connection_invalidated=True)
    assert database_unavailable(lost)


def test_an_error_page_that_needs_the_database_becomes_the_503_page(app, client, world):
    """A 404 for a signed-in user renders the navigation, which loads the user: with the database
    down that fails inside the error handler, and the answer is still the clear 503 page."""
    login(client, world.staff_a)
    with FailingConnections(db.engine) as outage:
        outage.fail()
        response = client.get("/no-such-page?x=1")
        assert_clear_503(response.status_code, response.get_data(as_text=True), response.headers)
        assert '<a href="/no-such-page?x=1">Try again</a>' in response.get_data(as_text=True)
        outage.heal()
        assert client.get("/no-such-page").status_code == 404
