from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelterassess.rounds.models import Round, RoundStatus


def all_rounds(session: Session) -> list[Round]:
    return list(session.scalars(select(Round).order_by(Round.created_at.desc(), Round.id.desc())))


def open_rounds(session: Session) -> list[Round]:
    return list(session.scalars(select(Round).where(Round.status == RoundStatus.OPEN.value).order_by(Round.name)))
