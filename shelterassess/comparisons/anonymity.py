"""What anonymised (workshop) output may show. Pure Python: no Flask, no database.

A province is named in anonymised output only when at least
:data:`MIN_FACILITIES_PER_PROVINCE` of its facilities have a result in the round;
smaller provinces are shown together as one "other provinces" group (rows, filter
options, captions), so that no one can tell which facility a row is by its province.
The group itself must not be small either: while it holds some, but fewer than the
minimum, facilities with a result, the named province with the fewest is merged into it.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

#: Fewer facilities with a result than this in a province, and the province is not named.
MIN_FACILITIES_PER_PROVINCE = 3


def named_provinces(
    province_of: Mapping[int, int],
    with_result: Iterable[int],
    minimum: int = MIN_FACILITIES_PER_PROVINCE,
) -> frozenset[int]:
    """Province ids that may be named: those with at least ``minimum`` facilities with a result,
    less the smallest of them while the "other" group has between 1 and ``minimum - 1``.

    ``province_of`` maps facility id -> province id; ``with_result`` lists the facility
    ids that have a result (ids not in ``province_of`` are ignored).
    """
    counts = Counter(province_of[f] for f in set(with_result) if f in province_of)
    return named_from_counts(counts, minimum)


def named_from_counts(counts: Mapping[int, int], minimum: int = MIN_FACILITIES_PER_PROVINCE) -> frozenset[int]:
    """:func:`named_provinces` from province id -> number of facilities with a result (as SQL
    ``GROUP BY province`` gives it); provinces with none may be left out or given as 0."""
    counts = {p: n for p, n in counts.items() if n > 0}
    named = sorted((p for p, n in counts.items() if n >= minimum), key=lambda p: (counts[p], p))
    others = sum(n for p, n in counts.items() if n < minimum)
    while named and 0 < others < minimum:
        others += counts[named.pop(0)]
    return frozenset(named)
