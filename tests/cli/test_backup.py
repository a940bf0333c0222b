"""``flask backup DIR`` / ``flask restore FILE`` on the database the tests run on (SQLite, or
PostgreSQL with TEST_DATABASE_URL): a backup restored into a fresh database has every table's
rows and the same last audit entry, also when it was taken while another thread kept writing."""
from __future__ import annotations

import contextlib
import os
import secrets
import stat
import subprocess
import threading

import pytest
from sqlalchemy import func, select, table, text
from sqlalchemy.engine import make_url

from shelterassess import create_app
from shelterassess.assessments import services as assessment_services
from shelterassess.auth import services as auth
from shelterassess.auth.models import User
from shelterassess.auth.roles import Role
from shelterassess.cli.backup import pg_environment, row_counts
from shelterassess.extensions import db
from shelterassess.facilities.models import Facility
from shelterassess.facilities.services import FacilityInput, save_facility
from tests.conftest import CHEAP_ARGON2, login

REVISION = "ops0backup01"


def is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


@contextlib.contextmanager
def fresh_database(app, tmp_path):
    """An app on a new, empty database: a new SQLite file, or ``sa_ops_restore_<random>`` on the
    test's PostgreSQL server (dropped afterwards)."""
    if is_postgres(app):
        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        name = f"sa_ops_restore_{secrets.token_hex(4)}"
        subprocess.run(["createdb", name], env=pg_environment(url), check=True, capture_output=True)
        database_url = url.set(database=name).render_as_string(hide_password=False)
    else:
        name, database_url = None, f"sqlite:///{tmp_path / f'restored-{secrets.token_hex(4)}.sqlite'}"
    fresh = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
                        "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_PARAMS": CHEAP_ARGON2})
    try:
        yield fresh
    finally:
        with fresh.app_context():
            db.session.remove()
            db.engine.dispose()
        if name:
            subprocess.run(["dropdb", "--if-exists", "--force", name], env=pg_environment(url), check=True,
                           capture_output=True)


def invoke(app, *args, **kwargs):
    """Run a command against ``app``'s database (its own app context, whatever is pushed)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args), **kwargs)


def backup(app, directory):
    result = invoke(app, "backup", str(directory))
    assert result.exit_code == 0, result.output
    path = directory / result.output.strip()
    assert path.is_file()
    return path


def last_audit_entry(engine) -> dict | None:
    with engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM audit_event ORDER BY id DESC LIMIT 1")).mappings().first()
    return dict(row) if row else None


def seed(world) -> None:
    """Assessments of both facilities, one of them with a saved score, through the services."""
    for user, facility in ((world.staff_a, world.facility_a), (world.staff_b, world.facility_b)):
        assessment_services.start_assessment(db.session, user, facility, world.round)
    db.session.commit()


@pytest.fixture
def alembic_revision(app_ctx):
    """The source database records an Alembic revision, as a migrated one does."""
    with db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        connection.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": REVISION})
    yield REVISION
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))


def test_backup_restored_into_a_fresh_database_has_every_row(app, world, alembic_revision, tmp_path):
    seed(world)
    path = backup(app, tmp_path / "backups")
    assert path.name.startswith("shelterassess-") and path.suffix == (".pgdump" if is_postgres(app) else ".sqlite3")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    source = row_counts(db.engine)
    assert source["assessment"] == 2 and source["user"] == 6 and source["alembic_version"] == 1

    with fresh_database(app, tmp_path) as fresh:
        result = invoke(fresh, "restore", str(path))
        assert result.exit_code == 0, result.output
        assert f"Alembic revision {REVISION}" in result.output
        assert "  assessment: 2" in result.output and "  user: 6" in result.output
        with fresh.app_context():
            assert row_counts(db.engine) == source  # every table, the same rows
            assert set(source) >= {t.name for t in db.metadata.sorted_tables}
            if "audit_event" in source:
                assert source["audit_event"] > 0
                restored_audit = last_audit_entry(db.engine)
            if is_postgres(fresh):  # analysed: the planner knows the restored tables are not empty
                with db.engine.connect() as connection:
                    assert connection.execute(text(
                        "SELECT count(*) FROM pg_stats WHERE tablename = 'assessment'")).scalar() > 0
        if "audit_event" in source:
            assert restored_audit == last_audit_entry(db.engine)
        client = fresh.test_client()  # the restored database serves the app: the same user logs in
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        with fresh.app_context():
            login(client, world.staff_a)
            assert "2027 national round" in client.get("/").get_data(as_text=True)


def test_restore_asks_before_replacing_a_database_that_holds_data(app, world, tmp_path):
    seed(world)
    path = backup(app, tmp_path / "backups")
    with fresh_database(app, tmp_path) as fresh:
        assert invoke(fresh, "restore", str(path)).exit_code == 0  # empty: no question
        with fresh.app_context():
            db.session.add(User(email="later@example.org", role=Role.ADMIN.value, display_name="Later"))
            db.session.commit()
            db.session.remove()
            users = row_counts(db.engine)["user"]

        refused = invoke(fresh, "restore", str(path), input="n\n")
        assert refused.exit_code == 1
        assert "holds data" in refused.output and "Aborted" in refused.output
        with fresh.app_context():
            assert row_counts(db.engine)["user"] == users  # nothing changed

        forced = invoke(fresh, "restore", "--force", str(path))
        assert forced.exit_code == 0, forced.output
        assert "holds data" not in forced.output
        with fresh.app_context():
            assert row_counts(db.engine)["user"] == users - 1  # the backup's users again
            assert db.session.scalar(select(User).where(User.email == "later@example.org")) is None


def test_backup_taken_while_another_thread_writes_restores_consistently(app, world, tmp_path):
    province_id = world.facility_a.province_id
    stop, written, errors = threading.Event(), [], []

    def writer():
        """Each transaction: a facility and its staff member (the backup must hold both or neither)."""
        with app.app_context():
            try:
                while not stop.is_set() or len(written) < 5:
                    n = len(written)
                    facility = save_facility(db.session, FacilityInput(f"W-{n}", f"Writer {n}", "shelter", province_id,
                                                                       10, True, "Street", "0"))
                    auth.create_user(db.session, f"w{n}@example.org", Role.FACILITY_STAFF, f"W {n}", facility)
                    db.session.commit()
                    written.append(n)
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 3 and thread.is_alive():
            threading.Event().wait(0.02)
        path = backup(app, tmp_path / "backups")
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not errors, errors
    assert len(written) >= 5

    with fresh_database(app, tmp_path) as fresh:
        result = invoke(fresh, "restore", str(path))
        assert result.exit_code == 0, result.output
        with fresh.app_context():
            facilities = set(db.session.scalars(select(Facility.code).where(Facility.code.like("W-%"))))
            users = db.session.execute(select(User.email, Facility.code).join(Facility, User.facility_id == Facility.id)
                                       .where(Facility.code.like("W-%"))).all()
            assert len(facilities) >= 3  # written before the backup started
            assert {code for _email, code in users} == facilities  # every facility with its user
            assert len(users) == len(facilities)
            numbers = sorted(int(code[2:]) for code in facilities)
            assert numbers == list(range(len(numbers)))  # a prefix of the writes: no hole


def test_a_file_that_is_not_a_backup_is_refused_clearly(app, world, tmp_path):
    before = row_counts(db.engine)
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    result = invoke(app, "restore", "--force", str(not_a_backup))
    assert result.exit_code == 1
    assert "is not a ShelterAssess backup" in result.output
    other_kind = tmp_path / "other.bak"
    other_kind.write_bytes(b"SQLite format 3\x00" + bytes(100) if is_postgres(app) else b"PGDMP" + bytes(100))
    result = invoke(app, "restore", "--force", str(other_kind))
    assert result.exit_code == 1
    expected = "is a SQLite backup, but the configured database is PostgreSQL" if is_postgres(app) \
        else "is a PostgreSQL backup, but the configured database is SQLite"
    assert expected in result.output
    missing = invoke(app, "restore", str(tmp_path / "nowhere.sqlite3"))
    assert missing.exit_code == 2 and "does not exist" in missing.output
    for output in (result.output, missing.output):
        assert "Traceback" not in output
    assert row_counts(db.engine) == before


def test_a_damaged_backup_is_refused_clearly(app, world, tmp_path):
    path = backup(app, tmp_path / "backups")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # cut in half, e.g. a full disk while copying
    with fresh_database(app, tmp_path) as fresh:
        result = invoke(fresh, "restore", str(path))
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert ("damaged" in result.output or "failed" in result.output or "cannot be read" in result.output)
        with fresh.app_context():
            assert not any(row_counts(db.engine).values())


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only")
def test_missing_pg_dump_is_a_clear_error(app, world, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = invoke(app, "backup", str(tmp_path / "backups"))
    assert result.exit_code == 1
    assert "pg_dump was not found" in result.output and "postgresql-client" in result.output
    assert "Traceback" not in result.output
    assert list((tmp_path / "backups").iterdir()) == []  # no half-written file left


def test_every_table_is_counted(app_ctx):
    counted = row_counts(db.engine)
    assert {t.name for t in db.metadata.sorted_tables} <= set(counted)
    assert counted["user"] == db.session.scalar(select(func.count()).select_from(table("user")))


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only")
def test_a_database_with_tables_the_backup_lacks_is_refused(app, world, tmp_path):
    """pg_restore --clean drops only the dump's tables: over a newer schema it would leave the new
    tables behind under an older revision. The restore refuses and says what to do."""
    seed(world)
    path = backup(app, tmp_path / "backups")
    with fresh_database(app, tmp_path) as fresh:
        assert invoke(fresh, "restore", str(path)).exit_code == 0
        with fresh.app_context():
            with db.engine.begin() as connection:
                connection.execute(text("CREATE TABLE later_feature (id integer PRIMARY KEY)"))
            before = row_counts(db.engine)
        refused = invoke(fresh, "restore", "--force", str(path))
        assert refused.exit_code == 1
        assert "tables the backup does not: later_feature" in refused.output and "empty database" in refused.output
        with fresh.app_context():
            assert row_counts(db.engine) == before
