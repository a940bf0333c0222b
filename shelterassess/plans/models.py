"""Improvement plans (issue 8): one plan per facility and round, drawn from the finalised
agreed assessment, with costed actions tied to indicators.

Money is whole Vietnamese đồng (``BigInteger``), never a float. Plans and actions carry a
version column (SQLAlchemy's ``version_id_col``): a save based on an older version is
refused instead of overwriting someone else's change. Every change is recorded as a
:class:`PlanEvent` (who, when, what).
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Optional

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shelterassess.assessments.models import Assessment
from shelterassess.auth.models import User
from shelterassess.db import Base, created_at, intpk, str200, utcnow
from shelterassess.facilities.models import Facility
from shelterassess.rounds.models import Round
from shelterassess.scoresheets.models import Indicator


class PlanStatus(str, enum.Enum):
    DRAFT = "draft"              # the peer team (or the national team) drafts it
    SHARED = "shared"            # shared with the facility, waiting for the manager
    RETURNED = "returned"        # the manager sent it back with comments
    ACCEPTED = "accepted"        # the manager accepted it; changes only through a recorded reopen
    IN_PROGRESS = "in_progress"  # work has started on at least one action
    CLOSED = "closed"


class ActionStatus(str, enum.Enum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"          # needs a reason


class FundingCategory(str, enum.Enum):
    CAPACITY_BUILDING = "capacity_building"
    FACILITIES_IMPROVEMENT = "facilities_improvement"
    OTHER = "other"


class Skill(Base):
    """A skill a capacity-building action trains (an editable list seeded from the score sheet's areas)."""

    __tablename__ = "skill"

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name_vi: Mapped[str200]
    name_en: Mapped[str200]
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


plan_action_indicator = Table(
    "plan_action_indicator",
    Base.metadata,
    Column("action_id", Integer, ForeignKey("plan_action.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_id", Integer, ForeignKey("indicator.id"), primary_key=True),
)


class ImprovementPlan(Base):
    __tablename__ = "improvement_plan"
    __table_args__ = (UniqueConstraint("facility_id", "round_id", name="uq_improvement_plan_facility_round"),)

    id: Mapped[intpk]
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    #: The finalised agreed assessment the plan was drawn from.
    agreed_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=PlanStatus.DRAFT.value)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    shared_at: Mapped[Optional[dt.datetime]]
    #: When and by whom the facility manager accepted or returned the plan.
    decided_at: Mapped[Optional[dt.datetime]]
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    #: The manager's comments when returning the plan ("" otherwise).
    return_comment: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[Optional[dt.datetime]]
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    facility: Mapped[Facility] = relationship(lazy="joined")
    round: Mapped[Round] = relationship(lazy="joined")
    agreed: Mapped[Assessment] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])
    actions: Mapped[list["PlanAction"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanAction.position", lazy="selectin"
    )
    events: Mapped[list["PlanEvent"]] = relationship(cascade="all, delete-orphan", order_by="PlanEvent.id")

    __mapper_args__ = {"version_id_col": version}


class PlanAction(Base):
    """One improvement action: what, who, when, how much, from which budget, which indicators."""

    __tablename__ = "plan_action"

    id: Mapped[intpk]
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    #: A role at the facility (see plans.domain.RESPONSIBLE_ROLES) and/or a named staff member.
    responsible_role: Mapped[str] = mapped_column(String(32), default="")
    responsible_name: Mapped[str] = mapped_column(String(200), default="")
    start_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    due_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    #: Cost estimate in whole Vietnamese đồng.
    cost_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    category: Mapped[str] = mapped_column(String(32), default=FundingCategory.OTHER.value)
    #: For capacity-building actions: the skill it builds.
    skill_id: Mapped[Optional[int]] = mapped_column(ForeignKey("skill.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.PLANNED.value)
    drop_reason: Mapped[str] = mapped_column(Text, default="")
    #: Case-library cases (keys of cases/data/cases.yaml) the action draws on, comma-separated.
    case_keys: Mapped[str] = mapped_column(String(400), default="")
    #: A published local practice the action draws on.
    practice_id: Mapped[Optional[int]] = mapped_column(ForeignKey("local_practice.id"))
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    plan: Mapped[ImprovementPlan] = relationship(back_populates="actions")
    indicators: Mapped[list[Indicator]] = relationship(secondary=plan_action_indicator, lazy="selectin",
                                                       order_by=Indicator.position)
    skill: Mapped[Optional[Skill]] = relationship(lazy="joined")
    notes: Mapped[list["ActionProgressNote"]] = relationship(
        back_populates="action", cascade="all, delete-orphan", lazy="selectin",
        order_by="(ActionProgressNote.noted_on, ActionProgressNote.id)",  # the history page's order, reversed
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def case_key_list(self) -> list[str]:
        return [k for k in self.case_keys.split(",") if k]


class ActionProgressNote(Base):
    """Progress reported on an action, with the day it refers to."""

    __tablename__ = "action_progress_note"

    id: Mapped[intpk]
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_action.id", ondelete="CASCADE"), index=True)
    noted_on: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[created_at]

    action: Mapped[PlanAction] = relationship(back_populates="notes")
    user: Mapped[Optional[User]] = relationship(lazy="joined")


class PlanEvent(Base):
    """Who changed what in a plan, and when (append-only)."""

    __tablename__ = "plan_event"

    id: Mapped[intpk]
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plan.id", ondelete="CASCADE"), index=True)
    #: The action concerned, if any (kept as a plain id: dropped actions stay, merged ones go).
    action_id: Mapped[Optional[int]]
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[Optional[User]] = relationship(lazy="joined")


#: Training sessions scheduled to answer capacity-building actions (national training plan).
training_session_action = Table(
    "training_session_action",
    Base.metadata,
    Column("training_id", Integer, ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True),
    Column("action_id", Integer, ForeignKey("plan_action.id", ondelete="CASCADE"), primary_key=True),
)
