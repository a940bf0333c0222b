"""Blind-scoring and release predicates of auth/permissions.py, one rule per test, without an app.

Facility 1 is assessed in round 10 by team 7 (lead id 21, member id 22) and team 8 (lead id 31);
users of facility 1 are ids 1 (staff) and 2 (manager); the national team is id 90.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from shelterassess.auth import permissions as p

NOW = dt.datetime(2027, 5, 1, tzinfo=dt.timezone.utc)


@dataclass
class U:
    id: int
    role: str
    facility_id: int | None = None
    is_authenticated: bool = True


@dataclass
class Round:
    id: int = 10
    is_open: bool = True


@dataclass
class Team:
    id: int
    lead_id: int
    member_ids: set[int]
    round: Round = field(default_factory=Round)


@dataclass
class Assignment:
    team: Team
    facility: "Facility"
    is_withdrawn: bool = False


@dataclass
class Facility:
    id: int = 1
    active: bool = True


@dataclass
class A:
    """An assessment: kind self, peer or agreed."""

    kind: str
    facility_id: int = 1
    round_id: int = 10
    is_submitted: bool = False
    team: Team | None = None
    is_withdrawn: bool = False
    released_at: dt.datetime | None = None
    round: Round = field(default_factory=Round)


TEAM_7 = Team(7, lead_id=21, member_ids={21, 22})
TEAM_8 = Team(8, lead_id=31, member_ids={31})
STAFF_1 = U(1, "facility_staff", 1)
MANAGER_1 = U(2, "facility_manager", 1)
LEAD_7 = U(21, "facility_manager", 5)
MEMBER_7 = U(22, "facility_staff", 5)
LEAD_8 = U(31, "facility_manager", 6)
OUTSIDER = U(40, "facility_staff", 9)
NATIONAL = U(90, "national_team")
ADMIN = U(91, "admin")


def peer(team=TEAM_7, submitted=False, **kw) -> A:
    return A("peer", team=team, is_submitted=submitted, **kw)


def agreed(finalised=True, released=True, **kw) -> A:
    return A("agreed", is_submitted=finalised, released_at=NOW if released else None, **kw)


SELF = A("self", is_submitted=True)


# -- a team sees other raters only once its own peer assessment is submitted ------------

def test_a_team_that_submitted_does_not_see_another_teams_draft():
    own = peer(TEAM_7, submitted=True)
    other_draft = peer(TEAM_8, submitted=False)
    assert not p.can_view_peer_assessment(LEAD_7, other_draft, own)
    assert not p.can_view_peer_assessment(MEMBER_7, other_draft, own)


def test_a_team_that_submitted_sees_another_teams_submitted_peer():
    assert p.can_view_peer_assessment(MEMBER_7, peer(TEAM_8, submitted=True), peer(TEAM_7, submitted=True))


def test_a_team_still_drafting_sees_no_other_team():
    assert not p.can_view_peer_assessment(LEAD_7, peer(TEAM_8, submitted=True), peer(TEAM_7, submitted=False))


def test_own_peer_of_another_facility_unlocks_nothing():
    own_elsewhere = peer(TEAM_7, submitted=True, facility_id=2)
    assert not p.can_view_peer_assessment(LEAD_7, peer(TEAM_8, submitted=True), own_elsewhere)
    assert not p.can_view_self_as_peer(LEAD_7, SELF, own_elsewhere)
    assert not p.can_view_agreed(LEAD_7, agreed(released=False), own_elsewhere)


def test_own_peer_of_another_round_unlocks_nothing():
    own_other_round = peer(TEAM_7, submitted=True, round_id=11)
    assert not p.can_view_peer_assessment(LEAD_7, peer(TEAM_8, submitted=True), own_other_round)
    assert not p.can_view_self_as_peer(LEAD_7, SELF, own_other_round)
    assert not p.can_view_peer_results(LEAD_7, Facility(1), Round(10), own_other_round)


def test_someone_elses_submitted_peer_unlocks_nothing_for_a_non_member():
    assert not p.can_view_self_as_peer(OUTSIDER, SELF, peer(TEAM_7, submitted=True))
    assert not p.can_view_peer_results(OUTSIDER, Facility(1), Round(10), peer(TEAM_7, submitted=True))


def test_the_self_assessment_is_seen_by_a_team_once_its_own_is_submitted():
    assert not p.can_view_self_as_peer(MEMBER_7, SELF, peer(TEAM_7, submitted=False))
    assert p.can_view_self_as_peer(MEMBER_7, SELF, peer(TEAM_7, submitted=True))


def test_a_withdrawn_team_unlocks_nothing_with_its_own_submission():
    own = peer(TEAM_7, submitted=True, is_withdrawn=True)
    assert not p.can_view_self_as_peer(LEAD_7, SELF, own)
    assert not p.can_view_peer_assessment(LEAD_7, peer(TEAM_8, submitted=True), own)
    assert not p.can_view_reconciliation(LEAD_7, own)
    assert not p.can_view_peer_results(LEAD_7, Facility(1), Round(10), own)


def test_a_withdrawn_team_can_no_longer_start_edit_or_submit():
    assignment = Assignment(TEAM_7, Facility(1), is_withdrawn=True)
    assert not p.can_start_peer_assessment(MEMBER_7, assignment)
    assert p.can_start_peer_assessment(MEMBER_7, Assignment(TEAM_7, Facility(1)))
    draft = peer(TEAM_7, is_withdrawn=True)
    assert not p.can_edit_peer_assessment(MEMBER_7, draft)
    assert not p.can_submit_peer_assessment(LEAD_7, draft)


# -- the facility sees peer and agreed scores once its own result is released -------------

def test_facility_does_not_see_a_submitted_peer_before_its_result_is_released():
    submitted = peer(TEAM_7, submitted=True)
    assert not p.can_view_peer_assessment(STAFF_1, submitted, None, None)
    assert not p.can_view_peer_assessment(STAFF_1, submitted, None, agreed(released=False))
    assert not p.can_view_peer_assessment(STAFF_1, submitted, None, agreed(finalised=False, released=False))


def test_facility_sees_a_submitted_peer_once_its_result_is_released():
    assert p.can_view_peer_assessment(STAFF_1, peer(TEAM_7, submitted=True), None, agreed())
    assert p.can_view_peer_assessment(MANAGER_1, peer(TEAM_7, submitted=True), None, agreed())


def test_a_released_result_of_another_facility_or_round_unlocks_nothing():
    submitted = peer(TEAM_7, submitted=True)
    assert not p.can_view_peer_assessment(STAFF_1, submitted, None, agreed(facility_id=2))
    assert not p.can_view_peer_assessment(STAFF_1, submitted, None, agreed(round_id=11))
    assert not p.can_view_peer_results(STAFF_1, Facility(1), Round(10), None, agreed(facility_id=2))
    assert not p.can_view_agreed_result(STAFF_1, Facility(1), Round(10), agreed(round_id=11))


def test_the_facility_never_sees_a_draft_or_withdrawn_peer_even_after_release():
    assert not p.can_view_peer_assessment(STAFF_1, peer(TEAM_7, submitted=False), None, agreed())
    assert not p.can_view_peer_assessment(STAFF_1, peer(TEAM_7, submitted=True, is_withdrawn=True), None, agreed())


def test_another_facility_never_sees_a_released_result():
    assert not p.can_view_peer_assessment(OUTSIDER, peer(TEAM_7, submitted=True), None, agreed())
    assert not p.can_view_agreed(OUTSIDER, agreed())
    assert not p.can_view_peer_results(OUTSIDER, Facility(1), Round(10), None, agreed())
    assert not p.can_view_agreed_result(OUTSIDER, Facility(1), Round(10), agreed())


def test_agreed_result_is_seen_by_its_facility_only_once_finalised_and_released():
    assert not p.can_view_agreed(STAFF_1, agreed(released=False))
    assert not p.can_view_agreed(STAFF_1, agreed(finalised=False, released=True))  # reopened, stale date
    assert p.can_view_agreed(STAFF_1, agreed())
    assert p.can_view_agreed_result(STAFF_1, Facility(1), Round(10), agreed())
    assert not p.can_view_agreed_result(STAFF_1, Facility(1), Round(10), agreed(released=False))
    assert p.can_view_peer_results(MANAGER_1, Facility(1), Round(10), None, agreed())
    assert not p.can_view_peer_results(MANAGER_1, Facility(1), Round(10), None, None)


def test_is_result_released_needs_a_finalised_agreed_with_a_release_date():
    assert p.is_result_released(agreed())
    assert not p.is_result_released(None)
    assert not p.is_result_released(agreed(released=False))
    assert not p.is_result_released(agreed(finalised=False))
    assert not p.is_result_released(A("self", is_submitted=True, released_at=NOW))


def test_comparison_for_the_facility_follows_its_own_release():
    @dataclass
    class Ctx:
        released: bool
        submitted_team_member_ids: frozenset = frozenset()

    assert not p.can_view_comparison(STAFF_1, Facility(1), Round(10), Ctx(False))
    assert p.can_view_comparison(STAFF_1, Facility(1), Round(10), Ctx(True))
    assert not p.can_view_comparison(OUTSIDER, Facility(1), Round(10), Ctx(True))
    assert p.can_view_comparison(MEMBER_7, Facility(1), Round(10), Ctx(False, frozenset({22})))


# -- the national team ---------------------------------------------------------------------

def test_the_national_team_sees_everything_but_edits_no_scores():
    assert p.can_view_peer_assessment(NATIONAL, peer(TEAM_7))
    assert p.can_view_agreed(NATIONAL, agreed(released=False))
    assert not p.can_edit_peer_assessment(NATIONAL, peer(TEAM_7))
    assert not p.can_edit_reconciliation(NATIONAL, None, None)


def test_only_the_national_team_releases_and_reopens_agreed_results():
    assert [u for u in (STAFF_1, MANAGER_1, LEAD_7, NATIONAL, ADMIN) if p.can_release_results(u)] == [NATIONAL]
    assert p.can_reopen_agreed(NATIONAL, agreed())
    assert not p.can_reopen_agreed(LEAD_7, agreed())
    assert not p.can_reopen_agreed(NATIONAL, agreed(finalised=False))
    assert not p.can_reopen_agreed(NATIONAL, None)
    assert not p.can_reopen_agreed(NATIONAL, agreed(round=Round(is_open=False)))


def test_the_generic_reopen_is_for_self_and_peer_only():
    assert p.can_reopen_assessment(NATIONAL, A("self", is_submitted=True))
    assert p.can_reopen_assessment(NATIONAL, peer(TEAM_7, submitted=True))
    assert not p.can_reopen_assessment(NATIONAL, agreed())
    assert not p.can_reopen_assessment(STAFF_1, A("self", is_submitted=True))


def test_reconciliation_is_edited_by_a_submitted_lead_until_finalised():
    own = peer(TEAM_7, submitted=True)
    assert p.can_edit_reconciliation(LEAD_7, own, None)
    assert p.can_edit_reconciliation(LEAD_7, own, agreed(finalised=False, released=False))
    assert not p.can_edit_reconciliation(LEAD_7, own, agreed(released=False))
    assert not p.can_edit_reconciliation(MEMBER_7, own, None)
    assert not p.can_edit_reconciliation(LEAD_7, peer(TEAM_7, submitted=False), None)
