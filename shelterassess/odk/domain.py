"""Building the XLSForm of a score-sheet version: pure, no Flask or database.

The form is one per published version (``form_id`` ``shelterassess_<key>_v<version>``), the
way an ODK Central or KoboToolbox project expects: every facility's assessors collect with the
same form, and say which facility and round the visit is for in its first group. Its fields:

* ``facility_code`` (text) and ``round`` (a choice among the rounds that use this version);
* ``assessment_kind`` (required choice: ``self``, the facility's self-assessment, or ``peer``,
  a peer team's visit) and, for ``peer`` only (``relevant``), the required ``team_code``: the
  code shown on the peer assessment's import page (:func:`team_code`). The import refuses a
  row of another kind or team before showing any of its values, so peer scoring stays blind
  to the self-assessment and to other teams even when they share an ODK project;
* ``sheet_version`` (a ``calculate``: ``<key>:<version>``), so an import can refuse a
  submission of another version whatever the export tool adds to its columns;
* one group per area, named by the area's key, holding for each indicator the score (named
  by the indicator's key, select_one 0–3, plus ``na`` where the indicator allows N/A), the
  evidence (``<key>_evidence``, select_multiple) and the note (``<key>_note``, text).

Every label and hint is given in Vietnamese and English from the sheet's own texts.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field

VI, EN = "Vietnamese (vi)", "English (en)"
LABEL_VI, LABEL_EN = f"label::{VI}", f"label::{EN}"
HINT_VI, HINT_EN = f"hint::{VI}", f"hint::{EN}"
SURVEY_COLUMNS = ("type", "name", LABEL_VI, LABEL_EN, HINT_VI, HINT_EN, "required", "relevant",
                  "appearance", "constraint", "calculation")
CHOICE_COLUMNS = ("list_name", "name", LABEL_VI, LABEL_EN)
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "default_language")

NA = "na"
FACILITY_FIELD, ROUND_FIELD, VERSION_FIELD = "facility_code", "round", "sheet_version"
KIND_FIELD, TEAM_FIELD = "assessment_kind", "team_code"
SELF, PEER = "self", "peer"
KINDS = (SELF, PEER)
EVIDENCE_SUFFIX, NOTE_SUFFIX = "_evidence", "_note"
#: The layout of the form's fixed fields, appended to the settings ``version`` so a form
#: downloaded after a layout change uploads to ODK Central as a new version. 2: the
#: ``assessment_kind`` and ``team_code`` fields.
FORM_LAYOUT = 2
#: Crockford's base-32 alphabet (as the paper check code: no I, L, O, U) and the team code's length.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TEAM_CODE_LENGTH = 6
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: What a field name may be in an XForm (an XML element name without a colon).
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")

#: The form's fixed texts, in both languages (the form carries both, whoever downloads it).
TEXTS = {
    "visit": ("Chuyến đánh giá", "Visit"),
    "facility": ("Mã cơ sở", "Facility code"),
    "facility_hint": ("Mã cơ sở như trong ShelterAssess, ví dụ SH-A.", "The facility's code in ShelterAssess, e.g. SH-A."),
    "round": ("Đợt đánh giá", "Assessment round"),
    "round_number": ("Số đợt đánh giá", "Round number"),
    "round_number_hint": ("Số của đợt đánh giá trong ShelterAssess.", "The round's number in ShelterAssess."),
    "kind": ("Loại đánh giá", "Assessment"),
    SELF: ("Tự đánh giá của cơ sở", "The facility's self-assessment"),
    PEER: ("Đánh giá đồng cấp (nhóm đánh giá đồng cấp đến thăm)", "Peer assessment (a peer team's visit)"),
    "team_code": ("Mã nhóm", "Team code"),
    "team_code_hint": ("Mã nhóm ghi trên trang nhập ODK của đánh giá đồng cấp trong ShelterAssess, ví dụ K7Q-4MZ.",
                       "The code shown on the peer assessment's ODK import page in ShelterAssess, e.g. K7Q-4MZ."),
    "evidence": ("Minh chứng đã sử dụng", "Evidence used"),
    "note": ("Ghi chú", "Note"),
    "note_hint": ("Không ghi tên, số điện thoại hay thông tin khác có thể nhận ra người được hỗ trợ.",
                  "Do not write names, phone numbers or anything else that identifies a resident."),
    NA: ("Không áp dụng", "N/A"),
    "observation": ("Quan sát", "Observation"),
    "document_review": ("Xem xét tài liệu", "Document review"),
    "staff_interview": ("Phỏng vấn cán bộ", "Staff interview"),
    "resident_interview": ("Phỏng vấn người được hỗ trợ", "Resident interview"),
}


class FormError(ValueError):
    """The sheet cannot be written as an XLSForm (a key that is not a valid field name)."""


@dataclass(frozen=True)
class IndicatorText:
    key: str
    code: str
    text_vi: str
    text_en: str
    na_allowed: bool
    #: Level descriptors 0..3: (vi, en) each.
    levels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AreaText:
    key: str
    code: str
    title_vi: str
    title_en: str
    indicators: tuple[IndicatorText, ...]


@dataclass(frozen=True)
class SheetText:
    """What the XLSForm needs of a score-sheet version (built from the models by the service)."""

    key: str
    version: int
    title_vi: str
    title_en: str
    areas: tuple[AreaText, ...]
    #: (id, name) of the rounds that use this version: the choices of the ``round`` field.
    rounds: tuple[tuple[int, str], ...] = ()
    evidence_sources: tuple[str, ...] = ("observation", "document_review", "staff_interview", "resident_interview")

    @property
    def indicators(self) -> list[IndicatorText]:
        return [ind for area in self.areas for ind in area.indicators]


@dataclass
class XLSForm:
    """The three sheets as rows of ``{column: value}``."""

    survey: list[dict[str, str]] = field(default_factory=list)
    choices: list[dict[str, str]] = field(default_factory=list)
    settings: list[dict[str, str]] = field(default_factory=list)


def form_id(sheet: SheetText) -> str:
    return f"shelterassess_{_safe(sheet.key)}_v{sheet.version}"


def sheet_version_value(key: str, version: int) -> str:
    """The value of the form's ``sheet_version`` field: which version a submission answers."""
    return f"{key}:{version}"


def form_version(sheet: SheetText) -> str:
    """The settings ``version``: the sheet's version, the newest round listed, then the form's
    layout (:data:`FORM_LAYOUT`), so a form exported again after a round was added, or after
    the layout changed, uploads to ODK Central as a new version."""
    newest = max((rid for rid, _name in sheet.rounds), default=0)
    return f"{sheet.version}.{newest}.{FORM_LAYOUT}"


def team_code(team_id: int, round_id: int) -> str:
    """The code a peer team types in the form's ``team_code``: six Crockford base-32 characters
    of a SHA-256 digest of the team and round, like the paper check code. A mix-up check (a
    row of another team is refused), not a secret: the rows of other teams are refused
    whatever, and only the team's members see its import page."""
    digest = hashlib.sha256(f"shelterassess-odk-team-v1:{team_id}:{round_id}".encode()).digest()
    number = int.from_bytes(digest[:4], "big") >> (32 - 5 * TEAM_CODE_LENGTH)
    return "".join(_ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(TEAM_CODE_LENGTH)))


def display_team_code(code: str) -> str:
    """``K7Q4MZ`` -> ``K7Q-4MZ`` (easier to read aloud and to type)."""
    return f"{code[:3]}-{code[3:]}"


def normalize_team_code(typed: str | None) -> str:
    """What an assessor typed, as a code: upper case, spaces and hyphens dropped, O read as 0, I and L as 1."""
    return "".join((typed or "").split()).replace("-", "").upper().translate(_READ_AS)


def team_code_matches(typed: str | None, expected: str) -> bool:
    return hmac.compare_digest(normalize_team_code(typed).encode(), expected.encode())


def evidence_field(key: str) -> str:
    return key + EVIDENCE_SUFFIX


def note_field(key: str) -> str:
    return key + NOTE_SUFFIX


def build_xlsform(sheet: SheetText) -> XLSForm:
    """The XLSForm of ``sheet`` (see the module docstring). Raises :class:`FormError` when a
    key cannot be a field name or two fields would share a name."""
    _check_names(sheet)
    form = XLSForm()
    form.survey.extend(_visit_rows(sheet))
    form.survey.append(_row("calculate", VERSION_FIELD, calculation=f"'{sheet_version_value(sheet.key, sheet.version)}'"))
    for area in sheet.areas:
        form.survey.append(_row("begin group", area.key, f"{area.code}. {area.title_vi}", f"{area.code}. {area.title_en}"))
        for ind in area.indicators:
            form.survey.extend(_indicator_rows(ind))
        form.survey.append(_row("end group", area.key))
    form.choices.extend(_choices(sheet))
    form.settings.append({"form_title": f"{sheet.title_vi} / {sheet.title_en} (v{sheet.version})",
                          "form_id": form_id(sheet), "version": form_version(sheet), "default_language": VI})
    return form


def _visit_rows(sheet: SheetText) -> list[dict[str, str]]:
    rows = [_row("begin group", "visit", *TEXTS["visit"]),
            _row("text", FACILITY_FIELD, *TEXTS["facility"], *TEXTS["facility_hint"], required="yes",
                 constraint="string-length(normalize-space(.)) > 0"),
            _row("select_one assessment_kind", KIND_FIELD, *TEXTS["kind"], required="yes"),
            _row("text", TEAM_FIELD, *TEXTS["team_code"], *TEXTS["team_code_hint"], required="yes",
                 relevant=f"${{{KIND_FIELD}}} = '{PEER}'", constraint="string-length(normalize-space(.)) > 0")]
    if sheet.rounds:
        rows.append(_row("select_one round", ROUND_FIELD, *TEXTS["round"], required="yes"))
    else:  # no round uses this version yet: the assessor types the number
        rows.append(_row("integer", ROUND_FIELD, *TEXTS["round_number"], *TEXTS["round_number_hint"], required="yes"))
    rows.append(_row("end group", "visit"))
    return rows


def _indicator_rows(ind: IndicatorText) -> list[dict[str, str]]:
    hint_vi = " · ".join(f"{n}: {vi}" for n, (vi, _en) in enumerate(ind.levels))
    hint_en = " · ".join(f"{n}: {en}" for n, (_vi, en) in enumerate(ind.levels))
    return [
        _row("select_one score_na" if ind.na_allowed else "select_one score", ind.key,
             f"{ind.code}. {ind.text_vi}", f"{ind.code}. {ind.text_en}", hint_vi, hint_en),
        _row("select_multiple evidence", evidence_field(ind.key), f"{ind.code} · {TEXTS['evidence'][0]}",
             f"{ind.code} · {TEXTS['evidence'][1]}"),
        _row("text", note_field(ind.key), f"{ind.code} · {TEXTS['note'][0]}", f"{ind.code} · {TEXTS['note'][1]}",
             *TEXTS["note_hint"], appearance="multiline"),
    ]


def _choices(sheet: SheetText) -> list[dict[str, str]]:
    rows = []
    for list_name, with_na in (("score", False), ("score_na", True)):
        rows += [_choice(list_name, str(v), str(v), str(v)) for v in range(4)]
        if with_na:
            rows.append(_choice(list_name, NA, *TEXTS[NA]))
    rows += [_choice("assessment_kind", kind, *TEXTS[kind]) for kind in KINDS]
    rows += [_choice("evidence", source, *TEXTS[source]) for source in sheet.evidence_sources]
    rows += [_choice("round", str(rid), name, name) for rid, name in sheet.rounds]
    return rows


def _check_names(sheet: SheetText) -> None:
    names = [FACILITY_FIELD, ROUND_FIELD, VERSION_FIELD, KIND_FIELD, TEAM_FIELD, "visit"]
    for area in sheet.areas:
        names.append(area.key)
        for ind in area.indicators:
            names += [ind.key, evidence_field(ind.key), note_field(ind.key)]
    bad = [n for n in names if not _XML_NAME.match(n)]
    if bad:
        raise FormError(f"not valid field names: {', '.join(bad)}")
    seen: set[str] = set()
    twice = [n for n in names if n in seen or seen.add(n)]
    if twice:
        raise FormError(f"field names used twice: {', '.join(twice)}")


def _row(type_: str, name: str, label_vi: str = "", label_en: str = "", hint_vi: str = "", hint_en: str = "",
         **extra: str) -> dict[str, str]:
    row = {"type": type_, "name": name}
    for column, value in ((LABEL_VI, label_vi), (LABEL_EN, label_en), (HINT_VI, hint_vi), (HINT_EN, hint_en)):
        if value:
            row[column] = value
    row.update({k: v for k, v in extra.items() if v})
    return row


def _choice(list_name: str, name: str, label_vi: str, label_en: str) -> dict[str, str]:
    return {"list_name": list_name, "name": name, LABEL_VI: label_vi, LABEL_EN: label_en}


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)
