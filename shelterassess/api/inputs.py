"""Reading the body of ``PUT /api/v1/assessments/{id}/areas/{area_id}``. Pure Python: no Flask, no database.

The body must be exactly what the OpenAPI description says (:data:`ANSWER_FIELDS`); anything else
is a list of ``(field, message)`` errors (answered 422, nothing saved). Messages are English, for
programs. A note is treated as the area page treats it: line breaks normalised, spaces around it
trimmed; a NUL or a character that is not valid Unicode is refused (the database could not store it).
"""
from __future__ import annotations

from typing import Any

from shelterassess.assessments.services import AnswerInput
from shelterassess.scoresheets.models import EVIDENCE_SOURCES

#: The largest id or version: the columns are INTEGER (32 bits on PostgreSQL, which refuses a larger
#: number in a query with an error).
MAX_INT = 2**31 - 1
#: An area has far fewer indicators; a bigger list is refused before anything is looked up.
MAX_ANSWERS = 200
ANSWER_FIELDS = ("indicator_id", "value", "not_applicable", "evidence", "note", "version")
BODY_FIELDS = ("answers", "confirm_identifying")

FieldErrors = list[tuple[str, str]]


def _integer(value: Any) -> int | None:
    """An integer given as a JSON number (2 or 2.0), not a boolean; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_INT:
        return int(value)
    return None


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800"), which JSON allows
        return False
    return True


def normalize_note(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def parse_area_body(body: Any, note_max: int) -> tuple[list[AnswerInput], bool, FieldErrors]:
    """(answers, confirm_identifying, errors). ``errors`` empty means the body is well formed; the
    view still checks that every indicator belongs to the area."""
    errors: FieldErrors = []
    if not isinstance(body, dict):
        return [], False, [("body", "The body must be a JSON object with 'answers'.")]
    for key in body:
        if key not in BODY_FIELDS:
            errors.append((str(key)[:50], "Unknown field."))
    confirm = body.get("confirm_identifying", False)
    if not isinstance(confirm, bool):
        errors.append(("confirm_identifying", "Must be true or false."))
        confirm = False
    answers = body.get("answers")
    if not isinstance(answers, list) or not answers:
        errors.append(("answers", "Give a non-empty list of answers."))
        return [], confirm, errors
    if len(answers) > MAX_ANSWERS:
        errors.append(("answers", f"At most {MAX_ANSWERS} answers in one request."))
        return [], confirm, errors
    items = []
    seen: set[int] = set()
    for index, raw in enumerate(answers):
        item = _parse_answer(raw, f"answers[{index}]", note_max, errors)
        if item is None:
            continue
        if item.indicator_id in seen:
            errors.append((f"answers[{index}].indicator_id", "This indicator is answered twice."))
        seen.add(item.indicator_id)
        items.append(item)
    return items, confirm, errors


def _parse_answer(raw: Any, where: str, note_max: int, errors: FieldErrors) -> AnswerInput | None:
    if not isinstance(raw, dict):
        errors.append((where, "Each answer must be an object."))
        return None
    before = len(errors)
    for key in raw:
        if key not in ANSWER_FIELDS:
            errors.append((f"{where}.{str(key)[:50]}", "Unknown field."))
    for key in ANSWER_FIELDS:
        if key not in raw:
            errors.append((f"{where}.{key}", "Required."))
    if len(errors) > before:
        return None
    indicator_id, version, value = _integer(raw["indicator_id"]), _integer(raw["version"]), raw["value"]
    if indicator_id is None or not 1 <= indicator_id <= MAX_INT:
        errors.append((f"{where}.indicator_id", "Must be a positive integer."))
    if version is None or not 1 <= version <= MAX_INT:
        errors.append((f"{where}.version", "Must be the positive integer version read with the assessment."))
    if value is not None:
        value = _integer(value)
        if value is None or not 0 <= value <= 3:
            errors.append((f"{where}.value", "Must be 0, 1, 2, 3 or null."))
    not_applicable = raw["not_applicable"]
    if not isinstance(not_applicable, bool):
        errors.append((f"{where}.not_applicable", "Must be true or false."))
    elif not_applicable and value is not None:
        errors.append((f"{where}.value", "Must be null when not_applicable is true."))
    evidence = raw["evidence"]
    if not isinstance(evidence, list) or any(e not in EVIDENCE_SOURCES for e in evidence if isinstance(e, str)) \
            or not all(isinstance(e, str) for e in evidence) or len(set(evidence)) != len(evidence):
        errors.append((f"{where}.evidence", "Must be a list of distinct sources: " + ", ".join(EVIDENCE_SOURCES) + "."))
    note = raw["note"]
    if not isinstance(note, str) or not _storable(note):
        errors.append((f"{where}.note", "Must be text without NUL or invalid characters."))
    elif len(normalize_note(note)) > note_max:
        errors.append((f"{where}.note", f"At most {note_max} characters."))
    if len(errors) > before:
        return None
    return AnswerInput(indicator_id=indicator_id, value=value, not_applicable=not_applicable,
                       evidence=tuple(evidence), note=normalize_note(note), version=version)
