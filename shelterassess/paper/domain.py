"""Rules of the paper round trip, pure Python (no Flask, no database).

* The **check code** printed on a blank score sheet names its facility, round and score-sheet
  version (on a follow-up visit's sheet, also the visit): six Crockford base-32 characters of a
  SHA-256 digest. It is a *mix-up check*, not a secret: it catches a sheet of another facility,
  round or version (or a mistyped code), with a chance of 1 in 2^30 that a wrong sheet passes.
  It is deliberately unkeyed: anyone who may type a sheet in may already edit the assessment, so
  a key would protect nothing, and an unkeyed code stays valid on printed sheets when the
  server's secret key is rotated.
* A sheet is typed in twice, by two people, blind; :func:`compare` lists the indicators whose
  two entries differ, and :func:`resolve` needs a choice for each of them.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Mapping, Sequence

#: Crockford's base-32 alphabet (no I, L, O, U: they are read as 1, 1, 0 or not at all).
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 6
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: What a typist may write for "not applicable" in a score box.
NA_WORDS = frozenset({"na", "n/a", "n"})
SCORES = (0, 1, 2, 3)
_SCORE_TEXTS = frozenset(str(score) for score in SCORES)

FIRST, SECOND, OTHER, BOTH = "first", "second", "other", "both"
CHOICES = (FIRST, SECOND, OTHER)


def check_code(facility_id: int, round_id: int, sheet_id: int, visit_id: int | None = None) -> str:
    """The code printed on the blank sheet of this facility, round and score-sheet version; a
    follow-up visit's sheet (``visit_id``) also names the visit, so that the facility's
    self-assessment sheet, or another visit's, is refused for it."""
    text = f"shelterassess-paper-v1:{facility_id}:{round_id}:{sheet_id}"
    if visit_id is not None:
        text += f":visit:{visit_id}"
    digest = hashlib.sha256(text.encode()).digest()
    number = int.from_bytes(digest[:4], "big") >> (32 - 5 * CODE_LENGTH)
    chars = [ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(CODE_LENGTH))]
    return "".join(chars)


def display_code(code: str) -> str:
    """``K7Q4MZ`` -> ``K7Q-4MZ`` (easier to read aloud and to copy)."""
    return f"{code[:3]}-{code[3:]}"


def normalize_code(typed: str | None) -> str:
    """What a person typed, as a code: upper case, spaces and hyphens dropped, O read as 0, I and L as 1."""
    return "".join((typed or "").split()).replace("-", "").upper().translate(_READ_AS)


def code_matches(typed: str | None, expected: str) -> bool:
    return hmac.compare_digest(normalize_code(typed).encode(), expected.encode())


class InvalidScore(ValueError):
    """A score box holds something other than 0..3, N/A (where allowed) or nothing."""


def parse_score(text: str | None, na_allowed: bool) -> tuple[int | None, bool]:
    """A typed score -> (value, not applicable). Empty means not answered on the paper."""
    raw = (text or "").strip().lower()
    if raw == "":
        return None, False
    if raw in NA_WORDS:
        if not na_allowed:
            raise InvalidScore(raw)
        return None, True
    digits = raw.lstrip("0") or "0"  # "03" is 3; compared as text: int() refuses "²" and very long numbers
    if raw.isascii() and raw.isdigit() and digits in _SCORE_TEXTS:
        return int(digits), False
    raise InvalidScore(raw)


def score_text(value: int | None, not_applicable: bool) -> str:
    """The inverse of :func:`parse_score` (for putting an answer back into a score box)."""
    return "na" if not_applicable else ("" if value is None else str(value))


@dataclass(frozen=True)
class PaperAnswer:
    """One indicator as typed from the paper: a score (or N/A, or nothing), evidence, a note."""

    value: int | None = None
    not_applicable: bool = False
    evidence: tuple[str, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "evidence", tuple(sorted(set(self.evidence))))
        object.__setattr__(self, "note", (self.note or "").strip())

    @property
    def is_empty(self) -> bool:
        return self.value is None and not self.not_applicable and not self.evidence and not self.note


EMPTY = PaperAnswer()


@dataclass(frozen=True)
class Difference:
    """An indicator whose two entries differ, and in what (``score``, ``evidence``, ``note``)."""

    indicator_id: int
    first: PaperAnswer
    second: PaperAnswer
    fields: tuple[str, ...]


def differing_fields(a: PaperAnswer, b: PaperAnswer) -> tuple[str, ...]:
    fields = []
    if (a.value, a.not_applicable) != (b.value, b.not_applicable):
        fields.append("score")
    if a.evidence != b.evidence:
        fields.append("evidence")
    if a.note != b.note:
        fields.append("note")
    return tuple(fields)


def compare(indicator_ids: Sequence[int], first: Mapping[int, PaperAnswer],
            second: Mapping[int, PaperAnswer]) -> list[Difference]:
    """The differences between two entries, in the score sheet's order (a missing answer is empty)."""
    differences = []
    for ind in indicator_ids:
        a, b = first.get(ind, EMPTY), second.get(ind, EMPTY)
        fields = differing_fields(a, b)
        if fields:
            differences.append(Difference(ind, a, b, fields))
    return differences


@dataclass(frozen=True)
class Choice:
    """What the resolver chose for a differing indicator; ``other`` holds the answer when typed anew."""

    source: str
    other: PaperAnswer | None = None


@dataclass(frozen=True)
class Resolved:
    """The answer kept for one indicator and where it came from (:data:`BOTH` when the entries agreed)."""

    source: str
    answer: PaperAnswer


@dataclass
class Unresolved(ValueError):
    """Differing indicators without a (complete) choice."""

    indicator_ids: list[int] = field(default_factory=list)


def resolve(indicator_ids: Sequence[int], first: Mapping[int, PaperAnswer], second: Mapping[int, PaperAnswer],
            choices: Mapping[int, Choice]) -> dict[int, Resolved]:
    """The answer kept for every indicator: the agreed one, or the chosen one where they differ.

    Raises :class:`Unresolved` naming every differing indicator without a valid choice."""
    differing = {d.indicator_id for d in compare(indicator_ids, first, second)}
    missing = [i for i in indicator_ids if i in differing and not _valid(choices.get(i))]
    if missing:
        raise Unresolved(missing)
    kept: dict[int, Resolved] = {}
    for ind in indicator_ids:
        a, b = first.get(ind, EMPTY), second.get(ind, EMPTY)
        if ind not in differing:
            kept[ind] = Resolved(BOTH, a)
            continue
        choice = choices[ind]
        answer = a if choice.source == FIRST else b if choice.source == SECOND else choice.other
        kept[ind] = Resolved(choice.source, answer)
    return kept


def _valid(choice: Choice | None) -> bool:
    return choice is not None and choice.source in CHOICES and (choice.source != OTHER or choice.other is not None)


def second_entry_refused(first_entered_by: int, user_id: int) -> bool:
    """The second entry must be typed by someone else than the first (or it checks nothing)."""
    return first_entered_by == user_id
