"""Reading the audit trail: the national team's filtered, paginated list."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from shelterassess.audit.models import AuditEvent
from shelterassess.facilities.models import Facility

PAGE_SIZE = 50
#: The last page number a request may ask for (beyond it: the last page that exists).
MAX_PAGE = 100_000


@dataclass(frozen=True)
class AuditFilter:
    since: dt.datetime | None = None  # UTC, inclusive
    until: dt.datetime | None = None  # UTC, exclusive
    email: str = ""
    facility_id: int | None = None
    action: str = ""
    outcome: str = ""
    object_type: str = ""


@dataclass(frozen=True)
class Page:
    rows: list[AuditEvent]
    total: int
    number: int
    count: int  # number of pages (at least 1)

    @property
    def numbers(self) -> list[int]:
        """The page links to show: first, last and two either side of this one."""
        wanted = {1, self.count, *range(self.number - 2, self.number + 3)}
        return sorted(n for n in wanted if 1 <= n <= self.count)


def _filtered(statement: Select, f: AuditFilter) -> Select:
    if f.since is not None:
        statement = statement.where(AuditEvent.occurred_at >= f.since)
    if f.until is not None:
        statement = statement.where(AuditEvent.occurred_at < f.until)
    if f.email:
        statement = statement.where(AuditEvent.user_email == f.email)
    if f.facility_id is not None:
        statement = statement.where((AuditEvent.facility_id == f.facility_id)
                                    | (AuditEvent.object_facility_id == f.facility_id))
    if f.action:
        statement = statement.where(AuditEvent.action == f.action)
    if f.outcome:
        statement = statement.where(AuditEvent.outcome == f.outcome)
    if f.object_type:
        statement = statement.where(AuditEvent.object_type == f.object_type)
    return statement


def page(session: Session, f: AuditFilter, number: int = 1, size: int = PAGE_SIZE) -> Page:
    """One page of events, newest first; a page number beyond the last gives the last page."""
    total = session.scalar(_filtered(select(func.count()).select_from(AuditEvent), f)) or 0
    count = max(1, -(-total // size))
    number = min(max(1, number), count)
    rows = session.scalars(_filtered(select(AuditEvent), f)
                           .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
                           .limit(size).offset((number - 1) * size)).all()
    return Page(list(rows), total, number, count)


def all_rows(session: Session, f: AuditFilter, limit: int) -> Iterator[AuditEvent]:
    """Up to ``limit`` events for the CSV export, newest first, read 500 at a time while the file streams.

    A generator: the query runs at the first row, when the response body is being sent, so the
    download's own audit row (written and committed after the view returns) cannot close the
    server-side cursor under it."""
    query = (_filtered(select(AuditEvent), f).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
             .limit(limit).execution_options(yield_per=500))
    yield from session.scalars(query)


def facilities(session: Session) -> list[Facility]:
    return list(session.scalars(select(Facility).order_by(Facility.code)))





def facility_codes(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Facility.id, Facility.code).where(Facility.id.in_(ids))).all())
