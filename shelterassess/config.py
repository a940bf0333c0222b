"""Documented defaults. Whenever you add or change a key here, update docs/configuration.md.

Layers, later ones winning: these defaults -> ``instance/config.py`` -> environment
variables ``SHELTERASSESS_<KEY>`` -> the ``test_config`` mapping given to ``create_app``.
"""
import datetime as dt

from shelterassess.auth.roles import Role


class DefaultConfig:
    #: Database URL. ``None`` means the SQLite file ``instance/shelterassess.sqlite``.
    #: PostgreSQL: ``postgresql://user@host:5432/dbname`` (driver psycopg 3 is chosen for you).
    DATABASE_URL = None
    #: "production" (set ``SHELTERASSESS_ENV=production``; ``wsgi.py`` sets it for gunicorn) or
    #: "development". In production the app refuses to start without a real SECRET_KEY.
    ENV = "development"
    #: Secret for sessions and CSRF tokens. ``None`` in development: a random key is
    #: generated once into ``instance/secret_key``. Production must set it (see README):
    #: a missing, short (< 32 characters) or placeholder key stops the start.
    SECRET_KEY = None
    #: Set to true when the app is served over HTTPS: cookies get ``Secure`` and HSTS is sent.
    HTTPS = False
    #: Number of proxies in front of the app (e.g. 1 behind nginx) for client IP and scheme.
    PROXY_COUNT = 0
    #: Sessions end after this much inactivity.
    PERMANENT_SESSION_LIFETIME = dt.timedelta(minutes=30)
    #: ... and this long after login, however active (the cookie never outlives it either).
    SESSION_ABSOLUTE_LIFETIME = dt.timedelta(hours=12)
    SESSION_REFRESH_EACH_REQUEST = True
    SESSION_COOKIE_NAME = "shelterassess_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = dt.timedelta(seconds=0)
    #: Largest accepted request body (bytes). A score sheet with notes is well under this.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    #: Every form and POST needs a CSRF token (Flask-WTF). Never turn this off in production;
    #: only tests switch it off (tests/web/test_csrf_default.py checks it stays on here).
    WTF_CSRF_ENABLED = True
    #: CSRF tokens live as long as the session (they are tied to it).
    WTF_CSRF_TIME_LIMIT = None
    #: Activation links for new users expire after this long.
    ACTIVATION_TOKEN_LIFETIME = dt.timedelta(days=4)
    #: Languages offered; the first is the default.
    LANGUAGES = ("vi", "en")
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    #: Failed password checks (logins, and the current password when changing it) of one
    #: account from one client address within LOGIN_LOCK_MINUTES before that address is
    #: locked out of that account (the same "not correct" answer as a wrong password).
    LOGIN_MAX_FAILURES = 6
    LOGIN_LOCK_MINUTES = 30
    #: Failed checks from one client address (all accounts) before it gets 429 for LOGIN_LOCK_MINUTES.
    LOGIN_ADDRESS_MAX_FAILURES = 30
    #: Failed checks of one account from all addresses before it is locked for everyone.
    #: Keep it above LOGIN_ADDRESS_MAX_FAILURES, so that one address can never lock anybody out.
    LOGIN_ACCOUNT_MAX_FAILURES = 60
    #: Roles that must use two-factor login (an authenticator app); other roles may turn it on.
    TOTP_REQUIRED_ROLES = (Role.NATIONAL_TEAM.value, Role.ADMIN.value)
    #: Key material for encrypting the two-factor secrets at rest. ``None``: derived from
    #: SECRET_KEY, so rotating SECRET_KEY then means every enrolled user must be reset and
    #: enrol again. Set it (a long random value) to keep the secrets readable across rotations.
    TOTP_ENCRYPTION_KEY = None
    #: Longest free-text note on a score, in characters.
    NOTE_MAX_LENGTH = 2000
    #: argon2id cost parameters (time_cost, memory_cost in KiB, parallelism); None = argon2-cffi's
    #: defaults (t=3, m=64 MiB, p=4). Only tests lower them.
    PASSWORD_HASH_PARAMS = None
    #: A calibration attempt passes only when both are reached against the reference scores:
    #: agreement within one point (percent of the indicators both scored) and
    #: quadratic-weighted kappa (an undefined kappa fails). See docs/decisions.md.
    CALIBRATION_MIN_WITHIN_ONE = 85
    CALIBRATION_MIN_KAPPA = 0.60
    #: Per-indicator weighted kappa across facilities (national view) is shown only from this
    #: many self/peer pairs scored by both; below it the page and PDF show "–" with a footnote.
    KAPPA_MIN_PAIRS = 5
    #: A round's stored national agreement counts (``agreement_summary``) are counted again when
    #: older than this, besides whenever what they were counted from changes: picks up a change
    #: made in the database outside the application (docs/performance.md).
    AGREEMENT_SUMMARY_MAX_AGE_HOURS = 24
    #: Rows per page of every paginated list and national table (``?page=N``).
    PAGE_SIZE = 50
    #: What a new funding round's form proposes (the national team may change both per round):
    #: the rounding unit of proposed amounts (whole đồng) and the need points a red flag adds.
    #: See docs/allocation.md.
    FUNDING_DEFAULT_ROUNDING_UNIT_VND = 1_000_000
    FUNDING_DEFAULT_RED_FLAG_WEIGHT = 10
    #: SQLAlchemy engine options. ``pool_pre_ping`` is always added (unless set to False here):
    #: a pooled connection is checked before use and replaced when the database went away,
    #: so the app recovers by itself after a database restart (docs/operations.md). For
    #: PostgreSQL behind an unreliable network add e.g. ``{"connect_args": {"connect_timeout": 5}}``.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
