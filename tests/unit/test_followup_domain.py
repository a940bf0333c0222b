"""Follow-up rules against hand-computed values: compliance, before/after, cost per point."""
from fractions import Fraction

import pytest

from shelterassess.assessments.domain import Answer, AreaSpec, IndicatorSpec
from shelterassess.followups import domain
from shelterassess.followups.domain import (
    ActionFinding,
    ComplianceUndefined,
    CostUndefined,
    NoChange,
    before_after,
    compliance,
    cost_per_point,
)
from shelterassess.followups.models import ActionOutcome

AREAS = [
    AreaSpec("A", [IndicatorSpec("A1"), IndicatorSpec("A2", na_allowed=True)]),
    AreaSpec("B", [IndicatorSpec("B1", critical=True), IndicatorSpec("B2")]),
]
NA = Answer(None, True)


def find(action_id, outcome, cost=0, keys=(), dropped=False):
    return ActionFinding(action_id, outcome, dropped, cost, tuple(keys))


# A plan of five actions: implemented, partly, not implemented, no longer relevant, dropped.
PLAN = [
    find(1, "implemented", 10_000_000, ["A1"]),
    find(2, "partly", 4_000_000, ["A1", "B2"]),
    find(3, "not_implemented", 6_000_000, ["B1"]),
    find(4, "not_relevant", 1_000_000, ["A2"]),
    find(5, None, 99_000_000, ["B1"], dropped=True),
]
BEFORE = {"A1": Answer(1), "A2": NA, "B1": Answer(0), "B2": Answer(1)}
AFTER = {"A1": Answer(3), "A2": Answer(2), "B1": Answer(0), "B2": Answer(2)}


def test_outcome_values_match_the_model():
    assert domain.OUTCOMES == tuple(o.value for o in ActionOutcome)


# -- compliance ---------------------------------------------------------------------

def test_compliance_leaves_out_no_longer_relevant_and_dropped():
    c = compliance(PLAN)
    # (1 + 0.5 + 0) / 3
    assert c.rate == Fraction(1, 2) and c.percentage == 50.0
    assert (c.implemented, c.partly, c.not_implemented, c.not_relevant, c.dropped) == (1, 1, 1, 1, 1)
    assert c.counted == 3 and c.undefined_reason is None


@pytest.mark.parametrize(("outcomes", "expected"), [
    (["implemented"], Fraction(1)),
    (["partly"], Fraction(1, 2)),
    (["not_implemented"], Fraction(0)),
    (["implemented", "implemented", "partly", "not_implemented"], Fraction(5, 8)),
    (["partly", "not_relevant", "not_relevant"], Fraction(1, 2)),
])
def test_compliance_hand_computed(outcomes, expected):
    assert compliance(find(i, o) for i, o in enumerate(outcomes)).rate == expected


def test_zero_compliance_is_a_rate_not_undefined():
    c = compliance([find(1, "not_implemented"), find(2, "not_implemented")])
    assert c.rate == 0 and c.undefined_reason is None


def test_an_all_dropped_plan_has_no_compliance_rate():
    c = compliance([find(1, None, dropped=True), find(2, "implemented", dropped=True)])
    assert c.rate is None and c.percentage is None
    assert c.undefined_reason is ComplianceUndefined.NO_ACTIONS and c.dropped == 2


def test_an_empty_plan_has_no_compliance_rate():
    assert compliance([]).undefined_reason is ComplianceUndefined.NO_ACTIONS


def test_every_action_no_longer_relevant_gives_no_rate():
    c = compliance([find(1, "not_relevant"), find(2, "not_relevant"), find(3, None, dropped=True)])
    assert c.rate is None and c.undefined_reason is ComplianceUndefined.ALL_NOT_RELEVANT


def test_nothing_recorded_yet_gives_no_rate():
    c = compliance([find(1, None), find(2, None)])
    assert c.rate is None and c.undefined_reason is ComplianceUndefined.NOT_RECORDED and c.not_recorded == 2


def test_compliance_from_counts_matches():
    assert domain.compliance_from_counts(1, 1, 1) == Fraction(1, 2)
    assert domain.compliance_from_counts(0, 0, 0) is None


# -- before and after ----------------------------------------------------------------

def test_before_after_per_indicator():
    ba = before_after(AREAS, BEFORE, AFTER)
    changes = {i.key: (i.change, i.no_change_reason) for i in ba.indicators}
    assert changes == {"A1": (2, None), "A2": (None, NoChange.NA_BEFORE), "B1": (0, None), "B2": (1, None)}
    assert ba.points_gained == 3 and ba.not_counted == 1


def test_before_after_per_area_with_the_scoring_rule():
    ba = before_after(AREAS, BEFORE, AFTER)
    a, b = ba.areas
    # A before: only A1 applicable: 1/3 -> 33.3 %; after: (3 + 2) / 6 -> 83.3 %
    assert (a.key, a.before, a.after, a.difference) == ("A", Fraction(100, 3), Fraction(250, 3), Fraction(50))
    # B before: (0 + 1) / 6 -> 16.7 %; after: (0 + 2) / 6 -> 33.3 %
    assert (b.before, b.after, b.difference) == (Fraction(50, 3), Fraction(100, 3), Fraction(50, 3))
    # overall: mean of the areas, before (33.3 + 16.7) / 2 = 25; after (83.3 + 33.3) / 2 = 58.3
    assert ba.overall_before == 25 and ba.overall_after == Fraction(175, 3)


def test_only_re_scored_indicators_and_touched_areas_are_listed():
    ba = before_after(AREAS, BEFORE, {"B2": Answer(3)})
    assert [i.key for i in ba.indicators] == ["B2"]
    assert [a.key for a in ba.areas] == ["B"]
    # B after: B1 keeps its agreed 0, B2 is now 3 -> 50 %
    assert ba.areas[0].after == 50 and ba.areas[0].rescored == 1
    assert ba.points_gained == 2


def test_na_at_the_follow_up_counts_no_change_and_leaves_the_denominator():
    before = {"A1": Answer(2), "A2": Answer(1)}
    ba = before_after(AREAS[:1], before, {"A2": NA})
    (line,) = ba.indicators
    assert line.change is None and line.no_change_reason is NoChange.NA_AFTER
    assert ba.points_gained == 0
    # A before (2 + 1) / 6 = 50 %; after only A1 applicable: 2/3 = 66.7 %
    assert ba.areas[0].before == 50 and ba.areas[0].after == Fraction(200, 3)


def test_an_area_all_na_after_has_no_percentage_and_no_difference():
    before = {"A1": Answer(2), "A2": Answer(1)}
    ba = before_after([AreaSpec("A", [IndicatorSpec("A2", na_allowed=True)])], before, {"A2": NA})
    assert ba.areas[0].after is None and ba.areas[0].difference is None


def test_a_missing_score_is_not_counted_and_keeps_the_agreed_score():
    ba = before_after(AREAS, BEFORE, {"A1": Answer()})
    assert ba.indicators[0].no_change_reason is NoChange.MISSING_AFTER
    assert ba.areas[0].after == ba.areas[0].before


def test_falling_scores_give_negative_points():
    ba = before_after(AREAS, {"A1": Answer(3), "B2": Answer(2)}, {"A1": Answer(1), "B2": Answer(2)})
    assert ba.points_gained == -2


def test_stored_area_results_of_a_follow_up():
    scores = domain.after_area_scores(AREAS, BEFORE, {"B2": Answer(3)})
    assert [(pos, s.key, s.applicable, s.total, s.exact_percentage) for pos, s in scores] == [(2, "B", 2, 2, 50)]
    assert domain.red_flags_after(AREAS, {"B1": Answer(0), "B2": Answer(0)}) == ["B1"]


# -- cost per point ---------------------------------------------------------------------

def test_cost_per_point_hand_computed():
    changes = before_after(AREAS, BEFORE, AFTER).changes()
    cost = cost_per_point(PLAN, changes)
    # spent: implemented 10 000 000 + partly 4 000 000 (in full); their indicators A1 (+2) and B2 (+1)
    assert cost.spent_vnd == 14_000_000 and cost.points == 3
    assert cost.value == Fraction(14_000_000, 3) and cost.rounded_vnd == 4_666_667
    assert cost.undefined_reason is None


def test_partly_counts_in_full_and_an_indicator_counts_once():
    cost = cost_per_point([find(1, "partly", 3_000_000, ["A1"]), find(2, "implemented", 1_000_000, ["A1"])],
                          {"A1": 2})
    assert (cost.spent_vnd, cost.points, cost.value) == (4_000_000, 2, 2_000_000)


def test_not_implemented_not_relevant_and_dropped_cost_nothing():
    cost = cost_per_point([find(1, "implemented", 1_000, ["A1"]), find(2, "not_implemented", 7_000, ["B1"]),
                           find(3, "not_relevant", 5_000, ["B1"]), find(4, "implemented", 9_000, ["B1"], dropped=True)],
                          {"A1": 1, "B1": 3})
    assert (cost.spent_vnd, cost.points, cost.value) == (1_000, 1, 1_000)


def test_rounding_to_whole_dong_half_up():
    assert cost_per_point([find(1, "implemented", 5, ["A1"])], {"A1": 2}).rounded_vnd == 3


def test_no_point_gained_gives_no_cost_per_point():
    cost = cost_per_point([find(1, "implemented", 5_000_000, ["A1"])], {"A1": 0})
    assert cost.value is None and cost.rounded_vnd is None and cost.undefined_reason is CostUndefined.NO_POINTS


def test_na_re_score_gives_no_cost_per_point():
    cost = cost_per_point([find(1, "implemented", 5_000_000, ["A2"])], {"A2": None})
    assert cost.value is None and cost.undefined_reason is CostUndefined.NO_POINTS


def test_falling_scores_give_no_negative_cost_per_point():
    cost = cost_per_point([find(1, "implemented", 5_000_000, ["A1"])], {"A1": -2})
    assert cost.value is None and cost.points == -2 and cost.undefined_reason is CostUndefined.SCORES_FELL


def test_nothing_implemented_gives_no_cost_per_point():
    cost = cost_per_point([find(1, "not_implemented", 5_000_000, ["A1"]), find(2, "not_relevant", 1, ["A2"])],
                          {"A1": 2, "A2": 1})
    assert cost.spent_vnd == 0 and cost.value is None and cost.undefined_reason is CostUndefined.NOTHING_DONE


def test_an_all_dropped_plan_gives_no_cost_per_point():
    cost = cost_per_point([find(1, "implemented", 5_000_000, ["A1"], dropped=True)], {"A1": 2})
    assert cost.undefined_reason is CostUndefined.NOTHING_DONE


def test_free_actions_that_gained_points_cost_zero_per_point():
    cost = cost_per_point([find(1, "implemented", 0, ["A1"])], {"A1": 1})
    assert cost.value == 0 and cost.rounded_vnd == 0


def test_missing_answers_block_submission():
    findings = [find(1, "implemented"), find(2, None), find(3, None, dropped=True)]
    assert domain.missing_answers(findings, {"A1": Answer(2), "B2": Answer()}, ["A1", "B2", "B1"]) == ([2], ["B2", "B1"])
