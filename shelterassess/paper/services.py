"""Typing a paper score sheet in twice and saving the resolved answers into the assessment, or
into the follow-up visit (:class:`~shelterassess.paper.sheets.PaperSheet`).

Services flush only; the request commits once. Each service locks the assessment first (a
visit's own follow-up assessment, as the follow-up services do;
:func:`shelterassess.assessments.services.lock_assessment`), so two people saving the same
entry, or resolving, at the same moment run one after the other: the second sees the first's
work and is refused with a message. The unique constraints on ``paper_entry`` and
``paper_resolution`` back this up (an IntegrityError becomes the same message, never a 500).
"""
from __future__ import annotations

from typing import Mapping, Union

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shelterassess.assessments import queries as assessment_queries
from shelterassess.assessments import services as assessment_services
from shelterassess.assessments.models import Assessment
from shelterassess.assessments.services import NOTE_MAX_LENGTH, AnswerInput
from shelterassess.auth.models import User
from shelterassess.errors import ValidationFailed
from shelterassess.followups import services as followup_services
from shelterassess.followups.models import VisitStatus
from shelterassess.paper import domain
from shelterassess.paper.domain import Choice, PaperAnswer, Resolved
from shelterassess.paper.models import PaperAnswer as PaperAnswerRow
from shelterassess.paper.models import PaperEntry, PaperResolution, PaperResolvedAnswer
from shelterassess.paper.sheets import PaperSheet
from shelterassess.scoresheets.models import EVIDENCE_SOURCES, Indicator

#: An assessment (its paper sheet) or a paper sheet (an assessment's or a follow-up visit's).
Target = Union[Assessment, PaperSheet]


def expected_code(target: Target) -> str:
    """The check code printed on the sheet's blank PDF (facility, round, sheet version; visit)."""
    return PaperSheet.of(target).expected_code


def indicators(target: Target) -> list[Indicator]:
    """The indicators typed from the sheet, in sheet order (see :meth:`PaperSheet.indicators`)."""
    return PaperSheet.of(target).indicators()


def entries(session: Session, target: Target) -> dict[int, PaperEntry]:
    """The entries saved so far, by number (1, 2)."""
    rows = session.scalars(select(PaperEntry).where(PaperEntry.assessment_id == PaperSheet.of(target).assessment.id))
    return {row.number: row for row in rows}


def resolution(session: Session, target: Target) -> PaperResolution | None:
    key = PaperSheet.of(target).assessment.id
    return session.scalar(select(PaperResolution).where(PaperResolution.assessment_id == key))


def answers_of(entry: PaperEntry) -> dict[int, PaperAnswer]:
    return {row.indicator_id: _answer(row) for row in entry.answers}


def _answer(row) -> PaperAnswer:
    return PaperAnswer(row.value, row.not_applicable, tuple(e for e in row.evidence.split(",") if e), row.note)


def next_number(existing: Mapping[int, PaperEntry], resolved: bool) -> int | None:
    """The number of the entry to type next, or None when both are saved (or resolved)."""
    if resolved or len(existing) >= 2:
        return None
    return len(existing) + 1


def wrong_code_message(sheet: PaperSheet | None = None) -> str:
    if sheet is not None and sheet.visit is not None:
        return _("This check code does not belong to this follow-up visit. Check that the paper sheet is the one "
                 "printed for this visit, and the code as printed in its header.")
    return _("This check code does not belong to this assessment's facility, round and score-sheet version. "
             "Check that the paper sheet is the right one, and the code as printed in its header.")


def same_person_message() -> str:
    return _("You typed the first entry of this paper sheet. The second entry must be typed by someone else, "
             "without looking at the first.")


def save_entry(session: Session, user: User, target: Target, number: int, typed_code: str,
               answers: Mapping[int, PaperAnswer]) -> PaperEntry:
    """Save entry ``number`` (what the form was opened as). Refused, with nothing saved, when the
    check code is wrong, the assessment (visit) is read-only, the entry is no longer the next one
    (someone else saved it meanwhile), or the same person typed the first entry."""
    sheet = PaperSheet.of(target)
    assessment_services.lock_assessment(session, sheet.assessment)
    user_id = user.id
    _ensure_editable(sheet)
    if not domain.code_matches(typed_code, sheet.expected_code):
        raise ValidationFailed([("check_code", wrong_code_message(sheet))])
    existing = entries(session, sheet)
    wanted = next_number(existing, resolution(session, sheet) is not None)
    if wanted is None:
        raise ValidationFailed([(None, _("Both entries of this paper sheet are saved already."))])
    if wanted != number:
        raise ValidationFailed([(None, _("Someone else saved entry %(n)d of this paper sheet while you were typing, "
                                         "so yours was not saved.", n=number))])
    if number == 2 and domain.second_entry_refused(existing[1].entered_by_id, user_id):
        raise ValidationFailed([(None, same_person_message())])
    by_id = {ind.id: ind for ind in sheet.indicators()}
    errors = [e for ind_id, answer in answers.items() for e in _answer_errors(by_id.get(ind_id), ind_id, answer)]
    if errors:
        raise ValidationFailed(errors)
    entry = PaperEntry(assessment_id=sheet.assessment.id, number=number, entered_by_id=user_id,
                       check_code=domain.normalize_code(typed_code), answers=[
                           PaperAnswerRow(indicator_id=ind_id, **_columns(answer))
                           for ind_id, answer in answers.items() if not answer.is_empty])
    _insert_once(session, entry, _("Someone else saved entry %(n)d of this paper sheet at the same moment, "
                                   "so yours was not saved.", n=number))
    return entry


def resolve(session: Session, user: User, target: Target, choices: Mapping[int, Choice]) -> PaperResolution:
    """Record the answer kept for every indicator and save them: into an assessment area by area
    through :func:`shelterassess.assessments.services.save_area`, into a follow-up visit through
    :func:`shelterassess.followups.services.save_results` (versions, audit trail and the read-only
    rules apply). Indicators left without a score (and not N/A) on the resolved sheet are not
    written: the assessment (visit) keeps what it holds for them."""
    sheet = PaperSheet.of(target)
    assessment_services.lock_assessment(session, sheet.assessment)
    _ensure_editable(sheet)
    existing = entries(session, sheet)
    if len(existing) < 2:
        raise ValidationFailed([(None, _("Both entries are needed before they can be compared."))])
    if resolution(session, sheet) is not None:
        raise ValidationFailed([(None, _("This paper sheet has been resolved already."))])
    by_id = {ind.id: ind for ind in sheet.indicators()}
    try:
        kept = domain.resolve(list(by_id), answers_of(existing[1]), answers_of(existing[2]), choices)
    except domain.Unresolved as unresolved:
        raise ValidationFailed([(f"choice-{i}", _("%(code)s: choose which answer to keep.", code=by_id[i].code))
                                for i in unresolved.indicator_ids]) from None
    errors = [e for ind_id, item in kept.items() if item.source == domain.OTHER
              for e in _answer_errors(by_id[ind_id], ind_id, item.answer, prefix="other-")]
    if errors:
        raise ValidationFailed(errors)
    record = PaperResolution(assessment_id=sheet.assessment.id, resolved_by_id=user.id, answers=[
        PaperResolvedAnswer(indicator_id=ind_id, source=item.source, **_columns(item.answer))
        for ind_id, item in kept.items()])
    _insert_once(session, record, _("Someone else resolved this paper sheet at the same moment."))
    if sheet.visit is not None:
        _save_into_visit(session, user, sheet, kept)
    else:
        _save_into_assessment(session, user, sheet.assessment, kept)
    return record


def _save_into_assessment(session: Session, user: User, assessment: Assessment, kept: Mapping[int, Resolved]) -> None:
    for area in assessment.round.sheet.areas:
        inputs = [AnswerInput(ind.id, a.value, a.not_applicable, a.evidence, a.note, None)
                  for ind in area.indicators if ind.id in kept
                  for a in [kept[ind.id].answer] if a.value is not None or a.not_applicable]
        if inputs:
            assessment_services.save_area(session, user, assessment, area, inputs)


def _save_into_visit(session: Session, user: User, sheet: PaperSheet, kept: Mapping[int, Resolved]) -> None:
    """The scores only (the action outcomes are recorded on the visit form), without versions: the
    resolver looked at the paper, so the sheet's answer replaces what the visit holds."""
    scores = [followup_services.ScoreInput(ind_id, a.value, a.not_applicable, a.evidence, a.note, None)
              for ind_id, item in kept.items() for a in [item.answer] if a.value is not None or a.not_applicable]
    if scores:
        followup_services.save_results(session, user, sheet.visit, [], scores)  # type: ignore[arg-type]


def written_indicator_ids(record: PaperResolution) -> set[int]:
    """The indicators whose resolved answer was saved into the assessment (a score or N/A)."""
    return {row.indicator_id for row in record.answers if row.value is not None or row.not_applicable}


def _columns(answer: PaperAnswer) -> dict:
    return dict(value=answer.value, not_applicable=answer.not_applicable,
                evidence=",".join(e for e in EVIDENCE_SOURCES if e in answer.evidence), note=answer.note)


def _answer_errors(indicator, ind_id: int, answer: PaperAnswer, prefix: str = "") -> list[tuple[str | None, str]]:
    if indicator is None:
        return [(None, assessment_services.form_mismatch_message())]
    errors: list[tuple[str | None, str]] = []
    if (answer.value is not None and answer.value not in domain.SCORES) or (
            answer.not_applicable and (answer.value is not None or not indicator.na_allowed)):
        errors.append((f"{prefix}score-{ind_id}", score_message(indicator)))
    if any(e not in EVIDENCE_SOURCES for e in answer.evidence):
        errors.append((f"{prefix}evidence-{ind_id}", _("%(code)s: unknown evidence source.", code=indicator.code)))
    if len(answer.note) > NOTE_MAX_LENGTH:
        errors.append((f"{prefix}note-{ind_id}", _("%(code)s: the note is longer than %(n)d characters.",
                                                   code=indicator.code, n=NOTE_MAX_LENGTH)))
    return errors


def score_message(indicator) -> str:
    """The message for a score box that holds something else than a score."""
    if indicator.na_allowed:
        return _("%(code)s: type 0, 1, 2, 3 or N/A, or leave the box empty.", code=indicator.code)
    return _("%(code)s: type 0, 1, 2 or 3, or leave the box empty.", code=indicator.code)


def _insert_once(session: Session, row, race_message: str) -> None:
    """Add and flush ``row``; a unique constraint it hits (a parallel save won) becomes ``race_message``."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise ValidationFailed([(None, race_message)]) from None


def _ensure_editable(sheet: PaperSheet) -> None:
    """The read-only rules of :func:`shelterassess.assessments.services.save_area` (of
    :func:`shelterassess.followups.services.save_results` for a visit), checked before anything is
    recorded (same messages)."""
    if sheet.visit is not None:
        if sheet.visit.status == VisitStatus.SUBMITTED.value:
            raise ValidationFailed([(None, _("This follow-up visit was submitted and is read-only."))])
        return
    assessment = sheet.assessment
    if assessment.is_submitted:
        raise ValidationFailed([(None, _("This assessment has been submitted and is read-only."))])
    if not assessment.round.is_open:
        raise ValidationFailed([(None, _("This round is closed; the assessment is read-only."))])


def scores_now(session: Session, assessment: Assessment) -> dict:
    """The assessment's saved scores by indicator id (for the result page)."""
    return assessment_queries.scores_by_indicator(session, assessment)
