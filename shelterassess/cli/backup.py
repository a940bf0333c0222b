"""``flask --app shelterassess backup DIR`` and ``restore FILE`` (docs/operations.md).

SQLite: SQLite's online backup API (``sqlite3.Connection.backup``), a consistent copy even
while the app writes. PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore``, with the
connection taken from ``DATABASE_URL`` and passed in ``PG*`` environment variables, never on
the command line (where other users of the machine could read a password).

Backups are new files named ``shelterassess-<UTC time>.sqlite3`` / ``.pgdump``, readable by
the owner only. A restore checks the file's kind, asks before replacing a database that holds
data (``--force`` does not ask), checks afterwards that the database is at the backup's
Alembic revision and prints every table's row count.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404 # runs pg_dump/pg_restore
from contextlib import closing as _closing  # sqlite3's own ``with`` commits but never closes
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import column, func, inspect, select, table, text
from sqlalchemy.engine import URL, Engine, make_url

from shelterassess.extensions import db

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
#: libpq connection keywords given in the URL's query string -> their environment variable.
PG_QUERY_ENV = {"host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
                "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT",
                "application_name": "PGAPPNAME", "options": "PGOPTIONS", "target_session_attrs": "PGTARGETSESSIONATTRS"}


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path) -> None:
    """Write a consistent backup of the database into DIRECTORY and print its path.

    A new file each time (shelterassess-<UTC time>.sqlite3 or .pgdump), readable by the owner
    only; the app may keep running meanwhile."""
    click.echo(str(backup_database(directory)))


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that holds data without asking.")
@with_appcontext
def restore_command(file: Path, force: bool) -> None:
    """Replace the configured database with the backup FILE (made by `backup`).

    Stop the app first. Asks before replacing a database that holds data, unless --force."""
    url = _database_url()
    kind = _kind(url)
    found = backup_kind(file)
    if found is None:
        raise click.ClickException(f"{file} is not a ShelterAssess backup: neither a SQLite database nor a "
                                   "PostgreSQL custom-format dump (pg_dump --format=custom).")
    if found != kind:
        raise click.ClickException(f"{file} is a {LABELS[found]} backup, but the configured database is "
                                   f"{LABELS[kind]}: restore it into a {LABELS[found]} database.")
    expected = _file_revision(file, kind)
    if kind == "postgresql":
        _refuse_tables_the_dump_lacks(file)
    counts = row_counts(db.engine)
    filled = {name: n for name, n in counts.items() if n and name != "alembic_version"}
    if filled and not force:
        click.confirm(f"The database {url.render_as_string(hide_password=True)} holds data "
                      f"({sum(filled.values())} rows in {len(filled)} tables). Replace it with {file.name}?",
                      abort=True)
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        _sqlite_restore(file, _sqlite_path(url))
    else:
        _pg_restore(file, url)
        _analyze(db.engine)
    db.engine.dispose()
    restored = _revision(db.engine)
    if restored != expected:
        raise click.ClickException(f"The restored database is at Alembic revision {restored or 'none'}, the "
                                   f"backup was at {expected or 'none'}: check the database before using it.")
    click.echo(f"Restored {file} (Alembic revision {expected or 'none recorded'}). Rows per table:")
    for name, n in sorted(row_counts(db.engine).items()):
        click.echo(f"  {name}: {n}")


def backup_database(directory: Path) -> Path:
    """Back up the configured database into a new owner-only file in ``directory``; its path."""
    url = _database_url()
    kind = _kind(url)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    final = directory / f"shelterassess-{stamp}{SUFFIXES[kind]}"
    number = 1
    while final.exists():
        number += 1
        final = directory / f"shelterassess-{stamp}-{number}{SUFFIXES[kind]}"
    partial = directory / f".{final.name}.partial"  # never taken for a good backup if this fails
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        partial.chmod(0o600)
        if kind == "sqlite":
            _sqlite_backup(_sqlite_path(url), partial)
        else:
            _pg_dump(url, partial)
        partial.chmod(0o600)
        partial.rename(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return final


def backup_kind(path: Path) -> str | None:
    """"sqlite", "postgresql" (a custom-format dump) or None, from the file's first bytes."""
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_HEADER))
    if head == SQLITE_HEADER:
        return "sqlite"
    if head.startswith(PG_CUSTOM_HEADER):
        return "postgresql"
    return None


def row_counts(engine: Engine) -> dict[str, int]:
    """Every table of the database (whatever the models say) -> its number of rows."""
    names = inspect(engine).get_table_names()
    with engine.connect() as connection:
        return {name: connection.scalar(select(func.count()).select_from(table(name))) for name in names}


def pg_environment(url: URL) -> dict[str, str]:
    """The environment for libpq programs (pg_dump, createdb…) that connects them like ``url``."""
    env = dict(os.environ)
    for key, value in url.query.items():
        if key in PG_QUERY_ENV:
            env[PG_QUERY_ENV[key]] = value if isinstance(value, str) else value[-1]
    for name, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                        ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[name] = str(value)
    return env


def _database_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _kind(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in LABELS:
        raise click.ClickException(f"Backups support SQLite and PostgreSQL, not {backend}.")
    return backend


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise click.ClickException("The configured SQLite database is not a plain file: nothing to back up.")
    return Path(url.database)


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise click.ClickException(f"The database file {source} does not exist.")
    try:
        with _closing(sqlite3.connect(source, timeout=30)) as src, _closing(sqlite3.connect(target)) as dst:
            src.backup(dst)  # one step, under a read lock: a consistent copy while the app writes
            _check_sqlite(dst, target)
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"The backup of {source} failed: {error}.") from None


def _sqlite_restore(file: Path, target: Path) -> None:
    if not target.exists():
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))
    try:
        with _closing(sqlite3.connect(file.resolve().as_uri() + "?mode=ro", uri=True)) as src:
            _check_sqlite(src, file)
            with _closing(sqlite3.connect(target, timeout=30)) as dst:
                src.backup(dst)  # replaces the whole content of the target
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"The restore of {file} failed: {error}.") from None
    target.chmod(0o600)


def _check_sqlite(connection: sqlite3.Connection, path: Path) -> None:
    verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        raise click.ClickException(f"{path} is damaged (SQLite integrity check: {verdict}).")


def _pg_dump(url: URL, target: Path) -> None:
    _run([_program("pg_dump"), "--format=custom", "--no-password", f"--file={target}"], url, "pg_dump")


def _refuse_tables_the_dump_lacks(file: Path) -> None:
    """``pg_restore --clean`` drops only what the dump holds: a table added by a later migration
    would stay beside the restored ones (and the next migration would fail on it). Refuse, and
    say how to restore into an empty database instead."""
    listing = _run([_program("pg_restore"), "--list", str(file)], _database_url(), "pg_restore --list")
    in_dump = set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, re.MULTILINE))
    extra = sorted(set(inspect(db.engine).get_table_names()) - in_dump)
    if in_dump and extra:
        raise click.ClickException(
            f"The database has tables the backup does not: {', '.join(extra)} (a newer schema). Restore into an "
            "empty database instead (createdb, point SHELTERASSESS_DATABASE_URL at it, run restore again).")


def _pg_restore(file: Path, url: URL) -> None:
    _run([_program("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--no-password", f"--dbname={url.database}", str(file)], url, "pg_restore")


def _analyze(engine: Engine) -> None:
    """Planner statistics for the restored tables: pg_restore writes none, and until autovacuum
    gets round to them PostgreSQL plans as if the tables were empty (PostgreSQL's own advice
    after a restore is to run ANALYZE)."""
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def _run(command: list[str], url: URL, name: str) -> str:
    result = subprocess.run(  # nosec B603 # argv from _program() and our own options, no shell
        command, env=pg_environment(url), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise click.ClickException(f"{name} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise click.ClickException(f"{name} was not found. Install the PostgreSQL client programs of the "
                                   "server's major version or newer (Debian/Ubuntu: apt install postgresql-client) "
                                   "and try again.")
    return path


def _file_revision(file: Path, kind: str) -> str | None:
    """The Alembic revision recorded in the backup file (None: no ``alembic_version`` table)."""
    if kind == "sqlite":
        try:
            with _closing(sqlite3.connect(file.resolve().as_uri() + "?mode=ro", uri=True)) as connection:
                if not connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                          "AND name = 'alembic_version'").fetchone():
                    return None
                return _joined(row[0] for row in connection.execute("SELECT version_num FROM alembic_version"))
        except sqlite3.DatabaseError as error:
            raise click.ClickException(f"{file} cannot be read: {error}.") from None
    script = _run([_program("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(file)],
                  URL.create("postgresql"), "pg_restore")
    values, copying = [], False
    for line in script.splitlines():
        if line.startswith("COPY ") and "alembic_version" in line:
            copying = True
        elif copying and line == "\\.":
            break
        elif copying:
            values.append(line.split("\t")[0])
    return _joined(values) if copying else None


def _revision(engine: Engine) -> str | None:
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as connection:
        return _joined(connection.scalars(select(table("alembic_version", column("version_num")))))


def _joined(values) -> str | None:
    values = sorted(v for v in values if v)
    return ",".join(values) if values else None
