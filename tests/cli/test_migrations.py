"""Alembic: an empty database upgrades to head, the models match the migrations
(no drift), and downgrading to base and up again works. On SQLite, and on
PostgreSQL when TEST_DATABASE_URL points there (in a throwaway database)."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
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
