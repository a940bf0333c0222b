"""The paper round trip's pure rules: the check code, score boxes, comparing and resolving two entries."""
import pytest

from shelterassess.paper import domain
from shelterassess.paper.domain import BOTH, FIRST, OTHER, SECOND, Choice, PaperAnswer


def test_check_code_is_six_crockford_characters_and_stable():
    code = domain.check_code(1, 2, 3)
    assert len(code) == 6 and set(code) <= set(domain.ALPHABET)
    assert domain.check_code(1, 2, 3) == code
    assert domain.display_code(code) == f"{code[:3]}-{code[3:]}"


def test_check_code_changes_with_facility_round_and_version():
    codes = {domain.check_code(f, r, s) for f in range(1, 6) for r in range(1, 6) for s in range(1, 4)}
    assert len(codes) == 75  # no collision among these 75 sheets


def test_a_follow_up_visit_sheet_has_its_own_code():
    facility_sheet = domain.check_code(1, 2, 3)
    visits = {domain.check_code(1, 2, 3, visit_id=v) for v in range(1, 21)}
    assert len(visits) == 20 and facility_sheet not in visits
    assert domain.check_code(1, 2, 3, visit_id=None) == facility_sheet  # printed sheets stay valid


def test_typed_code_is_forgiving_about_case_hyphens_and_look_alikes():
    code = domain.check_code(7, 8, 9)
    typed = f" {code[:3].lower()} - {code[3:]} ".replace("0", "o").replace("1", "l")
    assert domain.code_matches(typed, code)
    assert domain.code_matches(domain.display_code(code), code)
    assert not domain.code_matches(domain.check_code(7, 8, 10), code)
    assert not domain.code_matches("", code) and not domain.code_matches(None, code)


@pytest.mark.parametrize("text, na_allowed, expected", [
    ("", False, (None, False)), (" 2 ", False, (2, False)), ("0", False, (0, False)),
    ("N/A", True, (None, True)), ("na", True, (None, True)), ("n", True, (None, True)),
])
def test_score_box(text, na_allowed, expected):
    assert domain.parse_score(text, na_allowed) == expected


@pytest.mark.parametrize("text, na_allowed", [("4", False), ("-1", False), ("2.5", False), ("x", True),
                                               ("na", False), ("12", True)])
def test_score_box_refuses(text, na_allowed):
    with pytest.raises(domain.InvalidScore):
        domain.parse_score(text, na_allowed)


def test_score_text_round_trips():
    for value, na in ((None, False), (0, False), (3, False), (None, True)):
        assert domain.parse_score(domain.score_text(value, na), True) == (value, na)


def test_answers_compare_without_order_or_surrounding_space():
    a = PaperAnswer(2, False, ("staff_interview", "observation"), " kitchen clean ")
    b = PaperAnswer(2, False, ("observation", "staff_interview"), "kitchen clean")
    assert a == b and domain.differing_fields(a, b) == ()


def test_compare_lists_differences_in_sheet_order_with_what_differs():
    first = {1: PaperAnswer(2), 2: PaperAnswer(None, True), 3: PaperAnswer(1, note="a"), 4: PaperAnswer(3)}
    second = {1: PaperAnswer(2), 2: PaperAnswer(0), 3: PaperAnswer(1, evidence=("observation",), note="b")}
    diffs = domain.compare([4, 3, 2, 1], first, second)
    assert [d.indicator_id for d in diffs] == [4, 3, 2]
    assert [d.fields for d in diffs] == [("score",), ("evidence", "note"), ("score",)]
    assert diffs[0].second == domain.EMPTY  # missing on the second entry: empty


def test_resolve_needs_a_choice_for_each_difference():
    first, second = {1: PaperAnswer(2), 2: PaperAnswer(1)}, {1: PaperAnswer(2), 2: PaperAnswer(3)}
    with pytest.raises(domain.Unresolved) as refused:
        domain.resolve([1, 2], first, second, {})
    assert refused.value.indicator_ids == [2]
    with pytest.raises(domain.Unresolved):
        domain.resolve([1, 2], first, second, {2: Choice(OTHER)})  # "another answer" without one
    with pytest.raises(domain.Unresolved):
        domain.resolve([1, 2], first, second, {2: Choice("both")})


@pytest.mark.parametrize("choice, kept", [(Choice(FIRST), PaperAnswer(1)), (Choice(SECOND), PaperAnswer(3)),
                                          (Choice(OTHER, PaperAnswer(2, note="re-read")), PaperAnswer(2, note="re-read"))])
def test_resolve_keeps_the_agreed_and_the_chosen_answers(choice, kept):
    first, second = {1: PaperAnswer(2), 2: PaperAnswer(1)}, {1: PaperAnswer(2), 2: PaperAnswer(3)}
    resolved = domain.resolve([1, 2], first, second, {2: choice, 1: Choice(SECOND)})
    assert resolved[1] == domain.Resolved(BOTH, PaperAnswer(2))  # a choice for an agreeing indicator is ignored
    assert resolved[2] == domain.Resolved(choice.source, kept)


def test_agreeing_entries_resolve_with_no_choice():
    same = {1: PaperAnswer(0), 2: PaperAnswer(None, True)}
    resolved = domain.resolve([1, 2, 3], same, dict(same), {})
    assert {i: r.source for i, r in resolved.items()} == {1: BOTH, 2: BOTH, 3: BOTH}
    assert resolved[3].answer.is_empty


def test_second_entry_by_the_same_person_is_refused():
    assert domain.second_entry_refused(5, 5)
    assert not domain.second_entry_refused(5, 6)
