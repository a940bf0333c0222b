"""One assessment model for every kind (self, peer, agreed, follow-up).

Each assessment stores one :class:`Score` row per indicator of its round's pinned
score-sheet version, and on submission a few :class:`AreaResult` rows, so national
views never aggregate raw scores.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from shelterassess.auth.models import User
from shelterassess.db import Base, created_at, intpk, utcnow
from shelterassess.facilities.models import Facility
from shelterassess.rounds.models import Round
from shelterassess.scoresheets.models import Area, Indicator

if TYPE_CHECKING:
    from shelterassess.peer.models import PeerTeam, TeamAssignment


class AssessmentKind(str, enum.Enum):
    SELF = "self"
    PEER = "peer"
    AGREED = "agreed"
    FOLLOW_UP = "follow_up"


class AssessmentStatus(str, enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


_PEER = text("team_id IS NOT NULL")
_SELF_OR_AGREED = text("kind IN ('self', 'agreed')")


class Assessment(Base):
    """One facility's assessment of one kind in one round.

    The database allows one self and one agreed assessment per facility and round, and one
    peer assessment per team, facility and round (partial unique indexes: NULL team ids
    would not collide in a plain unique constraint). Follow-ups are not limited.
    """

    __tablename__ = "assessment"
    __table_args__ = (
        Index("uq_assessment_peer", "round_id", "facility_id", "team_id", unique=True,
              sqlite_where=_PEER, postgresql_where=_PEER),
        Index("uq_assessment_self_agreed", "round_id", "facility_id", "kind", unique=True,
              sqlite_where=_SELF_OR_AGREED, postgresql_where=_SELF_OR_AGREED),
        #: National tables: a facility's submitted agreed (self, peer) assessment of a round in one lookup.
        Index("ix_assessment_round_kind_status_facility", "round_id", "kind", "status", "facility_id"),
    )

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: For peer assessments: the team that scores. None for self and agreed assessments.
    team_id: Mapped[Optional[int]] = mapped_column(ForeignKey("peer_team.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=AssessmentStatus.DRAFT.value)
    started_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    submitted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    submitted_at: Mapped[Optional[dt.datetime]]
    overall_percentage: Mapped[Optional[float]]
    red_flag_count: Mapped[int] = mapped_column(default=0)
    #: Agreed assessments only: when the national team released this finalised result to
    #: the facility (with its peer assessments). None while it is not released.
    released_at: Mapped[Optional[dt.datetime]]
    released_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    round: Mapped[Round] = relationship(lazy="joined")
    facility: Mapped[Facility] = relationship(lazy="joined")
    submitted_by: Mapped[Optional[User]] = relationship(foreign_keys=[submitted_by_id])
    released_by: Mapped[Optional[User]] = relationship(foreign_keys=[released_by_id])
    team: Mapped[Optional["PeerTeam"]] = relationship(lazy="joined")
    #: Peer assessments: the team's assignment to the facility (read-only; None for other kinds).
    assignment: Mapped[Optional["TeamAssignment"]] = relationship(
        primaryjoin="and_(foreign(Assessment.team_id) == TeamAssignment.team_id, "
                    "foreign(Assessment.facility_id) == TeamAssignment.facility_id)",
        viewonly=True, lazy="joined", uselist=False,
    )
    scores: WriteOnlyMapped["Score"] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    area_results: Mapped[list["AreaResult"]] = relationship(
        cascade="all, delete-orphan", order_by="AreaResult.position"
    )
    events: Mapped[list["AssessmentEvent"]] = relationship(
        cascade="all, delete-orphan", order_by="AssessmentEvent.at"
    )

    @property
    def is_submitted(self) -> bool:
        return self.status == AssessmentStatus.SUBMITTED.value

    @property
    def is_withdrawn(self) -> bool:
        """A peer assessment whose team's assignment the national team withdrew."""
        return self.assignment is not None and self.assignment.is_withdrawn

    @property
    def is_released(self) -> bool:
        """A finalised agreed result the national team released to the facility."""
        return self.kind == AssessmentKind.AGREED.value and self.is_submitted and self.released_at is not None


class Score(Base):
    __tablename__ = "score"
    __table_args__ = (
        UniqueConstraint("assessment_id", "indicator_id", name="uq_score_assessment_indicator"),
        CheckConstraint("value IS NULL OR (value >= 0 AND value <= 3)", name="value_range"),
    )

    id: Mapped[intpk]
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    value: Mapped[Optional[int]]
    not_applicable: Mapped[bool] = mapped_column(default=False)
    #: Comma-separated subset of scoresheets.models.EVIDENCE_SOURCES.
    evidence: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: Optimistic lock: a save carrying an older version is refused.
    version: Mapped[int] = mapped_column(default=1)

    indicator: Mapped[Indicator] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_answered(self) -> bool:
        return self.value is not None or self.not_applicable

    @property
    def evidence_list(self) -> list[str]:
        return [e for e in self.evidence.split(",") if e]


class AreaResult(Base):
    """Stored when an assessment is submitted (a few rows per assessment)."""

    __tablename__ = "area_result"
    __table_args__ = (UniqueConstraint("assessment_id", "area_id", name="uq_area_result_assessment_area"),)

    id: Mapped[intpk]
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    position: Mapped[int]
    percentage: Mapped[Optional[float]]
    applicable: Mapped[int]
    total: Mapped[int]

    area: Mapped[Area] = relationship(lazy="joined")


class AssessmentEvent(Base):
    """History of an assessment's state changes: who, when and why."""

    __tablename__ = "assessment_event"

    id: Mapped[intpk]
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[Optional[User]] = relationship(lazy="joined")
