"""Escalated concerns: what a team member saw during a visit that the national team must act
on (abuse, detention or being locked in, a child at risk, other).

Facility-level only: the description says what was seen in terms of roles and places, never
a person's name or identifying details (:func:`shelterassess.toolkit.domain.find_identifiers`
refuses obvious ones). Seen only by the national team and the person who recorded it, never
by the facility. Records are never edited or deleted: every step is an
:class:`EscalationEvent` (who, when, what), and more information is added as an event too.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Optional

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shelterassess.auth.models import User
from shelterassess.db import Base, created_at, intpk, utcnow
from shelterassess.facilities.models import Facility
from shelterassess.peer.models import PeerTeam


class EscalationCategory(str, enum.Enum):
    ABUSE = "abuse"
    DETENTION = "detention"          # detained or locked in
    CHILD_AT_RISK = "child_at_risk"
    OTHER = "other"


class EscalationStatus(str, enum.Enum):
    OPEN = "open"                    # recorded, nobody of the national team has taken it up yet
    ACKNOWLEDGED = "acknowledged"    # the national team has taken it up
    CLOSED = "closed"                # action recorded and the case closed (may be reopened)


class EscalationEventKind(str, enum.Enum):
    RECORDED = "recorded"
    ACKNOWLEDGED = "acknowledged"
    ACTION = "action"                # an action the national team took
    INFORMATION = "information"      # more information from the person who recorded it
    CLOSED = "closed"
    REOPENED = "reopened"


class Escalation(Base):
    __tablename__ = "escalation"

    id: Mapped[intpk]
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    #: The team whose visit it was (None when a national-team member recorded it; set to NULL
    #: if the team is deleted: the record stays).
    team_id: Mapped[Optional[int]] = mapped_column(ForeignKey("peer_team.id", ondelete="SET NULL"), index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    seen_on: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    immediate_action: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=EscalationStatus.OPEN.value, index=True)
    acknowledged_at: Mapped[Optional[dt.datetime]]
    acknowledged_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[Optional[dt.datetime]]
    closed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    facility: Mapped[Facility] = relationship(lazy="joined")
    team: Mapped[Optional[PeerTeam]] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id], lazy="joined")
    acknowledged_by: Mapped[Optional[User]] = relationship(foreign_keys=[acknowledged_by_id])
    closed_by: Mapped[Optional[User]] = relationship(foreign_keys=[closed_by_id])
    events: Mapped[list["EscalationEvent"]] = relationship(
        back_populates="escalation", order_by="EscalationEvent.id", cascade="all, delete-orphan", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status == EscalationStatus.OPEN.value

    @property
    def is_closed(self) -> bool:
        return self.status == EscalationStatus.CLOSED.value

    @property
    def has_action(self) -> bool:
        """An action was recorded since the escalation was last (re)opened."""
        since = 0
        for index, event in enumerate(self.events):
            if event.kind == EscalationEventKind.REOPENED.value:
                since = index
        return any(e.kind == EscalationEventKind.ACTION.value for e in self.events[since:])


class EscalationEvent(Base):
    """One step in an escalation's history: who, when, what, and the text they wrote."""

    __tablename__ = "escalation_event"

    id: Mapped[intpk]
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    escalation: Mapped[Escalation] = relationship(back_populates="events")
    user: Mapped[User] = relationship(lazy="joined")
