"""Reconciliation rules: when a reason is needed, N/A handling, prefill, validation."""
import pytest

from shelterassess.assessments.domain import Answer
from shelterassess.assessments.reconciliation import (
    AgreedEntry,
    IndicatorRatings,
    ProblemKind,
    check_agreed,
    largest_gap,
    needs_reason,
    prefill,
    signed_difference,
)

NA = Answer(None, True)
EMPTY = Answer()


def s(v):
    return Answer(v)


def row(self_answer, *peers, na_allowed=True, key="1", code="A1"):
    return IndicatorRatings(key, code, na_allowed, self_answer, tuple(peers))


@pytest.mark.parametrize("answers, gap", [
    ([s(3), s(1)], 2),
    ([s(1), s(3), s(2)], 2),
    ([s(0), s(3)], 3),
    ([s(2), s(2)], 0),
    ([s(2), NA], None),
    ([s(2)], None),
    ([NA, NA], None),
    ([s(1), EMPTY, s(2)], 1),
])
def test_largest_gap_ignores_na_and_unanswered(answers, gap):
    assert largest_gap(answers) == gap


@pytest.mark.parametrize("answers, expected", [
    ([s(3), s(1)], True),          # gap of exactly 2
    ([s(3), s(2)], False),         # gap of 1
    ([s(0), s(3)], True),
    ([s(2), s(2), s(0)], True),    # the second team differs by 2
    ([s(1), s(2), s(3)], True),    # 1 and 3 differ by 2, though neighbours differ by 1
    ([NA, s(0)], True),            # N/A against a score: they disagree whether it applies
    ([NA, NA], False),
    ([NA, NA, NA], False),
    ([s(2), EMPTY], False),        # not given yet
    ([EMPTY, EMPTY], False),
])
def test_needs_reason(answers, expected):
    assert needs_reason(answers) is expected


def test_signed_difference_is_self_minus_peer_and_none_with_na():
    assert signed_difference(s(3), s(1)) == 2
    assert signed_difference(s(0), s(2)) == -2
    assert signed_difference(s(2), s(2)) == 0
    assert signed_difference(NA, s(2)) is None
    assert signed_difference(s(2), NA) is None
    assert signed_difference(EMPTY, s(1)) is None


def test_prefill_equal_scores_and_equal_na():
    assert prefill(row(s(2), s(2))) == AgreedEntry(2, False)
    assert prefill(row(s(0), s(0), s(0))) == AgreedEntry(0, False)
    assert prefill(row(NA, NA)) == AgreedEntry(None, True)


def test_prefill_is_empty_when_raters_differ_or_have_not_answered():
    assert prefill(row(s(2), s(3))) == AgreedEntry()
    assert prefill(row(s(2), s(2), s(1))) == AgreedEntry()
    assert prefill(row(NA, s(2))) == AgreedEntry()
    assert prefill(row(s(2), EMPTY)) == AgreedEntry()
    assert prefill(row(s(2))) == AgreedEntry(2, False)  # a single rater (self only) is taken as is


def test_prefill_never_proposes_na_where_not_allowed():
    assert prefill(row(NA, NA, na_allowed=False)) == AgreedEntry()


def test_gap_without_reason_is_refused_and_names_the_indicator():
    problems = check_agreed([row(s(3), s(1), code="B2")], {"1": AgreedEntry(2, False, "")})
    assert [(p.code, p.kind) for p in problems] == [("B2", ProblemKind.REASON_NEEDED)]


def test_whitespace_is_not_a_reason():
    problems = check_agreed([row(s(3), s(1))], {"1": AgreedEntry(2, False, "   ")})
    assert [p.kind for p in problems] == [ProblemKind.REASON_NEEDED]


def test_gap_with_reason_is_accepted():
    assert check_agreed([row(s(3), s(1))], {"1": AgreedEntry(2, False, "The visit showed shared rooms")}) == []


def test_agreed_far_from_equal_raters_needs_a_reason():
    # self and peer both 3; agreeing on 1 is a gap of 2 against both
    assert [p.kind for p in check_agreed([row(s(3), s(3))], {"1": AgreedEntry(1)})] == [ProblemKind.REASON_NEEDED]
    assert check_agreed([row(s(3), s(3))], {"1": AgreedEntry(2)}) == []


def test_na_against_scores_needs_a_reason():
    assert [p.kind for p in check_agreed([row(NA, s(2))], {"1": AgreedEntry(2)})] == [ProblemKind.REASON_NEEDED]
    assert [p.kind for p in check_agreed([row(s(2), s(2))], {"1": AgreedEntry(None, True)})] == [
        ProblemKind.REASON_NEEDED]
    assert check_agreed([row(NA, NA)], {"1": AgreedEntry(None, True)}) == []


def test_invalid_agreed_scores():
    rows = [row(s(1), s(1), key="1", code="A1"), row(s(1), s(1), na_allowed=False, key="2", code="A2"),
            row(s(1), s(1), key="3", code="A3")]
    entries = {"1": AgreedEntry(4), "2": AgreedEntry(None, True), "3": AgreedEntry(1, True)}
    problems = check_agreed(rows, entries)
    assert [(p.code, p.kind) for p in problems] == [("A1", ProblemKind.INVALID), ("A2", ProblemKind.INVALID),
                                                    ("A3", ProblemKind.INVALID)]


def test_draft_may_leave_scores_empty_but_finalising_may_not():
    rows = [row(s(3), s(1), key="1", code="A1"), row(s(2), s(2), key="2", code="A2")]
    entries = {"2": AgreedEntry(2)}
    assert check_agreed(rows, entries) == []
    problems = check_agreed(rows, entries, complete=True)
    assert [(p.code, p.kind) for p in problems] == [("A1", ProblemKind.MISSING)]


def test_reason_checked_once_a_score_is_chosen_even_on_finalising():
    rows = [row(s(3), s(1), key="1", code="A1")]
    problems = check_agreed(rows, {"1": AgreedEntry(1, False, "")}, complete=True)
    assert [p.kind for p in problems] == [ProblemKind.REASON_NEEDED]


def test_overlong_reason():
    problems = check_agreed([row(s(2), s(2))], {"1": AgreedEntry(2, False, "x" * 2001)})
    assert [p.kind for p in problems] == [ProblemKind.REASON_TOO_LONG]


def test_two_teams_each_compared():
    # self 2, team 1 gives 2, team 2 gives 0: the second team's gap needs a reason
    r = row(s(2), s(2), s(0))
    assert prefill(r) == AgreedEntry()
    assert [p.kind for p in check_agreed([r], {"1": AgreedEntry(2)})] == [ProblemKind.REASON_NEEDED]
    assert check_agreed([r], {"1": AgreedEntry(2, False, "Team 2 visited during renovation")}) == []
