"""``agreement_from_counts`` (a contingency table, as SQL ``GROUP BY`` gives it) equals
``agreement`` over the pairs themselves: on random data against the pair-by-pair reference,
and in every undefined case (no pairs, N/A only, one shared level, too few pairs)."""
from __future__ import annotations

import random
from collections import Counter

import pytest

from shelterassess.comparisons.domain import KappaUndefined, agreement, agreement_from_counts

VALUES = (None, 0, 1, 2, 3)


def counts_of(pairs):
    return Counter(pairs)


@pytest.mark.parametrize("seed", range(300))
def test_equals_the_pair_by_pair_agreement_on_random_data(seed):
    rng = random.Random(seed)
    levels_used = rng.sample(VALUES, rng.randint(1, len(VALUES)))  # some draws use one category only
    pairs = [(rng.choice(levels_used), rng.choice(levels_used)) for _ in range(rng.randint(0, 60))]
    min_pairs = rng.choice((1, 1, 5, 20))
    assert agreement_from_counts(counts_of(pairs), min_kappa_pairs=min_pairs) == agreement(pairs, min_kappa_pairs=min_pairs)


@pytest.mark.parametrize("pairs, reason", [
    ([], KappaUndefined.NO_PAIRS),
    ([(None, 2), (1, None), (None, None)], KappaUndefined.NO_PAIRS),
    ([(2, 2)] * 7, KappaUndefined.SINGLE_LEVEL),
    ([(3, 3)] * 3 + [(None, 1)], KappaUndefined.SINGLE_LEVEL),
    ([(0, 1), (1, 1)], KappaUndefined.TOO_FEW_PAIRS),
])
def test_undefined_cases_are_the_same(pairs, reason):
    expected = agreement(pairs, min_kappa_pairs=3)
    got = agreement_from_counts(counts_of(pairs), min_kappa_pairs=3)
    assert got == expected and got.kappa is None and got.kappa_undefined_reason == reason


def test_zero_counts_are_ignored_and_bad_levels_refused():
    assert agreement_from_counts({(1, 2): 0, (None, 1): 0}) == agreement([])
    with pytest.raises(ValueError):
        agreement_from_counts({(1, 4): 1})


def test_hand_computed_figures():
    # facility A of the comparison fixtures: (3,1) (1,1) (3,2), N/A pair excluded; kappa 4/19
    got = agreement_from_counts({(3, 1): 1, (1, 1): 1, (3, 2): 1, (None, 2): 1})
    assert (got.n, got.na_excluded) == (3, 1)
    assert got.kappa == pytest.approx(4 / 19) and got.exact_pct == pytest.approx(100 / 3)
