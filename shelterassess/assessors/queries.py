"""Read queries for assessors: trainings, certifications, calibration attempts, practice cases."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable, Optional
from zoneinfo import ZoneInfo

import yaml
from flask import current_app
from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from shelterassess.assessors.domain import (
    AttemptFact,
    CalibrationOutcome,
    CalibrationRule,
    PracticeCase,
    PracticeSheet,
    Thresholds,
    calibration_rule,
    compare,
    parse_practice_cases,
    parse_sheet,
)
from shelterassess.auth.models import User
from shelterassess.auth.roles import Role
from shelterassess.facilities.models import Facility
from shelterassess.peer.models import CalibrationAttempt, Certification, TrainingParticipant, TrainingSession

DATA_DIR = Path(__file__).parent / "data"
PRACTICE_CASES_FILE = DATA_DIR / "practice_cases.yaml"
SHEETS_DIR = Path(__file__).resolve().parent.parent / "scoresheets" / "data"
FACILITY_ROLES = (Role.FACILITY_STAFF.value, Role.FACILITY_MANAGER.value)


# -- practice cases (shipped data) ------------------------------------------------------

def _read(path: Path):
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=1)
def practice_cases() -> tuple[PracticeCase, ...]:
    return parse_practice_cases(_read(PRACTICE_CASES_FILE))


def practice_case(slug: str) -> PracticeCase | None:
    return next((c for c in practice_cases() if c.slug == slug), None)


@lru_cache(maxsize=4)
def practice_sheet(key: str = "standard", version: int = 1) -> PracticeSheet:
    """The shipped score sheet a practice case is scored on (read from its data file, not the database)."""
    return parse_sheet(_read(SHEETS_DIR / f"{key}_v{version}.yaml"))


def sheet_for(case: PracticeCase) -> PracticeSheet:
    return practice_sheet(case.sheet_key, case.sheet_version)


def calibration_thresholds() -> Thresholds:
    """The pass thresholds of the app's configuration."""
    config = current_app.config
    return Thresholds(float(config["CALIBRATION_MIN_WITHIN_ONE"]), float(config["CALIBRATION_MIN_KAPPA"]))


def outcome(attempt: CalibrationAttempt) -> CalibrationOutcome | None:
    """The attempt compared with its case's reference; None if the case is no longer shipped."""
    case = practice_case(attempt.practice_case)
    return None if case is None else compare(sheet_for(case), case, attempt.scores, calibration_thresholds())


def local_date(moment: dt.datetime) -> dt.date:
    """The day ``moment`` (UTC; naive as SQLite returns it) falls on in the app's time zone."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


# -- trainings ----------------------------------------------------------------------------

def all_trainings(session: Session) -> list[TrainingSession]:
    newest_first = (TrainingSession.held_on.desc(), TrainingSession.id.desc())
    return list(session.scalars(select(TrainingSession).order_by(*newest_first)))


def participants(session: Session, training: TrainingSession) -> list[TrainingParticipant]:
    """Ordered by facility code, then name."""
    return list(
        session.scalars(
            select(TrainingParticipant)
            .join(User, TrainingParticipant.user_id == User.id)
            .outerjoin(Facility, User.facility_id == Facility.id)
            .where(TrainingParticipant.training_id == training.id)
            .order_by(Facility.code, User.display_name, User.id)
        )
    )


def eligible_participants(session: Session, exclude_ids: set[int] | frozenset[int] = frozenset()) -> list[User]:
    """Active facility staff and managers who could join a training, by facility code then name."""
    users = session.scalars(
        select(User)
        .join(Facility, User.facility_id == Facility.id)
        .where(User.role.in_(FACILITY_ROLES), User.active.is_(True))
        .order_by(Facility.code, User.display_name, User.id)
    )
    return [u for u in users if u.id not in exclude_ids]


def attended_trainings(session: Session, user_id: int) -> list[TrainingSession]:
    return list(
        session.scalars(
            select(TrainingSession)
            .join(TrainingParticipant, TrainingParticipant.training_id == TrainingSession.id)
            .where(TrainingParticipant.user_id == user_id, TrainingParticipant.attended.is_(True))
            .order_by(TrainingSession.held_on, TrainingSession.id)
        )
    )


# -- certifications -----------------------------------------------------------------------

def certifications(session: Session, user_id: int) -> list[Certification]:
    """A person's certifications, newest first (a revoked one stays on record)."""
    return list(
        session.scalars(
            select(Certification)
            .where(Certification.user_id == user_id)
            .order_by(Certification.certified_at.desc(), Certification.id.desc())
        )
    )


def _holds_valid_certification(user_id):
    """SQL: the user (an id or a column) holds a certification that is not revoked."""
    return exists().where(Certification.user_id == user_id, Certification.revoked_at.is_(None))


def valid_certification(session: Session, user_id: int) -> Certification | None:
    """The user's latest certification that is not revoked."""
    return session.scalar(
        select(Certification)
        .where(Certification.user_id == user_id, Certification.revoked_at.is_(None))
        .order_by(Certification.certified_at.desc(), Certification.id.desc())
        .limit(1)
    )


def revoked_by(session: Session, certification: Certification) -> User | None:
    if certification.revoked_by_id is None:
        return None
    return session.get(User, certification.revoked_by_id)


def is_certified(session: Session, user_id: int) -> bool:
    """A user is certified as a peer assessor while a certification of theirs is not revoked."""
    return bool(session.scalar(select(_holds_valid_certification(user_id))))


def certified_user_ids(session: Session, user_ids: Iterable[int] | None = None) -> set[int]:
    """Ids of the users holding a valid (not revoked) certification: every such user, or those among ``user_ids``."""
    query = select(Certification.user_id).where(Certification.revoked_at.is_(None))
    if user_ids is not None:
        ids = list(set(user_ids))
        if not ids:
            return set()
        query = query.where(Certification.user_id.in_(ids))
    return set(session.scalars(query))


def certified_assessors(session: Session) -> list[User]:
    """Facility staff and managers holding a valid certification: the people who may sit on a peer team.

    Ordered by facility code, then name. Inactive accounts are left out.
    """
    return list(
        session.scalars(
            select(User)
            .join(Facility, User.facility_id == Facility.id)
            .where(User.role.in_(FACILITY_ROLES), User.active.is_(True), _holds_valid_certification(User.id))
            .order_by(Facility.code, User.display_name, User.id)
        )
    )


# -- calibration attempts -------------------------------------------------------------------

def attempts_of(session: Session, user_id: int) -> list[CalibrationAttempt]:
    return list(
        session.scalars(
            select(CalibrationAttempt)
            .where(CalibrationAttempt.user_id == user_id)
            .order_by(CalibrationAttempt.submitted_at.desc(), CalibrationAttempt.id.desc())
        )
    )


# -- assessor records -----------------------------------------------------------------------

def calibration_rule_for(trainings: list[TrainingSession],
                         attempts: Iterable[tuple[CalibrationAttempt, CalibrationOutcome | None]]) -> CalibrationRule:
    """The certification rule for someone who attended ``trainings`` and made ``attempts``
    (with their outcomes; an attempt on a case no longer shipped does not pass)."""
    facts = [AttemptFact(a.id, local_date(a.submitted_at), o is not None and o.passed) for a, o in attempts]
    return calibration_rule((t.held_on for t in trainings), facts)


@dataclass
class AssessorRecord:
    """One person's record: trainings attended, every calibration attempt, certification."""

    user: User
    trainings: list[TrainingSession] = field(default_factory=list)
    #: every attempt, newest first, with its outcome (None when the case is no longer shipped)
    attempts: list[tuple[CalibrationAttempt, Optional[CalibrationOutcome]]] = field(default_factory=list)
    certification: Optional[Certification] = None  # the latest one, valid or revoked

    @property
    def last_training(self) -> Optional[TrainingSession]:
        return max(self.trainings, key=lambda t: (t.held_on, t.id), default=None)

    @cached_property
    def calibration_rule(self) -> CalibrationRule:
        return calibration_rule_for(self.trainings, self.attempts)

    @property
    def is_certified(self) -> bool:
        return self.certification is not None and self.certification.is_valid


def assessor_records(session: Session) -> list[AssessorRecord]:
    """Facility staff and managers who attended a training or have ever been certified, by facility then name."""
    return records_of(session, list(session.scalars(assessor_records_query())))


def assessor_records_query() -> Select:
    """The people of :func:`assessor_records`, by facility code, name, then id (the list pages through it)."""
    attended = select(TrainingParticipant.user_id).where(TrainingParticipant.attended.is_(True))
    return (select(User)
            .join(Facility, User.facility_id == Facility.id)
            .where(User.role.in_(FACILITY_ROLES),
                   User.id.in_(attended) | User.id.in_(select(Certification.user_id)))
            .order_by(Facility.code, User.display_name, User.id))


def records_of(session: Session, users: list[User]) -> list[AssessorRecord]:
    """The records of ``users`` (in that order): trainings, attempts and certifications read in
    three statements for all of them, whatever their number."""
    ids = [u.id for u in users]
    if not ids:
        return []
    trainings: dict[int, list[TrainingSession]] = {}
    for user_id, training in session.execute(
            select(TrainingParticipant.user_id, TrainingSession)
            .join(TrainingParticipant, TrainingParticipant.training_id == TrainingSession.id)
            .where(TrainingParticipant.user_id.in_(ids), TrainingParticipant.attended.is_(True))
            .order_by(TrainingSession.held_on, TrainingSession.id)):
        trainings.setdefault(user_id, []).append(training)
    attempts: dict[int, list[CalibrationAttempt]] = {}
    for attempt in session.scalars(select(CalibrationAttempt).where(CalibrationAttempt.user_id.in_(ids))
                                   .order_by(CalibrationAttempt.submitted_at.desc(), CalibrationAttempt.id.desc())):
        attempts.setdefault(attempt.user_id, []).append(attempt)
    latest: dict[int, Certification] = {}
    for cert in session.scalars(select(Certification).where(Certification.user_id.in_(ids))
                                .order_by(Certification.certified_at.desc(), Certification.id.desc())):
        latest.setdefault(cert.user_id, cert)
    return [AssessorRecord(u, trainings.get(u.id, []), [(a, outcome(a)) for a in attempts.get(u.id, [])],
                           latest.get(u.id)) for u in users]


def assessor_record(session: Session, user: User) -> AssessorRecord:
    return _record(session, user)


def _record(session: Session, user: User) -> AssessorRecord:
    latest = certifications(session, user.id)
    attempts = [(a, outcome(a)) for a in attempts_of(session, user.id)]
    return AssessorRecord(user, attended_trainings(session, user.id), attempts, latest[0] if latest else None)
