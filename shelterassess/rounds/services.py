"""Create, open and close assessment rounds. Flush only; the caller commits."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from shelterassess.db import utcnow
from shelterassess.errors import ValidationFailed
from shelterassess.rounds.models import Round, RoundStatus
from shelterassess.scoresheets.models import ScoreSheetVersion


def create_round(session: Session, name: str, sheet: ScoreSheetVersion) -> Round:
    name = name.strip()
    if not sheet.is_published:
        raise ValidationFailed([("sheet", _("A round must use a published score sheet."))])
    if session.scalar(select(Round).where(Round.name == name)) is not None:
        raise ValidationFailed([("name", _("A round with this name exists already."))])
    round_ = Round(name=name, sheet=sheet)
    session.add(round_)
    session.flush()
    return round_


def open_round(session: Session, round_: Round) -> None:
    if round_.status == RoundStatus.OPEN.value:
        raise ValidationFailed([(None, _("This round is open already."))])
    round_.status = RoundStatus.OPEN.value
    round_.opened_at = round_.opened_at or utcnow()
    round_.closed_at = None
    session.flush()


def close_round(session: Session, round_: Round) -> None:
    if round_.status != RoundStatus.OPEN.value:
        raise ValidationFailed([(None, _("Only an open round can be closed."))])
    round_.status = RoundStatus.CLOSED.value
    round_.closed_at = utcnow()
    session.flush()
