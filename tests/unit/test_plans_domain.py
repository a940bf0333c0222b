"""Improvement-plan rules (plans/domain.py) against hand-computed values, without an app."""
import datetime as dt
from dataclasses import dataclass

import pytest

from shelterassess.plans import changes as c
from shelterassess.plans import domain as d
from shelterassess.plans import money
from shelterassess.plans.models import ActionStatus, FundingCategory, PlanStatus


def ind(iid, code, value, critical=False, na=False, area=1, pos=1):
    return d.AgreedIndicator(iid, code, critical, value, na, area, pos)


# -- proposals ---------------------------------------------------------------------------------

def test_proposal_order_red_flags_then_critical_then_score_then_sheet_order():
    indicators = [
        ind(1, "A1", 1, area=1, pos=1),
        ind(2, "A2", 0, area=1, pos=2),
        ind(3, "A3", 1, critical=True, area=1, pos=3),
        ind(4, "B1", 0, critical=True, area=2, pos=1),
        ind(5, "B2", 2, area=2, pos=2),               # 2: not proposed
        ind(6, "B3", None, na=True, critical=True, area=2, pos=3),  # N/A: never proposed
        ind(7, "C1", 0, critical=True, area=3, pos=1),
        ind(8, "C2", 0, area=3, pos=2),
        ind(9, "C3", 3, critical=True, area=3, pos=3),
        ind(10, "C4", None, area=3, pos=4),            # not scored: not proposed
        ind(11, "A0", 1, area=1, pos=0),
    ]
    # red flags (B1, C1) by sheet order; then critical 1 (A3); then other 0s (A2, C2) by area and
    # position; then other 1s (A0, A1) by position.
    assert [p.code for p in d.proposals(indicators)] == ["B1", "C1", "A3", "A2", "C2", "A0", "A1"]
    flags = {p.code: p.red_flag for p in d.proposals(indicators)}
    assert flags == {"B1": True, "C1": True, "A3": False, "A2": False, "C2": False, "A0": False, "A1": False}


def test_area_position_orders_before_indicator_position():
    indicators = [ind(1, "B1", 1, area=2, pos=1), ind(2, "A9", 1, area=1, pos=9)]
    assert [p.code for p in d.proposals(indicators)] == ["A9", "B1"]


def test_nothing_proposed_for_a_strong_or_not_applicable_result():
    assert d.proposals([ind(1, "A1", 2), ind(2, "A2", 3), ind(3, "A3", None, na=True)]) == []


def test_suggested_category_follows_the_area():
    assert d.suggested_category("facilities") == d.FACILITIES_IMPROVEMENT
    assert d.suggested_category("confidentiality") == d.OTHER


# -- money ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, value", [
    ("0", 0), ("1500000", 1_500_000), ("1.500.000", 1_500_000), ("1,500,000", 1_500_000),
    ("1 500 000", 1_500_000), ("1\u00a0500\u00a0000 ₫", 1_500_000), ("2.500.000 đ", 2_500_000),
    ("750 VND", 750), ("-0", 0), ("100000000000", money.MAX_COST_VND), ("1.500", 1500),
])
def test_costs_people_type(typed, value):
    assert money.parse_cost(typed) == value


@pytest.mark.parametrize("typed, code", [
    ("", "cost_missing"), ("   ", "cost_missing"), (None, "cost_missing"),
    ("2GB", "cost_not_a_number"), ("2 GB", "cost_not_a_number"), ("2e12", "cost_not_a_number"),
    ("abc", "cost_not_a_number"), ("1,5 triệu", "cost_not_a_number"),
    ("-5", "cost_negative"), ("−250.000", "cost_negative"), ("-1.5", "cost_negative"),
    ("1.5", "cost_decimal"), ("1,5", "cost_decimal"), ("1500000.00", "cost_decimal"), ("12,34,567", "cost_decimal"),
    ("1 500.000", "cost_decimal"),
    ("100000000001", "cost_too_large"), ("2000000000000", "cost_too_large"), ("2.000.000.000.000", "cost_too_large"),
    ("9" * 60, "cost_too_large"),
])
def test_costs_refused(typed, code):
    with pytest.raises(money.CostError) as refused:
        money.parse_cost(typed)
    assert refused.value.code == code


def test_the_maximum_is_one_hundred_billion_dong():
    assert money.MAX_COST_VND == 100_000_000_000


# -- validating an action --------------------------------------------------------------------------

RULES = d.ActionRules(sheet_indicator_ids=frozenset({1, 2, 3}), skill_ids=frozenset({7}))


def fields(**changes):
    base = dict(description="Lock the file cabinet", responsible_role="case_manager", start_on=dt.date(2027, 6, 1),
                due_on=dt.date(2027, 7, 1), cost="1.500.000", category=d.FACILITIES_IMPROVEMENT, indicator_ids=(1,))
    base.update(changes)
    return d.ActionFields(**base)


def codes(problems):
    return {(p.field, p.code) for p in problems}


def test_a_valid_action_gives_its_cost():
    assert d.check_action(fields(), RULES) == (1_500_000, [])


def test_due_may_equal_start_but_not_precede_it():
    assert d.check_action(fields(due_on=dt.date(2027, 6, 1)), RULES)[1] == []
    assert codes(d.check_action(fields(due_on=dt.date(2027, 5, 31)), RULES)[1]) == {("due_on", "due_before_start")}


def test_every_problem_is_reported_at_once():
    cost, problems = d.check_action(fields(description="  ", cost="2GB", category="gifts", indicator_ids=(),
                                           responsible_role="boss", due_on=dt.date(2027, 1, 1)), RULES)
    assert cost is None
    assert codes(problems) == {("description", "description_missing"), ("cost", "cost_not_a_number"),
                               ("category", "category_unknown"), ("indicator_ids", "indicators_missing"),
                               ("responsible_role", "role_unknown"), ("due_on", "due_before_start")}


def test_capacity_building_needs_a_known_skill():
    assert codes(d.check_action(fields(category=d.CAPACITY_BUILDING), RULES)[1]) == {("skill_id", "skill_missing")}
    assert codes(d.check_action(fields(category=d.CAPACITY_BUILDING, skill_id=8), RULES)[1]) == {
        ("skill_id", "skill_unknown")}
    assert d.check_action(fields(category=d.CAPACITY_BUILDING, skill_id=7), RULES)[1] == []
    assert d.check_action(fields(category=d.OTHER, skill_id=99), RULES)[1] == []  # ignored outside capacity building


def test_indicators_must_come_from_the_plans_sheet():
    problems = d.check_action(fields(indicator_ids=(1, 99, 42)), RULES)[1]
    assert [(p.code, p.param_dict) for p in problems] == [("indicators_unknown", {"ids": "42, 99"})]


def test_a_dropped_action_needs_a_reason_of_five_characters():
    assert codes(d.check_action(fields(status=d.DROPPED, drop_reason=" no "), RULES)[1]) == {
        ("drop_reason", "reason_missing")}
    assert d.check_action(fields(status=d.DROPPED, drop_reason="Funded by the province"), RULES)[1] == []
    assert codes(d.check_action(fields(status="finished"), RULES)[1]) == {("status", "status_unknown")}


def test_texts_have_limits():
    long = "x" * (d.DESCRIPTION_MAX + 1)
    assert codes(d.check_action(fields(description=long), RULES)[1]) == {("description", "too_long")}
    assert codes(d.check_action(fields(responsible_name="y" * 201), RULES)[1]) == {("responsible_name", "too_long")}


def test_cost_too_large_says_the_limit():
    problem = d.check_action(fields(cost="2000000000000"), RULES)[1][0]
    assert (problem.field, problem.code, problem.param_dict) == ("cost", "cost_too_large", {"max": money.MAX_COST_VND})


# -- the plan as a whole ----------------------------------------------------------------------------

@dataclass
class A:
    cost_vnd: int = 0
    category: str = d.OTHER
    status: str = d.PLANNED
    due_on: dt.date | None = None
    description: str = "Do it"
    responsible_role: str = "facility_manager"
    responsible_name: str = ""


def test_funding_request_sums_actions_not_dropped_per_category():
    actions = [A(1_500_000, d.CAPACITY_BUILDING), A(2_000_000, d.CAPACITY_BUILDING, d.DONE),
               A(40_000_000, d.FACILITIES_IMPROVEMENT, d.ACTION_IN_PROGRESS),
               A(9_999_999, d.FACILITIES_IMPROVEMENT, d.DROPPED), A(300_000, d.OTHER)]
    assert d.funding_request(actions) == {d.CAPACITY_BUILDING: 3_500_000, d.FACILITIES_IMPROVEMENT: 40_000_000,
                                          d.OTHER: 300_000}
    assert list(d.funding_request([])) == list(d.CATEGORIES)
    assert d.funding_request([A(5, d.OTHER, d.DROPPED)]) == {c: 0 for c in d.CATEGORIES}


def test_overdue_is_past_due_and_still_open():
    today = dt.date(2027, 8, 1)
    yesterday, tomorrow = dt.date(2027, 7, 31), dt.date(2027, 8, 2)
    assert d.is_overdue(A(due_on=yesterday), today)
    assert d.is_overdue(A(due_on=yesterday, status=d.ACTION_IN_PROGRESS), today)
    assert not d.is_overdue(A(due_on=today), today)
    assert not d.is_overdue(A(due_on=tomorrow), today)
    assert not d.is_overdue(A(due_on=yesterday, status=d.DONE), today)
    assert not d.is_overdue(A(due_on=yesterday, status=d.DROPPED), today)
    assert not d.is_overdue(A(due_on=None), today)


def test_sharing_needs_what_who_and_when_for_every_open_action():
    assert [p.code for p in d.share_problems([])] == ["plan_empty"]
    assert [p.code for p in d.share_problems([A(status=d.DROPPED)])] == ["plan_empty"]
    problems = d.share_problems([A(due_on=dt.date(2027, 1, 1)), A(description=" ", responsible_role=""),
                                 A(status=d.DROPPED)])
    assert [(p.code, p.param_dict) for p in problems] == [
        ("share_description_missing", {"number": 2}), ("share_owner_missing", {"number": 2}),
        ("share_due_missing", {"number": 2})]
    assert d.share_problems([A(due_on=dt.date(2027, 1, 1), responsible_role="", responsible_name="Ms Lan")]) == []


# -- workflow ---------------------------------------------------------------------------------------

def test_transition_table():
    expected = {
        d.DRAFT: ("share",),
        d.SHARED: ("accept", "return"),
        d.RETURNED: ("share",),
        d.ACCEPTED: ("start", "reopen"),
        d.IN_PROGRESS: ("close", "reopen"),
        d.CLOSED: (),
    }
    assert {s: d.allowed_transitions(s) for s in d.PLAN_STATUSES} == expected


@pytest.mark.parametrize("status, transition, target", [
    (d.DRAFT, "share", d.SHARED), (d.RETURNED, "share", d.SHARED), (d.SHARED, "accept", d.ACCEPTED),
    (d.SHARED, "return", d.RETURNED), (d.ACCEPTED, "start", d.IN_PROGRESS), (d.IN_PROGRESS, "close", d.CLOSED),
    (d.ACCEPTED, "reopen", d.DRAFT), (d.IN_PROGRESS, "reopen", d.DRAFT),
])
def test_next_status(status, transition, target):
    assert d.can_transition(status, transition)
    assert d.next_status(status, transition) == target


@pytest.mark.parametrize("status, transition", [
    (d.DRAFT, "accept"), (d.SHARED, "share"), (d.ACCEPTED, "close"), (d.CLOSED, "reopen"), (d.DRAFT, "reopen"),
    (d.SHARED, "reopen"), (d.RETURNED, "accept"), (d.DRAFT, "fly"),
])
def test_refused_transitions(status, transition):
    assert not d.can_transition(status, transition)
    with pytest.raises(d.InvalidTransition):
        d.next_status(status, transition)


def test_who_changes_what_when():
    assert [s for s in d.PLAN_STATUSES if d.is_editable(s)] == [d.DRAFT, d.RETURNED]
    assert [s for s in d.PLAN_STATUSES if d.takes_progress(s)] == [d.ACCEPTED, d.IN_PROGRESS]
    assert d.starts_work(d.ACCEPTED, d.ACTION_IN_PROGRESS) and d.starts_work(d.ACCEPTED, d.DONE)
    assert not d.starts_work(d.ACCEPTED, d.DROPPED) and not d.starts_work(d.IN_PROGRESS, d.DONE)


def test_vocabularies_match_the_models():
    assert d.PLAN_STATUSES == tuple(s.value for s in PlanStatus)
    assert d.ACTION_STATUSES == tuple(s.value for s in ActionStatus)
    assert d.CATEGORIES == tuple(c.value for c in FundingCategory)


# -- merge and move ---------------------------------------------------------------------------------

def src(aid, position, **kw):
    base = dict(description=f"Action {aid}", indicator_ids=(aid,), cost_vnd=1_000_000, category=d.OTHER)
    base.update(kw)
    return d.MergeSource(id=aid, position=position, **base)


def test_merge_keeps_the_first_and_unites_the_rest():
    merged = d.merge([
        src(30, 3, description="Train staff in listening", indicator_ids=(5, 2), cost_vnd=2_500_000,
            start_on=dt.date(2027, 5, 1), due_on=dt.date(2027, 9, 1), case_keys=("kite-house",), practice_id=4,
            responsible_name="Ms Hoa"),
        src(10, 1, description="Train staff in counselling", indicator_ids=(2, 3), cost_vnd=1_500_000,
            start_on=dt.date(2027, 6, 1), due_on=dt.date(2027, 7, 1), case_keys=("winari-ecuador", "kite-house")),
        src(20, 2, description="Train staff in counselling", indicator_ids=(1,), cost_vnd=0),
    ])
    assert merged == d.Merged(
        keep_id=10, remove_ids=(20, 30),
        description="Train staff in counselling\n\nTrain staff in listening",
        indicator_ids=(2, 3, 1, 5), cost_vnd=4_000_000, skill_id=None,
        start_on=dt.date(2027, 5, 1), due_on=dt.date(2027, 9, 1),
        responsible_role="", responsible_name="Ms Hoa",
        case_keys=("winari-ecuador", "kite-house"), practice_id=4,
    )


def test_merge_keeps_the_owner_of_the_first_action_that_has_one():
    merged = d.merge([src(1, 1, responsible_role="counsellor"), src(2, 2, responsible_name="Ms Hoa")])
    assert (merged.responsible_role, merged.responsible_name) == ("counsellor", "")


@pytest.mark.parametrize("actions, code", [
    ([src(1, 1)], "merge_too_few"),
    ([], "merge_too_few"),
    ([src(1, 1), src(2, 2, status=d.DROPPED)], "merge_dropped"),
    ([src(1, 1), src(2, 2, category=d.FACILITIES_IMPROVEMENT)], "merge_categories"),
    ([src(1, 1, category=d.CAPACITY_BUILDING, skill_id=1), src(2, 2, category=d.CAPACITY_BUILDING, skill_id=2)],
     "merge_skills"),
    ([src(1, 1, cost_vnd=money.MAX_COST_VND), src(2, 2, cost_vnd=1)], "merge_cost_too_large"),
])
def test_merge_refusals(actions, code):
    with pytest.raises(d.MergeRefused) as refused:
        d.merge(actions)
    assert refused.value.code == code


def test_merge_of_capacity_building_keeps_the_one_skill():
    merged = d.merge([src(1, 1, category=d.CAPACITY_BUILDING), src(2, 2, category=d.CAPACITY_BUILDING, skill_id=7)])
    assert merged.skill_id == 7


def test_move():
    assert d.move([1, 2, 3], 3, -1) == [1, 3, 2]
    assert d.move([1, 2, 3], 1, 1) == [2, 1, 3]
    assert d.move([1, 2, 3], 1, -1) == [1, 2, 3]
    assert d.move([1, 2, 3], 3, 1) == [1, 2, 3]


def test_change_lines_round_trip():
    before = {"due_on": "2027-05-01", "cost_vnd": "0", "description": "a"}
    after = {"due_on": "2027-06-01", "cost_vnd": "0", "description": "a\nb"}
    items = c.changes(before, after)
    assert items == [("due_on", "2027-05-01", "2027-06-01"), ("description", "a", "a\nb")]
    text = c.change_lines(items)
    assert text == "due_on: 2027-05-01 → 2027-06-01\ndescription: a → a b"
    assert c.parse_change_lines(text) == [("due_on", "2027-05-01", "2027-06-01"), ("description", "a", "a b")]
    assert c.change_lines([("description", "", "x" * 200)], limit=10) == "description:  → xxxxxxxxx…"
