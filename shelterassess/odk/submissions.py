"""Reading ODK Central / KoboToolbox exports of the score-sheet form: pure, no Flask or database.

Accepted files: a CSV export (ODK Central joins group and field names with ``-``, e.g.
``facilities-facilities.sleeping``; KoboToolbox with ``/`` and often ``;`` between columns),
or JSON (ODK Central's OData ``{"value": [...]}`` with nested groups, KoboToolbox's API
``{"results": [...]}`` with ``/`` in the keys, or a plain list). Columns are matched to the
form's fields by name (whole path with any of those separators, or the bare name); columns
that are not the form's (``KEY``, ``SubmitterName``, ``_index``…) are ignored.

Problems are returned as :class:`Problem` (a kind and its parameters), never raised as text:
the view words them in the user's language.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from shelterassess.odk.domain import (
    FACILITY_FIELD, KIND_FIELD, KINDS, NA, PEER, ROUND_FIELD, TEAM_FIELD, VERSION_FIELD, IndicatorText, SheetText,
    evidence_field, note_field, sheet_version_value, team_code_matches,
)

MAX_ROWS = 500
MAX_COLUMNS = 5000
SEPARATORS = ("-", "/", ".", ":")
INSTANCE_ID_COLUMNS = ("meta-instanceID", "meta/instanceID", "instanceID", "KEY", "_uuid", "__id")
SUBMITTED_AT_COLUMNS = ("SubmissionDate", "_submission_time", "__system/submissionDate", "end")
_TRUE = {"1", "true", "yes"}
#: Control characters a note may not hold (tabs and line breaks are fine): the same set as
#: :data:`shelterassess.web.validators.CONTROL_CHARACTERS_IN_TEXT` (NUL would be a 500 on PostgreSQL).
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file or one of its rows: ``kind`` and what the message names."""

    kind: str
    row: int | None = None
    params: dict[str, Any] = field(default_factory=dict)


class FileRefused(Exception):
    """The file cannot be read as an export of the form."""

    def __init__(self, problem: Problem):
        super().__init__(problem.kind)
        self.problem = problem


@dataclass(frozen=True)
class ParsedAnswer:
    value: int | None
    not_applicable: bool
    evidence: tuple[str, ...]
    note: str

    @property
    def given(self) -> bool:
        """Whether the submission says anything about the indicator (blank ones are left as they are)."""
        return self.value is not None or self.not_applicable or bool(self.evidence) or bool(self.note)


@dataclass
class Submission:
    """One row of the export: which visit it is and its answers by indicator key."""

    row: int
    instance_id: str
    submitted_at: str
    facility_code: str
    round_id: str
    sheet_version: str
    #: ``self`` or ``peer`` as the row says (blank in a row of the form before these fields).
    kind: str
    team_code: str
    answers: dict[str, ParsedAnswer]
    problems: list[Problem]


# -- reading the file ----------------------------------------------------------------------

def read_rows(data: bytes, filename: str) -> list[dict[str, str]]:
    """The file's rows as ``{column: text}``; raises :class:`FileRefused`."""
    if not data.strip():
        raise FileRefused(Problem("empty"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(Problem("encoding")) from None
    if "\x00" in text:
        raise FileRefused(Problem("not_table"))
    stripped = text.lstrip()
    if filename.lower().endswith(".json") or stripped[:1] in "[{":
        rows = _json_rows(stripped)
    else:
        rows = _csv_rows(text)
    if not rows:
        raise FileRefused(Problem("empty"))
    if len(rows) > MAX_ROWS:
        raise FileRefused(Problem("too_many_rows", params={"n": len(rows), "max": MAX_ROWS}))
    return rows


def _csv_rows(text: str) -> list[dict[str, str]]:
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = next(reader, None)
        if not header or len(header) > MAX_COLUMNS or len(header) < 2:
            raise FileRefused(Problem("not_table"))
        header = [h.strip() for h in header]
        rows = []
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            rows.append(dict(zip(header, record)))
            if len(rows) > MAX_ROWS:
                break
    except csv.Error:
        raise FileRefused(Problem("not_table")) from None
    return rows


def _json_rows(text: str) -> list[dict[str, str]]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise FileRefused(Problem("json")) from None
    if isinstance(data, dict):
        data = data.get("value", data.get("results", [data]))
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise FileRefused(Problem("json"))
    return [_flatten(item) for item in data[:MAX_ROWS + 1]]


def _flatten(item: dict, prefix: str = "", depth: int = 0) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in item.items():
        name = f"{prefix}/{key}" if prefix else str(key)
        if isinstance(value, dict) and depth < 10:
            flat.update(_flatten(value, name, depth + 1))
        elif isinstance(value, list):
            flat[name] = " ".join(str(v) for v in value if not isinstance(v, (dict, list)))
        elif value is None:
            flat[name] = ""
        elif isinstance(value, float) and value.is_integer():
            flat[name] = str(int(value))
        else:
            flat[name] = str(value)
    return flat


# -- matching columns to the form's fields -----------------------------------------------------

def _field_paths(sheet: SheetText) -> dict[str, tuple[str, ...]]:
    """Each field of the form: its path of group names (``visit``, the area's key) and name."""
    paths = {FACILITY_FIELD: ("visit", FACILITY_FIELD), ROUND_FIELD: ("visit", ROUND_FIELD),
             KIND_FIELD: ("visit", KIND_FIELD), TEAM_FIELD: ("visit", TEAM_FIELD), VERSION_FIELD: (VERSION_FIELD,)}
    for area in sheet.areas:
        for ind in area.indicators:
            for name in (ind.key, evidence_field(ind.key), note_field(ind.key)):
                paths[name] = (area.key, name)
    return paths


def column_map(sheet: SheetText, header: list[str]) -> dict[str, str]:
    """``{field name: column}`` for the columns of ``header`` that are the form's fields, plus
    ``{field name + "/" + option: column}`` for the per-option columns of the evidence fields."""
    aliases: dict[str, str] = {}
    for name, path in _field_paths(sheet).items():
        for sep in SEPARATORS:
            aliases.setdefault(sep.join(path), name)
            aliases.setdefault(sep.join(("data",) + path), name)
        aliases.setdefault(name, name)
    found: dict[str, str] = {}
    for column in header:
        clean = column.strip()
        if clean in aliases:
            found.setdefault(aliases[clean], column)
            continue
        for sep in ("/", "-"):
            base, _, option = clean.rpartition(sep)
            if base in aliases and option in sheet.evidence_sources and aliases[base].endswith("_evidence"):
                found.setdefault(f"{aliases[base]}/{option}", column)
                break
    return found


def _first(row: dict[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        if row.get(name, "").strip():
            return row[name].strip()
    return ""


# -- parsing rows -----------------------------------------------------------------------------

def parse_submissions(sheet: SheetText, rows: list[dict[str, str]], note_max: int = 2000) -> list[Submission]:
    """Every row as a :class:`Submission`; raises :class:`FileRefused` when the file is not an
    export of a ShelterAssess form (no ``sheet_version`` column, or none of the indicators'), or
    of the form before the ``assessment_kind`` field (download the form again)."""
    header = list(rows[0].keys()) if rows else []
    columns = column_map(sheet, header)
    if VERSION_FIELD not in columns:
        raise FileRefused(Problem("not_our_form"))
    if KIND_FIELD not in columns:
        raise FileRefused(Problem("old_form"))
    if not any(ind.key in columns for ind in sheet.indicators) and _same_version(rows, columns, sheet):
        raise FileRefused(Problem("no_indicator_columns"))
    return [_parse_row(sheet, columns, row, number, note_max) for number, row in enumerate(rows, start=1)]


def _same_version(rows, columns, sheet) -> bool:
    expected = sheet_version_value(sheet.key, sheet.version)
    return any(row.get(columns[VERSION_FIELD], "").strip() == expected for row in rows)


def _parse_row(sheet: SheetText, columns: dict[str, str], row: dict[str, str], number: int,
               note_max: int) -> Submission:
    def cell(name: str) -> str:
        return (row.get(columns[name]) or "").strip() if name in columns else ""

    problems: list[Problem] = []
    answers = {}
    for ind in sheet.indicators:
        answers[ind.key] = _parse_answer(sheet, ind, cell, row, columns, number, note_max, problems)
    return Submission(
        row=number, instance_id=_first(row, INSTANCE_ID_COLUMNS), submitted_at=_first(row, SUBMITTED_AT_COLUMNS),
        facility_code=cell(FACILITY_FIELD), round_id=_integer_text(cell(ROUND_FIELD)),
        sheet_version=cell(VERSION_FIELD), kind=cell(KIND_FIELD).lower(), team_code=cell(TEAM_FIELD)[:40], answers=answers, problems=problems)


def _parse_answer(sheet, ind, cell, row, columns, number, note_max, problems) -> ParsedAnswer:
    raw = cell(ind.key)
    value, na = None, False
    if raw.lower() == NA:
        na = True
    elif raw:
        number_text = _integer_text(raw)
        if number_text in {"0", "1", "2", "3"}:
            value = int(number_text)
        else:
            problems.append(Problem("bad_score", number, {"code": ind.code, "value": raw[:40]}))
    evidence_name = evidence_field(ind.key)
    chosen = cell(evidence_name).split()
    if not chosen:
        chosen = [s for s in sheet.evidence_sources
                  if (row.get(columns.get(f"{evidence_name}/{s}", "")) or "").strip().lower() in _TRUE]
    unknown = [e for e in chosen if e not in sheet.evidence_sources]
    if unknown:
        problems.append(Problem("bad_evidence", number, {"code": ind.code, "value": " ".join(unknown)[:40]}))
    note = cell(note_field(ind.key)).replace("\r\n", "\n").replace("\r", "\n")
    answer = ParsedAnswer(value, na, tuple(s for s in sheet.evidence_sources if s in chosen), note)
    problems.extend(answer_problems(sheet, ind, answer, note_max, number))
    return answer


def answer_problems(sheet: SheetText, ind: IndicatorText, answer: ParsedAnswer, note_max: int,
                    row: int | None = None) -> list[Problem]:
    """What is wrong with one answer: checked when the file is read, and again on the
    confirmation (whose answers come back from the browser)."""
    problems = []
    if answer.value is not None and (isinstance(answer.value, bool) or answer.value not in (0, 1, 2, 3)
                                     or answer.not_applicable):
        problems.append(Problem("bad_score", row, {"code": ind.code, "value": str(answer.value)[:40]}))
    if answer.not_applicable and not ind.na_allowed:
        problems.append(Problem("na_not_allowed", row, {"code": ind.code}))
    unknown = [e for e in answer.evidence if e not in sheet.evidence_sources]
    if unknown or len(set(answer.evidence)) != len(answer.evidence):
        problems.append(Problem("bad_evidence", row, {"code": ind.code, "value": " ".join(unknown)[:40]}))
    if len(answer.note) > note_max:
        problems.append(Problem("note_too_long", row, {"code": ind.code, "n": note_max}))
    if _CONTROL_IN_TEXT.search(answer.note) or not _encodable(answer.note):
        problems.append(Problem("note_control", row, {"code": ind.code}))
    return problems


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800"), which JSON allows
        return False
    return True


def _integer_text(text: str) -> str:
    """``"2"`` for ``"2"``, ``"2.0"`` or ``" 2 "`` (a spreadsheet re-saved the export); else ``text``."""
    text = text.strip()
    head, dot, tail = text.partition(".")
    return head if dot and head.isdigit() and tail.strip("0") == "" else text


# -- which row is the assessment's ------------------------------------------------------------

def choose_submission(sheet: SheetText, submissions: list[Submission], facility_code: str, round_id: int,
                      kind: str, team_code: str = "") -> tuple[Submission | None, list[Problem]]:
    """The one submission for this version, facility, round and kind of assessment (``self`` or
    ``peer``; for ``peer``, the team's :func:`~shelterassess.odk.domain.team_code`), and why
    every other row was refused: no refused row's answers are ever returned (blind scoring).
    None (with the reasons) when there is no such row or more than one."""
    expected = sheet_version_value(sheet.key, sheet.version)
    matching, refused = [], []
    for sub in submissions:
        if sub.sheet_version != expected:
            refused.append(Problem("other_version", sub.row, {"found": sub.sheet_version or "?", "expected": expected}))
        elif sub.facility_code.casefold() != facility_code.casefold():
            refused.append(Problem("other_facility", sub.row, {"found": sub.facility_code or "?",
                                                                "expected": facility_code}))
        elif sub.round_id != str(round_id):
            refused.append(Problem("other_round", sub.row, {"found": sub.round_id or "?"}))
        elif sub.kind not in KINDS:
            refused.append(Problem("no_kind", sub.row, {"found": sub.kind[:20]}))
        elif sub.kind != kind:
            refused.append(Problem("other_kind", sub.row, {"found": sub.kind}))
        elif kind == PEER and not team_code_matches(sub.team_code, team_code):
            refused.append(Problem("other_team", sub.row, {"found": sub.team_code or "?"}))
        else:
            matching.append(sub)
    if len(matching) > 1:
        refused.append(Problem("several", None, {"rows": ", ".join(str(s.row) for s in matching)}))
        return None, refused
    return (matching[0] if matching else None), refused
