"""When a calibration attempt passes, and when the calibration rule for certification is
met: pure rules, without an app."""
from __future__ import annotations

import datetime as dt

import pytest

from shelterassess.assessors.domain import (
    KAPPA_LOW,
    KAPPA_UNDEFINED,
    MISSING_ATTEMPT,
    MISSING_PASS,
    MISSING_TRAINING,
    NO_PAIRS,
    WITHIN_ONE_LOW,
    AttemptFact,
    Thresholds,
    Verdict,
    calibration_rule,
)

DEFAULT = Thresholds(min_within_one=85, min_kappa=0.60)


def verdict(within: float | None, kappa: float | None, n: int = 20, thresholds: Thresholds = DEFAULT) -> Verdict:
    return Verdict(n, within, kappa, thresholds)


# -- an attempt passes only with both figures ------------------------------------------------

@pytest.mark.parametrize("within, kappa, passed, failures", [
    (100.0, 1.0, True, ()),
    (85.0, 0.60, True, ()),                       # both thresholds are inclusive
    (80.0, 0.90, False, (WITHIN_ONE_LOW,)),       # kappa alone is not enough
    (100.0, 0.0, False, (KAPPA_LOW,)),            # within one alone is not enough (constant answers)
    (100.0, 0.59, False, (KAPPA_LOW,)),
    (100.0, None, False, (KAPPA_UNDEFINED,)),     # undefined kappa fails, it is not 1.0
    (50.0, None, False, (WITHIN_ONE_LOW, KAPPA_UNDEFINED)),
    (50.0, 0.1, False, (WITHIN_ONE_LOW, KAPPA_LOW)),
])
def test_both_thresholds_must_be_reached(within, kappa, passed, failures):
    v = verdict(within, kappa)
    assert v.passed is passed
    assert v.failures == failures


def test_no_compared_indicator_fails():
    v = verdict(None, None, n=0)
    assert not v.passed and v.failures == (NO_PAIRS,)


def test_within_one_is_compared_exactly_on_the_count():
    """17 of 20 is exactly 85 %, whatever float the percentage came out as."""
    assert verdict(17 / 20 * 100, 0.9).within_one_ok
    assert verdict(84.99999999999999, 0.9, n=20).within_one_ok      # 17/20 with float drift
    assert not verdict(16 / 20 * 100, 0.9).within_one_ok
    assert not verdict(47 / 56 * 100, 0.9, n=56).within_one_ok      # 83.9 %
    assert verdict(48 / 56 * 100, 0.9, n=56).within_one_ok          # 85.7 %


def test_kappa_at_the_threshold_passes_despite_float_drift():
    assert verdict(100.0, 0.6 - 1e-12).kappa_ok
    assert not verdict(100.0, 0.599).kappa_ok


def test_thresholds_are_parameters():
    assert verdict(80.0, 0.5, thresholds=Thresholds(80, 0.5)).passed
    assert not verdict(80.0, 0.5, thresholds=Thresholds(80.5, 0.5)).passed
    assert not verdict(100.0, 0.7, thresholds=Thresholds(85, 0.75)).passed


# -- the calibration rule for certification ---------------------------------------------------

TRAINING = dt.date(2026, 11, 2)


def attempt(attempt_id: int, day: dt.date, passed: bool) -> AttemptFact:
    return AttemptFact(attempt_id, day, passed)


def test_no_training_is_missing_training_even_with_a_passed_attempt():
    rule = calibration_rule([], [attempt(1, TRAINING, True)])
    assert not rule.met and rule.missing == MISSING_TRAINING and rule.last_training_on is None


def test_no_attempt_at_all():
    rule = calibration_rule([TRAINING], [])
    assert not rule.met and rule.missing == MISSING_ATTEMPT and rule.last_training_on == TRAINING


def test_a_pass_before_the_last_training_does_not_count():
    earlier = TRAINING - dt.timedelta(days=200)
    rule = calibration_rule([earlier, TRAINING], [attempt(1, TRAINING - dt.timedelta(days=1), True)])
    assert rule.last_training_on == TRAINING
    assert not rule.met and rule.missing == MISSING_ATTEMPT


def test_a_pass_on_the_day_of_the_training_counts():
    rule = calibration_rule([TRAINING], [attempt(7, TRAINING, True)])
    assert rule.met and rule.missing is None and rule.passed_attempt_id == 7


def test_only_failed_attempts_since_the_training():
    later = TRAINING + dt.timedelta(days=3)
    rule = calibration_rule([TRAINING], [attempt(1, later, False), attempt(2, later, False),
                                         attempt(3, TRAINING - dt.timedelta(days=1), True)])
    assert not rule.met and rule.missing == MISSING_PASS and rule.attempts_since == 2


def test_one_pass_among_failures_is_enough_and_the_latest_pass_is_named():
    rule = calibration_rule([TRAINING], [
        attempt(1, TRAINING + dt.timedelta(days=1), False),
        attempt(2, TRAINING + dt.timedelta(days=2), True),
        attempt(3, TRAINING + dt.timedelta(days=5), True),
        attempt(4, TRAINING + dt.timedelta(days=9), False),
    ])
    assert rule.met and rule.passed_attempt_id == 3 and rule.attempts_since == 4
