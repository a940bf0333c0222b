"""Training sessions, certification of assessors and calibration attempts.

Services flush only; the request or CLI command commits once. A seed can call
:func:`save_training`, :func:`add_participant`, :func:`certify` and
:func:`submit_calibration` directly.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from shelterassess.assessors import queries
from shelterassess.assessors.domain import (
    MISSING_ATTEMPT,
    MISSING_PASS,
    MISSING_TRAINING,
    PracticeCase,
    PracticeSheet,
    answer_problems,
)
from shelterassess.auth.models import User
from shelterassess.auth.roles import Role
from shelterassess.db import utcnow
from shelterassess.errors import ValidationFailed
from shelterassess.peer.models import CalibrationAttempt, Certification, TrainingParticipant, TrainingSession

NOTE_MAX_LENGTH = 1000
#: Shortest reason the national team must give to certify without a passed calibration.
OVERRIDE_MIN_LENGTH = 10


@dataclass(frozen=True)
class TrainingInput:
    title: str
    held_on: Optional[dt.date]
    place: str
    trainers: str


# -- training sessions ----------------------------------------------------------------------

def save_training(session: Session, data: TrainingInput, training: TrainingSession | None = None) -> TrainingSession:
    """Create a training session, or update ``training``."""
    title, place, trainers = data.title.strip(), data.place.strip(), data.trainers.strip()
    errors: list[tuple[str | None, str]] = []
    if not title:
        errors.append(("title", _("Give the training a title.")))
    if data.held_on is None:
        errors.append(("held_on", _("Give the date of the training.")))
    if not place:
        errors.append(("place", _("Say where the training takes place.")))
    if not trainers:
        errors.append(("trainers", _("Name at least one trainer.")))
    if errors:
        raise ValidationFailed(errors)
    training = training or TrainingSession()
    training.title, training.held_on, training.place, training.trainers = title, data.held_on, place, trainers
    session.add(training)
    session.flush()
    return training


def add_participant(session: Session, training: TrainingSession, user: User) -> TrainingParticipant:
    """Put a facility staff member or manager on the training's list (attended by default)."""
    if not Role(user.role).belongs_to_facility or not user.active:
        raise ValidationFailed([("user_id", _("Only active facility staff and managers can join a training."))])
    if any(p.user_id == user.id for p in training.participants):
        raise ValidationFailed([("user_id", _("%(name)s is already on this training.", name=user.display_name))])
    participant = TrainingParticipant(user=user, attended=True)
    training.participants.append(participant)
    session.flush()
    return participant


def remove_participant(session: Session, training: TrainingSession, participant_id: int) -> None:
    participant = next((p for p in training.participants if p.id == participant_id), None)
    if participant is None:
        raise ValidationFailed([(None, _("This person is not on the training."))])
    training.participants.remove(participant)
    session.flush()


def record_attendance(session: Session, training: TrainingSession, attended_ids: set[int]) -> None:
    """Mark the participants whose ids are given as attended, the others as absent."""
    for participant in training.participants:
        participant.attended = participant.id in attended_ids
    session.flush()


# -- certification ---------------------------------------------------------------------------

def certify(session: Session, actor: User, user: User, note: str = "", override_reason: str = "") -> Certification:
    """Certify ``user`` as a peer assessor.

    They must have attended a training and passed a calibration attempt since their last
    attended training. Without that pass the national team may certify all the same by
    giving ``override_reason`` (recorded on the certification); it is ignored when the
    rule is met. Attending a training cannot be overridden.
    """
    note, override_reason = (note or "").strip(), (override_reason or "").strip()
    if not Role(user.role).belongs_to_facility:
        raise ValidationFailed([(None, _("Only facility staff and managers can be certified as peer assessors."))])
    if queries.valid_certification(session, user.id) is not None:
        raise ValidationFailed([(None, _("%(name)s is already certified.", name=user.display_name))])
    record = queries.assessor_record(session, user)
    rule = record.calibration_rule
    if rule.missing == MISSING_TRAINING:
        raise ValidationFailed([(None, _("%(name)s has not attended any training yet. Record their attendance at a "
                                         "training session before certifying them.", name=user.display_name))])
    errors: list[tuple[str | None, str]] = []
    if len(note) > NOTE_MAX_LENGTH:
        errors.append(("note", _("Keep the note under %(n)d characters.", n=NOTE_MAX_LENGTH)))
    if rule.met:
        override_reason = ""
    elif not override_reason:
        errors.append((None, calibration_missing_message(record)))
    elif len(override_reason) < OVERRIDE_MIN_LENGTH:
        errors.append(("override_reason", _("Write at least %(n)d characters: why is %(name)s certified without a "
                                            "passed calibration?", n=OVERRIDE_MIN_LENGTH, name=user.display_name)))
    elif len(override_reason) > NOTE_MAX_LENGTH:
        errors.append(("override_reason", _("Keep the reason under %(n)d characters.", n=NOTE_MAX_LENGTH)))
    if errors:
        raise ValidationFailed(errors)
    certification = Certification(user=user, certified_by=actor, certified_at=utcnow(), note=note,
                                  override_reason=override_reason)
    session.add(certification)
    session.flush()
    return certification


def calibration_missing_message(record: queries.AssessorRecord) -> str:
    """What the person lacks for certification, in words ("" when the rule is met)."""
    rule, name = record.calibration_rule, record.user.display_name
    training = record.last_training
    if rule.missing == MISSING_TRAINING or training is None:
        return _("%(name)s has not attended any training yet.", name=name)
    since = {"name": name, "title": training.title, "date": format_date(training.held_on, "medium")}
    if rule.missing == MISSING_ATTEMPT:
        return _("%(name)s has no calibration attempt since their last training (%(title)s, %(date)s). They need to "
                 "pass a practice case first, or the national team gives a reason to certify them without it.", **since)
    if rule.missing == MISSING_PASS:
        return ngettext("The calibration attempt of %(name)s since their last training (%(title)s, %(date)s) did "
                        "not pass: it needs at least %(within)s agreement within one point and a weighted kappa of at "
                        "least %(kappa)s. They need to pass a practice case first, or the national team gives a reason "
                        "to certify them without it.",
                        "None of the %(num)d calibration attempts of %(name)s since their last training (%(title)s, "
                        "%(date)s) passed: each needs at least %(within)s agreement within one point and a weighted "
                        "kappa of at least %(kappa)s. They need to pass a practice case first, or the national team "
                        "gives a reason to certify them without it.",
                        rule.attempts_since, **threshold_labels(), **since)
    return ""


def threshold_labels() -> dict[str, str]:
    """The configured pass thresholds for display: ``within`` ("85%") and ``kappa`` ("0.60")."""
    thresholds = queries.calibration_thresholds()
    return {"within": format_percent(thresholds.min_within_one / 100, "#,##0.#%"),
            "kappa": format_decimal(thresholds.min_kappa, "0.00")}


def revoke(session: Session, actor: User, user: User, reason: str) -> Certification:
    """End the user's valid certification, recording who, when and why; the record is kept."""
    reason = (reason or "").strip()
    certification = queries.valid_certification(session, user.id)
    if certification is None:
        raise ValidationFailed([(None, _("%(name)s holds no valid certification.", name=user.display_name))])
    if not reason:
        raise ValidationFailed([("reason", _("Say why the certification is revoked."))])
    if len(reason) > NOTE_MAX_LENGTH:
        raise ValidationFailed([("reason", _("Keep the reason under %(n)d characters.", n=NOTE_MAX_LENGTH))])
    certification.revoked_at = utcnow()
    certification.revoked_by_id = actor.id
    certification.revoke_reason = reason
    session.flush()
    return certification


# -- calibration -----------------------------------------------------------------------------

def submit_calibration(
    session: Session, user: User, case: PracticeCase, sheet: PracticeSheet, scores: dict[str, Optional[int]]
) -> CalibrationAttempt:
    """Store a complete set of scores (indicator key -> 0..3 or None for N/A) for a practice case.

    Every indicator must be answered; N/A only where the indicator allows it.
    """
    problems = answer_problems(sheet, scores)
    if problems:
        raise ValidationFailed(_calibration_errors(problems))
    keys = set(sheet.keys)
    attempt = CalibrationAttempt(user=user, practice_case=case.slug,
                                 scores={k: v for k, v in scores.items() if k in keys})
    session.add(attempt)
    session.flush()
    return attempt


def _calibration_errors(problems) -> list[tuple[str | None, str]]:
    missing = [p.code for p in problems if p.missing]
    errors: list[tuple[str | None, str]] = []
    if missing:
        errors.append((None, _("Nothing was saved: %(n)d indicators are not scored yet (%(codes)s). Choose a score "
                               "for each of them; your other answers are kept.",
                               n=len(missing), codes=", ".join(missing))))
    for p in problems:
        message = _("Choose a score for %(code)s.", code=p.code) if p.missing else \
            _("%(code)s: choose 0, 1, 2 or 3.", code=p.code)
        errors.append((f"score-{p.code}", message))
    if not missing:
        errors.insert(0, (None, _("Nothing was saved. Please correct the indicators marked below.")))
    return errors
