"""The national agreement counts of a round, stored and reused while they are still valid.

:func:`~shelterassess.comparisons.national_queries.agreement_counts` is a ``GROUP BY`` over every
(self score, peer score) pair of the round: at 10,000 facilities it is most of the national page.
:func:`agreement_counts` reads it from :class:`~shelterassess.comparisons.models.AgreementSummary`
when the stored row's fingerprint matches a fresh one, and otherwise counts and stores it.

Validity does not rely on writers invalidating anything: :func:`fingerprint` is one aggregate over
the very (self, peer) assessment pairs the counts are made of, with the same joins and filter:

* their number and sums of their ids (and of the pairs' id products): a submitted, reopened,
  withdrawn or un-withdrawn assessment or assignment, or a facility entering or leaving the
  filtered provinces, changes the set of pairs;
* the latest ``updated_at`` and ``submitted_at`` of both sides, and the latest history row
  (``assessment_event``, ids from a sequence, so no clock is trusted): a reopened and resubmitted
  assessment adds "reopened" and "submitted" rows;
* the facilities' provinces and active flags (a sum over the pairs' facilities);
* the indicator ids counted.

Scores themselves are not read (a sum over the round's ~1.5 million score rows at 10,000
facilities costs about 350 ms): no path of the application changes a score of a submitted
assessment (``save_area``, used by the pages, the API, ODK and paper entry, refuses it and bumps
the assessment's ``updated_at``; a correction goes through reopen and resubmit). A change made
outside the application is picked up once the row is older than :data:`MAX_AGE`.

The fingerprint is read before the counts: a change committed in between leaves a row whose
fingerprint is already out of date, recounted at the next view, never a stale row that matches.
A row is written through its own short connection and transaction (never the request's, which a
GET does not commit), as an upsert, so parallel first views do not fail; any error (a read-only
user, a lock) only means the counts are not stored.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging

from flask import current_app, has_app_context
from sqlalchemy import BigInteger, and_, case, cast, func, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, aliased

from shelterassess.assessments.models import Assessment, AssessmentEvent, AssessmentKind
from shelterassess.comparisons import national_queries as nq
from shelterassess.comparisons.models import AgreementSummary
from shelterassess.db import utcnow
from shelterassess.facilities.models import Facility
from shelterassess.peer.models import TeamAssignment

log = logging.getLogger(__name__)

#: A stored row older than this is counted again (picks up changes made outside the application).
MAX_AGE = dt.timedelta(hours=24)
#: How long storing may wait for a lock (PostgreSQL) before it gives up.
LOCK_TIMEOUT_MS = 2000
_SCOPE_MAX = 80


def scope_key(province_ids: tuple[int, ...] | None) -> str:
    """"all", "p:3,7" (sorted, distinct), or "h:" and the SHA-256 of that list when it is long."""
    if province_ids is None:
        return "all"
    listed = ",".join(str(pid) for pid in sorted(set(province_ids)))
    if len("p:" + listed) <= _SCOPE_MAX:
        return "p:" + listed
    return "h:" + hashlib.sha256(listed.encode()).hexdigest()


def _big(column):
    """As a 64-bit integer: sums of id products overflow 32 bits on PostgreSQL."""
    return cast(column, BigInteger)


def _last_event(assessment):
    """The id of the assessment's latest history row (one index lookup per pair)."""
    return select(func.max(AssessmentEvent.id)).where(AssessmentEvent.assessment_id == assessment.id).scalar_subquery()


def fingerprint(session: Session, table: nq.TableFilter, indicator_ids: list[int]) -> str:
    """SHA-256 of one aggregate over the pairs the counts are made of (see the module)."""
    own, peer = aliased(Assessment, name="own"), aliased(Assessment, name="peer")
    row = session.execute(
        select(func.count(), func.sum(_big(own.id)), func.sum(_big(peer.id)), func.sum(_big(own.id) * peer.id),
               func.sum(_big(Facility.id) * Facility.province_id),
               func.sum(case((Facility.active.is_(True), 1), else_=0)),
               func.max(own.updated_at), func.max(peer.updated_at),
               func.max(own.submitted_at), func.max(peer.submitted_at),
               func.max(_last_event(own)), func.max(_last_event(peer)))
        .select_from(own)
        .join(Facility, own.facility_id == Facility.id)
        .join(peer, and_(peer.facility_id == own.facility_id, peer.round_id == own.round_id,
                         peer.kind == AssessmentKind.PEER.value, peer.status == nq.SUBMITTED))
        .outerjoin(TeamAssignment, and_(TeamAssignment.team_id == peer.team_id,
                                        TeamAssignment.facility_id == peer.facility_id))
        .where(own.round_id == table.round_id, own.kind == AssessmentKind.SELF.value, own.status == nq.SUBMITTED,
               TeamAssignment.withdrawn_at.is_(None), table.where())
    ).one()
    material = "|".join(str(value) for value in (*row, ",".join(str(i) for i in sorted(indicator_ids))))
    return hashlib.sha256(material.encode()).hexdigest()


def encode(counts: dict[str, nq.PairCounts]) -> str:
    rows = sorted(([key, own, peer, n] for key, pairs in counts.items() for (own, peer), n in pairs.items()),
                  key=lambda r: (r[0], -1 if r[1] is None else r[1], -1 if r[2] is None else r[2]))
    return json.dumps(rows, separators=(",", ":"))


def decode(stored: str) -> dict[str, nq.PairCounts]:
    out: dict[str, nq.PairCounts] = {}
    for key, own, peer, n in json.loads(stored):
        out.setdefault(key, {})[(own, peer)] = n
    return out


def agreement_counts(session: Session, table: nq.TableFilter, indicator_ids: list[int]) -> dict[str, nq.PairCounts]:
    """:func:`shelterassess.comparisons.national_queries.agreement_counts`, from the stored row
    when its fingerprint still matches (two small statements), else counted and stored."""
    if not indicator_ids:
        return {}
    scope = scope_key(table.province_ids)
    current = fingerprint(session, table, indicator_ids)  # before the counts: see the module
    stored = session.scalar(select(AgreementSummary.counts).where(
        AgreementSummary.round_id == table.round_id, AgreementSummary.scope == scope,
        AgreementSummary.fingerprint == current, AgreementSummary.computed_at >= utcnow() - _max_age()))
    if stored is not None:
        try:
            return decode(stored)
        except (ValueError, TypeError):
            log.warning("agreement summary of round %s (%s) unreadable: counted again", table.round_id, scope)
    counts = nq.agreement_counts(session, table, indicator_ids)
    store(session, table.round_id, scope, current, counts)
    return counts


def _max_age() -> dt.timedelta:
    if has_app_context():
        hours = current_app.config.get("AGREEMENT_SUMMARY_MAX_AGE_HOURS")
        if isinstance(hours, (int, float)) and hours >= 0:
            return dt.timedelta(hours=hours)
    return MAX_AGE


def store(session: Session, round_id: int, scope: str, current: str, counts: dict[str, nq.PairCounts]) -> bool:
    """Upsert the row in a transaction of its own; False (logged) when it could not be stored."""
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    if not _may_store(session, engine):
        return False
    values = {"round_id": round_id, "scope": scope, "fingerprint": current, "counts": encode(counts),
              "computed_at": utcnow()}
    try:
        with engine.connect() as connection, connection.begin():
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT set_config('lock_timeout', :ms, true)"), {"ms": f"{LOCK_TIMEOUT_MS}ms"})
            connection.execute(upsert(engine.dialect.name, values))
    except SQLAlchemyError as error:
        log.warning("agreement summary of round %s (%s) not stored: %s", round_id, scope, error.__class__.__name__)
        return False
    return True


def upsert(dialect: str, values: dict):
    """INSERT … ON CONFLICT (round_id, scope) DO UPDATE, in the dialect's own form."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(AgreementSummary.__table__).values(**values)
    changed = {name: statement.excluded[name] for name in ("fingerprint", "counts", "computed_at")}
    return statement.on_conflict_do_update(index_elements=["round_id", "scope"], set_=changed)


def _may_store(session: Session, engine) -> bool:
    """Storing uses a second connection. Not on SQLite when that cannot work: an in-memory
    database (the second connection would be the same one, its commit the request's), or a
    request that holds SQLite's write lock already (the second connection would wait for it)."""
    if engine.dialect.name == "postgresql":
        return True
    if engine.dialect.name != "sqlite":
        return False
    if engine.url.database in (None, "", ":memory:") or "mode=memory" in str(engine.url):
        return False
    dbapi_connection = session.connection().connection.dbapi_connection
    return not getattr(dbapi_connection, "in_transaction", True)

