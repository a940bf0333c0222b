"""A paper score sheet typed in twice (blind, by two people) and the resolution of their differences.

Everything is kept: both entries with every answer as typed, and the resolution with the answer
kept for every indicator and where it came from. The resolved answers are then saved into the
assessment like any other save (:func:`shelterassess.assessments.services.save_area`), or into a
follow-up visit (:func:`shelterassess.followups.services.save_results`): a visit's sheet is keyed
by the visit's own follow-up assessment (``follow_up_visit.assessment_id``, see
:mod:`shelterassess.paper.sheets`). One paper sheet per assessment (so per visit): entry numbers
1 and 2 are unique per assessment, and so is the resolution, so two people saving the same entry
(or resolving) at once cannot both succeed.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shelterassess.auth.models import User
from shelterassess.db import Base, intpk, utcnow

_VALUE = "value IS NULL OR (value >= 0 AND value <= 3)"
_NA = "NOT (not_applicable AND value IS NOT NULL)"


class PaperEntry(Base):
    """One typing of the paper sheet: entry 1 or 2, who typed it, when, with the check code typed."""

    __tablename__ = "paper_entry"
    __table_args__ = (
        UniqueConstraint("assessment_id", "number", name="uq_paper_entry_assessment_number"),
        CheckConstraint("number IN (1, 2)", name="number_range"),
    )

    id: Mapped[intpk]
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    entered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    check_code: Mapped[str] = mapped_column(String(8))

    entered_by: Mapped[User] = relationship(lazy="joined")
    answers: Mapped[list["PaperAnswer"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin", order_by="PaperAnswer.indicator_id")


class PaperAnswer(Base):
    """One indicator of an entry, as typed (a score 0..3, N/A, or nothing; evidence; note)."""

    __tablename__ = "paper_answer"
    __table_args__ = (
        UniqueConstraint("entry_id", "indicator_id", name="uq_paper_answer_entry_indicator"),
        CheckConstraint(_VALUE, name="value_range"),
        CheckConstraint(_NA, name="value_or_na"),
    )

    id: Mapped[intpk]
    entry_id: Mapped[int] = mapped_column(ForeignKey("paper_entry.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    value: Mapped[Optional[int]]
    not_applicable: Mapped[bool] = mapped_column(default=False)
    #: Comma-separated subset of scoresheets.models.EVIDENCE_SOURCES.
    evidence: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class PaperResolution(Base):
    """Who resolved the two entries, when; one per assessment."""

    __tablename__ = "paper_resolution"
    __table_args__ = (UniqueConstraint("assessment_id", name="uq_paper_resolution_assessment"),)

    id: Mapped[intpk]
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    resolved_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    resolved_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    resolved_by: Mapped[User] = relationship(lazy="joined")
    answers: Mapped[list["PaperResolvedAnswer"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin",
        order_by="PaperResolvedAnswer.indicator_id")


class PaperResolvedAnswer(Base):
    """The answer kept for one indicator: ``source`` is ``both`` (the entries agreed), ``first``,
    ``second`` or ``other`` (typed by the resolver)."""

    __tablename__ = "paper_resolved_answer"
    __table_args__ = (
        UniqueConstraint("resolution_id", "indicator_id", name="uq_paper_resolved_answer_resolution_indicator"),
        CheckConstraint(_VALUE, name="value_range"),
        CheckConstraint(_NA, name="value_or_na"),
        CheckConstraint("source IN ('both', 'first', 'second', 'other')", name="source_known"),
    )

    id: Mapped[intpk]
    resolution_id: Mapped[int] = mapped_column(ForeignKey("paper_resolution.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    source: Mapped[str] = mapped_column(String(8))
    value: Mapped[Optional[int]]
    not_applicable: Mapped[bool] = mapped_column(default=False)
    evidence: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
