"""The allocation rule (shelterassess/funding/domain.py) against hand-computed cases.
Amounts in millions of đồng where the unit is 1 000 000 (M below)."""
from fractions import Fraction as F

import pytest

from shelterassess.funding import domain as d

M = 1_000_000
CB, FI, OT = "capacity_building", "facilities_improvement", "other"
NO_ENVELOPES = {CB: None, FI: None, OT: None}


def claim(key, weight, **requests):
    return d.Claim(key, F(weight), {c: requests.get(c, 0) for c in (CB, FI, OT)})


def rules(budget, unit=M, **envelopes):
    return d.Rules(budget, unit, {**NO_ENVELOPES, **envelopes})


def amounts(allocation, category=None):
    """key -> amount in M (of ``category``, or over every category)."""
    totals = {}
    for (key, cat), value in allocation.amounts.items():
        if category is None or cat == category:
            totals[key] = totals.get(key, 0) + value // M
    return totals


# -- need weights ---------------------------------------------------------------------------

def test_need_weight_is_the_gap_plus_the_red_flags():
    needs = [d.NeedInput("A", 625, 1, 30), d.NeedInput("B", 750, 0, 10)]
    assert d.need_weights(needs, 10, use_capacity=False) == {"A": F(95, 2), "B": F(25)}  # 37.5 + 10, 25
    assert d.need_weights(needs, 0, use_capacity=False) == {"A": F(75, 2), "B": F(25)}


def test_capacity_multiplies_by_capacity_over_the_mean_capacity():
    needs = [d.NeedInput("A", 625, 1, 30), d.NeedInput("B", 750, 0, 10)]  # mean capacity 20
    assert d.need_weights(needs, 10, use_capacity=True) == {"A": F(95, 2) * F(3, 2), "B": F(25, 2)}


def test_a_mean_capacity_of_zero_gives_every_weight_zero():
    needs = [d.NeedInput("A", 500, 0, 0), d.NeedInput("B", 900, 0, 0)]
    assert d.need_weights(needs, 10, use_capacity=True) == {"A": 0, "B": 0}


def test_the_overall_percentage_is_read_as_published():
    assert d.tenths(62.25) == 623  # half up, as the results pages show it
    assert d.tenths(200 / 3) == 667
    assert d.tenths(F(225, 4)) == 563
    assert d.tenths(100.0) == 1000


# -- water-filling ---------------------------------------------------------------------------

def test_shares_in_proportion_and_the_leftover_unit_to_the_largest_weight():
    result = d.allocate([claim("A", 3, other=100 * M), claim("B", 1, other=100 * M)], rules(10 * M))
    assert amounts(result) == {"A": 8, "B": 2}  # 7.5 and 2.5: floors 7 and 2, the unit left to A
    assert result.groups[0].per_weight == F(5, 2) * M


def test_ties_go_to_the_smaller_facility_code_whatever_the_input_order():
    claims = [claim("C", 1, other=9 * M), claim("A", 1, other=9 * M), claim("B", 1, other=9 * M)]
    assert amounts(d.allocate(claims, rules(10 * M))) == {"A": 4, "B": 3, "C": 3}
    assert amounts(d.allocate(list(reversed(claims)), rules(10 * M))) == {"A": 4, "B": 3, "C": 3}


def test_what_a_capped_facility_cannot_take_is_shared_again():
    claims = [claim("A", 1, other=2 * M), claim("B", 1, other=100 * M), claim("C", 2, other=100 * M)]
    result = d.allocate(claims, rules(12 * M))
    # 3, 3, 6; A is capped at 2: 10 left for B and C (weights 1 and 2): 3.33 and 6.67 -> 3, 6, and 1 to C
    assert amounts(result) == {"A": 2, "B": 3, "C": 7}
    assert result.groups[0].capped == {"A"}


def test_zero_weights_get_nothing_and_their_share_stays_unallocated():
    result = d.allocate([claim("A", 0, other=5 * M), claim("B", 2, other=3 * M)], rules(10 * M))
    assert amounts(result) == {"A": 0, "B": 3}
    assert result.groups[0].unallocated == 7 * M


def test_all_weights_zero_allocates_nothing():
    result = d.allocate([claim("A", 0, other=5 * M), claim("B", 0, other=3 * M)], rules(10 * M))
    assert result.total == 0 and result.groups[0].per_weight is None
    assert result.groups[0].unallocated == 10 * M


def test_zero_requests_get_nothing_and_the_others_take_the_budget():
    result = d.allocate([claim("A", 5), claim("B", 1, other=10 * M)], rules(6 * M))
    assert amounts(result) == {"A": 0, "B": 6}


def test_a_budget_above_every_request_meets_each_request_to_the_unit_below():
    result = d.allocate([claim("A", 1, other=3 * M), claim("B", 9, other=4_500_000)], rules(100 * M))
    assert amounts(result) == {"A": 3, "B": 4}  # 4.5 M is met to 4 M: amounts are whole units
    assert result.groups[0].unallocated == 93 * M and result.groups[0].per_weight is None


def test_a_request_not_a_multiple_of_the_unit_caps_at_the_unit_below():
    result = d.allocate([claim("A", 1, other=2_500_000), claim("B", 1, other=100 * M)], rules(5 * M))
    assert amounts(result) == {"A": 2, "B": 3}  # shares 2.5 each; A's cap is 2 units, B takes the rest


def test_an_envelope_smaller_than_one_unit_allocates_nothing_in_its_category():
    claims = [claim("A", 1, capacity_building=10 * M, other=10 * M)]
    result = d.allocate(claims, rules(10 * M, capacity_building=500_000))
    assert result.amount("A", CB) == 0
    assert result.amount("A", OT) == 10 * M  # the envelope spent nothing: the rest of the budget is left


def test_categories_without_an_envelope_share_one_pool_split_by_request():
    claims = [claim("A", 1, capacity_building=3 * M, facilities_improvement=1 * M),
              claim("B", 1, facilities_improvement=4 * M)]
    result = d.allocate(claims, rules(4 * M))
    # Pool of 4 units, A and B 2 each; A's 2 split 3:1 -> 1.5 and 0.5 -> 1 and 0, the unit to CB (tie: category order)
    assert result.amounts[("A", CB)] == 2 * M and result.amounts[("A", FI)] == 0
    assert result.amounts[("B", FI)] == 2 * M


def test_a_facility_with_several_categories_does_not_get_more_for_spreading_its_request():
    claims = [claim("A", 1, capacity_building=10 * M, facilities_improvement=10 * M, other=10 * M),
              claim("B", 1, facilities_improvement=30 * M)]
    assert amounts(d.allocate(claims, rules(20 * M))) == {"A": 10, "B": 10}


def test_an_envelope_is_filled_first_and_the_budget_left_goes_to_the_other_categories():
    claims = [claim("A", 1, capacity_building=5 * M, facilities_improvement=5 * M),
              claim("B", 1, capacity_building=5 * M, facilities_improvement=5 * M)]
    result = d.allocate(claims, rules(10 * M, capacity_building=3 * M))
    assert amounts(result, CB) == {"A": 2, "B": 1}  # 1.5 each, the unit to A (tie)
    assert amounts(result, FI) == {"A": 4, "B": 3}  # the pool: 10 - 3 = 7, 3.5 each, the unit to A
    assert [g.categories for g in result.groups] == [(CB,), (FI, OT)]


def test_what_an_envelope_does_not_use_goes_to_the_pool():
    claims = [claim("A", 1, capacity_building=2 * M, facilities_improvement=20 * M)]
    result = d.allocate(claims, rules(10 * M, capacity_building=8 * M))
    assert result.amount("A", CB) == 2 * M and result.amount("A", FI) == 8 * M


def test_every_envelope_set_below_the_budget_leaves_the_rest_unallocated():
    claims = [claim("A", 1, capacity_building=20 * M, facilities_improvement=20 * M, other=20 * M)]
    result = d.allocate(claims, rules(10 * M, capacity_building=2 * M, facilities_improvement=3 * M, other=1 * M))
    assert result.by_category() == {CB: 2 * M, FI: 3 * M, OT: 1 * M}
    assert result.total == 6 * M


def test_rules_refuse_envelopes_above_the_budget_and_a_unit_above_it():
    assert [p.code for p in d.rules_problems(rules(10 * M, capacity_building=6 * M, other=5 * M))] == [
        "envelopes_above_budget"]
    assert [p.code for p in d.rules_problems(rules(10 * M, unit=11 * M))] == ["unit_range"]
    assert [p.code for p in d.rules_problems(rules(10 * M, unit=0))] == ["unit_range"]
    with pytest.raises(ValueError):
        d.allocate([], rules(10 * M, other=11 * M))


def test_split_units_never_exceeds_a_cap():
    assert d.split_units(3, {CB: 1, FI: 1, OT: 1}) == {CB: 1, FI: 1, OT: 1}
    assert d.split_units(2, {CB: 1, FI: 1, OT: 1}) == {CB: 1, FI: 1, OT: 0}
    assert d.split_units(5, {CB: 7, FI: 0, OT: 3}) == {CB: 4, FI: 0, OT: 1}  # 3.5 and 1.5: tie, CB first


# -- adjustments ------------------------------------------------------------------------------

LINES = [d.Line("A", CB, 5 * M, 3 * M), d.Line("A", FI, 5 * M, 2 * M), d.Line("B", FI, 8 * M, 4 * M)]


def test_an_adjustment_within_the_budget_the_envelope_and_the_request_passes():
    assert d.adjustment_problems(LINES, "A", CB, 4 * M, rules(10 * M)) == []
    assert d.adjustment_problems(LINES, "B", FI, 0, rules(10 * M)) == []


def test_an_adjustment_above_the_budget_says_by_how_much():
    [problem] = d.adjustment_problems(LINES, "A", CB, 5 * M, rules(10 * M))
    assert problem.code == "above_budget" and problem.param_dict["over"] == 1 * M


def test_an_adjustment_above_an_envelope_is_refused():
    [problem] = d.adjustment_problems(LINES, "B", FI, 5 * M, rules(20 * M, facilities_improvement=6 * M))
    assert problem.code == "above_envelope" and problem.param_dict["over"] == 1 * M


def test_an_adjustment_above_the_request_or_negative_is_refused():
    assert [p.code for p in d.adjustment_problems(LINES, "B", FI, 8 * M + 1, rules(50 * M))] == ["above_request"]
    assert [p.code for p in d.adjustment_problems(LINES, "B", FI, -1, rules(50 * M))] == ["amount_negative"]


# -- money per point ---------------------------------------------------------------------------

def test_money_per_point():
    assert d.money_per_point(6 * M, 4).value == F(3 * M, 2)
    assert d.money_per_point(5, 2).rounded_vnd == 3  # half up
    assert d.money_per_point(6 * M, None).undefined_reason is d.PerPointUndefined.NO_VISIT
    assert d.money_per_point(6 * M, 0).undefined_reason is d.PerPointUndefined.NO_POINTS
    assert d.money_per_point(6 * M, -2).undefined_reason is d.PerPointUndefined.SCORES_FELL


def test_national_money_per_point_pools_the_visited_facilities_only():
    assert d.national_money_per_point([(6 * M, 2), (4 * M, 3), (9 * M, None)]).value == F(10 * M, 5)
    assert d.national_money_per_point([(6 * M, 2), (4 * M, -3)]).undefined_reason is d.PerPointUndefined.SCORES_FELL
    assert d.national_money_per_point([(9 * M, None)]).undefined_reason is d.PerPointUndefined.NO_VISIT


# -- typed amounts -------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, value", [
    ("1500000", 1_500_000), ("1.500.000", 1_500_000), ("1,500,000", 1_500_000), ("1 500 000 đ", 1_500_000),
    ("2.000.000.000 VND", 2_000_000_000), ("0", 0), ("-0", 0),
])
def test_amounts_typed_as_people_write_them(typed, value):
    assert d.parse_amount(typed) == value


@pytest.mark.parametrize("typed, code", [
    ("", "amount_missing"), ("  ", "amount_missing"), ("-5", "amount_negative"), ("1.5", "amount_decimal"),
    ("1,5", "amount_decimal"), ("1.500,000", "amount_decimal"), ("2GB", "amount_not_a_number"),
    ("2e12", "amount_not_a_number"), ("10.000.000.000.001", "amount_too_large"),
])
def test_amounts_refused_with_a_distinct_reason(typed, code):
    with pytest.raises(d.AmountError) as error:
        d.parse_amount(typed)
    assert error.value.code == code
