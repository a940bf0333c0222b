"""Releasing finalised agreed results to facilities, one, several or all at once, and
withdrawing a release. Flush only; the request commits.

A release concerns the facility's finalised agreed assessment: the facility then sees
its agreed result and the peer assessments it was reconciled from. Each release and
withdrawal is recorded on the agreed assessment and those peer assessments.
"""
from __future__ import annotations

from typing import Iterable

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from shelterassess.assessments import peer_queries
from shelterassess.assessments.models import Assessment, AssessmentEvent, AssessmentKind
from shelterassess.auth.models import User
from shelterassess.assessments.peer_services import lock_result_sources
from shelterassess.db import utcnow
from shelterassess.errors import ValidationFailed
from shelterassess.rounds.models import Round

WITHDRAW_REASON_MIN = 5


def _finalised(session: Session, round_: Round, facility_ids: Iterable[int] | None) -> list[Assessment]:
    """The finalised agreed assessments of these facilities, locked against a parallel reopen."""
    wanted = None if facility_ids is None else set(facility_ids)
    agreed = [a for a in peer_queries.round_assessments(session, round_.id, (AssessmentKind.AGREED,))
              if wanted is None or a.facility_id in wanted]
    lock_result_sources(session, sorted({a.facility_id for a in agreed}), round_.id)
    return [a for a in agreed if a.is_submitted]


def _record(session: Session, user: User, agreed: Assessment, action: str, reason: str = "") -> None:
    """Record on the agreed assessment and on the peer assessments it was reconciled from."""
    for a in (agreed, *peer_queries.peers_for(session, agreed.facility_id, agreed.round_id, submitted_only=True)):
        session.add(AssessmentEvent(assessment_id=a.id, action=action, user_id=user.id, reason=reason))


def release_results(session: Session, user: User, round_: Round, facility_ids: Iterable[int] | None = None) -> int:
    """Release the finalised, not yet released results of these facilities (None: all of the
    round). Returns how many were released; refuses when there is none to release."""
    to_release = [a for a in _finalised(session, round_, facility_ids) if a.released_at is None]
    if not to_release:
        raise ValidationFailed([(None, _("There is no finalised result to release among those chosen."))])
    now = utcnow()
    for agreed in to_release:
        agreed.released_at, agreed.released_by_id = now, user.id
        _record(session, user, agreed, "results_released")
    session.flush()
    return len(to_release)


def withdraw_release(session: Session, user: User, round_: Round, reason: str,
                     facility_ids: Iterable[int] | None = None) -> int:
    """Hide released results from these facilities again (None: all of the round); who and why
    are recorded. Returns how many releases were withdrawn."""
    reason = reason.strip()
    if len(reason) < WITHDRAW_REASON_MIN:
        raise ValidationFailed([("reason", _("Say why the release is withdrawn."))])
    released = [a for a in _finalised(session, round_, facility_ids) if a.released_at is not None]
    if not released:
        raise ValidationFailed([(None, _("None of the results chosen is released."))])
    for agreed in released:
        withdraw_one(session, user, agreed, reason)
    session.flush()
    return len(released)


def withdraw_one(session: Session, user: User, agreed: Assessment, reason: str) -> None:
    agreed.released_at, agreed.released_by_id = None, None
    _record(session, user, agreed, "release_withdrawn", reason)
