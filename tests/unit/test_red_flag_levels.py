"""Per-indicator red-flag levels: a critical indicator flags at a score <= its level (0 by default,
so version 1 behaves as before); the plan proposals and follow-ups use the same rule."""
from __future__ import annotations

import pytest

from shelterassess.assessments.domain import (
    Answer, AreaSpec, IndicatorSpec, is_red_flag, red_flags, score_sheet, spec_of,
)
from shelterassess.followups.domain import red_flags_after
from shelterassess.plans import domain as plans


@pytest.mark.parametrize("critical,level,value,expected", [
    (True, 0, 0, True), (True, 0, 1, False), (True, 0, 3, False),
    (True, 1, 0, True), (True, 1, 1, True), (True, 1, 2, False), (True, 1, 3, False),
    (True, 1, None, False), (True, 0, None, False),  # N/A or unanswered never flags
    (False, 0, 0, False), (False, 1, 1, False),  # not critical: never
])
def test_is_red_flag(critical, level, value, expected):
    assert is_red_flag(critical, level, value) is expected
    assert IndicatorSpec("k", critical=critical, red_flag_at=level).flags(value) is expected


def test_the_default_level_keeps_version_1_unchanged():
    spec = IndicatorSpec("k", critical=True)
    assert spec.red_flag_at == 0 and spec.flags(0) and not spec.flags(1)


SHEET = [
    AreaSpec("A", [IndicatorSpec("lock-in", critical=True, red_flag_at=1), IndicatorSpec("fire", critical=True),
                   IndicatorSpec("lights")]),
    AreaSpec("B", [IndicatorSpec("consent", critical=True, red_flag_at=1, na_allowed=True),
                   IndicatorSpec("plan", critical=True)]),
]


def test_a_punitive_lock_in_scored_1_raises_a_flag():
    answers = {"lock-in": Answer(1), "fire": Answer(1), "lights": Answer(0), "consent": Answer(2), "plan": Answer(0)}
    assert red_flags(SHEET, answers) == ["lock-in", "plan"]
    assert score_sheet(SHEET, answers).red_flags == ["lock-in", "plan"]


def test_na_and_missing_answers_never_flag():
    assert red_flags(SHEET, {"consent": Answer(not_applicable=True)}) == []


def test_spec_of_reads_an_indicator_like_object():
    class Ind:
        key, critical, na_allowed, red_flag_at = "k", True, False, 1

    spec = spec_of(Ind())
    assert (spec.key, spec.critical, spec.na_allowed, spec.red_flag_at) == ("k", True, False, 1)
    assert spec_of(Ind(), "42").key == "42"

    class Old:  # an object without the field (a version-1 indicator before the migration)
        key, critical, na_allowed = "k", True, False

    assert spec_of(Old()).red_flag_at == 0


def test_plan_proposals_put_a_critical_1_at_level_1_among_the_red_flags():
    agreed = [
        plans.AgreedIndicator(1, "A1", False, 0, False, 1, 1),
        plans.AgreedIndicator(2, "F8", True, 1, False, 6, 8, red_flag_at=1),
        plans.AgreedIndicator(3, "B1", True, 1, False, 2, 1),  # critical, flag only at 0
        plans.AgreedIndicator(4, "B6", True, 0, False, 2, 6),
    ]
    proposals = plans.proposals(agreed)
    assert [p.code for p in proposals] == ["B6", "F8", "B1", "A1"]
    assert [p.red_flag for p in proposals] == [True, True, False, False]


def test_follow_up_red_flags_use_the_level():
    after = {"lock-in": Answer(1), "fire": Answer(1)}
    assert red_flags_after(SHEET, after) == ["lock-in"]
