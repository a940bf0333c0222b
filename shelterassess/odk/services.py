"""The XLSForm of a score-sheet version, and writing an imported submission into a draft
self-assessment or peer assessment through :func:`shelterassess.assessments.services.save_area`
(the save of both kinds' area pages), so the import follows the same rules as the area
pages: the assessment is locked, a draft in an open round only, each answer checked, a score
someone else changed since the preview refused as stale (:class:`~shelterassess.errors.StaleData`),
and the change is audited like any save.

The preview's answers travel to the confirmation in a hidden field signed with the app's
secret key (:mod:`itsdangerous`, salted with the assessment and the user, valid for
:data:`PAYLOAD_MAX_AGE`): a hand-made or edited payload, or one of another assessment or user,
is refused; and every answer is checked again on the confirmation all the same.

Services flush only; the view commits once.
"""
from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelterassess.assessments import queries as assessment_queries
from shelterassess.assessments.models import Assessment
from shelterassess.assessments.services import AnswerInput, form_mismatch_message, save_area
from shelterassess.auth.models import User
from shelterassess.errors import ValidationFailed
from shelterassess.odk.domain import AreaText, IndicatorText, SheetText
from shelterassess.odk.submissions import ParsedAnswer, answer_problems
from shelterassess.rounds.models import Round
from shelterassess.scoresheets.models import EVIDENCE_SOURCES, ScoreSheetVersion


def sheet_text(session: Session, sheet: ScoreSheetVersion) -> SheetText:
    """What the XLSForm and the import need of ``sheet``, with the rounds that use it."""
    rounds = session.execute(select(Round.id, Round.name).where(Round.sheet_id == sheet.id).order_by(Round.id)).all()
    return SheetText(
        key=sheet.key, version=sheet.version, title_vi=sheet.title_vi, title_en=sheet.title_en,
        rounds=tuple((r.id, r.name) for r in rounds), evidence_sources=EVIDENCE_SOURCES,
        areas=tuple(AreaText(area.key, area.code, area.title_vi, area.title_en, tuple(
            IndicatorText(ind.key, ind.code, ind.text_vi, ind.text_en, ind.na_allowed,
                          tuple((lv.descriptor_vi, lv.descriptor_en) for lv in ind.levels))
            for ind in area.indicators)) for area in sheet.areas))


#: How long a preview can be confirmed (seconds).
PAYLOAD_MAX_AGE = 3600


class PayloadRefused(Exception):
    """The confirmation's payload is not one this server signed for this assessment and user
    within :data:`PAYLOAD_MAX_AGE` (edited, made by hand, or too old)."""


def _serializer(secret_key: str, assessment: Assessment, user_id: int) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"odk-import:{assessment.id}:{user_id}")


def payload(session: Session, assessment: Assessment, answers: dict[str, ParsedAnswer], instance_id: str,
            secret_key: str, user_id: int) -> str:
    """The preview's hidden field, signed: the answers to write and the score versions they were
    previewed against (the confirmation is refused as stale when a score changed since)."""
    scores = assessment_queries.scores_by_indicator(session, assessment)
    by_key = {s.indicator.key: s for s in scores.values()}
    return _serializer(secret_key, assessment, user_id).dumps({
        "assessment": assessment.id, "instance": instance_id,
        "answers": {key: ["na" if a.not_applicable else ("" if a.value is None else a.value), list(a.evidence),
                          a.note, by_key[key].version if key in by_key else None]
                    for key, a in answers.items() if a.given},
    })


def read_payload(text: str, assessment: Assessment, sheet: SheetText, secret_key: str, user_id: int,
                 note_max: int, max_age: int | None = None,
                 ) -> tuple[dict[str, ParsedAnswer], dict[str, int | None], str]:
    """The answers, versions and submission id of a confirmation. :class:`PayloadRefused` when
    the signature is wrong or too old; :class:`ValidationFailed` when an answer does not pass
    the checks of the file's reading again (a wrong value, N/A where not allowed, an unknown
    evidence source, a note too long or holding control characters)."""
    try:
        data = _serializer(secret_key, assessment, user_id).loads(
            text, max_age=PAYLOAD_MAX_AGE if max_age is None else max_age)
    except BadSignature:  # SignatureExpired too
        raise PayloadRefused from None
    indicators = {ind.key: ind for ind in sheet.indicators}
    try:
        if not isinstance(data, dict) or data.get("assessment") != assessment.id \
                or not isinstance(data.get("instance", ""), str):
            raise ValueError
        answers, versions = {}, {}
        for key, (value, evidence, note, version) in data["answers"].items():
            if not (value in ("", "na") or isinstance(value, int)) or not isinstance(note, str) \
                    or not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence) \
                    or not (version is None or isinstance(version, int)):
                raise ValueError
            answer = ParsedAnswer(value if isinstance(value, int) else None, value == "na", tuple(evidence), note)
            if key not in indicators or answer_problems(sheet, indicators[key], answer, note_max):
                raise ValueError
            answers[key] = answer
            versions[key] = version
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        raise ValidationFailed([(None, form_mismatch_message())]) from None
    return answers, versions, data.get("instance", "")


def import_answers(session: Session, user: User, assessment: Assessment, answers: dict[str, ParsedAnswer],
                   versions: dict[str, int | None]) -> int:
    """Write ``answers`` (by indicator key) into the draft, area by area; all or nothing (the
    view rolls back on any refusal). Indicators the submission left blank keep their answers.
    Returns how many indicators were written."""
    sheet = assessment.round.sheet
    known = {ind.key for ind in sheet.indicators}
    if any(key not in known for key in answers):
        raise ValidationFailed([(None, form_mismatch_message())])
    written = 0
    for area in sheet.areas:
        inputs = [_input(ind.id, answers[ind.key], versions.get(ind.key))
                  for ind in area.indicators if ind.key in answers and answers[ind.key].given]
        if inputs:
            save_area(session, user, assessment, area, inputs)
            written += len(inputs)
    return written


def _input(indicator_id: int, answer: ParsedAnswer, version: Any) -> AnswerInput:
    return AnswerInput(indicator_id=indicator_id, value=answer.value, not_applicable=answer.not_applicable,
                       evidence=answer.evidence, note=answer.note.strip(), version=version)
