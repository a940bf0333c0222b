"""Unit tests for shelterassess.comparisons.domain (pure Python, no app)."""
from __future__ import annotations

import random

import pytest

from shelterassess.comparisons.domain import (
    Agreement,
    KappaUndefined,
    agreement,
    area_comparison,
    area_percentage,
    calibration_result,
    indicator_gaps,
    low_agreement_indicators,
    round_half_up,
    weighted_kappa,
)


def brute_force_quadratic_kappa(pairs: list[tuple[int, int]]) -> float | None:
    """Independent formulation: quadratic kappa = 1 - D_obs / D_exp where
    D_obs = mean over pairs of (a - b)^2 and D_exp = mean over ALL cross
    combinations (a_i, b_j), i.e. chance pairing, of (a_i - b_j)^2.
    The 1/(k-1)^2 weight scaling cancels in the ratio.
    Undefined (None) with no pairs or when D_exp = 0 (0/0)."""
    if not pairs:
        return None
    a_list = [a for a, _ in pairs]
    b_list = [b for _, b in pairs]
    d_obs = sum((a - b) ** 2 for a, b in pairs) / len(pairs)
    total = 0
    for a in a_list:
        for b in b_list:
            total += (a - b) ** 2
    d_exp = total / (len(a_list) * len(b_list))
    if d_exp == 0:
        return None
    return 1 - d_obs / d_exp


# ---------------------------------------------------------------- agreement

def test_hand_computed_six_pair_quadratic_kappa():
    # A = rater A, B = rater B
    pairs = [(0, 0), (1, 1), (2, 3), (3, 3), (1, 2), (2, 2)]
    # Counts C (rows A = 0..3, cols B = 0..3), O = C / 6:
    #        B0 B1 B2 B3 | row r
    #   A0 [  1  0  0  0 ]  1
    #   A1 [  0  1  1  0 ]  2
    #   A2 [  0  0  1  1 ]  2
    #   A3 [  0  0  0  1 ]  1
    #   col c 1  1  2  2
    # Weights w_ij = (i-j)^2 / 9.
    # sum(w*O) = (w_23 + w_12) / 6 = (1/9 + 1/9) / 6 = 2/54 = 12/324
    # E_ij = r_i * c_j / 36, so sum(w*E) = sum(r_i c_j (i-j)^2) / 324:
    #   row A0 (r=1): c=(1,1,2,2) * d2=(0,1,4,9) -> 0+1+8+18 = 27 -> x1 = 27
    #   row A1 (r=2): d2=(1,0,1,4) -> 1+0+2+8 = 11              -> x2 = 22
    #   row A2 (r=2): d2=(4,1,0,1) -> 4+1+0+2 = 7               -> x2 = 14
    #   row A3 (r=1): d2=(9,4,1,0) -> 9+4+2+0 = 15              -> x1 = 15
    #   total 78  -> sum(w*E) = 78/324
    # kappa = 1 - 12/78 = 66/78 = 11/13 = 0.846153...
    result = agreement(pairs)
    assert result.kappa == pytest.approx(11 / 13)
    # exact: 4 of 6 equal -> 66.666...%; within one: all 6 -> 100%
    assert result.exact_pct == pytest.approx(400 / 6)
    assert result.within_one_pct == pytest.approx(100.0)
    # diffs a-b = 0,0,-1,0,-1,0 -> mean -2/6
    assert result.mean_difference == pytest.approx(-1 / 3)
    assert result.n == 6 and result.na_excluded == 0


def test_exact_and_within_one_on_small_list_with_na():
    pairs = [(3, 3), (3, 1), (0, 1), (2, None), (None, None)]
    result = agreement(pairs)
    # scored: (3,3) d=0, (3,1) d=2, (0,1) d=-1 -> n = 3, 2 N/A excluded
    assert result.n == 3 and result.na_excluded == 2
    # exact 1/3 = 33.33%, within one 2/3 = 66.67%, mean diff (0+2-1)/3 = 1/3
    assert result.exact_pct == pytest.approx(100 / 3)
    assert result.within_one_pct == pytest.approx(200 / 3)
    assert result.mean_difference == pytest.approx(1 / 3)


def test_all_na_gives_none_not_zero():
    result = agreement([(None, 2), (1, None), (None, None)])
    assert result == Agreement(
        n=0, na_excluded=3, exact_pct=None, within_one_pct=None,
        kappa=None, mean_difference=None, kappa_undefined_reason=KappaUndefined.NO_PAIRS,
    )


def test_empty_input():
    result = agreement([])
    assert result.n == 0 and result.na_excluded == 0 and result.kappa is None
    assert result.kappa_undefined_reason == KappaUndefined.NO_PAIRS
    assert weighted_kappa([]) is None


def test_perfect_agreement_kappa_is_one():
    result = agreement([(0, 0), (1, 1), (2, 2), (3, 3), (2, 2)])
    assert result.kappa == 1.0
    assert result.kappa_undefined_reason is None
    assert result.exact_pct == 100.0
    assert result.mean_difference == 0.0


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_single_identical_level_kappa_is_undefined(level):
    # Both raters always said the same level: r = c = (n at that level), so every
    # term r_i c_j (i-j)^2 is 0 -> expected disagreement 0, observed 0: kappa = 0/0.
    # Undefined, not 1.0 (docs/decisions.md): answering one level everywhere is no agreement.
    result = agreement([(level, level)] * 6)
    assert result.kappa is None
    assert result.kappa_undefined_reason == KappaUndefined.SINGLE_LEVEL
    assert result.exact_pct == 100.0 and result.within_one_pct == 100.0
    assert weighted_kappa([(level, level)] * 6) is None


def test_one_rater_constant_the_other_not_is_zero_not_undefined():
    # A always 2, B (2, 3): r = (0,0,2,0), c = (0,0,1,1); expected sum r_i c_j d2 = 2*1*1 = 2,
    # observed sum d2 C = 1 -> kappa = 1 - 2 * 1 / 2 = 0.
    result = agreement([(2, 2), (2, 3)])
    assert result.kappa == pytest.approx(0.0)
    assert result.kappa_undefined_reason is None


def test_both_constant_on_different_levels_is_defined():
    # A always 1, B always 3: expected = n^2 * 4, observed = n * 4 -> kappa = 1 - n*4n/(4n^2) = 0.
    assert agreement([(1, 3)] * 4).kappa == pytest.approx(0.0)


def test_minimum_pairs_withholds_kappa():
    pairs = [(0, 0), (1, 1), (2, 3), (3, 3)]  # 4 pairs, kappa defined
    assert agreement(pairs).kappa is not None
    withheld = agreement(pairs, min_kappa_pairs=5)
    assert withheld.kappa is None and withheld.kappa_undefined_reason == KappaUndefined.TOO_FEW_PAIRS
    assert withheld.kappa_min_pairs == 5
    assert withheld.exact_pct == 75.0 and withheld.n == 4  # the other figures stay
    five = agreement(pairs + [(1, 2)], min_kappa_pairs=5)
    assert five.kappa == pytest.approx(brute_force_quadratic_kappa(pairs + [(1, 2)]))
    assert five.kappa_undefined_reason is None
    # no pairs at all is reported as such, whatever the minimum
    assert agreement([(None, 1)], min_kappa_pairs=5).kappa_undefined_reason == KappaUndefined.NO_PAIRS
    # few pairs and a single level: the minimum is what the reader is told
    assert agreement([(2, 2)] * 3, min_kappa_pairs=5).kappa_undefined_reason == KappaUndefined.TOO_FEW_PAIRS
    assert agreement([(2, 2)] * 5, min_kappa_pairs=5).kappa_undefined_reason == KappaUndefined.SINGLE_LEVEL


def test_systematic_plus_one_over_rating():
    pairs = [(1, 0), (2, 1), (3, 2), (2, 1)]
    # r (A) = (0,1,2,1) for levels 0..3; c (B) = (1,2,1,0); n = 4
    # sum(d2*C) = 4 pairs * 1 = 4 -> sum(w*O) = 4 / (4*9) = 1/9
    # sum(r_i c_j d2): A1 (r=1): c0*1 + c2*1 = 1 + 1 = 2        -> 2
    #                  A2 (r=2): c0*4 + c1*1 = 4 + 2 = 6        -> 12
    #                  A3 (r=1): c0*9 + c1*4 + c2*1 = 9+8+1 = 18 -> 18
    #   total 32 -> sum(w*E) = 32 / (16*9) = 2/9
    # kappa = 1 - (1/9) / (2/9) = 0.5
    result = agreement(pairs)
    assert result.kappa == pytest.approx(0.5)
    assert result.kappa < 1
    assert result.within_one_pct == 100.0
    assert result.exact_pct == 0.0
    assert result.mean_difference == 1.0


def test_score_outside_levels_is_rejected():
    with pytest.raises(ValueError):
        agreement([(4, 3)])
    with pytest.raises(ValueError):
        weighted_kappa([(0, 1)], levels=(0,))


def test_custom_levels():
    # Levels (1, 2, 3): same positional structure as 0..2.
    assert agreement([(1, 1), (3, 3), (2, 2)], levels=(1, 2, 3)).kappa == 1.0


def test_kappa_matches_brute_force_on_random_pairs():
    rng = random.Random(20240601)
    for _ in range(5):
        pairs = []
        for _ in range(50):
            a = rng.randint(0, 3)
            b = min(3, max(0, a + rng.choice([-2, -1, 0, 0, 0, 1])))
            pairs.append((a, b))
        assert weighted_kappa(pairs) == pytest.approx(brute_force_quadratic_kappa(pairs))
        assert agreement(pairs).kappa == pytest.approx(brute_force_quadratic_kappa(pairs))


def test_kappa_matches_brute_force_with_independent_raters():
    rng = random.Random(7)
    pairs = [(rng.randint(0, 3), rng.randint(0, 3)) for _ in range(50)]
    assert weighted_kappa(pairs) == pytest.approx(brute_force_quadratic_kappa(pairs))


def test_kappa_matches_brute_force_on_small_and_degenerate_samples():
    # Few pairs over few levels hit the undefined case (both raters on one level) often;
    # weighted_kappa must be None exactly where the brute force divides 0 by 0.
    rng = random.Random(11)
    undefined = 0
    for _ in range(400):
        size = rng.randint(0, 4)
        used = rng.sample([0, 1, 2, 3], rng.randint(1, 2))
        pairs = [(rng.choice(used), rng.choice(used)) for _ in range(size)]
        expected = brute_force_quadratic_kappa(pairs)
        if expected is None:
            undefined += 1
            assert weighted_kappa(pairs) is None, pairs
            assert agreement(pairs).kappa_undefined_reason in (KappaUndefined.NO_PAIRS, KappaUndefined.SINGLE_LEVEL)
        else:
            assert weighted_kappa(pairs) == pytest.approx(expected), pairs
            assert agreement(pairs).kappa_undefined_reason is None
    assert undefined > 50  # the degenerate case was really exercised


# ---------------------------------------------------------------- gaps

def test_indicator_gaps_sign_order_and_flagging():
    self_scores = {"i1": 3, "i2": 1, "i3": 2, "i4": None, "i5": 0, "i6": 3}
    peer_scores = {"i1": 1, "i2": 3, "i3": 2, "i4": 2, "i5": 1}  # i6 missing
    gaps = indicator_gaps(self_scores, peer_scores)
    # self - peer: i1 +2, i2 -2, i3 0, i4 None, i5 -1, i6 None (missing)
    assert [g.key for g in gaps] == ["i1", "i2", "i5", "i3", "i4", "i6"]
    by_key = {g.key: g for g in gaps}
    assert by_key["i1"].difference == 2 and by_key["i1"].flagged
    assert by_key["i2"].difference == -2 and by_key["i2"].flagged
    assert by_key["i5"].difference == -1 and not by_key["i5"].flagged
    assert by_key["i3"].difference == 0 and not by_key["i3"].flagged
    assert by_key["i4"].difference is None and not by_key["i4"].flagged
    assert by_key["i6"].peer_score is None and by_key["i6"].self_score == 3


def test_indicator_gaps_threshold():
    gaps = indicator_gaps({"a": 2}, {"a": 1}, threshold=1)
    assert gaps[0].flagged


# ---------------------------------------------------------------- areas

def test_area_percentage_rule():
    assert area_percentage([3, 2, None]) == pytest.approx(2.5 / 3 * 100)
    assert area_percentage([None, None]) is None
    assert area_percentage([]) is None
    assert area_percentage([0, 0]) == 0.0
    assert area_percentage([3, 3]) == 100.0


def test_area_comparison_excludes_na_and_handles_all_na_area():
    areas = {"safety": ["a1", "a2", "a3"], "health": ["b1", "b2"]}
    sets = {
        "self": {"a1": 3, "a2": 2, "a3": None, "b1": None, "b2": None},
        "peer": {"a1": 2, "a2": 1, "a3": 0},  # b1/b2 missing -> N/A
        "agreed": {"a1": 3, "a2": 1, "a3": 1, "b1": 2, "b2": 3},
    }
    result = area_comparison(areas, sets)
    assert [r.area_key for r in result] == ["safety", "health"]
    safety, health = result
    # self: mean(3, 2) = 2.5 -> 83.33%; peer: mean(2, 1, 0) = 1 -> 33.33%
    # agreed: mean(3, 1, 1) = 5/3 -> 55.56%
    assert safety.percentages["self"] == pytest.approx(250 / 3)
    assert safety.percentages["peer"] == pytest.approx(100 / 3)
    assert safety.percentages["agreed"] == pytest.approx(500 / 9)
    # 83.33 - 33.33 = 50 percentage points
    assert safety.difference == pytest.approx(50.0)
    assert health.percentages["self"] is None
    assert health.percentages["peer"] is None
    assert health.percentages["agreed"] == pytest.approx(2.5 / 3 * 100)
    assert health.difference is None


def test_area_comparison_difference_when_set_absent():
    result = area_comparison({"x": ["a"]}, {"self": {"a": 3}})
    assert result[0].percentages == {"self": 100.0}
    assert result[0].difference is None


# ---------------------------------------------------------------- low agreement

def _ag(n: int, exact: float | None, kappa: float | None) -> Agreement:
    return Agreement(n, 0, exact, exact, kappa, 0.0)


def test_low_agreement_indicators_min_pairs_and_order():
    per_indicator = {
        "good": _ag(10, 90.0, 0.9),
        "low_kappa": _ag(10, 70.0, 0.2),          # kappa < 0.4
        "negative": _ag(5, 20.0, -0.1),           # worst
        "few_pairs": _ag(2, 0.0, -0.5),           # n < 3: ignored
        "no_kappa_low_exact": _ag(4, 30.0, None),  # severity 0.30
        "no_kappa_ok_exact": _ag(4, 60.0, None),   # exact >= 50: fine
        "borderline": _ag(3, 60.0, 0.4),          # not below 0.4
        "none_at_all": _ag(0, None, None),
    }
    # severities: negative -0.1, low_kappa 0.2, no_kappa_low_exact 0.30
    assert low_agreement_indicators(per_indicator) == [
        "negative", "low_kappa", "no_kappa_low_exact",
    ]
    assert "few_pairs" in low_agreement_indicators(per_indicator, min_pairs=2)


def test_low_agreement_indicators_with_real_agreements():
    per_indicator = {
        "same": agreement([(1, 1), (2, 2), (3, 3)]),
        "opposite": agreement([(0, 3), (3, 0), (1, 2)]),
    }
    assert low_agreement_indicators(per_indicator) == ["opposite"]


def test_low_agreement_falls_back_to_exact_when_kappa_is_undefined_or_withheld():
    per_indicator = {
        # single level everywhere: kappa undefined, exact 100 % -> not low (before: kappa 1.0, not low either)
        "constant": agreement([(2, 2)] * 6),
        # 3 pairs, withheld below 5: (3,1) (1,1) (3,2): exact 33.3 % < 50 -> low on exact agreement
        "few_bad": agreement([(3, 1), (1, 1), (3, 2)], min_kappa_pairs=5),
        # 3 pairs, withheld: (1,1) (3,3) (0,3): exact 66.7 % -> not low (its kappa 0.13 is not used)
        "few_ok": agreement([(1, 1), (3, 3), (0, 3)], min_kappa_pairs=5),
    }
    assert low_agreement_indicators(per_indicator) == ["few_bad"]


# ---------------------------------------------------------------- calibration

def test_calibration_fail_and_large_differences():
    reference = {"i1": 3, "i2": 2, "i3": 1, "i4": 0, "i5": None}
    trainee = {"i1": 3, "i2": 1, "i3": 3, "i4": 0, "i5": 2}
    # scored pairs: i1 0, i2 -1, i3 +2, i4 0 -> n=4, i5 N/A excluded
    # within one: 3/4 = 75% < 80% -> fail
    result = calibration_result(trainee, reference)
    assert result.agreement.n == 4 and result.agreement.na_excluded == 1
    assert result.agreement.within_one_pct == 75.0
    assert result.passed is False
    assert result.large_differences == ["i3"]
    assert calibration_result(trainee, reference, pass_within_one_pct=75.0).passed


def test_calibration_pass():
    reference = {"i1": 3, "i2": 2, "i3": 1, "i4": 0, "i5": 2}
    trainee = {"i1": 3, "i2": 2, "i3": 2, "i4": 0, "i5": 2}
    # within one 5/5 = 100% >= 80%
    result = calibration_result(trainee, reference)
    assert result.passed is True
    assert result.large_differences == []
    assert result.agreement.exact_pct == 80.0


def test_calibration_with_nothing_scored_fails():
    result = calibration_result({"i1": None}, {"i1": 2})
    assert result.agreement.n == 0
    assert result.passed is False


# ---------------------------------------------------------------- rounding

@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (2.25, 1, 2.3),      # banker's round() would give 2.2
        (0.125, 2, 0.13),
        (-2.25, 1, -2.3),    # half away from zero
        (66.66666666, 1, 66.7),
        (83.35, 1, 83.4),
        (49.5, 0, 50.0),
        (2.675, 2, 2.68),    # float repr is 2.675, not 2.67499...
    ],
)
def test_round_half_up(value, digits, expected):
    assert round_half_up(value, digits) == expected
