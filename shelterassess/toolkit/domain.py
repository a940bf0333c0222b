"""Visit toolkit rules. Pure: no Flask, no database.

* :func:`find_identifiers`: obvious personal identifiers in free text (escalations are
  facility-level only).
* :func:`check_escalation`: what is wrong with an escalation's input, as codes.
* :data:`TRANSITIONS`: the escalation workflow as data.
* :func:`agenda_for`: the one-day agenda for a team of 2-5, with members in the role letters.
* :func:`normalize_checklist` and :func:`generic_checklist`: the evidence checklist of one
  indicator, from score sheet v2's ``checklist`` or derived from v1's evidence sources.

Bilingual text is a mapping ``{"vi": ..., "en": ...}`` (:data:`Text`).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

Text = Mapping[str, str]

# -- obvious identifiers ---------------------------------------------------------------

EMAIL = "email"
PHONE_OR_ID = "phone_or_id"
DOCUMENT_NUMBER = "document_number"
BIRTH_DATE = "birth_date"
NAME = "name"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Digits, optionally in groups of three or more after spaces, dots or dashes; nine or more
#: digits in all are a phone number (10 in Vietnam), an identity card (9 or 12) or an account.
#: Dates and times ("2027-03-12 10:30") never reach nine digits in such groups.
_DIGITS = re.compile(r"\+?\d+(?:[ .\-]\d{3,})*")
ID_MIN_DIGITS = 9
#: Money as people write it ("150.000.000", "1,500,000") is no identifier; it never starts with 0.
_MONEY = re.compile(r"^[1-9]\d{0,2}(?:[.,]\d{3})+$")
#: Passport-like numbers: one or two capital letters then 7 or 8 digits (Vietnamese passports: B1234567).
_DOCUMENT = re.compile(r"\b[A-Z]{1,2}\d{7,8}\b")
_BIRTH = re.compile(r"ngày\s+sinh|sinh\s+ngày|sinh\s+năm|năm\s+sinh|ngày\s+tháng\s+năm\s+sinh|"
                    r"\bdate\s+of\s+birth\b|\bborn\b|\bd\.?o\.?b\b", re.IGNORECASE)
#: A word that introduces a name, followed by a capitalised word.
_NAME_INTRO = re.compile(r"\b(?:tên\s+là|tên\s+gọi\s+là|họ\s+tên|họ\s+và\s+tên|tên|named|name\s+is|called|"
                         r"mr|mrs|ms|miss)\b\.?\s*:?\s*(\w+)", re.IGNORECASE)
#: Vietnamese kinship terms used before a given name ("chị Lan", "em Mai", "bé Na").
_KINSHIP = re.compile(r"\b(?:em|chị|anh|cô|chú|bác|bé|cháu|bạn|ông|bà|cậu|dì)\s+(\w+)(?:\s+(\w+))?",
                      re.IGNORECASE)
#: Capitalised words after a kinship term that are roles, not names ("anh Bảo vệ", "chị Quản lý").
_ROLE_WORDS = {
    ("giám", "đốc"), ("phó", "giám"), ("trưởng", None), ("phó", None), ("bảo", "vệ"), ("quản", "lý"),
    ("cán", "bộ"), ("nhân", "viên"), ("tổ", "trưởng"), ("công", "an"), ("bác", "sĩ"), ("y", "tá"),
    ("điều", "dưỡng"), ("giáo", None), ("chủ", None), ("kế", "toán"), ("thủ", "quỹ"), ("lãnh", "đạo"), ("trực", None),
}


def _is_capitalised(word: str) -> bool:
    return bool(word) and word[0].isupper()


def _is_role(first: str, second: str | None) -> bool:
    a, b = first.lower(), (second or "").lower()
    return (a, b) in _ROLE_WORDS or (a, None) in _ROLE_WORDS


def find_identifiers(text: str) -> list[str]:
    """The kinds of obvious personal identifiers in ``text`` (each kind once, in a fixed order).

    A heuristic that refuses what is plainly identifying (an e-mail address, a phone or ID
    number, a passport number, a birth date, a name introduced as such or after a Vietnamese
    kinship term); it cannot recognise every name, so forms also warn in words.
    """
    text = unicodedata.normalize("NFC", text or "")
    found: set[str] = set()
    if _EMAIL.search(text):
        found.add(EMAIL)
        text = _EMAIL.sub(" ", text)
    for match in _DIGITS.finditer(text):
        number = match.group()
        if sum(c.isdigit() for c in number) >= ID_MIN_DIGITS and not _MONEY.match(number):
            found.add(PHONE_OR_ID)
    if _DOCUMENT.search(text):
        found.add(DOCUMENT_NUMBER)
    if _BIRTH.search(text):
        found.add(BIRTH_DATE)
    for match in _NAME_INTRO.finditer(text):
        if _is_capitalised(match.group(1)):
            found.add(NAME)
    for match in _KINSHIP.finditer(text):
        first, second = match.group(1), match.group(2)
        if _is_capitalised(first) and not _is_role(first, second):
            found.add(NAME)
    return [kind for kind in (NAME, BIRTH_DATE, PHONE_OR_ID, DOCUMENT_NUMBER, EMAIL) if kind in found]


# -- escalation input ------------------------------------------------------------------

CATEGORIES = ("abuse", "detention", "child_at_risk", "other")
DESCRIPTION_MIN = 20
DESCRIPTION_MAX = 4000
ACTION_MIN = 2
ACTION_MAX = 2000
NOTE_MIN = 5
NOTE_MAX = 2000
#: How far back a concern may be dated (a visit recorded late, but not a slip of a year).
MAX_AGE_DAYS = 366


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: the form field and a code the view translates."""

    field: str | None
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


def clean(text: str | None) -> str:
    """NFC, line endings unified, surrounding blanks removed."""
    value = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    return value.strip()


def check_text(field_name: str, text: str, minimum: int, maximum: int) -> list[Problem]:
    if len(text) < minimum:
        return [Problem(field_name, "too_short" if text else "empty", {"min": minimum})]
    if len(text) > maximum:
        return [Problem(field_name, "too_long", {"max": maximum, "length": len(text)})]
    kinds = find_identifiers(text)
    return [Problem(field_name, "identifiers", {"kinds": tuple(kinds)})] if kinds else []


def check_escalation(category: str | None, facility_allowed: bool, seen_on: dt.date | None, today: dt.date,
                     description: str, immediate_action: str) -> list[Problem]:
    """Every problem of a new escalation's input (empty when it may be saved)."""
    problems: list[Problem] = []
    if category not in CATEGORIES:
        problems.append(Problem("category", "category"))
    if not facility_allowed:
        problems.append(Problem("facility_id", "facility"))
    if seen_on is None:
        problems.append(Problem("seen_on", "date_missing"))
    elif seen_on > today:
        problems.append(Problem("seen_on", "date_future"))
    elif (today - seen_on).days > MAX_AGE_DAYS:
        problems.append(Problem("seen_on", "date_too_old", {"days": MAX_AGE_DAYS}))
    problems += check_text("description", description, DESCRIPTION_MIN, DESCRIPTION_MAX)
    problems += check_text("immediate_action", immediate_action, ACTION_MIN, ACTION_MAX)
    return problems


# -- escalation workflow ---------------------------------------------------------------

OPEN, ACKNOWLEDGED, CLOSED = "open", "acknowledged", "closed"

#: step -> (statuses it may start from, status it leads to). "action" and "information" add to
#: the history without changing the status, except that an action on an open escalation
#: acknowledges it first.
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "acknowledge": (frozenset({OPEN}), ACKNOWLEDGED),
    "action": (frozenset({OPEN, ACKNOWLEDGED}), ACKNOWLEDGED),
    "information": (frozenset({OPEN, ACKNOWLEDGED}), None),
    "close": (frozenset({ACKNOWLEDGED}), CLOSED),
    "reopen": (frozenset({CLOSED}), ACKNOWLEDGED),
}


def allowed(step: str, status: str) -> bool:
    return status in TRANSITIONS[step][0]


def next_status(step: str, status: str) -> str:
    target = TRANSITIONS[step][1]
    return status if target is None else target


# -- agenda ----------------------------------------------------------------------------

MIN_TEAM, MAX_TEAM = 2, 5
LETTERS = "ABCDE"
ALL = "all"


@dataclass(frozen=True)
class Member:
    letter: str
    name: str
    is_lead: bool


@dataclass(frozen=True)
class AgendaActivity:
    activity: Text
    details: Text
    letters: tuple[str, ...]


@dataclass(frozen=True)
class AgendaSlot:
    start: str
    end: str
    activities: tuple[AgendaActivity, ...]


def team_size(count: int) -> int:
    """The agenda used for a team of ``count`` members (2-5; a smaller or larger team, which the
    team rules refuse, gets the nearest one)."""
    return min(max(count, MIN_TEAM), MAX_TEAM)


def letter_members(lead: str | None, others: Sequence[str]) -> list[Member]:
    """A is the lead, B-E the other members in the order given (at most five)."""
    people = ([(lead, True)] if lead else []) + [(name, False) for name in others]
    return [Member(LETTERS[i], name, is_lead) for i, (name, is_lead) in enumerate(people[:MAX_TEAM])]


def who_for(spec: Any, size: int) -> tuple[str, ...]:
    """``who`` in the data: "all", a list of letters, or a mapping team size -> either."""
    if isinstance(spec, Mapping):
        spec = spec.get(size, spec.get(str(size), []))
    if spec == ALL:
        return tuple(LETTERS[:size])
    return tuple(letter for letter in (spec or []) if letter in LETTERS[:size])


def agenda_for(slots: Iterable[Mapping[str, Any]], size: int) -> list[AgendaSlot]:
    """The slots of the agenda data for a team of ``size``; activities nobody does are left out."""
    size = team_size(size)
    result = []
    for slot in slots:
        activities = tuple(
            AgendaActivity(a["activity"], a.get("details") or {}, who_for(a.get("who", ALL), size))
            for a in slot["activities"]
        )
        kept = tuple(a for a in activities if a.letters)
        if kept:
            result.append(AgendaSlot(str(slot.get("start", "")), str(slot.get("end", "")), kept))
    return result


def roles_for(roles: Mapping[Any, Mapping[str, Text]], size: int) -> list[tuple[str, Text]]:
    """What each letter does in a team of ``size``: [(letter, text)]."""
    size = team_size(size)
    by_letter = roles.get(size) or roles.get(str(size)) or {}
    return [(letter, by_letter[letter]) for letter in LETTERS[:size] if letter in by_letter]


# -- evidence checklist ------------------------------------------------------------------

#: Kinds of checklist lines, in the order they are shown.
DOCUMENTS, SAMPLE, ASK, OBSERVE, OTHER = "documents", "sample", "ask", "observe", "other"
KINDS = (DOCUMENTS, SAMPLE, ASK, OBSERVE, OTHER)
#: Keys a score sheet's ``checklist`` may use for each kind (v2 is written in parallel; these
#: cover the likely spellings, anything else is shown as "other").
_KEY_KINDS = {
    DOCUMENTS: ("documents", "documents_before_visit", "before_visit", "request", "ask_for", "docs",
                "documents_to_request"),
    SAMPLE: ("sample", "file_sample", "sample_size", "files", "file_review"),
    ASK: ("ask", "who_to_ask", "interview", "interviews", "people", "whom_to_ask", "ask_whom"),
    OBSERVE: ("observe", "observation", "look_at", "walk", "see"),
}
_KIND_OF_KEY = {key: kind for kind, keys in _KEY_KINDS.items() for key in keys}
LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class Checklist:
    lines: tuple[tuple[str, Text], ...]  # (kind, text)
    generic: bool

    def of(self, kind: str) -> list[Text]:
        return [text for k, text in self.lines if k == kind]

    @property
    def kinds(self) -> list[str]:
        present = {k for k, _ in self.lines}
        return [k for k in KINDS if k in present]


def _texts(value: Any, sample: bool = False) -> list[Text]:
    """Bilingual texts from any of the shapes a data file may use."""
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        if sample:
            return [{"vi": f"{value} hồ sơ, chọn ngẫu nhiên", "en": f"{value} files, chosen at random"}]
        return [{"vi": str(value), "en": str(value)}]
    if isinstance(value, str):
        return [{"vi": value, "en": value}]
    if isinstance(value, Mapping):
        if any(lang in value for lang in LANGUAGES):
            vi, en = value.get("vi"), value.get("en")
            if isinstance(vi, list) or isinstance(en, list):  # {vi: [...], en: [...]}
                vi_list, en_list = list(vi or []), list(en or [])
                length = max(len(vi_list), len(en_list))
                return [{"vi": str(vi_list[i] if i < len(vi_list) else en_list[i]),
                         "en": str(en_list[i] if i < len(en_list) else vi_list[i])} for i in range(length)]
            if isinstance(vi, (int, float)) or isinstance(en, (int, float)):
                return _texts(int(vi if vi is not None else en), sample)
            return [{"vi": str(vi or en or ""), "en": str(en or vi or "")}]
        if "text" in value:
            return _texts(value["text"], sample)
        if "size" in value:  # {size: 5} with no words
            return _texts(int(value["size"]), sample=True)
        return []
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _texts(item, sample)]
    return []


def normalize_checklist(raw: Any) -> Checklist | None:
    """A score sheet's ``checklist`` of one indicator, whatever its shape, or None when empty.

    Accepted: a mapping of kind -> texts (``documents``, ``sample``, ``ask``, ``observe`` and
    synonyms; other keys become "other" lines), or a list of texts or of items with a
    ``kind``/``type``/``source`` key. Texts are ``{vi, en}``, ``{vi: [...], en: [...]}``, a
    list of those, a plain string, or a number (a sample size).
    """
    lines: list[tuple[str, Text]] = []
    if isinstance(raw, Mapping) and not any(lang in raw for lang in LANGUAGES):
        for key, value in raw.items():
            kind = _KIND_OF_KEY.get(str(key).lower(), OTHER)
            lines += [(kind, text) for text in _texts(value, sample=kind == SAMPLE)]
    elif isinstance(raw, (list, tuple)):
        for item in raw:
            kind = OTHER
            if isinstance(item, Mapping):
                label = item.get("kind") or item.get("type") or item.get("source")
                kind = _KIND_OF_KEY.get(str(label).lower(), OTHER) if label else OTHER
            lines += [(kind, text) for text in _texts(item, sample=kind == SAMPLE)]
    else:
        lines += [(OTHER, text) for text in _texts(raw)]
    lines = [(kind, text) for kind, text in lines if (text.get("vi") or text.get("en"))]
    if not lines:
        return None
    order = {kind: i for i, kind in enumerate(KINDS)}
    return Checklist(tuple(sorted(lines, key=lambda line: order[line[0]])), generic=False)


def generic_checklist(evidence: Sequence[str], lines_by_source: Mapping[str, Mapping[str, Any]]) -> Checklist:
    """A checklist derived from an indicator's evidence sources (score sheet v1 has none).

    ``lines_by_source`` (from the toolkit data): evidence source -> ``{kind, text}`` or a list
    of them. Unknown sources are skipped.
    """
    lines: list[tuple[str, Text]] = []
    for source in evidence:
        spec = lines_by_source.get(source)
        for item in (spec if isinstance(spec, list) else [spec] if spec else []):
            kind = item.get("kind", OTHER)
            lines += [(kind if kind in KINDS else OTHER, text) for text in _texts(item.get("text"))]
    order = {kind: i for i, kind in enumerate(KINDS)}
    return Checklist(tuple(sorted(lines, key=lambda line: order[line[0]])), generic=True)


DocumentList = list[tuple[str, list[tuple[str, list[str]]]]]


def documents_to_request(rows: Iterable[tuple[str, str, Checklist]], language: str) -> DocumentList:
    """The pre-visit list from (area title, indicator code, checklist) rows: per area, each
    document once with the codes of the indicators that need it. A document several areas need
    is listed under the first, with every code."""
    groups: dict[str, dict[str, list[str]]] = {}
    where: dict[str, str] = {}
    for area, code, checklist in rows:
        for text in checklist.of(DOCUMENTS):
            value = (text.get(language) or text.get("en") or text.get("vi") or "").strip()
            if not value:
                continue
            home = where.setdefault(value, area)
            codes = groups.setdefault(home, {}).setdefault(value, [])
            if code not in codes:
                codes.append(code)
    return [(area, list(documents.items())) for area, documents in groups.items()]
