"""Alembic: an empty database upgrades to head, the models match the migrations
(no drift), and downgrading to base and up again works. On SQLite, and on
PostgreSQL when TEST_DATABASE_URL points there (in a throwaway database)."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from shelterassess import create_app, database_uri
from shelterassess.extensions import db
from tests.conftest import CHEAP_ARGON2


@contextmanager
def scratch_database(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield "sqlite:///" + str(tmp_path / "migrations.sqlite")
        return
    url = make_url(database_uri(base, str(tmp_path)))
    name = f"sa_migr_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def migration_app(tmp_path):
    with scratch_database(tmp_path) as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url, "PASSWORD_HASH_PARAMS": CHEAP_ARGON2})
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


def _drift():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_to_head_has_no_drift(migration_app):
    upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert {"user", "facility", "score_sheet_version", "indicator", "round", "assessment", "score"} <= tables
    assert _drift() == []


def test_downgrade_to_base_and_up_again(migration_app):
    upgrade()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert _drift() == []


def test_upgrading_keeps_existing_rows(migration_app):
    """Every later migration keeps the data of a database created at the first one
    (SQLite batch mode rebuilds tables: child rows must survive)."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(migration_app.extensions["migrate"].migrate.get_config())
    first = scripts.get_base()
    upgrade(revision=first)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO country (id, code, name_vi, name_en) VALUES (1, 'VN', 'Việt Nam', 'Viet Nam')"))
        conn.execute(text("INSERT INTO province (id, country_id, code, name_vi, name_en) VALUES (1, 1, 'VN-HN', 'Hà Nội', 'Ha Noi')"))
        conn.execute(text("INSERT INTO facility (id, code, name, type, province_id, capacity, active) "
                          "VALUES (1, 'SH-A', 'A', 'shelter', 1, 10, true)"))
        conn.execute(text("INSERT INTO score_sheet_version (id, key, version, status, title_vi, title_en, description_vi, description_en) "
                          "VALUES (1, 'standard', 1, 'published', 't', 't', '', '')"))
        conn.execute(text("INSERT INTO area (id, sheet_id, code, key, position, title_vi, title_en) VALUES (1, 1, 'A', 'a', 1, 'a', 'a')"))
        conn.execute(text("INSERT INTO indicator (id, area_id, sheet_id, code, key, position, text_vi, text_en, guidance_vi, "
                          "guidance_en, na_allowed, critical, evidence) VALUES (1, 1, 1, 'A1', 'a.1', 1, 't', 't', '', '', false, false, '')"))
        conn.execute(text("INSERT INTO round (id, name, sheet_id, status) VALUES (1, 'r', 1, 'open')"))
        conn.execute(text("INSERT INTO assessment (id, round_id, facility_id, kind, status, red_flag_count, updated_at) "
                          "VALUES (1, 1, 1, 'self', 'draft', 0, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO score (id, assessment_id, indicator_id, value, not_applicable, evidence, note, updated_at, version) "
                          "VALUES (1, 1, 1, 2, false, '', 'kept', CURRENT_TIMESTAMP, 1)"))
    upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT value, note FROM score")).all() == [(2, "kept")]
        assert conn.execute(text("SELECT count(*) FROM assessment")).scalar() == 1


def test_revocation_reason_moves_out_of_the_note_and_back(migration_app):
    """371833b177e9 moves a reason stored after the old marker line in ``note`` into ``revoke_reason``."""
    upgrade(revision="b114e68b3d2a")
    mark = "\n\n--- revocation reason ---\n"
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO \"user\" (id, email, display_name, role, active, session_token, failed_logins) "
                          "VALUES (1, 'n@example.org', 'n', 'national_team', true, 'x', 0)"))
        for id_, note in ((1, "Passed" + mark + "Left the sector"), (2, "Still valid")):
            conn.execute(text("INSERT INTO certification (id, user_id, certified_by_id, certified_at, note) "
                              "VALUES (:id, 1, 1, CURRENT_TIMESTAMP, :note)"), {"id": id_, "note": note})
    upgrade(revision="371833b177e9")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT id, note, revoke_reason FROM certification ORDER BY id")).all() == [
            (1, "Passed", "Left the sector"), (2, "Still valid", "")]
    downgrade(revision="b114e68b3d2a")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT note FROM certification ORDER BY id")).scalars().all() == [
            "Passed" + mark + "Left the sector", "Still valid"]


def test_duplicate_assessments_stop_the_upgrade_with_a_readable_message(migration_app):
    """1535770ee479 adds unique indexes; duplicates that exist already are named, not half-migrated."""
    upgrade(revision="371833b177e9")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO country (id, code, name_vi, name_en) VALUES (1, 'VN', 'Việt Nam', 'Viet Nam')"))
        conn.execute(text("INSERT INTO province (id, country_id, code, name_vi, name_en) "
                          "VALUES (1, 1, 'VN-HN', 'Hà Nội', 'Ha Noi')"))
        conn.execute(text("INSERT INTO facility (id, code, name, type, province_id, capacity, active) "
                          "VALUES (1, 'SH-A', 'A', 'shelter', 1, 10, true)"))
        conn.execute(text("INSERT INTO score_sheet_version (id, key, version, status, title_vi, title_en, "
                          "description_vi, description_en) VALUES (1, 'standard', 1, 'published', 't', 't', '', '')"))
        conn.execute(text("INSERT INTO round (id, name, sheet_id, status) VALUES (1, 'r', 1, 'open')"))
        for id_ in (1, 2):
            conn.execute(text("INSERT INTO assessment (id, round_id, facility_id, kind, status, red_flag_count, "
                              "updated_at) VALUES (:id, 1, 1, 'self', 'draft', 0, CURRENT_TIMESTAMP)"), {"id": id_})
    config = migration_app.extensions["migrate"].migrate.get_config()
    with pytest.raises(RuntimeError, match="before upgrading: round 1 facility 1 self: 2 rows"):  # Flask-Migrate's
        command.upgrade(config, "1535770ee479")  # upgrade() would turn the error into an exit
    with db.engine.connect() as conn:
        assert "uq_assessment_self_agreed" not in {i["name"] for i in inspect(conn).get_indexes("assessment")}


def test_the_migrated_audit_trail_is_append_only(migration_app):
    """The migration creates the same triggers as ``create_all``: rows can be added, never changed."""
    from sqlalchemy.exc import DBAPIError

    upgrade()
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO audit_event (action) VALUES ('login')"))
    for statement in ("UPDATE audit_event SET action = 'logout'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text(statement))
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT action FROM audit_event")).scalars().all() == ["login"]
