"""The shipped calibration practice cases and the pure calibration rules, without an app.

Two case sets: standard v1 (Kite House, Border Reception Centre No. 9, kept for the rounds
that use v1) and standard v2 (four facilities). Every case gives a reference score and a
written rationale for every indicator of its sheet; answering one level everywhere never
passes; the v2 set spreads its reference scores over the whole scale.
"""
from __future__ import annotations

import re
from collections import Counter
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
    rationale_problems,
    reference_problems,
)

ROOT = Path(__file__).resolve().parents[2] / "shelterassess"
PRACTICE_CASES = ROOT / "assessors" / "data" / "practice_cases.yaml"
SHEETS_DIR = ROOT / "scoresheets" / "data"
VIETNAMESE_MARKS = set("ăâđêôơưàáạảãèéẹẻẽìíịỉĩòóọỏõùúụủũỳýỵỷỹ")


def _load(path: Path):
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


RAW_CASES = _load(PRACTICE_CASES)
CASES = parse_practice_cases(RAW_CASES)
BY_SLUG = {c.slug: c for c in CASES}
SHEET_DATA = {v: _load(SHEETS_DIR / f"standard_v{v}.yaml") for v in sorted({c.sheet_version for c in CASES})}
SHEETS = {v: parse_sheet(data) for v, data in SHEET_DATA.items()}
INDICATORS = {v: {ind["key"]: ind for area in data["areas"] for ind in area["indicators"]}
              for v, data in SHEET_DATA.items()}
SHEET = SHEETS[1]
KITE, BORDER = BY_SLUG["kite-house"], BY_SLUG["border-reception-centre-9"]
V2_CASES = [c for c in CASES if c.sheet_version == 2]
#: The shipped defaults (CALIBRATION_MIN_WITHIN_ONE, CALIBRATION_MIN_KAPPA).
THRESHOLDS = Thresholds(min_within_one=85, min_kappa=0.60)


def sheet_of(case):
    return SHEETS[case.sheet_version]


def raw_of(case):
    return next(r for r in RAW_CASES if r["slug"] == case.slug)


# -- the data ----------------------------------------------------------------------------

def test_unique_slugs_on_the_standard_sheet():
    assert len({c["slug"] for c in RAW_CASES}) == len(RAW_CASES)
    assert all(c["sheet"]["key"] == "standard" for c in RAW_CASES)


def test_v1_keeps_its_two_cases_and_v2_has_at_least_four():
    assert [c.slug for c in CASES if c.sheet_version == 1] == ["kite-house", "border-reception-centre-9"]
    assert len(V2_CASES) >= 4


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_reference_covers_every_indicator_of_its_sheet(case):
    assert set(case.reference) == set(INDICATORS[case.sheet_version])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_reference_values_are_levels_or_allowed_na(case):
    for key, value in raw_of(case)["reference"].items():
        if value is None:
            assert INDICATORS[case.sheet_version][key]["na_allowed"], f"{key}: N/A is not allowed"
        else:
            assert type(value) is int and value in (0, 1, 2, 3), f"{key}: {value!r}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_domain_checks_agree(case):
    assert reference_problems(case, sheet_of(case)) == []
    assert rationale_problems(case, sheet_of(case)) == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_every_rationale_states_the_reference_it_explains(case):
    """A rationale ends on its score ("…: 2", "…, so 2", "chấm 2") or says N/A, so a changed
    reference cannot silently keep a rationale written for another level."""
    wrong = []
    for key, value in case.reference.items():
        for lang in ("en", "vi"):
            text = case.rationale[key][lang]
            if value is None:
                ok = ("not applicable" if lang == "en" else "không áp dụng") in text
            else:
                ok = re.search(rf"(?:[:,]|\bso|\bchấm|\blà)\s+{value}(?![\d.,]?\d)", text) is not None
            if not ok:
                wrong.append((key, lang, value))
    assert wrong == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_texts_in_both_languages_vietnamese_with_diacritics(case):
    raw = raw_of(case)
    for field in ("title", "summary", "description"):
        assert raw[field]["en"].strip() and raw[field]["vi"].strip(), field
        assert set(raw[field]["vi"].lower()) & VIETNAMESE_MARKS, field
    assert len(raw["description"]["en"].split()) >= 250
    assert all(set(texts["vi"].lower()) & VIETNAMESE_MARKS for texts in case.rationale.values())


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_description_has_an_introduction_and_one_paragraph_per_area_in_both_languages(case):
    assert len(case.paragraphs("en")) == len(case.paragraphs("vi")) == 1 + len(sheet_of(case).areas)


def _ngrams(text: str, n: int) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_descriptions_describe_situations_rather_than_copy_descriptors(case):
    """No run of 9 words (English) or 14 syllables (Vietnamese) of any level descriptor of the
    sheet appears in the description: the trainee reads what a team saw, not the answer key."""
    copied = []
    for lang, n in (("en", 9), ("vi", 14)):
        description = _ngrams(case.description[lang], n)
        for ind in sheet_of(case).indicators:
            for level, texts in ind.levels.items():
                if _ngrams(texts[lang], n) & description:
                    copied.append((ind.code, level, lang))
    assert copied == []


# -- spread of the reference scores ---------------------------------------------------------

def test_each_case_set_uses_the_whole_scale_and_na():
    for version in SHEETS:
        used = {v for c in CASES if c.sheet_version == version for v in c.reference.values()}
        assert used == {0, 1, 2, 3, None}, version
    assert KITE.reference != BORDER.reference


@pytest.mark.parametrize("case", V2_CASES, ids=lambda c: c.slug)
def test_every_v2_case_uses_every_level(case):
    assert {v for v in case.reference.values() if v is not None} == set(LEVELS)


def test_v2_scores_are_spread_over_the_scale_with_high_and_low_performers():
    counts = Counter(v for c in V2_CASES for v in c.reference.values() if v is not None)
    total = sum(counts.values())
    assert all(counts[level] >= 0.10 * total for level in LEVELS), counts
    means = [sum(v for v in c.reference.values() if v is not None)
             / sum(1 for v in c.reference.values() if v is not None) for c in V2_CASES]
    assert max(means) >= 2.5 and min(means) <= 1.0, means


def test_v2_cases_have_children_and_men_among_residents():
    """Child safeguarding (B8) applies wherever a child stayed; men are named in the introductions."""
    assert all(c.reference["safety.child-safeguarding"] is not None for c in V2_CASES)
    with_men = [c.slug for c in V2_CASES if re.search(r"\b(men|man)\b", c.paragraphs("en")[0])]
    assert len(with_men) >= 3, with_men


def test_v2_cases_teach_conflicting_evidence():
    """Where staff say one thing and residents or files another, the rationale says which evidence decides."""
    with_conflict = [c.slug for c in V2_CASES
                     if any("outweigh" in r["en"] and "trọng lượng hơn" in r["vi"] for r in c.rationale.values())]
    assert len(with_conflict) >= 3, with_conflict


# -- comparing and judging -----------------------------------------------------------------------

def test_reference_problems_finds_missing_unknown_and_invalid():
    broken = dict(KITE.reference)
    del broken["facilities.meals"]
    broken["facilities.lighting"] = 4
    broken["safety.staff-24h"] = None
    broken["not.an-indicator"] = 1
    problems = reference_problems(type(KITE)(**{**KITE.__dict__, "reference": broken}), SHEET)
    assert problems == [
        "facilities.lighting: 4 is not 0, 1, 2 or 3",
        "facilities.meals: no reference score",
        "not.an-indicator: not an indicator of standard v1",
        "safety.staff-24h: N/A is not allowed",
    ]


def test_rationale_problems_finds_missing_unknown_and_untranslated():
    rationale = {k: dict(v) for k, v in KITE.rationale.items()}
    del rationale["facilities.meals"]
    rationale["facilities.lighting"]["vi"] = " "
    rationale["not.an-indicator"] = {"en": "x", "vi": "x"}
    problems = rationale_problems(type(KITE)(**{**KITE.__dict__, "rationale": rationale}), SHEET)
    assert problems == [
        "facilities.lighting: rationale has no vi text",
        "facilities.meals: no rationale",
        "not.an-indicator: rationale for an indicator not in standard v1",
    ]


def test_answer_problems_lists_unanswered_and_disallowed_na():
    scores = dict(KITE.reference)
    del scores["facilities.private-sleeping"]
    scores["safety.staff-24h"] = None
    problems = answer_problems(SHEET, scores)
    assert [(p.code, p.missing) for p in problems] == [("A1", True), ("B1", False)]
    assert answer_problems(SHEET, KITE.reference) == []


def test_reference_against_itself_is_perfect():
    outcome = compare(SHEET, KITE, KITE.reference, THRESHOLDS)
    a = outcome.result.agreement
    assert (a.n, a.na_excluded, a.exact_pct, a.within_one_pct, a.kappa) == (56, 2, 100.0, 100.0, 1.0)
    assert outcome.passed and outcome.large_differences == []


def test_the_comparison_carries_the_rationale_of_each_reference():
    outcome = compare(SHEET, KITE, KITE.reference, THRESHOLDS)
    lighting = next(r for r in outcome.rows if r.indicator.key == "facilities.lighting")
    assert lighting.rationale == KITE.rationale["facilities.lighting"]
    assert all(row.rationale for row in outcome.rows)


def test_shifted_by_one_is_within_one_everywhere_but_never_exact():
    shifted = {k: None if v is None else (v + 1 if v < 3 else v - 1) for k, v in BORDER.reference.items()}
    outcome = compare(SHEET, BORDER, shifted, THRESHOLDS)
    a = outcome.result.agreement
    assert (a.n, a.na_excluded, a.exact_pct, a.within_one_pct) == (57, 1, 0.0, 100.0)
    # within one everywhere, but shifted scores hardly rise and fall with the reference
    assert a.kappa == pytest.approx(0.445, abs=0.001)
    assert not outcome.passed and outcome.verdict.failures == (KAPPA_LOW,)


def test_two_large_differences_hand_computed():
    """Kite House: 56 scored pairs; A4 and G3 (reference 1) answered 3: 54 / 56 exact and within one."""
    answers = {**KITE.reference, "facilities.lighting": 3, "staffing.supervision": 3}
    outcome = compare(SHEET, KITE, answers, THRESHOLDS)
    a = outcome.result.agreement
    assert a.exact_pct == pytest.approx(54 / 56 * 100) and a.within_one_pct == pytest.approx(54 / 56 * 100)
    assert [r.indicator.code for r in outcome.large_differences] == ["A4", "G3"]
    assert outcome.large_differences[0].reference_descriptor["en"].startswith("Some areas are lit")
    assert outcome.large_differences[0].rationale["en"].startswith("The house is lit but the path")
    assert outcome.passed and outcome.verdict.kappa_ok


# -- calibration discriminates: the same level everywhere never passes ------------------

@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_the_reference_answers_pass(case):
    outcome = compare(sheet_of(case), case, case.reference, THRESHOLDS)
    assert outcome.passed and outcome.verdict.failures == ()


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_the_same_level_everywhere_fails_every_practice_case(case, level):
    """Within one point alone is not enough: on Kite House, 2 everywhere is within one of
    every reference score (and 1 everywhere of 85.7 %); kappa is 0 (or undefined) and fails."""
    sheet = sheet_of(case)
    outcome = compare(sheet, case, {key: level for key in sheet.keys}, THRESHOLDS)
    assert not outcome.passed
    assert KAPPA_LOW in outcome.verdict.failures or KAPPA_UNDEFINED in outcome.verdict.failures


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_the_same_answer_with_na_where_allowed_fails_too(case):
    """N/A wherever allowed and one level elsewhere is still one level: it fails as well."""
    sheet = sheet_of(case)
    for level in LEVELS:
        answers = {ind.key: None if ind.na_allowed else level for ind in sheet.indicators}
        assert not compare(sheet, case, answers, THRESHOLDS).passed, level


def test_constant_answers_are_within_one_often_enough_to_fool_the_old_rule():
    """Why kappa is needed: these constant answers reach the within-one threshold by themselves."""
    assert compare(SHEET, KITE, {k: 2 for k in SHEET.keys}, THRESHOLDS).verdict.within_one_ok
    assert compare(SHEET, BORDER, {k: 1 for k in SHEET.keys}, THRESHOLDS).verdict.within_one_ok


def test_thresholds_are_parameters():
    shifted = {k: None if v is None else (v + 1 if v < 3 else v - 1) for k, v in BORDER.reference.items()}
    assert not compare(SHEET, BORDER, shifted, THRESHOLDS).passed
    assert compare(SHEET, BORDER, shifted, Thresholds(min_within_one=85, min_kappa=0.4)).passed
    assert not compare(SHEET, BORDER, BORDER.reference, Thresholds(min_within_one=100.5, min_kappa=0)).passed


def test_many_differences_of_two_fail_on_within_one():
    answers = {k: v if v is None or i % 3 else (v + 2 if v < 2 else v - 2) for i, (k, v) in
               enumerate(KITE.reference.items())}
    verdict = compare(SHEET, KITE, answers, THRESHOLDS).verdict
    assert WITHIN_ONE_LOW in verdict.failures and not verdict.passed
