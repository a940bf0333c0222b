"""Follow-up visits (issue 8): a team re-visits a facility's improvement plan, records per
action whether it was implemented, and re-scores the indicators the plan touched.

The new scores are an :class:`~shelterassess.assessments.models.Assessment` of kind
``follow_up`` (team_id left empty: the visit holds the team) with one Score row per
indicator linked to the plan's actions only, scored with the same rules as any assessment.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Optional

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shelterassess.assessments.models import Assessment
from shelterassess.auth.models import User
from shelterassess.db import Base, created_at, intpk, utcnow
from shelterassess.peer.models import PeerTeam
from shelterassess.plans.models import ImprovementPlan, PlanAction


class VisitStatus(str, enum.Enum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class ActionOutcome(str, enum.Enum):
    IMPLEMENTED = "implemented"
    PARTLY = "partly"
    NOT_IMPLEMENTED = "not_implemented"
    NOT_RELEVANT = "not_relevant"  # left out of the compliance rate


_OPEN = text("status != 'submitted'")


class FollowUpVisit(Base):
    """A team's follow-up visit of one plan. A plan has at most one visit that is not submitted
    (partial unique index, so two people scheduling at the same moment cannot both succeed);
    later visits may follow once it is submitted."""

    __tablename__ = "follow_up_visit"
    __table_args__ = (
        Index("uq_follow_up_visit_open_plan", "plan_id", unique=True, sqlite_where=_OPEN, postgresql_where=_OPEN),
        Index("ix_follow_up_visit_status_planned_on", "status", "planned_on"),
        Index("ix_follow_up_visit_visited_on", "visited_on"),
    )

    id: Mapped[intpk]
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plan.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("peer_team.id"), index=True)
    planned_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    visited_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=VisitStatus.PLANNED.value)
    #: The follow-up assessment holding the new scores of the plan's indicators.
    assessment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("assessment.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    submitted_at: Mapped[Optional[dt.datetime]]
    submitted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    plan: Mapped[ImprovementPlan] = relationship(lazy="joined")
    team: Mapped[PeerTeam] = relationship(lazy="joined")
    assessment: Mapped[Optional[Assessment]] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[Optional[User]] = relationship(foreign_keys=[submitted_by_id])
    results: Mapped[list["FollowUpActionResult"]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}


class FollowUpActionResult(Base):
    """What the visit found for one action of the plan."""

    __tablename__ = "follow_up_action_result"
    __table_args__ = (UniqueConstraint("visit_id", "action_id", name="uq_follow_up_action_result_visit_action"),)

    id: Mapped[intpk]
    visit_id: Mapped[int] = mapped_column(ForeignKey("follow_up_visit.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_action.id"), index=True)
    #: One of ActionOutcome, or None while not recorded yet.
    outcome: Mapped[Optional[str]] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    visit: Mapped[FollowUpVisit] = relationship(back_populates="results")
    action: Mapped[PlanAction] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}
