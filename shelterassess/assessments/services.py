"""Self-assessment workflow: start, save answers by area, submit, reopen.

Services flush only; the request or CLI command commits once.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from shelterassess.assessments import queries
from shelterassess.assessments.domain import Answer, IndicatorSpec, InvalidAnswer, check_answer
from shelterassess.assessments.models import (
    AreaResult,
    Assessment,
    AssessmentEvent,
    AssessmentKind,
    AssessmentStatus,
    Score,
)
from shelterassess.auth.models import User
from shelterassess.db import lock_rows, utcnow
from shelterassess.errors import StaleData, ValidationFailed
from shelterassess.facilities.models import Facility
from shelterassess.rounds.models import Round
from shelterassess.scoresheets.models import EVIDENCE_SOURCES, Area

NOTE_MAX_LENGTH = 2000

#: The kinds whose assessments make up a facility's official result for a round.
RESULT_SOURCE_KINDS = (AssessmentKind.SELF, AssessmentKind.PEER, AssessmentKind.AGREED)


def lock_result_sources(session: Session, facility_id: int | list[int], round_id: int,
                        also: Collection[int] = ()) -> None:
    """Lock the facility's (or facilities') self, peer and agreed assessments of the round, and
    the assessments ``also`` names, in one id-ordered :func:`shelterassess.db.lock_rows`, then
    read everything afresh.

    Every service that checks an assessment's state and then changes it (save, submit, reopen,
    reconcile, finalise, release, withdrawing a team) calls this first, before it reads what
    it checks: the services then run one after the other, never across each other's checks,
    and, since every one of them locks the whole set in id order, they cannot deadlock
    (writing a history row also takes a key lock on the assessment it names).
    """
    facility_ids = facility_id if isinstance(facility_id, list) else [facility_id]
    ids = set(session.scalars(select(Assessment.id).where(
        Assessment.facility_id.in_(facility_ids), Assessment.round_id == round_id,
        Assessment.kind.in_([k.value for k in RESULT_SOURCE_KINDS]),
    )))
    lock_rows(session, Assessment, ids | set(also))


def lock_assessment(session: Session, assessment: Assessment) -> None:
    """Lock ``assessment`` (with its facility's result sources, see :func:`lock_result_sources`)
    and re-read it: its status and scores are then those of the last commit, and stay so until
    this transaction ends."""
    lock_result_sources(session, assessment.facility_id, assessment.round_id, also=[assessment.id])


@dataclass(frozen=True)
class AnswerInput:
    """What the form sent for one indicator."""

    indicator_id: int
    value: int | None
    not_applicable: bool
    evidence: tuple[str, ...]
    note: str
    version: int | None


def start_assessment(
    session: Session, user: User, facility: Facility, round_: Round, kind: AssessmentKind = AssessmentKind.SELF,
    team_id: int | None = None, indicator_ids: Collection[int] | None = None,
) -> Assessment:
    """The facility's assessment of this kind in the round (for a peer assessment: ``team_id``'s),
    created with one empty score per indicator (only ``indicator_ids``' when given: a follow-up
    re-scores the indicators its plan touched).

    A follow-up may start in a round that is no longer open: it checks a plan made from the
    round's finalised result, usually months later.

    A self-assessment that exists already is returned. When someone else creates the same
    self, agreed or peer assessment at the same moment, the database refuses the second row
    (partial unique indexes on ``assessment``) and the row that won is returned.
    """
    if kind is AssessmentKind.SELF:
        existing = queries.find_self_assessment(session, facility.id, round_.id)
        if existing is not None:
            return existing
    if not round_.is_open and kind is not AssessmentKind.FOLLOW_UP:
        raise ValidationFailed([(None, _("This round is not open."))])
    assessment = Assessment(round=round_, facility=facility, kind=kind.value, team_id=team_id, started_by_id=user.id)
    try:
        with session.begin_nested():
            session.add(assessment)
            session.flush()
    except IntegrityError:
        existing = queries.find_assessment(session, facility.id, round_.id, kind, team_id)
        if existing is None or kind is AssessmentKind.FOLLOW_UP:
            raise
        return existing
    for indicator in round_.sheet.indicators:
        if indicator_ids is None or indicator.id in indicator_ids:
            session.add(Score(assessment_id=assessment.id, indicator_id=indicator.id))
    session.add(AssessmentEvent(assessment_id=assessment.id, action="started", user_id=user.id))
    session.flush()
    return assessment


@dataclass(frozen=True)
class _IndicatorFacts:
    """What a save checks of an indicator, read before the lock (a round's sheet is published, and
    a published sheet never changes: :func:`shelterassess.scoresheets.services.ensure_draft`)."""

    id: int
    code: str
    critical: bool
    na_allowed: bool


def save_area(session: Session, user: User, assessment: Assessment, area: Area,
              inputs: list[AnswerInput]) -> dict[int, Score]:
    """Save the answers of one area. All or nothing: any invalid or stale answer saves none.
    Returns the area's scores by indicator id, as saved (with the versions the save produced).

    The assessment is locked first (:func:`lock_assessment`): a submission or another save
    of it waits, and this save sees what they committed. What the save checks and changes is
    read once, after the lock: the assessment, then the area's scores (one statement each,
    whatever the number of indicators)."""
    indicators = {i.id: _IndicatorFacts(i.id, i.code, i.critical, i.na_allowed) for i in area.indicators}
    area_id = area.id
    user_id = user.id  # read now: reloading it mid-change (after the lock) would autoflush, bumping a version twice
    lock_assessment(session, assessment)
    _ensure_editable(assessment)
    scores = queries.area_scores(session, assessment.id, area_id)
    errors: list[tuple[str | None, str]] = []
    stale: list[str] = []
    for item in inputs:
        indicator = indicators.get(item.indicator_id)
        if indicator is None or item.indicator_id not in scores:
            raise ValidationFailed([(None, form_mismatch_message())])
        errors.extend(_check_input(indicator, item))
        score = scores[item.indicator_id]
        if item.version is not None and item.version != score.version and _differs(score, item):
            stale.append(indicator.code)
    if errors:
        raise ValidationFailed(errors)
    if stale:
        raise StaleData(stale)
    for item in inputs:
        _apply(scores[item.indicator_id], item, user_id)
    assessment.updated_at = utcnow()
    flush_or_stale(session, [indicators[i.indicator_id].code for i in inputs])
    return scores


def form_mismatch_message() -> str:
    """A form whose fields are not those of the score sheet (an old page, a hand-made request)."""
    return _("The form does not match this score sheet. Reload the page.")


def flush_or_stale(session: Session, codes: list[str]) -> None:
    """Flush; a score someone else saved since it was read (the version check of the UPDATE)
    refuses the save like a stale form (:class:`StaleData` naming ``codes``), not with a 500."""
    try:
        session.flush()
    except StaleDataError:
        raise StaleData(codes) from None


def _check_input(indicator, item: AnswerInput) -> list[tuple[str | None, str]]:
    errors: list[tuple[str | None, str]] = []
    try:
        check_answer(IndicatorSpec(str(indicator.id), indicator.critical, indicator.na_allowed),
                     Answer(item.value, item.not_applicable))
    except InvalidAnswer:
        errors.append((f"score-{indicator.id}", _("%(code)s: choose 0, 1, 2 or 3%(na)s.", code=indicator.code,
                                                   na=_(" or N/A") if indicator.na_allowed else "")))
    if any(e not in EVIDENCE_SOURCES for e in item.evidence):
        errors.append((f"evidence-{indicator.id}", _("%(code)s: unknown evidence source.", code=indicator.code)))
    if len(item.note) > NOTE_MAX_LENGTH:
        errors.append((f"note-{indicator.id}", _("%(code)s: the note is longer than %(n)d characters.",
                                                  code=indicator.code, n=NOTE_MAX_LENGTH)))
    return errors


def _differs(score: Score, item: AnswerInput) -> bool:
    return (score.value, score.not_applicable, score.evidence_list, score.note) != (
        item.value, item.not_applicable, list(item.evidence), item.note)


def _apply(score: Score, item: AnswerInput, user_id: int) -> None:
    if not _differs(score, item):
        return
    score.value = item.value
    score.not_applicable = item.not_applicable
    score.evidence = ",".join(e for e in EVIDENCE_SOURCES if e in item.evidence)
    score.note = item.note
    score.updated_by_id = user_id


def _ensure_not_reconciled(session: Session, assessment: Assessment) -> None:
    agreed = queries.find_assessment(session, assessment.facility_id, assessment.round_id, AssessmentKind.AGREED)
    if agreed is not None and agreed.is_submitted:
        raise ValidationFailed([(None, _(
            "The agreed result of this facility was reconciled from this assessment and is finalised, so the "
            "assessment cannot be reopened. Reopen the agreed result first: it goes back to reconciliation."))])


def _ensure_editable(assessment: Assessment) -> None:
    if assessment.is_submitted:
        raise ValidationFailed([(None, _("This assessment has been submitted and is read-only."))])
    if not assessment.round.is_open:
        raise ValidationFailed([(None, _("This round is closed; the assessment is read-only."))])


def submit(session: Session, user: User, assessment: Assessment) -> None:
    """Lock the assessment and store its area results; every indicator must be answered.

    Submitting twice (two clicks, two people) submits once: the second is refused with a
    message, never a duplicate area result."""
    lock_assessment(session, assessment)
    if assessment.is_submitted:
        raise ValidationFailed([(None, _("This assessment has already been submitted."))])
    user_id = user.id
    _ensure_editable(assessment)
    result = queries.compute_score(session, assessment)
    if not result.complete:
        missing = result.total - result.answered
        raise ValidationFailed([(None, _("%(n)d indicators are not answered yet. Answer every indicator (a score or N/A) before submitting.", n=missing))])
    assessment.area_results = [
        AreaResult(area_id=int(a.key), position=pos, percentage=a.percentage, applicable=a.applicable, total=a.total)
        for pos, a in enumerate(result.areas, start=1)
    ]
    assessment.overall_percentage = result.overall_percentage
    assessment.red_flag_count = len(result.red_flags)
    assessment.status = AssessmentStatus.SUBMITTED.value
    assessment.submitted_at = utcnow()
    assessment.submitted_by_id = user_id
    session.add(AssessmentEvent(assessment_id=assessment.id, action="submitted", user_id=user_id))
    session.flush()


def reopen(session: Session, user: User, assessment: Assessment, reason: str) -> None:
    """Unlock a submitted assessment; who and why are recorded.

    A self or peer assessment is frozen while the agreed result reconciled from it is
    finalised: the agreed result must be reopened first. Reopening an agreed result sends
    it back to reconciliation and withdraws its release, so a released comparison never
    changes silently.
    """
    reason = reason.strip()
    lock_assessment(session, assessment)
    if not assessment.is_submitted:
        raise ValidationFailed([(None, _("Only a submitted assessment can be reopened."))])
    if len(reason) < 5:
        raise ValidationFailed([("reason", _("Say why the assessment is reopened."))])
    if assessment.kind == AssessmentKind.SELF.value or (
            assessment.kind == AssessmentKind.PEER.value and not assessment.is_withdrawn):
        _ensure_not_reconciled(session, assessment)
    if assessment.kind == AssessmentKind.AGREED.value and assessment.released_at is not None:
        from shelterassess.assessments.release_services import withdraw_one

        withdraw_one(session, user, assessment, reason)
    assessment.status = AssessmentStatus.DRAFT.value
    assessment.area_results = []
    assessment.overall_percentage = None
    assessment.red_flag_count = 0
    assessment.submitted_at = None
    session.add(AssessmentEvent(assessment_id=assessment.id, action="reopened", user_id=user.id, reason=reason))
    session.flush()
