"""ShelterAssess: self- and peer-assessment of shelters for survivors of trafficking."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Mapping

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("SHELTERASSESS_INSTANCE_PATH", str(ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    _load_config(app, test_config)
    _init_extensions(app)
    from shelterassess.web.params import register_converters

    register_converters(app)  # before the blueprints: bounded <int:…> in every route
    _register_blueprints(app)
    from shelterassess.cli import register_cli
    from shelterassess.web import init_web

    init_web(app)
    register_cli(app)
    return app


def _load_config(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    from shelterassess.config import DefaultConfig

    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SHELTERASSESS")
    if test_config:
        app.config.update(test_config)
    # Dead pooled connections (database restarted) are replaced, whatever options are set.
    engine_options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, **engine_options}
    if app.config.get("ENV") == "production":
        _require_real_secret(app.config.get("SECRET_KEY"))  # before anything is created
    _private_dir(Path(app.instance_path))
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app.config["DATABASE_URL"], app.instance_path)
    _private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    from shelterassess.auth.services import configure_hasher
    from shelterassess.auth.totp import required_roles

    app.config["TOTP_REQUIRED_ROLES"] = tuple(sorted(required_roles(app.config.get("TOTP_REQUIRED_ROLES"))))

    configure_hasher(app.config["PASSWORD_HASH_PARAMS"])
    if app.config["HTTPS"]:
        app.config.update(SESSION_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https")
        if not app.config["SESSION_COOKIE_NAME"].startswith("__Host-"):
            # The browser then refuses the cookie unless it is Secure, for this host only, on path /.
            app.config["SESSION_COOKIE_NAME"] = "__Host-" + app.config["SESSION_COOKIE_NAME"]


def database_uri(url: str | None, instance_path: str) -> str:
    """Turn the ``DATABASE_URL`` setting into a SQLAlchemy URL (psycopg 3 for PostgreSQL)."""
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "shelterassess.sqlite")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


#: Keys copied from examples and tutorials; never accepted in production.
PLACEHOLDER_SECRETS = frozenset({"dev", "development", "secret", "secret-key", "secret_key", "change-me", "changeme",
                                 "change-this", "replace-me", "your-secret-key", "x", "test", "test-secret"})


class InsecureConfiguration(RuntimeError):
    """The app refuses to start in production with this configuration."""


def _require_real_secret(key: Any) -> None:
    if not key or not isinstance(key, (str, bytes)) or len(key) < 32 or str(key).strip().lower() in PLACEHOLDER_SECRETS:
        raise InsecureConfiguration(
            "SHELTERASSESS_ENV is production but SECRET_KEY is missing, a placeholder or shorter than 32 characters. "
            "Set SHELTERASSESS_SECRET_KEY to a long random value (see README, Production).")


def _private_dir(path: Path) -> None:
    """Create the instance folder readable by the owner only (database, secret key, backups)."""
    if not path.exists():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)  # mkdir's mode is reduced by the umask; be exact


def _private_sqlite_file(uri: str) -> None:
    """Create a new SQLite database file as owner-only (journal and WAL files inherit its mode)."""
    from sqlalchemy.engine import make_url

    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:" \
            or url.database.startswith("file:"):
        return
    path = Path(url.database)
    if not path.exists() and path.parent.is_dir():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        path.chmod(0o600)


def _instance_secret(instance: Path) -> str:
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)  # never readable by others, even briefly
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def _init_extensions(app: Flask) -> None:
    import shelterassess.models  # noqa: F401  (every table in the metadata)
    from shelterassess.extensions import babel, csrf, db, login_manager, migrate
    from shelterassess.i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    login_manager.init_app(app)
    if app.testing:
        app.before_request(_forget_request_globals)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]


def _forget_request_globals() -> None:
    """Tests keep one app context open across requests, so ``g`` would carry the cached
    user (Flask-Login) and locale (Flask-Babel) over: start each request afresh."""
    from flask import g

    for name in list(vars(g)):
        delattr(g, name)


def _register_blueprints(app: Flask) -> None:
    from shelterassess.assessments.views import bp as assessments_bp
    from shelterassess.assessments.views_peer import bp as peer_bp
    from shelterassess.assessments.views_release import bp as release_bp
    from shelterassess.assessors.views import bp as assessors_bp
    from shelterassess.auth.users_views import bp as users_bp
    from shelterassess.auth.views import bp as auth_bp
    from shelterassess.cases.views import bp as cases_bp
    from shelterassess.comparisons.views import bp as comparisons_bp
    from shelterassess.facilities.views import bp as facilities_bp
    from shelterassess.main import bp as main_bp
    from shelterassess.reports.views import bp as reports_bp
    from shelterassess.rounds.views import bp as rounds_bp
    from shelterassess.scoresheets.views import bp as scoresheets_bp
    from shelterassess.teams.views import bp as teams_bp

    for bp in (main_bp, auth_bp, users_bp, facilities_bp, scoresheets_bp, rounds_bp, assessments_bp, reports_bp, cases_bp,
               comparisons_bp):
        app.register_blueprint(bp)
    app.register_blueprint(assessors_bp)
    app.register_blueprint(teams_bp)
    app.register_blueprint(peer_bp)
    app.register_blueprint(release_bp)
    from shelterassess.followups.views import bp as followups_bp
    from shelterassess.training_needs.views import bp as training_needs_bp

    app.register_blueprint(followups_bp)
    app.register_blueprint(training_needs_bp)
    from shelterassess.plans.views import bp as plans_bp
    from shelterassess.plans.views_actions import bp as plan_actions_bp

    app.register_blueprint(plans_bp)
    app.register_blueprint(plan_actions_bp)
    from shelterassess.funding.views import bp as funding_bp
    from shelterassess.funding.views_proposal import bp as funding_proposal_bp

    app.register_blueprint(funding_bp)
    app.register_blueprint(funding_proposal_bp)
    from shelterassess.workshop.views import bp as workshop_bp

    app.register_blueprint(workshop_bp)
    from shelterassess.toolkit.views import bp as toolkit_bp

    app.register_blueprint(toolkit_bp)
    from shelterassess.odk.views import bp as odk_bp

    app.register_blueprint(odk_bp)
    from shelterassess.paper.views import bp as paper_bp

    app.register_blueprint(paper_bp)
    from shelterassess.audit import init_app as init_audit

    init_audit(app)  # the audit page, and the session listeners that record every change
    from shelterassess.api import init_app as init_api

    init_api(app)  # the JSON API under /api/v1 and the account page's API tokens


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_in_transaction(connection: Any, name: str) -> None:
    """Python's sqlite3 opens a transaction only before INSERT/UPDATE/DELETE. A SAVEPOINT sent
    first would open SQLite's own transaction instead, and its RELEASE would commit it: the rows a
    service writes in ``session.begin_nested()`` would stay even when the request fails later
    (tests/web/test_transaction_rollback.py). Open the real transaction first."""
    dbapi_connection = connection.connection.dbapi_connection
    if type(dbapi_connection).__module__.startswith("sqlite3") and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")
