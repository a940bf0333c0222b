"""Reconciliation rules: from the self score and the peer scores to one agreed score
per indicator. Pure Python: no Flask, no database.

* Ratings of one indicator are the facility's self score, each team's peer score and,
  once chosen, the agreed score. Each is a score 0..3, N/A, or not given yet.
* **A written reason is needed** when two of these ratings differ by 2 or more, or when
  some rater marked the indicator N/A and another gave it a score (they disagree on
  whether it applies at all). Ratings not given yet are left out.
* **Prefill**: when every given rating is the same (all scores equal, or all N/A), the
  agreed score starts as that; otherwise it starts empty for the raters to decide.
* The signed difference is self minus peer, so over-rating shows as a positive number;
  it exists only when both scored.
* A draft may leave agreed scores empty; finalising needs every indicator agreed.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from shelterassess.assessments.domain import SCORE_VALUES, Answer

GAP_NEEDING_REASON = 2
REASON_MAX_LENGTH = 2000


class ProblemKind(str, enum.Enum):
    INVALID = "invalid"              # not 0..3, or N/A where the indicator does not allow it
    MISSING = "missing"              # finalising: no agreed score yet
    REASON_NEEDED = "reason_needed"  # a gap of 2 or more (or N/A against a score) without a reason
    REASON_TOO_LONG = "reason_too_long"


@dataclass(frozen=True)
class IndicatorRatings:
    """What the raters said about one indicator."""

    key: str
    code: str
    na_allowed: bool
    self_answer: Answer
    peer_answers: tuple[Answer, ...] = ()

    @property
    def rater_answers(self) -> tuple[Answer, ...]:
        return (self.self_answer, *self.peer_answers)


@dataclass(frozen=True)
class AgreedEntry:
    """The agreed score and the reason given for it."""

    value: int | None = None
    not_applicable: bool = False
    reason: str = ""

    @property
    def answer(self) -> Answer:
        return Answer(self.value, self.not_applicable)


@dataclass(frozen=True)
class Problem:
    key: str
    code: str
    kind: ProblemKind


def largest_gap(answers: Iterable[Answer]) -> int | None:
    """The largest difference between two scores given (N/A and unanswered left out)."""
    values = [a.value for a in answers if a.value is not None and not a.not_applicable]
    if len(values) < 2:
        return None
    return max(values) - min(values)


def applicability_differs(answers: Iterable[Answer]) -> bool:
    """Some rater said N/A and another gave a score."""
    given = [a for a in answers if a.answered]
    return any(a.not_applicable for a in given) and any(not a.not_applicable for a in given)


def needs_reason(answers: Iterable[Answer]) -> bool:
    answers = list(answers)
    gap = largest_gap(answers)
    return (gap is not None and gap >= GAP_NEEDING_REASON) or applicability_differs(answers)


def signed_difference(self_answer: Answer, peer_answer: Answer) -> int | None:
    """Self minus peer; None unless both gave a score."""
    if self_answer.value is None or peer_answer.value is None:
        return None
    if self_answer.not_applicable or peer_answer.not_applicable:
        return None
    return self_answer.value - peer_answer.value


def prefill(ratings: IndicatorRatings) -> AgreedEntry:
    """The starting agreed score: the common rating when all raters gave the same one."""
    given = ratings.rater_answers
    if not given or not all(a.answered for a in given):
        return AgreedEntry()
    first = given[0]
    if any((a.value, a.not_applicable) != (first.value, first.not_applicable) for a in given):
        return AgreedEntry()
    if first.not_applicable and not ratings.na_allowed:
        return AgreedEntry()
    return AgreedEntry(first.value, first.not_applicable)


def is_valid_entry(ratings: IndicatorRatings, entry: AgreedEntry) -> bool:
    if entry.value is not None and entry.value not in SCORE_VALUES:
        return False
    if entry.not_applicable and entry.value is not None:
        return False
    return not (entry.not_applicable and not ratings.na_allowed)


def entry_needs_reason(ratings: IndicatorRatings, entry: AgreedEntry) -> bool:
    return needs_reason([*ratings.rater_answers, entry.answer])


def check_agreed(
    rows: Sequence[IndicatorRatings], entries: Mapping[str, AgreedEntry], complete: bool = False
) -> list[Problem]:
    """Problems with the agreed scores, in score-sheet order.

    Indicators without an entry, or with an empty agreed score, are only a problem when
    ``complete`` (finalising); their reasons are checked once a score is chosen.
    """
    problems: list[Problem] = []
    for row in rows:
        entry = entries.get(row.key, AgreedEntry())
        if len(entry.reason) > REASON_MAX_LENGTH:
            problems.append(Problem(row.key, row.code, ProblemKind.REASON_TOO_LONG))
        if not is_valid_entry(row, entry):
            problems.append(Problem(row.key, row.code, ProblemKind.INVALID))
            continue
        if not entry.answer.answered:
            if complete:
                problems.append(Problem(row.key, row.code, ProblemKind.MISSING))
            continue
        if entry_needs_reason(row, entry) and not entry.reason.strip():
            problems.append(Problem(row.key, row.code, ProblemKind.REASON_NEEDED))
    return problems
