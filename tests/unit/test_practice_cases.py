"""The shipped calibration practice cases and the pure calibration rules, without an app."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shelterassess.assessors.domain import (
    KAPPA_LOW,
    KAPPA_UNDEFINED,
    LEVELS,
    WITHIN_ONE_LOW,
    Thresholds,
    answer_problems,
    compare,
    parse_practice_cases,
    parse_sheet,
    reference_problems,
)

ROOT = Path(__file__).resolve().parents[2] / "shelterassess"
PRACTICE_CASES = ROOT / "assessors" / "data" / "practice_cases.yaml"
STANDARD_V1 = ROOT / "scoresheets" / "data" / "standard_v1.yaml"
VIETNAMESE_MARKS = set("ăâđêôơưàáạảãèéẹẻẽìíịỉĩòóọỏõùúụủũỳýỵỷỹ")


def _load(path: Path):
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


RAW_CASES = _load(PRACTICE_CASES)
SHEET_DATA = _load(STANDARD_V1)
SHEET = parse_sheet(SHEET_DATA)
CASES = parse_practice_cases(RAW_CASES)
INDICATORS = {ind["key"]: ind for area in SHEET_DATA["areas"] for ind in area["indicators"]}
#: The shipped defaults (CALIBRATION_MIN_WITHIN_ONE, CALIBRATION_MIN_KAPPA).
THRESHOLDS = Thresholds(min_within_one=85, min_kappa=0.60)


def test_two_cases_with_unique_slugs_on_standard_v1():
    assert len(RAW_CASES) == 2
    assert len({c["slug"] for c in RAW_CASES}) == 2
    assert all(c["sheet"] == {"key": "standard", "version": 1} for c in RAW_CASES)


@pytest.mark.parametrize("raw", RAW_CASES, ids=lambda c: c["slug"])
def test_reference_covers_every_indicator_of_standard_v1(raw):
    assert set(raw["reference"]) == set(INDICATORS)
    assert len(raw["reference"]) == 58


@pytest.mark.parametrize("raw", RAW_CASES, ids=lambda c: c["slug"])
def test_reference_values_are_levels_or_allowed_na(raw):
    for key, value in raw["reference"].items():
        if value is None:
            assert INDICATORS[key]["na_allowed"], f"{key}: N/A is not allowed"
        else:
            assert type(value) is int and value in (0, 1, 2, 3), f"{key}: {value!r}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_domain_check_agrees(case):
    assert reference_problems(case, SHEET) == []


@pytest.mark.parametrize("raw", RAW_CASES, ids=lambda c: c["slug"])
def test_texts_in_both_languages_vietnamese_with_diacritics(raw):
    for field in ("title", "summary", "description"):
        assert raw[field]["en"].strip() and raw[field]["vi"].strip(), field
        assert set(raw[field]["vi"].lower()) & VIETNAMESE_MARKS, field
    assert len(raw["description"]["en"].split()) >= 250


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_description_has_an_introduction_and_one_paragraph_per_area_in_both_languages(case):
    assert len(case.paragraphs("en")) == len(case.paragraphs("vi")) == 1 + len(SHEET.areas)


def test_the_cases_differ_and_use_the_whole_scale():
    first, second = (c.reference for c in CASES)
    assert first != second
    used = {v for c in CASES for v in c.reference.values()}
    assert used == {0, 1, 2, 3, None}


def test_reference_problems_finds_missing_unknown_and_invalid():
    case = CASES[0]
    broken = dict(case.reference)
    del broken["facilities.meals"]
    broken["facilities.lighting"] = 4
    broken["safety.staff-24h"] = None
    broken["not.an-indicator"] = 1
    problems = reference_problems(type(case)(**{**case.__dict__, "reference": broken}), SHEET)
    assert problems == [
        "facilities.lighting: 4 is not 0, 1, 2 or 3",
        "facilities.meals: no reference score",
        "not.an-indicator: not an indicator of standard v1",
        "safety.staff-24h: N/A is not allowed",
    ]


def test_answer_problems_lists_unanswered_and_disallowed_na():
    scores = dict(CASES[0].reference)
    del scores["facilities.private-sleeping"]
    scores["safety.staff-24h"] = None
    problems = answer_problems(SHEET, scores)
    assert [(p.code, p.missing) for p in problems] == [("A1", True), ("B1", False)]
    assert answer_problems(SHEET, CASES[0].reference) == []


def test_reference_against_itself_is_perfect():
    case = CASES[0]
    outcome = compare(SHEET, case, case.reference, THRESHOLDS)
    a = outcome.result.agreement
    assert (a.n, a.na_excluded, a.exact_pct, a.within_one_pct, a.kappa) == (56, 2, 100.0, 100.0, 1.0)
    assert outcome.passed and outcome.large_differences == []


def test_shifted_by_one_is_within_one_everywhere_but_never_exact():
    case = CASES[1]
    shifted = {k: None if v is None else (v + 1 if v < 3 else v - 1) for k, v in case.reference.items()}
    outcome = compare(SHEET, case, shifted, THRESHOLDS)
    a = outcome.result.agreement
    assert (a.n, a.na_excluded, a.exact_pct, a.within_one_pct) == (57, 1, 0.0, 100.0)
    # within one everywhere, but shifted scores hardly rise and fall with the reference
    assert a.kappa == pytest.approx(0.438, abs=0.001)
    assert not outcome.passed and outcome.verdict.failures == (KAPPA_LOW,)


def test_two_large_differences_hand_computed():
    """Kite House: 56 scored pairs; A4 and G3 (reference 1) answered 3: 54 / 56 exact and within one."""
    case = CASES[0]
    answers = {**case.reference, "facilities.lighting": 3, "staffing.supervision": 3}
    outcome = compare(SHEET, case, answers, THRESHOLDS)
    a = outcome.result.agreement
    assert a.exact_pct == pytest.approx(54 / 56 * 100) and a.within_one_pct == pytest.approx(54 / 56 * 100)
    assert [r.indicator.code for r in outcome.large_differences] == ["A4", "G3"]
    assert outcome.large_differences[0].reference_descriptor["en"].startswith("Some areas are lit")
    assert outcome.passed and outcome.verdict.kappa_ok


# -- calibration discriminates: the same level everywhere never passes ------------------

@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_the_reference_answers_pass(case):
    outcome = compare(SHEET, case, case.reference, THRESHOLDS)
    assert outcome.passed and outcome.verdict.failures == ()


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_the_same_level_everywhere_fails_every_practice_case(case, level):
    """Within one point alone is not enough: on Kite House, 2 everywhere is within one of
    every reference score (and 1 everywhere of 85.7 %); kappa is 0 (or undefined) and fails."""
    outcome = compare(SHEET, case, {key: level for key in SHEET.keys}, THRESHOLDS)
    assert not outcome.passed
    assert KAPPA_LOW in outcome.verdict.failures or KAPPA_UNDEFINED in outcome.verdict.failures


def test_constant_answers_are_within_one_often_enough_to_fool_the_old_rule():
    """Why kappa is needed: these constant answers reach the within-one threshold by themselves."""
    kite, border = CASES
    assert compare(SHEET, kite, {k: 2 for k in SHEET.keys}, THRESHOLDS).verdict.within_one_ok
    assert compare(SHEET, border, {k: 1 for k in SHEET.keys}, THRESHOLDS).verdict.within_one_ok


def test_thresholds_are_parameters():
    case = CASES[1]
    shifted = {k: None if v is None else (v + 1 if v < 3 else v - 1) for k, v in case.reference.items()}
    assert not compare(SHEET, case, shifted, THRESHOLDS).passed
    assert compare(SHEET, case, shifted, Thresholds(min_within_one=85, min_kappa=0.4)).passed
    assert not compare(SHEET, case, case.reference, Thresholds(min_within_one=100.5, min_kappa=0)).passed


def test_many_differences_of_two_fail_on_within_one():
    case = CASES[0]
    answers = {k: v if v is None or i % 3 else (v + 2 if v < 2 else v - 2) for i, (k, v) in
               enumerate(case.reference.items())}
    verdict = compare(SHEET, case, answers, THRESHOLDS).verdict
    assert WITHIN_ONE_LOW in verdict.failures and not verdict.passed
