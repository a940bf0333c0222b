"""A failure in the middle of a request, after a first write: the user sees the generic 500
page with a reference id (no traceback), the error is logged under that reference, and the
database holds no new row in any table (checklist item 28; issue 11)."""
from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import func, select

from shelterassess.assessments import services
from shelterassess.assessments.models import Assessment
from shelterassess.extensions import db
from tests.conftest import login

REFERENCE = re.compile(r"this reference: ([0-9a-f]{10})")


def row_counts() -> dict[str, int]:
    """Every table's row count, read on a connection of its own (not the request's session)."""
    db.session.rollback()
    with db.engine.connect() as connection:
        return {table.name: connection.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def failing_after_first_write(monkeypatch, fail):
    """``start_assessment`` flushes its rows (the assessment and one empty score per indicator),
    then ``fail(session, assessment)`` breaks the request."""
    original = services.start_assessment
    written = []

    def start_then_fail(session, *args, **kwargs):
        assessment = original(session, *args, **kwargs)
        session.flush()
        written.append(session.scalar(select(func.count()).select_from(Assessment)))
        fail(session, assessment)
        raise AssertionError("fail() should have raised")

    monkeypatch.setattr(services, "start_assessment", start_then_fail)
    return written


def bug(session, assessment):
    raise RuntimeError("injected failure after the first write")


def duplicate_row(session, assessment):
    """A second write the database refuses (a second self-assessment of the same facility and round)."""
    session.add(Assessment(round_id=assessment.round_id, facility_id=assessment.facility_id, kind=assessment.kind,
                           started_by_id=assessment.started_by_id))
    session.flush()


@pytest.mark.parametrize("fail", [bug, duplicate_row], ids=["bug", "database-refuses"])
def test_failure_mid_request_shows_reference_and_leaves_no_rows(client, world, monkeypatch, caplog, fail):
    login(client, world.staff_a)
    before = row_counts()
    written = failing_after_first_write(monkeypatch, fail)
    with caplog.at_level(logging.ERROR):
        response = client.post("/assessments/start", data={"round_id": world.round.id})

    assert written == [1]  # the first write did reach the database (flushed in the transaction)
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "Nothing was saved from this request" in body
    for leak in ("Traceback", "RuntimeError", "IntegrityError", "injected failure", "INSERT", "File \""):
        assert leak not in body
    reference = REFERENCE.search(body).group(1)
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # logged with its traceback, for the administrator
    assert row_counts() == before


def test_the_same_request_works_once_the_failure_is_gone(client, world):
    login(client, world.staff_a)
    before = row_counts()
    response = client.post("/assessments/start", data={"round_id": world.round.id})
    assert response.status_code == 302
    after = row_counts()
    assert after["assessment"] == before["assessment"] + 1  # the check above can see a new row
