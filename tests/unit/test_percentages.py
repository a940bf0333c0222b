"""Percentages are computed exactly and rounded half-up once, for display.

Scoring itself is tested in test_scoring.py; here: the comparisons' area rule and the
display formatter that the pages (``|pct``) and every PDF use.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import flask
import pytest
from flask_babel import Babel, force_locale

from shelterassess.assessments.domain import percentage
from shelterassess.comparisons.domain import area_percentage, round_half_up
from shelterassess.web.templating import format_pct


def test_comparison_area_percentage_is_the_nearest_float_to_the_exact_value():
    # 1 / 1 / 3 * 100 in floats is 33.33333333333333; the nearest float to 100/3 is 33.333333333333336
    assert area_percentage([1]) == float(Fraction(100, 3))
    assert area_percentage([2, None, 1, 2, 2, 2, 2, 2, 2]) == float(Fraction(1500, 24))
    # the comparison pages and the stored assessment results agree to the last bit
    for scores in ([1], [0, 1], [3, 2, 2], [1, 1, 1, 1, 1, 1, 1, 2], [2, None, 3]):
        assert area_percentage(scores) == percentage(scores)


@pytest.mark.parametrize("value, digits, expected", [
    (Fraction(225, 4), 1, 56.3),
    (Fraction(-225, 4), 1, -56.3),
    (Decimal("0.125"), 2, 0.13),
    (56.25, 1, 56.3),
])
def test_comparison_round_half_up_takes_exact_values(value, digits, expected):
    assert round_half_up(value, digits) == expected


@pytest.fixture
def babel_app():
    app = flask.Flask(__name__)
    Babel(app)
    with app.app_context():
        yield app


@pytest.mark.parametrize("value, en, vi", [
    (56.25, "56.3%", "56,3%"),
    (float(Fraction(225, 4)), "56.3%", "56,3%"),
    (18.75, "18.8%", "18,8%"),
    (0.05, "0.1%", "0,1%"),
    (100.0, "100.0%", "100,0%"),
    (float(Fraction(200, 3)), "66.7%", "66,7%"),
    (None, "–", "–"),
])
def test_format_pct_rounds_half_up_once(babel_app, value, en, vi):
    with force_locale("en"):
        assert format_pct(value) == en
    with force_locale("vi"):
        assert format_pct(value) == vi


def test_format_pct_whole_numbers_round_half_up_not_half_even(babel_app):
    with force_locale("en"):
        assert format_pct(84.5, 0) == "85%"  # half-even would give 84%
        assert format_pct(85, 0) == "85%"
        assert format_pct(12.345, 2) == "12.35%"
