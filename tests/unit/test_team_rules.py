"""Peer-team rules (composition, conflicts of interest), without an app or a database."""
import pytest

from shelterassess.teams.domain import (
    ERROR,
    WARNING,
    OtherTeam,
    PastTeam,
    Person,
    RoundContext,
    RuleResult,
    TeamPlan,
    check_assignment,
    check_team,
    new_warnings,
)

SH_A, RC_B, SH_C, SH_D = 1, 2, 3, 4
CODES = {SH_A: "SH-A", RC_B: "RC-B", SH_C: "SH-C", SH_D: "SH-D"}

LAN = Person(1, "Lan", SH_A, "SH-A")
MAI = Person(2, "Mai", SH_A, "SH-A")
HUNG = Person(3, "Hùng", RC_B, "RC-B", reception_centre=True)
TUAN = Person(4, "Tuấn", SH_C, "SH-C")
HOA = Person(5, "Hoa", SH_D, "SH-D")
NAM = Person(6, "Nam", SH_D, "SH-D")


def team(*members, lead=None, facilities=(), id=None, name="Alpha"):
    lead_id = lead.id if lead else (members[0].id if members else None)
    return TeamPlan(name=name, members=tuple(members), lead_id=lead_id, facility_ids=frozenset(facilities), id=id)


def context(others=(), previous=()):
    return RoundContext(others=tuple(others), previous=tuple(previous), facility_codes=CODES)


def codes(results, level=None):
    return [r.code for r in results if level is None or r.level == level]


def only(results, code):
    found = [r for r in results if r.code == code]
    assert len(found) == 1, results
    return found[0]


# -- composition -------------------------------------------------------------------

def test_a_good_team_has_no_findings():
    assert check_team(team(LAN, HUNG), context()) == []


@pytest.mark.parametrize("members, ok", [
    ((LAN,), False),
    ((LAN, HUNG), True),
    ((LAN, HUNG, TUAN, HOA, NAM), True),
    ((LAN, MAI, HUNG, TUAN, HOA, NAM), False),
])
def test_team_size_is_two_to_five(members, ok):
    results = check_team(team(*members), context())
    assert ("team_size" not in codes(results)) is ok
    if not ok:
        assert only(results, "team_size").message_params == {"count": len(members), "min": 2, "max": 5}


def test_the_same_person_twice_counts_once():
    assert "team_size" in codes(check_team(team(LAN, LAN), context()))


def test_an_empty_team_is_too_small_and_needs_a_lead():
    results = check_team(TeamPlan(name="Empty", members=(), lead_id=None), context())
    assert codes(results, ERROR) == ["team_size", "lead_missing"]
    assert codes(results, WARNING) == []


def test_lead_must_be_a_member():
    assert "lead_not_member" in codes(check_team(team(LAN, HUNG, lead=TUAN), context()))
    assert "lead_missing" in codes(check_team(TeamPlan("A", (LAN, HUNG), None), context()))


def test_every_member_must_be_certified_and_named_in_the_message():
    uncertified = Person(7, "Bình", SH_C, "SH-C", certified=False)
    result = only(check_team(team(LAN, HUNG, uncertified), context()), "member_not_certified")
    assert result.level == ERROR and result.message_params == {"person": "Bình (SH-C)"}


def test_members_must_work_at_a_facility():
    official = Person(8, "Officer", None)
    assert only(check_team(team(LAN, HUNG, official), context()), "member_without_facility").level == ERROR


def test_warning_without_a_reception_centre_member():
    results = check_team(team(LAN, TUAN), context())
    assert codes(results) == ["no_reception_centre_member"]
    assert results[0].level == WARNING
    assert check_team(team(LAN, HUNG), context()) == []


# -- member from an assessed facility --------------------------------------------------

def test_member_from_the_assessed_facility_is_refused_when_assigning():
    results = check_assignment(team(LAN, HUNG), SH_A, context())
    result = only(results, "member_from_assessed_facility")
    assert result.level == ERROR
    assert result.message_params == {"person": "Lan (SH-A)", "name": "Lan", "facility": "SH-A"}


def test_member_from_an_assessed_facility_is_refused_when_changing_members():
    results = check_team(team(HUNG, TUAN, facilities=[SH_A]), context())
    assert "member_from_assessed_facility" not in codes(results)
    results = check_team(team(HUNG, TUAN, LAN, MAI, facilities=[SH_A]), context())
    conflicts = [r for r in results if r.code == "member_from_assessed_facility"]
    assert [r.message_params["person"] for r in conflicts] == ["Lan (SH-A)", "Mai (SH-A)"]


def test_assigning_twice_to_the_same_facility_is_refused():
    results = check_assignment(team(LAN, HUNG, facilities=[SH_C]), SH_C, context())
    assert codes(results) == ["already_assigned"]


# -- reciprocal assessment -----------------------------------------------------------

def test_two_facilities_may_not_assess_each_other():
    # Beta has a member from RC-B and assesses SH-A; Alpha (member from SH-A) may not assess RC-B.
    beta = OtherTeam(10, "Beta", member_facility_ids=frozenset({RC_B}), facility_ids=frozenset({SH_A}))
    results = check_assignment(team(LAN, TUAN, id=1), RC_B, context([beta]))
    result = only(results, "reciprocal_assessment")
    assert result.level == ERROR
    assert result.message_params == {"facility": "SH-A", "assessed": "RC-B", "other_team": "Beta"}


def test_one_way_assessment_is_fine():
    beta = OtherTeam(10, "Beta", member_facility_ids=frozenset({RC_B}), facility_ids=frozenset({SH_C}))
    assert "reciprocal_assessment" not in codes(check_assignment(team(LAN, HOA, id=1), RC_B, context([beta])))
    # ...but with a member from SH-C (which Beta assesses) RC-B and SH-C would assess each other
    assert "reciprocal_assessment" in codes(check_assignment(team(LAN, TUAN, id=1), RC_B, context([beta])))


def test_reciprocal_is_checked_when_a_member_joins():
    # Alpha assesses SH-D; Beta has a member from SH-D and assesses SH-A. Adding Lan (SH-A) to Alpha closes the loop.
    beta = OtherTeam(10, "Beta", member_facility_ids=frozenset({SH_D}), facility_ids=frozenset({SH_A}))
    before = team(HUNG, TUAN, facilities=[SH_D], id=1)
    assert "reciprocal_assessment" not in codes(check_team(before, context([beta])))
    after = team(HUNG, TUAN, LAN, facilities=[SH_D], id=1)
    assert "reciprocal_assessment" in codes(check_team(after, context([beta])))


def test_a_team_is_not_compared_with_itself():
    me = OtherTeam(1, "Alpha", member_facility_ids=frozenset({RC_B}), facility_ids=frozenset({SH_A}))
    assert "reciprocal_assessment" not in codes(check_assignment(team(HUNG, TUAN, id=1), SH_D, context([me])))


# -- at most two teams per facility ----------------------------------------------------

def test_a_facility_may_have_two_teams_but_not_three():
    beta = OtherTeam(10, "Beta", frozenset({SH_C}), frozenset({SH_D}))
    gamma = OtherTeam(11, "Gamma", frozenset({SH_C}), frozenset({SH_D}))
    assert "too_many_teams" not in codes(check_assignment(team(LAN, HUNG, id=1), SH_D, context([beta])))
    result = only(check_assignment(team(LAN, HUNG, id=1), SH_D, context([beta, gamma])), "too_many_teams")
    assert result.message_params == {"facility": "SH-D", "teams": "Beta, Gamma", "max": 2}


# -- repeating last round's team --------------------------------------------------------

def test_warning_when_the_same_members_assessed_the_facility_last_round():
    past = PastTeam("2026 round", member_ids=frozenset({LAN.id, HUNG.id}), facility_ids=frozenset({SH_D}))
    result = only(check_assignment(team(HUNG, LAN), SH_D, context(previous=[past])), "repeated_team")
    assert result.level == WARNING and result.message_params == {"facility": "SH-D", "round": "2026 round"}


@pytest.mark.parametrize("members, facility", [((LAN, HUNG, TUAN), SH_D), ((LAN, HUNG), SH_C)])
def test_no_repeat_warning_for_other_members_or_another_facility(members, facility):
    past = PastTeam("2026 round", member_ids=frozenset({LAN.id, HUNG.id}), facility_ids=frozenset({SH_D}))
    assert "repeated_team" not in codes(check_assignment(team(*members), facility, context(previous=[past])))


def test_assignment_does_not_repeat_the_composition_warning():
    assert check_assignment(team(LAN, TUAN), SH_D, context()) == []


def test_new_warnings_leaves_out_those_that_applied_before():
    before = check_team(team(LAN, TUAN), context())
    after = check_team(team(LAN, TUAN, HOA), context())
    assert new_warnings(after, before) == []
    assert new_warnings(after, []) == [RuleResult(WARNING, "no_reception_centre_member", {})]
