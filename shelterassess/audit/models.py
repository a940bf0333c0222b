"""The audit trail: one append-only table.

Rows are only ever inserted (:mod:`shelterassess.audit.services`); the database itself refuses
UPDATE and DELETE (and TRUNCATE on PostgreSQL) through the triggers in :data:`APPEND_ONLY_DDL`,
created with the table by ``create_all`` and by the migration, which reuses these constants.

No foreign keys: a row outlives the user, facility or object it names (the user's e-mail is
copied at the time). ``detail`` is short and machine-made (column names, a status change),
never typed text, passwords, tokens or hashes.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import DDL, DateTime, Index, String, event, func, text
from sqlalchemy.orm import Mapped, mapped_column

from shelterassess.db import Base, intpk, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_occurred_at", "occurred_at"),
        Index("ix_audit_event_user_id_occurred_at", "user_id", "occurred_at"),
        Index("ix_audit_event_action_occurred_at", "action", "occurred_at"),
        Index("ix_audit_event_facility_id_occurred_at", "facility_id", "occurred_at"),
        Index("ix_audit_event_object_facility_id", "object_facility_id"),
        Index("ix_audit_event_user_email_occurred_at", "user_email", "occurred_at"),
    )

    id: Mapped[intpk]
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                     server_default=func.now())
    user_id: Mapped[Optional[int]]
    user_email: Mapped[str] = mapped_column(String(200), default="", server_default="")
    role: Mapped[str] = mapped_column(String(32), default="", server_default="")
    facility_id: Mapped[Optional[int]]
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(40), default="", server_default="")
    object_id: Mapped[Optional[int]]
    object_facility_id: Mapped[Optional[int]]
    detail: Mapped[str] = mapped_column(String(500), default="", server_default="")
    endpoint: Mapped[str] = mapped_column(String(100), default="", server_default="")
    remote_address: Mapped[str] = mapped_column(String(64), default="", server_default="")
    outcome: Mapped[str] = mapped_column(String(16), default="success", server_default="success")


_MESSAGE = "audit_event is append-only"

#: The triggers that make ``audit_event`` append-only, per dialect (the migration runs these too).
APPEND_ONLY_DDL: dict[str, list[str]] = {
    "sqlite": [
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$",
        "CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
    ],
}

#: Undo :data:`APPEND_ONLY_DDL` (migration downgrade; :func:`purge_for_tests`).
DROP_APPEND_ONLY_DDL: dict[str, list[str]] = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_event_no_update",
        "DROP TRIGGER IF EXISTS audit_event_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_event_no_update_delete ON audit_event",
        "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
        "DROP FUNCTION IF EXISTS audit_event_append_only()",
    ],
}

for _dialect, _statements in APPEND_ONLY_DDL.items():
    for _statement in _statements:
        event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
event.listen(AuditEvent.__table__, "after_drop",
             DDL("DROP FUNCTION IF EXISTS audit_event_append_only()").execute_if(dialect="postgresql"))


def purge_for_tests(connection) -> None:
    """Empty ``audit_event`` between tests, in the caller's transaction. For the test suite only;
    the application never calls this.

    PostgreSQL: ``SET LOCAL session_replication_role = replica`` (superuser only, as the test
    databases are) skips the triggers for this transaction, without the table lock that dropping
    a trigger takes (it would wait for any open reader); otherwise, and on SQLite, the triggers
    are dropped, the rows deleted and the triggers re-created."""
    dialect = connection.dialect.name
    if connection.execute(text("SELECT 1 FROM audit_event LIMIT 1")).first() is None:
        return
    if dialect == "postgresql":
        try:
            with connection.begin_nested():
                connection.execute(text("SET LOCAL session_replication_role = replica"))
                connection.execute(text("DELETE FROM audit_event"))
                connection.execute(text("SET LOCAL session_replication_role = origin"))
            return
        except Exception:  # noqa: BLE001 (not a superuser: fall back to dropping the triggers)  # nosec B110
            pass
    for statement in (*DROP_APPEND_ONLY_DDL.get(dialect, []), "DELETE FROM audit_event",
                      *APPEND_ONLY_DDL.get(dialect, [])):
        connection.execute(text(statement))
