"""Stored summaries of the comparisons: derived data, recomputed whenever it is out of date.

:class:`AgreementSummary` keeps the self/peer pair counts of a round's national table
(:func:`shelterassess.comparisons.national_queries.agreement_counts`, a ``GROUP BY`` over every
score pair of the round) with the fingerprint of what they were counted from. A reader uses the
row only while a fresh fingerprint matches (:mod:`shelterassess.comparisons.agreement_store`),
so no writer has to invalidate it. It is a cache, not a user's change: never audited.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shelterassess.db import Base, intpk, utcnow


class AgreementSummary(Base):
    """The pair counts of one round for one province filter ("all", or the filter's provinces)."""

    __tablename__ = "agreement_summary"
    __table_args__ = (UniqueConstraint("round_id", "scope"),)

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    #: "all", "p:" and the sorted province ids ("p:3,7"), or "h:" and their SHA-256 when that is long
    scope: Mapped[str] = mapped_column(String(80))
    #: SHA-256 of what the counts depend on (:func:`shelterassess.comparisons.agreement_store.fingerprint`)
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: JSON: ``[[indicator key, self value, peer value, count], …]``; a value is ``null`` for N/A
    counts: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
