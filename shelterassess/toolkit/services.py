"""Record escalated concerns and the national team's steps on them. Flush only; the caller
commits. Every change adds an :class:`EscalationEvent` (who, when, what) and touches the
escalation's row, whose version column makes two simultaneous steps on one escalation
conflict at the database instead of both being saved."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from shelterassess.auth.models import User
from shelterassess.db import utcnow
from shelterassess.errors import ValidationFailed
from shelterassess.facilities.models import Facility
from shelterassess.peer.models import PeerTeam
from shelterassess.toolkit import domain, labels
from shelterassess.toolkit.domain import Problem
from shelterassess.toolkit.models import Escalation, EscalationEvent, EscalationEventKind, EscalationStatus


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed([(p.field, labels.problem_message(p)) for p in problems])


def record_escalation(
    session: Session, user: User, *, facility: Facility | None, team: PeerTeam | None, facility_allowed: bool,
    category: str | None, seen_on: dt.date | None, today: dt.date, description: str, immediate_action: str,
) -> Escalation:
    """A new open escalation. ``facility_allowed`` says whether ``user`` may record one for
    ``facility`` (the view checks :func:`~shelterassess.auth.permissions.can_record_escalation`)."""
    description, immediate_action = domain.clean(description), domain.clean(immediate_action)
    _refuse(domain.check_escalation(category, facility is not None and facility_allowed, seen_on, today,
                                    description, immediate_action))
    escalation = Escalation(
        facility_id=facility.id, team_id=team.id if team else None, recorded_by_id=user.id, category=category,
        seen_on=seen_on, description=description, immediate_action=immediate_action,
        status=EscalationStatus.OPEN.value,
    )
    escalation.events.append(EscalationEvent(user_id=user.id, kind=EscalationEventKind.RECORDED.value))
    session.add(escalation)
    session.flush()
    return escalation


def _step(escalation: Escalation, step: str) -> None:
    if not domain.allowed(step, escalation.status):
        raise ValidationFailed([(None, labels.step_refused(step, escalation.status))])


def _text(field: str, text: str, minimum: int = domain.NOTE_MIN, maximum: int = domain.NOTE_MAX) -> str:
    text = domain.clean(text)
    _refuse(domain.check_text(field, text, minimum, maximum))
    return text


def _event(escalation: Escalation, user: User, kind: EscalationEventKind, text: str = "") -> None:
    escalation.events.append(EscalationEvent(user_id=user.id, kind=kind.value, text=text, at=utcnow()))
    escalation.updated_at = utcnow()  # an UPDATE of the row, so its version moves on every change


def acknowledge(session: Session, user: User, escalation: Escalation) -> None:
    _step(escalation, "acknowledge")
    _acknowledge(escalation, user)
    session.flush()


def _acknowledge(escalation: Escalation, user: User) -> None:
    escalation.status = EscalationStatus.ACKNOWLEDGED.value
    escalation.acknowledged_at, escalation.acknowledged_by_id = utcnow(), user.id
    _event(escalation, user, EscalationEventKind.ACKNOWLEDGED)


def record_action(session: Session, user: User, escalation: Escalation, text: str) -> None:
    """What the national team did; an open escalation is acknowledged by the same step."""
    _step(escalation, "action")
    text = _text("text", text)
    if escalation.is_open:
        _acknowledge(escalation, user)
    _event(escalation, user, EscalationEventKind.ACTION, text)
    session.flush()


def add_information(session: Session, user: User, escalation: Escalation, text: str) -> None:
    """More information from the person who recorded it, while it is not closed."""
    _step(escalation, "information")
    _event(escalation, user, EscalationEventKind.INFORMATION, _text("text", text))
    session.flush()


def close(session: Session, user: User, escalation: Escalation, text: str) -> None:
    """Close with the outcome; needs an action recorded since it was last opened."""
    _step(escalation, "close")
    if not escalation.has_action:
        raise ValidationFailed([(None, labels.step_refused("close", escalation.status))])
    text = _text("text", text)
    escalation.status = EscalationStatus.CLOSED.value
    escalation.closed_at, escalation.closed_by_id = utcnow(), user.id
    _event(escalation, user, EscalationEventKind.CLOSED, text)
    session.flush()


def reopen(session: Session, user: User, escalation: Escalation, reason: str) -> None:
    _step(escalation, "reopen")
    reason = _text("text", reason)
    escalation.status = EscalationStatus.ACKNOWLEDGED.value
    escalation.closed_at, escalation.closed_by_id = None, None
    _event(escalation, user, EscalationEventKind.REOPENED, reason)
    session.flush()
