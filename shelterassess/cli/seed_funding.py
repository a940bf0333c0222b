"""Demo data for fund allocation (issue 9), through the same services as the web: the pilot round's
funding round, computed, with one adjustment (a reason in Vietnamese) and approved; and a draft
funding round for the 2027 round with an envelope for capacity building, its proposal computed.
A funding round that exists already (by name) is left as it is, so ``seed-demo`` can run again.

The amounts come from the accepted plans the plans seed makes (``seed_plans``): without an accepted
plan, the proposal requests nothing and no adjustment is made."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelterassess.auth.models import User
from shelterassess.funding import services
from shelterassess.funding.models import FundingRound
from shelterassess.rounds.models import Round

PILOT_FUND = "Quỹ cải thiện đợt thí điểm 2026"
FUND_2027 = "Quỹ cải thiện 2027"
ADJUSTMENT_REASON = "Tỉnh đã hỗ trợ một phần kinh phí cho hạng mục này; phần còn lại dành cho năm sau."


def seed_demo_funding(session: Session, pilot: Round, current: Round, national: User) -> None:
    seed_pilot_fund(session, pilot, national)
    seed_draft_fund(session, current, national)


def _existing(session: Session, name: str) -> FundingRound | None:
    return session.scalar(select(FundingRound).where(FundingRound.name == name))


def seed_pilot_fund(session: Session, pilot: Round, national: User) -> FundingRound:
    """30 000 000 đ in units of 1 000 000 đ: computed, one amount lowered by a unit, approved."""
    fround = _existing(session, PILOT_FUND)
    if fround is not None:
        return fround
    fround = services.create_funding_round(session, national, services.RoundInput(
        PILOT_FUND, "30.000.000", "1.000.000", services.ParametersInput("10", False, {}), pilot.id))
    services.compute_proposal(session, national, fround)
    lines = sorted((ln for ff in fround.facilities for ln in ff.lines if ln.proposed_vnd > 0),
                   key=lambda ln: (-ln.proposed_vnd, ln.id))
    if lines:
        line = lines[0]
        services.adjust(session, national, fround, line.id, str(line.proposed_vnd - fround.rounding_unit_vnd),
                        ADJUSTMENT_REASON)
    services.approve(session, national, fround)
    return fround


def seed_draft_fund(session: Session, current: Round, national: User) -> FundingRound:
    """500 000 000 đ for the 2027 round, at most 150 000 000 đ for capacity building, not approved."""
    fround = _existing(session, FUND_2027)
    if fround is not None:
        return fround
    fround = services.create_funding_round(session, national, services.RoundInput(
        FUND_2027, "500.000.000", "1.000.000",
        services.ParametersInput("10", True, {"capacity_building": "150.000.000"}), current.id))
    services.compute_proposal(session, national, fround)
    return fround
