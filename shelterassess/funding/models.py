"""National fund allocation (issue 9): a funding round divides a budget among the facilities of
an assessment round, by funding category, from their agreed results and accepted plans.

* :class:`FundingRound`: the budget, the rounding unit, the rule's parameters (red-flag weight,
  capacity on/off, optional envelope per category) and the status draft → approved → reopened.
* :class:`FundingFacility`: a facility as the proposal saw it (a snapshot taken when the proposal
  is computed): its finalised agreed result (overall percentage in tenths, red flags), its
  capacity, or no result (listed apart; funded only when added by hand, with a reason).
* :class:`AllocationLine`: one facility and category: the request (sum of the costs of the actions
  not dropped of its accepted plan), the proposed amount and the adjusted amount with its reason.
* :class:`FundingScenario`: other parameters to compare with the round's, on the same snapshot.
* :class:`FundingEvent`: who changed what, when and why (append-only).

Money is whole Vietnamese đồng (``BigInteger``), never a float. The round and the lines carry a
version column; every change also holds a row lock on the round (``db.lock_rows``), so two
adjustments saved at once are checked one after the other.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Optional

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shelterassess.auth.models import User
from shelterassess.db import Base, created_at, intpk, str200, utcnow
from shelterassess.facilities.models import Facility
from shelterassess.rounds.models import Round


class FundingStatus(str, enum.Enum):
    DRAFT = "draft"
    APPROVED = "approved"  # locked; the facilities see their allocation
    REOPENED = "reopened"  # editable again, after a recorded reason


class FundingRound(Base):
    __tablename__ = "funding_round"

    id: Mapped[intpk]
    name: Mapped[str200] = mapped_column(unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    budget_vnd: Mapped[int] = mapped_column(BigInteger)
    rounding_unit_vnd: Mapped[int] = mapped_column(BigInteger)
    red_flag_weight: Mapped[int] = mapped_column(default=10)
    use_capacity: Mapped[bool] = mapped_column(default=False)
    envelope_capacity_building_vnd: Mapped[Optional[int]] = mapped_column(BigInteger)
    envelope_facilities_improvement_vnd: Mapped[Optional[int]] = mapped_column(BigInteger)
    envelope_other_vnd: Mapped[Optional[int]] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default=FundingStatus.DRAFT.value)
    #: When the snapshot of results and requests was last taken (None: no proposal yet).
    proposal_at: Mapped[Optional[dt.datetime]]
    approved_at: Mapped[Optional[dt.datetime]]
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    round: Mapped[Round] = relationship(lazy="joined")
    approved_by: Mapped[Optional[User]] = relationship(foreign_keys=[approved_by_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    facilities: Mapped[list["FundingFacility"]] = relationship(
        back_populates="funding_round", cascade="all, delete-orphan", passive_deletes=True)
    scenarios: Mapped[list["FundingScenario"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="FundingScenario.id")
    events: Mapped[list["FundingEvent"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="FundingEvent.id")

    __mapper_args__ = {"version_id_col": version}

    def envelopes(self) -> dict[str, Optional[int]]:
        return {"capacity_building": self.envelope_capacity_building_vnd,
                "facilities_improvement": self.envelope_facilities_improvement_vnd,
                "other": self.envelope_other_vnd}

    @property
    def is_editable(self) -> bool:
        return self.status != FundingStatus.APPROVED.value

    @property
    def is_approved(self) -> bool:
        return self.status == FundingStatus.APPROVED.value


class FundingFacility(Base):
    """A facility in the proposal's snapshot, with what its need weight is computed from."""

    __tablename__ = "funding_facility"
    __table_args__ = (UniqueConstraint("funding_round_id", "facility_id", name="uq_funding_facility_round_facility"),)

    id: Mapped[intpk]
    funding_round_id: Mapped[int] = mapped_column(ForeignKey("funding_round.id", ondelete="CASCADE"), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    #: The finalised agreed assessment the need weight comes from (None: no finalised result).
    agreed_id: Mapped[Optional[int]] = mapped_column(ForeignKey("assessment.id"))
    #: Its overall percentage as published, in tenths (62.5 % -> 625).
    overall_tenths: Mapped[Optional[int]]
    red_flags: Mapped[int] = mapped_column(default=0)
    capacity: Mapped[int] = mapped_column(default=0)
    #: A facility without a finalised result that the national team added by hand (with a reason).
    added_by_hand: Mapped[bool] = mapped_column(default=False)
    added_reason: Mapped[str] = mapped_column(Text, default="")

    funding_round: Mapped[FundingRound] = relationship(back_populates="facilities")
    facility: Mapped[Facility] = relationship(lazy="joined")
    lines: Mapped[list["AllocationLine"]] = relationship(
        back_populates="funding_facility", cascade="all, delete-orphan", passive_deletes=True,
        order_by="AllocationLine.id", lazy="selectin")

    @property
    def has_result(self) -> bool:
        return self.overall_tenths is not None


class AllocationLine(Base):
    """One facility and funding category."""

    __tablename__ = "allocation_line"
    __table_args__ = (UniqueConstraint("funding_facility_id", "category", name="uq_allocation_line_facility_category"),)

    id: Mapped[intpk]
    funding_facility_id: Mapped[int] = mapped_column(ForeignKey("funding_facility.id", ondelete="CASCADE"),
                                                     index=True)
    category: Mapped[str] = mapped_column(String(32))
    request_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    proposed_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    #: The national team's amount (None: the proposal stands), with its required reason.
    adjusted_vnd: Mapped[Optional[int]] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    funding_facility: Mapped[FundingFacility] = relationship(back_populates="lines")

    __mapper_args__ = {"version_id_col": version}

    @property
    def amount_vnd(self) -> int:
        """The amount allocated: adjusted, or else proposed."""
        return self.proposed_vnd if self.adjusted_vnd is None else self.adjusted_vnd

    @property
    def is_adjusted(self) -> bool:
        return self.adjusted_vnd is not None


class FundingScenario(Base):
    """Other parameters of the rule, compared with the round's on the same snapshot."""

    __tablename__ = "funding_scenario"
    __table_args__ = (UniqueConstraint("funding_round_id", "name", name="uq_funding_scenario_round_name"),)

    id: Mapped[intpk]
    funding_round_id: Mapped[int] = mapped_column(ForeignKey("funding_round.id", ondelete="CASCADE"), index=True)
    name: Mapped[str200]
    red_flag_weight: Mapped[int] = mapped_column(default=10)
    use_capacity: Mapped[bool] = mapped_column(default=False)
    envelope_capacity_building_vnd: Mapped[Optional[int]] = mapped_column(BigInteger)
    envelope_facilities_improvement_vnd: Mapped[Optional[int]] = mapped_column(BigInteger)
    envelope_other_vnd: Mapped[Optional[int]] = mapped_column(BigInteger)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[created_at]

    def envelopes(self) -> dict[str, Optional[int]]:
        return {"capacity_building": self.envelope_capacity_building_vnd,
                "facilities_improvement": self.envelope_facilities_improvement_vnd,
                "other": self.envelope_other_vnd}


class FundingEvent(Base):
    """Who changed what in a funding round, when and why (append-only). ``detail`` holds
    language-neutral ``field: old → new`` lines, translated when shown."""

    __tablename__ = "funding_event"

    id: Mapped[intpk]
    funding_round_id: Mapped[int] = mapped_column(ForeignKey("funding_round.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(32))
    facility_id: Mapped[Optional[int]] = mapped_column(ForeignKey("facility.id"))
    category: Mapped[Optional[str]] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[Optional[User]] = relationship(lazy="joined")
    facility: Mapped[Optional[Facility]] = relationship(lazy="joined")
