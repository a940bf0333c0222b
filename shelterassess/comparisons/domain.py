"""Rater-comparison domain logic: pure Python, no Flask, no SQLAlchemy.

A score sheet is made of areas, each holding indicators. Every indicator is
scored 0..3, or ``None`` meaning "not applicable" (N/A). A shelter scores
itself and peer teams score the same sheet; this module compares raters.

Nothing here rounds: percentages are returned unrounded and display code
rounds them with :func:`round_half_up`.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Optional

from shelterassess.assessments.domain import round_half_up_decimal

Score = Optional[int]
ScoreMap = Mapping[str, Score]
DEFAULT_LEVELS: tuple[int, ...] = (0, 1, 2, 3)
MAX_SCORE = 3


# --------------------------------------------------------------------------
# Rounding and the area percentage rule
# --------------------------------------------------------------------------

def round_half_up(x: float | Fraction | Decimal, digits: int = 1) -> float:
    """Round ``x`` to ``digits`` decimals, halves away from zero.

    The one rounding rule of the app (:func:`shelterassess.assessments.domain.round_half_up_decimal`):
    a float is read as its shortest decimal form (``repr(x)``), so
    ``round_half_up(2.25) == 2.3`` and ``round_half_up(-2.25) == -2.3``, unlike
    Python's banker's ``round``; a ``Fraction`` is rounded exactly.
    """
    return float(round_half_up_decimal(x, digits))


def area_percentage(scores: Iterable[Score], max_score: int = MAX_SCORE) -> Optional[float]:
    """Area score as a percentage: ``mean(applicable scores) / max_score * 100``.

    N/A (``None``) scores are excluded from the mean. Returns ``None`` when no
    score is applicable. Computed exactly and returned as the nearest float,
    unrounded (the same value :mod:`shelterassess.assessments.domain` stores).
    """
    applicable = [s for s in scores if s is not None]
    if not applicable:
        return None
    return float(Fraction(sum(applicable) * 100, len(applicable) * max_score))


# --------------------------------------------------------------------------
# Agreement between two raters
# --------------------------------------------------------------------------

class KappaUndefined(str, enum.Enum):
    """Why an :class:`Agreement` has no kappa (pages and PDFs print a footnote for each)."""

    #: No indicator was scored by both raters (0/0: nothing to compare).
    NO_PAIRS = "no_pairs"
    #: Both raters used one and the same single level everywhere: chance agreement is
    #: already perfect, so kappa is 0/0. It is *not* 1.0 (docs/decisions.md).
    SINGLE_LEVEL = "single_level"
    #: Fewer pairs than the minimum asked for (``min_kappa_pairs``): not shown.
    TOO_FEW_PAIRS = "too_few_pairs"


@dataclass(frozen=True)
class Agreement:
    """Agreement statistics between rater A and rater B.

    ``n``: pairs where both raters scored; ``na_excluded``: pairs where either
    is N/A. All other fields are ``None`` when ``n == 0``.
    ``exact_pct = 100 * #(a == b) / n``;
    ``within_one_pct = 100 * #(|a - b| <= 1) / n``;
    ``mean_difference = sum(a - b) / n`` (signed: > 0 means A scores higher);
    ``kappa``: quadratic-weighted Cohen's kappa (see :func:`weighted_kappa`), ``None``
    when undefined or not shown, and then ``kappa_undefined_reason`` says why;
    ``kappa_min_pairs``: the fewest pairs for which kappa is given (see :func:`agreement`).
    """

    n: int
    na_excluded: int
    exact_pct: Optional[float]
    within_one_pct: Optional[float]
    kappa: Optional[float]
    mean_difference: Optional[float]
    kappa_undefined_reason: Optional[KappaUndefined] = None
    kappa_min_pairs: int = 1


def split_pairs(
    pairs: Iterable[tuple[Score, Score]],
) -> tuple[list[tuple[int, int]], int]:
    """Return (pairs where both scored, number of pairs with an N/A)."""
    scored: list[tuple[int, int]] = []
    na = 0
    for a, b in pairs:
        if a is None or b is None:
            na += 1
        else:
            scored.append((a, b))
    return scored, na


def _percentage(count: int, total: int) -> float:
    """``count / total * 100``; ``total`` must be positive."""
    return count / total * 100


def _check_levels(scored: Sequence[tuple[int, int]], levels: Sequence[int]) -> None:
    """Raise ``ValueError`` for fewer than 2 levels or a score outside them."""
    if len(levels) < 2:
        raise ValueError("at least two score levels are needed")
    allowed = set(levels)
    for a, b in scored:
        if a not in allowed or b not in allowed:
            raise ValueError(f"score pair {(a, b)!r} outside levels {tuple(levels)!r}")


def _count_matrix(
    scored: Sequence[tuple[int, int]], levels: Sequence[int]
) -> list[list[int]]:
    """Contingency counts ``C[i][j] = #(a == levels[i] and b == levels[j])``."""
    index = {level: i for i, level in enumerate(levels)}
    k = len(levels)
    matrix = [[0] * k for _ in range(k)]
    for a, b in scored:
        matrix[index[a]][index[b]] += 1
    return matrix


def weighted_kappa(
    scored: Sequence[tuple[int, int]], levels: Sequence[int] = DEFAULT_LEVELS
) -> Optional[float]:
    """Quadratic-weighted Cohen's kappa for pairs where both raters scored.

    With k levels, weights ``w_ij = (i - j)^2 / (k - 1)^2`` (i, j are level
    positions), observed proportions ``O_ij = C_ij / n`` and expected
    proportions ``E_ij = (r_i / n) * (c_j / n)`` (outer product of the row
    and column marginals)::

        kappa = 1 - sum(w * O) / sum(w * E)

    Computed on integer counts to avoid float drift; the ``(k - 1)^2``
    factor cancels: ``kappa = 1 - n * sum(d2 * C) / sum(d2 * r_i * c_j)``
    with ``d2 = (i - j)^2``.

    Undefined (``None``): no pairs, or an expected disagreement ``sum(w * E)``
    of 0. The latter happens exactly when both raters used one and the same
    single level (any two different levels used give a positive term); the
    observed disagreement is then 0 too and kappa is 0/0. It is not 1.0: a
    rater who answers the same level everywhere shows no discrimination, and
    calling that perfect agreement would reward it (docs/decisions.md).
    """
    if not scored:
        return None
    _check_levels(scored, levels)
    return _matrix_kappa(_count_matrix(scored, levels))


def _matrix_kappa(counts: list[list[int]]) -> Optional[float]:
    """:func:`weighted_kappa` of a contingency table of counts (``None`` when 0/0)."""
    k = len(counts)
    n = sum(map(sum, counts))
    rows = [sum(counts[i]) for i in range(k)]
    cols = [sum(counts[i][j] for i in range(k)) for j in range(k)]
    observed = expected = 0
    for i in range(k):
        for j in range(k):
            d2 = (i - j) ** 2
            observed += d2 * counts[i][j]
            expected += d2 * rows[i] * cols[j]
    if expected == 0:
        return None
    return 1 - n * observed / expected


def _kappa_and_reason(
    scored: Sequence[tuple[int, int]], levels: Sequence[int], min_kappa_pairs: int
) -> tuple[Optional[float], Optional[KappaUndefined]]:
    """Kappa, or ``None`` and why: too few pairs first, then a single shared level."""
    if len(scored) < min_kappa_pairs:
        return None, KappaUndefined.TOO_FEW_PAIRS
    kappa = weighted_kappa(scored, levels)
    return kappa, (KappaUndefined.SINGLE_LEVEL if kappa is None else None)


def agreement(
    pairs: Iterable[tuple[Score, Score]],
    levels: Sequence[int] = DEFAULT_LEVELS,
    min_kappa_pairs: int = 1,
) -> Agreement:
    """Compute :class:`Agreement` for ``(a, b)`` score pairs (N/A = ``None``).

    Kappa is left out (``None``, reason ``TOO_FEW_PAIRS``) below ``min_kappa_pairs``
    scored pairs; with no pair at all the reason is ``NO_PAIRS``. Raises
    ``ValueError`` if a score is not one of ``levels``.
    """
    scored, na = split_pairs(pairs)
    n = len(scored)
    if n == 0:
        return Agreement(0, na, None, None, None, None, KappaUndefined.NO_PAIRS, min_kappa_pairs)
    _check_levels(scored, levels)
    diffs = [a - b for a, b in scored]
    kappa, reason = _kappa_and_reason(scored, levels, min_kappa_pairs)
    return Agreement(
        n=n,
        na_excluded=na,
        exact_pct=_percentage(sum(1 for d in diffs if d == 0), n),
        within_one_pct=_percentage(sum(1 for d in diffs if abs(d) <= 1), n),
        kappa=kappa,
        mean_difference=sum(diffs) / n,
        kappa_undefined_reason=reason,
        kappa_min_pairs=min_kappa_pairs,
    )


def agreement_from_counts(
    counts: Mapping[tuple[Score, Score], int],
    levels: Sequence[int] = DEFAULT_LEVELS,
    min_kappa_pairs: int = 1,
) -> Agreement:
    """The :class:`Agreement` of the pairs a contingency table stands for: ``counts[(a, b)]``
    pairs scored ``(a, b)`` (N/A = ``None``), as SQL ``GROUP BY self value, peer value`` gives.

    Equal to ``agreement(pairs)`` for the same pairs, undefined cases included (integer
    arithmetic on the same counts, the same divisions), without holding one tuple per pair.
    """
    scored = {(a, b): n for (a, b), n in counts.items() if a is not None and b is not None and n > 0}
    na = sum(n for (a, b), n in counts.items() if (a is None or b is None) and n > 0)
    n = sum(scored.values())
    if n == 0:
        return Agreement(0, na, None, None, None, None, KappaUndefined.NO_PAIRS, min_kappa_pairs)
    _check_levels(list(scored), levels)
    exact = sum(c for (a, b), c in scored.items() if a == b)
    within = sum(c for (a, b), c in scored.items() if abs(a - b) <= 1)
    if n < min_kappa_pairs:
        kappa, reason = None, KappaUndefined.TOO_FEW_PAIRS
    else:
        kappa = _kappa_from_counts(scored, levels)
        reason = KappaUndefined.SINGLE_LEVEL if kappa is None else None
    return Agreement(
        n=n,
        na_excluded=na,
        exact_pct=_percentage(exact, n),
        within_one_pct=_percentage(within, n),
        kappa=kappa,
        mean_difference=sum((a - b) * c for (a, b), c in scored.items()) / n,
        kappa_undefined_reason=reason,
        kappa_min_pairs=min_kappa_pairs,
    )


def _kappa_from_counts(scored: Mapping[tuple[int, int], int], levels: Sequence[int]) -> Optional[float]:
    """:func:`weighted_kappa` from pair counts: the same table, so the same float."""
    index = {level: i for i, level in enumerate(levels)}
    matrix = [[0] * len(levels) for _ in levels]
    for (a, b), count in scored.items():
        matrix[index[a]][index[b]] += count
    return _matrix_kappa(matrix)


# --------------------------------------------------------------------------
# Indicator gaps (self vs peer)
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Gap:
    """Per-indicator difference ``self_score - peer_score``.

    ``difference`` is ``None`` when either score is N/A or missing;
    ``flagged`` is ``|difference| >= threshold``.
    """

    key: str
    self_score: Score
    peer_score: Score
    difference: Optional[int]
    flagged: bool


def _gap_sort_key(gap: Gap) -> tuple[int, int, str]:
    """Sort by |difference| descending, N/A differences last, then key."""
    if gap.difference is None:
        return (1, 0, gap.key)
    return (0, -abs(gap.difference), gap.key)


def indicator_gaps(
    self_scores: ScoreMap, peer_scores: ScoreMap, threshold: int = 2
) -> list[Gap]:
    """Gaps for every indicator key present in either mapping.

    A key missing from one mapping is treated as N/A. Ordered by
    ``|self - peer|`` descending then key; N/A differences come last.
    """
    gaps: list[Gap] = []
    for key in sorted(set(self_scores) | set(peer_scores)):
        s, p = self_scores.get(key), peer_scores.get(key)
        diff = None if s is None or p is None else s - p
        flagged = diff is not None and abs(diff) >= threshold
        gaps.append(Gap(key, s, p, diff, flagged))
    return sorted(gaps, key=_gap_sort_key)


# --------------------------------------------------------------------------
# Area comparison across named score sets
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class AreaComparison:
    """Per-area percentages for each named score set, unrounded.

    ``percentages[name] = area_percentage(scores of the area's indicators)``;
    ``difference = percentages[minuend] - percentages[subtrahend]`` in
    percentage points (``None`` if either is ``None`` or absent).
    """

    area_key: str
    percentages: dict[str, Optional[float]] = field(default_factory=dict)
    difference: Optional[float] = None


def _difference(a: Optional[float], b: Optional[float]) -> Optional[float]:
    """``a - b``, or ``None`` if either is ``None``."""
    if a is None or b is None:
        return None
    return a - b


def area_comparison(
    areas: Mapping[str, Sequence[str]],
    score_sets: Mapping[str, ScoreMap],
    minuend: str = "self",
    subtrahend: str = "peer",
) -> list[AreaComparison]:
    """Compare named score sets (e.g. self/peer/agreed) area by area.

    ``areas`` maps area key -> indicator keys, in display order (kept).
    Each set's area percentage follows the scoring rule of
    :func:`area_percentage` (mean of applicable scores / 3 * 100; indicators
    missing from a set count as N/A). ``difference`` is ``minuend`` minus
    ``subtrahend`` in percentage points.
    """
    result: list[AreaComparison] = []
    for area_key, indicator_keys in areas.items():
        percentages = {
            name: area_percentage(scores.get(key) for key in indicator_keys)
            for name, scores in score_sets.items()
        }
        diff = _difference(percentages.get(minuend), percentages.get(subtrahend))
        result.append(AreaComparison(area_key, percentages, diff))
    return result


# --------------------------------------------------------------------------
# National view: indicators with low inter-rater agreement
# --------------------------------------------------------------------------

def _severity(a: Agreement) -> float:
    """Badness on a common 0..1-ish scale: kappa, else exact% / 100."""
    if a.kappa is not None:
        return a.kappa
    return (a.exact_pct or 0.0) / 100


def _is_low(a: Agreement, kappa_below: float, exact_below: float) -> bool:
    """Low when kappa < kappa_below, or (kappa undefined) exact% < exact_below."""
    if a.kappa is not None:
        return a.kappa < kappa_below
    return a.exact_pct is not None and a.exact_pct < exact_below


def low_agreement_indicators(
    per_indicator: Mapping[str, Agreement],
    min_pairs: int = 3,
    kappa_below: float = 0.4,
    exact_below: float = 50.0,
) -> list[str]:
    """Indicator keys with low agreement, worst first.

    Only indicators with ``n >= min_pairs`` are considered. An indicator is
    low when ``kappa < kappa_below``, or, when kappa is ``None``, when
    ``exact_pct < exact_below``. Worst first means ascending severity, where
    severity is kappa, or ``exact_pct / 100`` when kappa is ``None``; ties
    are broken by exact% ascending, then key.
    """
    low = [
        (key, a) for key, a in per_indicator.items()
        if a.n >= min_pairs and _is_low(a, kappa_below, exact_below)
    ]
    low.sort(key=lambda item: (_severity(item[1]), item[1].exact_pct or 0.0, item[0]))
    return [key for key, _ in low]


# --------------------------------------------------------------------------
# Rater calibration (trainee vs reference scoring)
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class CalibrationResult:
    """Trainee-vs-reference calibration outcome.

    ``passed = agreement.n > 0 and agreement.within_one_pct >= threshold``.
    ``large_differences``: indicator keys where ``|trainee - reference| >= 2``,
    largest difference first, then key.
    """

    agreement: Agreement
    passed: bool
    threshold: float
    large_differences: list[str]


def calibration_result(
    trainee: ScoreMap,
    reference: ScoreMap,
    pass_within_one_pct: float = 80.0,
) -> CalibrationResult:
    """Score a calibration exercise: trainee (rater A) vs reference (rater B).

    Indicators present in only one mapping count as N/A for the other.
    """
    keys = sorted(set(trainee) | set(reference))
    result = agreement((trainee.get(k), reference.get(k)) for k in keys)
    passed = (
        result.within_one_pct is not None
        and result.within_one_pct >= pass_within_one_pct
    )
    large = [g.key for g in indicator_gaps(trainee, reference, threshold=2) if g.flagged]
    return CalibrationResult(result, passed, pass_within_one_pct, large)
