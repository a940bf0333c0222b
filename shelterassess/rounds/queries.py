from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from shelterassess.rounds.models import Round, RoundStatus


def all_rounds(session: Session) -> list[Round]:
    return list(session.scalars(rounds_query()))


def rounds_query() -> Select:
    """Every round, newest first (the rounds list pages through it)."""
    return select(Round).order_by(Round.created_at.desc(), Round.id.desc())


def open_rounds(session: Session) -> list[Round]:
    return list(session.scalars(select(Round).where(Round.status == RoundStatus.OPEN.value).order_by(Round.name)))
