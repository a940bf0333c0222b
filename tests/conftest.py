"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when
``TEST_DATABASE_URL`` is set (``.ci/run`` does both).

* ``app``: one app per test session, schema created from the models.
* every test starts from empty tables (``_clean_tables``), so tests never see each other.
* ``world``: two facilities (A and B) with users of every role, a published score
  sheet and an open round; ``login(client, user)`` logs a user in.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from shelterassess import create_app
from shelterassess.extensions import db

PASSWORD = "correct horse battery"
FIXTURES = Path(__file__).parent / "fixtures"
CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


def test_config(tmp_path_factory, **extra) -> dict:
    url = test_database_url() or "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_PARAMS": CHEAP_ARGON2,
        "SERVER_NAME": None,
        "TOTP_REQUIRED_ROLES": (),  # two-factor tests turn it on with monkeypatch
    }
    if url.startswith("postgres"):
        # Tests do not need commits flushed to disk before they return.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": "-c synchronous_commit=off"}}
    config.update(extra)
    return config


test_config.__test__ = False  # not a test


def test_database_url() -> str | None:
    """``TEST_DATABASE_URL`` as given; under pytest-xdist (``make test`` runs ``-n auto``) each
    worker gets its own PostgreSQL database next to it, e.g. ``test_gw0`` for ``.../test``."""
    url = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker or not url.startswith("postgres"):
        return url
    return _worker_database(url, worker)


test_database_url.__test__ = False  # not a test


@functools.cache
def _worker_database(url: str, worker: str) -> str:
    """Drop and create ``<database>_<worker>`` (once per worker process); its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from shelterassess import database_uri

    given = make_url(url)
    name = f"{given.database}_{worker}"
    admin = create_engine(database_uri(url, ""), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


@event.listens_for(Engine, "connect")
def _sqlite_without_fsync(dbapi_connection, _record) -> None:
    """Test databases are thrown away: SQLite need not wait for the disk at every commit
    (PostgreSQL: ``synchronous_commit=off`` in :func:`test_config`). Locking is unchanged."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "xdist_group(name): tests that pytest-xdist runs on one worker")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items) -> None:
    """pytest-xdist ``--dist loadgroup``: a test without an ``xdist_group`` runs on the worker of
    the rest of its module (module fixtures are built once); big modules set their own groups."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    os.environ.setdefault("SHELTERASSESS_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    app = create_app(test_config(tmp_path_factory))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request):
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        truncate_all()


def truncate_all() -> None:
    from shelterassess.audit.models import purge_for_tests

    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        # DELETE is much faster than TRUNCATE on the handful of rows a test leaves.
        for table in tables:
            if table.name == "audit_event":
                purge_for_tests(conn)  # append-only: its triggers refuse a plain DELETE
            else:
                conn.execute(table.delete())


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    """A browser that prefers English (Vietnamese is the default for everyone else)."""
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c


@pytest.fixture
def client_vi(app):
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "vi-VN,vi;q=0.9"
    return c


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def build_world(sheet_file: Path | None = FIXTURES / "mini_sheet.yaml") -> SimpleNamespace:
    """Facilities A and B, users of every role, a published sheet and an open round."""
    from shelterassess.auth import services as auth
    from shelterassess.auth.roles import Role
    from shelterassess.facilities.models import Province
    from shelterassess.facilities.services import FacilityInput, load_reference_data, save_facility
    from shelterassess.rounds import services as rounds
    from shelterassess.scoresheets import services as sheets

    load_reference_data(db.session)
    hn = db.session.scalar(db.select(Province).where(Province.code == "VN-HN"))
    lc = db.session.scalar(db.select(Province).where(Province.code == "VN-LCA"))
    fa = save_facility(db.session, FacilityInput("SH-A", "Nhà tạm lánh A", "shelter", hn.id, 30, True, "Số 1 phố A", "0241"))
    fb = save_facility(db.session, FacilityInput("RC-B", "Trung tâm tiếp nhận B", "reception_centre", lc.id, 20, True, "Cửa khẩu B", "0214"))
    sheet = sheets.load_sheet(db.session, sheets.read_sheet_file(sheet_file)) if sheet_file else sheets.load_standard_sheet(db.session)
    round_ = rounds.create_round(db.session, "2027 national round", sheet)
    rounds.open_round(db.session, round_)

    def user(email, role, facility=None):
        u = auth.create_user(db.session, email, role, email.split("@")[0], facility)
        u.password_hash = auth.hash_password(PASSWORD)
        return u

    w = SimpleNamespace(
        facility_a=fa, facility_b=fb, sheet=sheet, round=round_,
        staff_a=user("staff.a@example.org", Role.FACILITY_STAFF, fa),
        manager_a=user("manager.a@example.org", Role.FACILITY_MANAGER, fa),
        staff_b=user("staff.b@example.org", Role.FACILITY_STAFF, fb),
        manager_b=user("manager.b@example.org", Role.FACILITY_MANAGER, fb),
        national=user("national@example.org", Role.NATIONAL_TEAM),
        admin=user("admin@example.org", Role.ADMIN),
    )
    db.session.commit()
    return w


@pytest.fixture
def world(app_ctx):
    return build_world()


@pytest.fixture
def standard_world(app_ctx):
    """Like ``world`` but with the real standard score sheet v1."""
    return build_world(sheet_file=None)


def login(client, user_or_email, password: str = PASSWORD):
    email = getattr(user_or_email, "email", user_or_email)
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def login_as(client):
    def _login(user):
        login(client, user)
        return client

    return _login
