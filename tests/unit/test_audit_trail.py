"""The audit table is append-only in the database, and the flush listener records changes in
the same transaction, one row per object and its parts, without extra queries."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import DatabaseError

from shelterassess.assessments.models import Score
from shelterassess.assessments.services import start_assessment
from shelterassess.audit import services as audit
from shelterassess.audit.models import APPEND_ONLY_DDL, DROP_APPEND_ONLY_DDL, AuditEvent, purge_for_tests
from shelterassess.extensions import db


def _events() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _one_row(world) -> int:
    audit.record(db.session, "export", object_type="funding_round", object_id=1, user=world.national)
    db.session.commit()
    return _events()[-1].id


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET detail = 'x' WHERE id = :id",
                                       "DELETE FROM audit_event WHERE id = :id"])
def test_update_and_delete_are_refused_by_the_database(world, statement):
    row_id = _one_row(world)
    with pytest.raises(DatabaseError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(text(statement), {"id": row_id})
    assert db.session.get(AuditEvent, row_id).detail == ""


def test_orm_update_is_refused_too(world):
    row_id = _one_row(world)
    db.session.get(AuditEvent, row_id).detail = "tampered"
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.commit()
    db.session.rollback()


def test_truncate_is_refused_on_postgresql(world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (SQLite has no TRUNCATE)")
    _one_row(world)
    db.session.commit()  # end the session's read transaction: TRUNCATE waits for every reader
    with pytest.raises(DatabaseError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_event"))


def test_purge_for_tests_empties_the_table_and_keeps_the_triggers(world):
    _one_row(world)
    db.session.commit()  # end the session's read transaction: dropping a trigger waits for every reader
    with db.engine.begin() as conn:
        purge_for_tests(conn)
    assert _events() == []
    row_id = _one_row(world)
    with pytest.raises(DatabaseError):
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": row_id})


def test_ddl_constants_cover_both_databases():
    assert set(APPEND_ONLY_DDL) == set(DROP_APPEND_ONLY_DDL) == {"sqlite", "postgresql"}
    assert all("audit_event" in s for s in APPEND_ONLY_DDL["sqlite"] + APPEND_ONLY_DDL["postgresql"][1:])


def test_a_rolled_back_change_leaves_no_row(world):
    before = len(_events())
    world.facility_a.name = "Renamed"
    db.session.flush()
    audit.record(db.session, "export", user=world.national)
    db.session.rollback()
    db.session.commit()  # nothing left to write
    assert len(_events()) == before


def test_one_row_per_object_with_its_parts_and_no_extra_select(world):
    assessment = start_assessment(db.session, world.staff_a, world.facility_a, world.round)
    db.session.commit()
    before = len(_events())
    scores = list(db.session.scalars(select(Score).where(Score.assessment_id == assessment.id)))
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement.split()[0].upper())

    for score in scores:
        score.value = 2
        score.note = "private words"
    db.session.flush()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert "SELECT" not in statements
    rows = _events()[before:]
    [row] = rows
    assert (row.action, row.object_type, row.object_id, row.object_facility_id) == (
        "update", "assessment", assessment.id, world.facility_a.id)
    assert row.detail == f"score ×{len(scores)} update: note, value"
    assert row.user_id is None and row.endpoint == "" and row.remote_address == ""


def test_state_changes_name_the_verb_and_quiet_columns_write_nothing(world):
    before = len(_events())
    world.staff_a.last_login_at = None
    world.staff_a.session_token = "rotated-token-value"
    db.session.commit()
    assert len(_events()) == before
    assert world.round.status == "open"  # loaded, as a service reads it before changing it
    world.round.status = "closed"
    db.session.commit()
    [row] = _events()[before:]
    assert (row.action, row.object_type, row.detail) == ("close", "round", "status: open → closed")


def test_a_rolled_back_savepoint_create_is_not_recorded(world):
    from shelterassess.facilities.models import Facility

    before = len(_events())
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():
            db.session.add(Facility(code="SH-Z", name="Z", type="shelter", province_id=world.facility_a.province_id,
                                    capacity=1, active=True))
            db.session.flush()
            raise RuntimeError("inside the savepoint")
    db.session.commit()
    assert len(_events()) == before


def test_control_characters_are_encoded():
    assert audit.clean("a\nb\x00c", 100) == "a\\x0ab\\x00c"
    assert audit.clean("x" * 600, 500).endswith("…") and len(audit.clean("x" * 600, 500)) == 500


def test_an_expired_part_still_goes_on_its_owners_row(world):
    assessment = start_assessment(db.session, world.staff_a, world.facility_a, world.round)
    db.session.commit()
    scores = list(db.session.scalars(select(Score).where(Score.assessment_id == assessment.id)))
    before = len(_events())  # expires every object
    for score in scores:
        score.value = 1
    db.session.commit()
    [row] = _events()[before:]
    assert (row.object_type, row.object_id) == ("assessment", assessment.id)


def test_bulk_statements_are_noted_by_table_but_bookkeeping_is_not(world):
    from sqlalchemy import update

    from shelterassess.auth.models import User
    from shelterassess.facilities.models import Facility

    before = len(_events())
    db.session.execute(update(User).where(User.id == world.staff_a.id).values(last_login_at=None))
    db.session.commit()
    assert len(_events()) == before
    db.session.execute(update(Facility).where(Facility.id == world.facility_a.id).values(capacity=12))
    db.session.commit()
    [row] = _events()[before:]
    assert (row.action, row.object_type, row.object_id) == ("update", "facility", None)
