"""Scoring rules for one filled score sheet. Pure Python: no Flask, no database.

* An indicator is scored 0..3, or marked N/A where the score sheet allows it.
* Area percentage = mean of the area's applicable scores / 3 x 100. N/A answers are
  left out of the denominator; an area whose answers are all N/A has no percentage.
* Overall percentage = mean of the area percentages that exist (each area weighs the same).
* Red flag: a *critical* indicator scored at or below its red-flag level (``red_flag_at``:
  0 by default, 1 where the score sheet says a 1 is already a harm), whatever the averages say.
* Completeness = answered (scored or N/A) / total indicators.

Percentages are computed exactly (``fractions.Fraction``) and handed out as the nearest
float, unrounded: a float mean of float area means can land just below a half
(56.25 as 56.249999...) and then display as 56.2. Display rounds half-up once, with
:func:`round_half_up_decimal`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Iterable, Mapping, Sequence

MAX_SCORE = 3
SCORE_VALUES = (0, 1, 2, 3)


@dataclass(frozen=True)
class IndicatorSpec:
    key: str
    critical: bool = False
    na_allowed: bool = False
    #: A critical indicator raises a red flag at a score <= this (ignored when not critical).
    red_flag_at: int = 0

    def flags(self, value: int | None) -> bool:
        return is_red_flag(self.critical, self.red_flag_at, value)


def spec_of(indicator, key: str | None = None) -> IndicatorSpec:
    """The scoring rules of a score-sheet indicator (any object with ``key``, ``critical``,
    ``na_allowed`` and ``red_flag_at``), under ``key`` (default: the indicator's key)."""
    return IndicatorSpec(indicator.key if key is None else key, bool(indicator.critical),
                         bool(indicator.na_allowed), int(getattr(indicator, "red_flag_at", 0) or 0))


def is_red_flag(critical: bool, red_flag_at: int, value: int | None) -> bool:
    """A critical indicator scored at or below its red-flag level; N/A and unanswered never are."""
    return bool(critical) and value is not None and value <= (red_flag_at or 0)


@dataclass(frozen=True)
class AreaSpec:
    key: str
    indicators: Sequence[IndicatorSpec]


@dataclass(frozen=True)
class Answer:
    value: int | None = None
    not_applicable: bool = False

    @property
    def answered(self) -> bool:
        return self.value is not None or self.not_applicable


@dataclass(frozen=True)
class AreaScore:
    key: str
    total: int
    answered: int
    applicable: int
    exact_percentage: Fraction | None

    @property
    def percentage(self) -> float | None:
        """The exact percentage as the nearest float (unrounded)."""
        return None if self.exact_percentage is None else float(self.exact_percentage)

    @property
    def complete(self) -> bool:
        return self.answered == self.total


@dataclass(frozen=True)
class ScoredIndicator:
    key: str
    area_key: str
    value: int


@dataclass(frozen=True)
class SheetScore:
    areas: list[AreaScore]
    overall_percentage: float | None
    red_flags: list[str]
    answered: int
    total: int
    lowest: list[ScoredIndicator] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.answered == self.total

    @property
    def completeness_percentage(self) -> float:
        return 100.0 * self.answered / self.total if self.total else 0.0


class InvalidAnswer(ValueError):
    """An answer the score sheet does not accept (out of range, N/A where not allowed)."""


def round_half_up_decimal(value: float | Fraction | Decimal | int, digits: int = 1) -> Decimal:
    """Round as people expect on paper (2.25 -> 2.3, -2.25 -> -2.3), not banker's rounding.

    A float is read as its shortest decimal form (``repr``: 56.25 stays 56.25), a
    ``Fraction`` exactly. The result is a ``Decimal`` with ``digits`` decimals, so that
    formatting it (Babel) does not round a second time.
    """
    quantum = Decimal(1).scaleb(-digits)
    if isinstance(value, Fraction):
        scaled = abs(value) * 10**digits
        magnitude = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)  # floor(x + 1/2)
        return Decimal(-magnitude if value < 0 else magnitude).scaleb(-digits).quantize(quantum)
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    return exact.quantize(quantum, rounding=ROUND_HALF_UP)


def round_half_up(value: float | Fraction | Decimal | None, digits: int = 1) -> float | None:
    """:func:`round_half_up_decimal` as a float (``None`` stays ``None``)."""
    return None if value is None else float(round_half_up_decimal(value, digits))


def exact_percentage(values: Iterable[int | None]) -> Fraction | None:
    """Mean of the values that are not None, as a percentage of MAX_SCORE, exactly."""
    applicable = [v for v in values if v is not None]
    if not applicable:
        return None
    return Fraction(sum(applicable) * 100, len(applicable) * MAX_SCORE)


def percentage(values: Iterable[int | None]) -> float | None:
    """:func:`exact_percentage` as the nearest float (unrounded)."""
    exact = exact_percentage(values)
    return None if exact is None else float(exact)


def check_answer(spec: IndicatorSpec, answer: Answer) -> None:
    if answer.value is not None and answer.value not in SCORE_VALUES:
        raise InvalidAnswer(f"{spec.key}: score must be 0, 1, 2 or 3")
    if answer.not_applicable and answer.value is not None:
        raise InvalidAnswer(f"{spec.key}: a score and N/A together")
    if answer.not_applicable and not spec.na_allowed:
        raise InvalidAnswer(f"{spec.key}: N/A is not allowed for this indicator")


def score_area(area: AreaSpec, answers: Mapping[str, Answer]) -> AreaScore:
    given = [answers.get(ind.key, Answer()) for ind in area.indicators]
    values = [a.value for a in given if not a.not_applicable]
    return AreaScore(
        key=area.key,
        total=len(given),
        answered=sum(a.answered for a in given),
        applicable=sum(v is not None for v in values),
        exact_percentage=exact_percentage(values),
    )


def score_sheet(areas: Sequence[AreaSpec], answers: Mapping[str, Answer], lowest: int = 5) -> SheetScore:
    area_scores = [score_area(area, answers) for area in areas]
    existing = [a.exact_percentage for a in area_scores if a.exact_percentage is not None]
    overall = float(sum(existing) / len(existing)) if existing else None
    return SheetScore(
        areas=area_scores,
        overall_percentage=overall,
        red_flags=red_flags(areas, answers),
        answered=sum(a.answered for a in area_scores),
        total=sum(a.total for a in area_scores),
        lowest=lowest_indicators(areas, answers, lowest),
    )


def red_flags(areas: Sequence[AreaSpec], answers: Mapping[str, Answer]) -> list[str]:
    """Keys of critical indicators scored at or below their red-flag level, in score-sheet order."""
    return [
        ind.key
        for area in areas
        for ind in area.indicators
        if ind.flags(answers.get(ind.key, Answer()).value)
    ]


def lowest_indicators(
    areas: Sequence[AreaSpec], answers: Mapping[str, Answer], limit: int | None = None
) -> list[ScoredIndicator]:
    """Scored indicators, lowest first; ties keep score-sheet order."""
    scored = [
        ScoredIndicator(ind.key, area.key, answers[ind.key].value)  # type: ignore[arg-type]
        for area in areas
        for ind in area.indicators
        if ind.key in answers and answers[ind.key].value is not None
    ]
    scored.sort(key=lambda s: s.value)
    return scored if limit is None else scored[:limit]
