# semgrep --test data for rule sql-built-from-string (not imported, not run).
from sqlalchemy import select, text


def injectable(session, code):
    # ruleid: sql-built-from-string
    session.execute(text(f"SELECT id FROM facility WHERE code = '{code}'"))
    # ruleid: sql-built-from-string
    session.execute(text("SELECT id FROM facility WHERE code = '%s'" % code))
    # ruleid: sql-built-from-string
    session.connection().exec_driver_sql(f"DELETE FROM facility WHERE code = '{code}'")
    # ruleid: sql-built-from-string
    cursor.execute("SELECT id FROM facility WHERE code = '" + code + "'")


def bound(session, Facility, code):
    # ok: sql-built-from-string
    session.execute(text("SELECT id FROM facility WHERE code = :code"), {"code": code})
    # ok: sql-built-from-string
    return session.scalars(select(Facility).where(Facility.code == code))
