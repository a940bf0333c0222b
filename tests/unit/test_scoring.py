"""Scoring rules, without an app or a database."""
from decimal import Decimal
from fractions import Fraction

import pytest

from shelterassess.assessments.domain import (
    Answer,
    AreaSpec,
    IndicatorSpec,
    InvalidAnswer,
    check_answer,
    exact_percentage,
    lowest_indicators,
    percentage,
    round_half_up,
    round_half_up_decimal,
    score_area,
    score_sheet,
)

A = AreaSpec("a", [IndicatorSpec("a1", critical=True), IndicatorSpec("a2"), IndicatorSpec("a3", na_allowed=True)])
B = AreaSpec("b", [IndicatorSpec("b1", na_allowed=True), IndicatorSpec("b2", na_allowed=True)])


def test_area_percentage_is_mean_over_max():
    # (3 + 2) / 2 = 2.5 ; 2.5 / 3 * 100 = 83.333...
    result = score_area(A, {"a1": Answer(3), "a2": Answer(2), "a3": Answer(not_applicable=True)})
    assert result.percentage == pytest.approx(250 / 3)
    assert (result.answered, result.applicable, result.total) == (3, 2, 3)


def test_na_is_excluded_from_denominator_not_counted_as_zero():
    with_na = score_area(A, {"a1": Answer(3), "a2": Answer(3), "a3": Answer(not_applicable=True)})
    assert with_na.percentage == 100.0


def test_all_na_area_has_no_percentage_and_does_not_pull_overall_down():
    answers = {"a1": Answer(3), "a2": Answer(0), "a3": Answer(3),
               "b1": Answer(not_applicable=True), "b2": Answer(not_applicable=True)}
    result = score_sheet([A, B], answers)
    assert result.areas[1].percentage is None
    assert result.areas[1].complete
    # area a: (3 + 0 + 3) / 3 = 2 -> 66.67 ; overall = area a only
    assert result.overall_percentage == pytest.approx(200 / 3)
    assert result.complete


def test_overall_is_mean_of_area_percentages_not_of_all_scores():
    answers = {"a1": Answer(3), "a2": Answer(3), "a3": Answer(3), "b1": Answer(0), "b2": Answer(not_applicable=True)}
    # area a 100, area b 0 -> overall 50, although 3 of 4 applicable scores are 3
    assert score_sheet([A, B], answers).overall_percentage == 50.0


def test_critical_zero_raises_red_flag_whatever_the_average():
    answers = {"a1": Answer(0), "a2": Answer(3), "a3": Answer(3)}
    result = score_sheet([A], answers)
    assert result.red_flags == ["a1"]
    assert score_sheet([A], {"a1": Answer(1)}).red_flags == []
    assert score_sheet([A], {"a2": Answer(0)}).red_flags == []  # a2 is not critical


def test_completeness_counts_na_as_answered():
    result = score_sheet([A, B], {"a1": Answer(2), "b1": Answer(not_applicable=True)})
    assert (result.answered, result.total) == (2, 5)
    assert result.completeness_percentage == 40.0
    assert not result.complete


def test_empty_sheet_has_no_overall():
    result = score_sheet([A, B], {})
    assert result.overall_percentage is None
    assert result.answered == 0


@pytest.mark.parametrize("value,expected", [(2.25, 2.3), (66.666, 66.7), (83.35, 83.4), (0.05, 0.1), (None, None)])
def test_round_half_up(value, expected):
    assert round_half_up(value) == expected


# -- exact percentages: a float mean of float area means can fall just below a half ----------

def _sheet(*area_scores):
    """One area per tuple of scores; returns (areas, answers)."""
    areas, answers = [], {}
    for a, scores in enumerate(area_scores):
        keys = [f"x{a}.{i}" for i in range(len(scores))]
        areas.append(AreaSpec(f"x{a}", [IndicatorSpec(k) for k in keys]))
        answers.update({k: Answer(v) for k, v in zip(keys, scores)})
    return areas, answers


@pytest.mark.parametrize("area_scores, exact, shown", [
    # 1/3 -> 33.33..% and 19/24 -> 79.166..%: mean 56.25 exactly; float arithmetic gave 56.249999999999993
    (((1,), (3, 3, 3, 3, 3, 2, 1, 1)), Fraction(225, 4), 56.3),
    # 2/3 -> 66.66..% and 11/24 -> 45.833..%: mean 56.25; float gave 56.24999999999999 as well
    (((2, 2), (3, 2, 2, 1, 1, 1, 1, 0)), Fraction(225, 4), 56.3),
    # 1/3 and 1/24 of the maximum: mean 18.75 (float gave 18.749999999999996)
    (((1,), (1, 0, 0, 0, 0, 0, 0, 0)), Fraction(75, 4), 18.8),
])
def test_overall_is_exact_and_rounds_half_up_once(area_scores, exact, shown):
    areas, answers = _sheet(*area_scores)
    overall = score_sheet(areas, answers).overall_percentage
    assert overall == float(exact)  # stored unrounded, but as the nearest float to the exact mean
    assert round_half_up(overall) == shown
    assert round_half_up_decimal(overall) == Decimal(str(shown))


def test_area_percentage_is_the_nearest_float_to_the_exact_value():
    # 1/3 * 100 in floats is 33.33333333333333; the nearest float to 100/3 is 33.333333333333336
    assert percentage([1]) == float(Fraction(100, 3)) == 100 / 3
    assert exact_percentage([1, None, 2]) == Fraction(50)
    assert exact_percentage([None]) is None
    result = score_area(A, {"a1": Answer(1), "a2": Answer(0), "a3": Answer(not_applicable=True)})
    assert result.exact_percentage == Fraction(50, 3) and result.percentage == 50 / 3


@pytest.mark.parametrize("value, digits, expected", [
    (Fraction(225, 4), 1, Decimal("56.3")),
    (Fraction(-9, 4), 1, Decimal("-2.3")),
    (Fraction(100, 3), 1, Decimal("33.3")),
    (Fraction(200, 3), 1, Decimal("66.7")),
    (Fraction(1, 8), 2, Decimal("0.13")),
    (Fraction(169, 2), 0, Decimal("85")),
    (56.25, 1, Decimal("56.3")),
    (Decimal("56.25"), 1, Decimal("56.3")),
    (2.675, 2, Decimal("2.68")),
])
def test_round_half_up_decimal(value, digits, expected):
    rounded = round_half_up_decimal(value, digits)
    assert rounded == expected and rounded.as_tuple().exponent == -digits


def test_percentage_of_nothing_is_none():
    assert percentage([None, None]) is None
    assert percentage([]) is None
    assert percentage([1, None]) == pytest.approx(100 / 3)


def test_lowest_first_ties_in_sheet_order():
    answers = {"a1": Answer(2), "a2": Answer(1), "a3": Answer(1), "b1": Answer(3)}
    assert [s.key for s in lowest_indicators([A, B], answers)] == ["a2", "a3", "a1", "b1"]
    assert [s.key for s in lowest_indicators([A, B], answers, limit=1)] == ["a2"]


@pytest.mark.parametrize("spec,answer", [
    (IndicatorSpec("x"), Answer(7)),
    (IndicatorSpec("x"), Answer(-1)),
    (IndicatorSpec("x"), Answer(not_applicable=True)),
    (IndicatorSpec("x", na_allowed=True), Answer(2, not_applicable=True)),
])
def test_invalid_answers_are_refused(spec, answer):
    with pytest.raises(InvalidAnswer):
        check_answer(spec, answer)


def test_valid_answers_pass():
    check_answer(IndicatorSpec("x", na_allowed=True), Answer(not_applicable=True))
    for v in (0, 1, 2, 3, None):
        check_answer(IndicatorSpec("x"), Answer(v))
