"""Peer assessment: trained and certified assessors, teams, assignments, calibration.

A peer assessment itself is an :class:`~shelterassess.assessments.models.Assessment`
of kind ``peer`` with ``team_id`` set; the reconciled result is one of kind ``agreed``.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shelterassess.auth.models import User
from shelterassess.db import Base, created_at, intpk, str200
from shelterassess.facilities.models import Facility
from shelterassess.rounds.models import Round


class TrainingSession(Base):
    __tablename__ = "training_session"

    id: Mapped[intpk]
    title: Mapped[str200]
    held_on: Mapped[dt.date] = mapped_column(Date)
    place: Mapped[str200]
    trainers: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[created_at]

    participants: Mapped[list["TrainingParticipant"]] = relationship(
        back_populates="training", cascade="all, delete-orphan", lazy="selectin"
    )


class TrainingParticipant(Base):
    __tablename__ = "training_participant"
    __table_args__ = (UniqueConstraint("training_id", "user_id", name="uq_training_participant_training_user"),)

    id: Mapped[intpk]
    training_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    attended: Mapped[bool] = mapped_column(default=True)

    training: Mapped[TrainingSession] = relationship(back_populates="participants")
    user: Mapped[User] = relationship(lazy="joined")


class Certification(Base):
    """An assessor's certification: by whom and when; revoking keeps the record."""

    __tablename__ = "certification"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    certified_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    certified_at: Mapped[dt.datetime]
    note: Mapped[str] = mapped_column(Text, default="")
    revoked_at: Mapped[Optional[dt.datetime]]
    revoked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    #: Why the certification was revoked ("" while it is valid).
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    #: Why the national team certified without a passed calibration attempt since the
    #: last attended training ("" when the calibration rule was met).
    override_reason: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    certified_by: Mapped[User] = relationship(foreign_keys=[certified_by_id], lazy="joined")

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class CalibrationAttempt(Base):
    """A trainee's scores on a practice case (shipped in peer/data/practice_cases.yaml)."""

    __tablename__ = "calibration_attempt"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    practice_case: Mapped[str] = mapped_column(String(60))
    #: indicator key -> score (0..3) or None for N/A
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_at: Mapped[created_at]

    user: Mapped[User] = relationship(lazy="joined")


class PeerTeam(Base):
    __tablename__ = "peer_team"
    __table_args__ = (UniqueConstraint("round_id", "name", name="uq_peer_team_round_name"),)

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    name: Mapped[str200]
    lead_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[created_at]

    round: Mapped[Round] = relationship(lazy="joined")
    lead: Mapped[User] = relationship(lazy="joined")
    members: Mapped[list["TeamMember"]] = relationship(
        back_populates="team", cascade="all, delete-orphan", lazy="selectin"
    )
    assignments: Mapped[list["TeamAssignment"]] = relationship(
        back_populates="team", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def member_ids(self) -> set[int]:
        return {m.user_id for m in self.members}


class TeamMember(Base):
    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("team_id", "user_id", name="uq_team_member_team_user"),)

    id: Mapped[intpk]
    team_id: Mapped[int] = mapped_column(ForeignKey("peer_team.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)

    team: Mapped[PeerTeam] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")


class TeamAssignment(Base):
    """A team assigned to assess a facility in the team's round, with the planned and the
    actual visit.

    The national team may withdraw an assignment (who, when, why are kept): the team then
    stops scoring, and its peer assessment is never part of the facility's agreed result.
    """

    __tablename__ = "team_assignment"
    __table_args__ = (UniqueConstraint("team_id", "facility_id", name="uq_team_assignment_team_facility"),
                      Index("ix_team_assignment_planned_visit_on", "planned_visit_on"))

    id: Mapped[intpk]
    team_id: Mapped[int] = mapped_column(ForeignKey("peer_team.id", ondelete="CASCADE"), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    planned_visit_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    #: The day the team actually visited, recorded when the lead submits the peer assessment.
    visited_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    #: Why the visit was not on the planned day (needed when the team submits before it).
    visit_note: Mapped[str] = mapped_column(Text, default="")
    withdrawn_at: Mapped[Optional[dt.datetime]]
    withdrawn_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]

    team: Mapped[PeerTeam] = relationship(back_populates="assignments")
    facility: Mapped[Facility] = relationship(lazy="joined")
    withdrawn_by: Mapped[Optional[User]] = relationship(foreign_keys=[withdrawn_by_id])

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
