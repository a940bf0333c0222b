"""Domain errors that views turn into form messages or HTTP responses."""
from __future__ import annotations


class ValidationFailed(Exception):
    """A service refused input; ``reasons`` are (field name or None, message) pairs."""

    def __init__(self, reasons: list[tuple[str | None, str]]):
        super().__init__("; ".join(msg for _, msg in reasons))
        self.reasons = reasons


class StaleData(Exception):
    """Someone else saved the same record since this copy was loaded."""

    def __init__(self, what: list[str] | None = None):
        super().__init__(", ".join(what or []))
        self.what = what or []


#: SQLSTATE codes (PostgreSQL) that mean "the server cannot be reached or is not serving":
#: class 08 connection exceptions, admin/crash shutdown, "cannot connect now" (starting up or
#: in recovery) and too many connections.
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
#: Messages of SQLite errors that mean the database file cannot be used at all.
_UNAVAILABLE_SQLITE = ("unable to open database", "disk i/o error")


def database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached (server down, connection lost,
    SQLite file missing), as opposed to a programming or data error.

    The web turns such an error into a 503 page and ``/health`` into 503; the next request
    connects afresh (``pool_pre_ping``), so the app recovers by itself when the database is back.
    """
    import sqlite3

    from sqlalchemy import exc

    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, exc.TimeoutError):  # no pooled connection became free in time
        return True
    original = getattr(error, "orig", None) if isinstance(error, exc.DBAPIError) else error
    if original is None:
        return False
    if isinstance(original, sqlite3.OperationalError):
        return str(original).lower().startswith(_UNAVAILABLE_SQLITE)
    try:
        import psycopg
    except ImportError:  # pragma: no cover (installed with the app)
        return False
    if isinstance(original, psycopg.InterfaceError):  # "the connection is closed"
        return True
    if isinstance(original, psycopg.OperationalError):
        sqlstate = getattr(original, "sqlstate", None)
        return sqlstate is None or sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
    return False
