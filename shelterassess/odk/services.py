"""The XLSForm of a score-sheet version, and writing an imported submission into a draft
self-assessment or peer assessment through :func:`shelterassess.assessments.services.save_area`
(the save of both kinds' area pages), so the import follows the same rules as the area
pages: the assessment is locked, a draft in an open round only, each answer checked, a score
someone else changed since the preview refused as stale (:class:`~shelterassess.errors.StaleData`),
and the change is audited like any save.

Services flush only; the view commits once.
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelterassess.assessments import queries as assessment_queries
from shelterassess.assessments.models import Assessment
from shelterassess.assessments.services import AnswerInput, form_mismatch_message, save_area
from shelterassess.auth.models import User
from shelterassess.errors import ValidationFailed
from shelterassess.odk.domain import AreaText, IndicatorText, SheetText
from shelterassess.odk.submissions import ParsedAnswer
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


def payload(session: Session, assessment: Assessment, answers: dict[str, ParsedAnswer], instance_id: str) -> str:
    """The preview's hidden field: the answers to write and the score versions they were
    previewed against (the confirmation is refused as stale when a score changed since)."""
    scores = assessment_queries.scores_by_indicator(session, assessment)
    by_key = {s.indicator.key: s for s in scores.values()}
    return json.dumps({
        "assessment": assessment.id, "instance": instance_id,
        "answers": {key: ["na" if a.not_applicable else ("" if a.value is None else a.value), list(a.evidence),
                          a.note, by_key[key].version if key in by_key else None]
                    for key, a in answers.items() if a.given},
    }, ensure_ascii=False, separators=(",", ":"))


def read_payload(text: str, assessment: Assessment) -> tuple[dict[str, ParsedAnswer], dict[str, int | None]]:
    """The answers and versions of a confirmation; :class:`ValidationFailed` for anything else."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("assessment") != assessment.id:
            raise ValueError
        answers, versions = {}, {}
        for key, (value, evidence, note, version) in data["answers"].items():
            if not (value in ("", "na") or isinstance(value, int)) or not isinstance(note, str) \
                    or not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence) \
                    or not (version is None or isinstance(version, int)):
                raise ValueError
            answers[key] = ParsedAnswer(value if isinstance(value, int) else None, value == "na", tuple(evidence), note)
            versions[key] = version
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        raise ValidationFailed([(None, form_mismatch_message())]) from None
    return answers, versions


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
