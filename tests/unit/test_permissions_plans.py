"""Improvement-plan predicates of auth/permissions.py as a role x status matrix, without an app.

Facility 1 is assessed in round 10 by team 7 (lead id 21 from facility 5, member id 22). Users of
facility 1 are ids 1 (staff) and 2 (manager); id 40 works at facility 9; the national team is 90.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from shelterassess.auth import permissions as p

STATUSES = ("draft", "shared", "returned", "accepted", "in_progress", "closed")


@dataclass
class U:
    id: int
    role: str
    facility_id: int | None = None
    is_authenticated: bool = True


@dataclass
class Team:
    id: int
    lead_id: int
    member_ids: set[int]


@dataclass
class Peer:
    team: Team | None
    kind: str = "peer"
    facility_id: int = 1
    round_id: int = 10
    is_submitted: bool = True
    is_withdrawn: bool = False


@dataclass
class Plan:
    status: str = "draft"
    facility_id: int = 1
    round_id: int = 10


@dataclass
class Facility:
    id: int = 1


@dataclass
class Round:
    id: int = 10


TEAM_7 = Team(7, lead_id=21, member_ids={21, 22})
STAFF = U(1, "facility_staff", 1)
MANAGER = U(2, "facility_manager", 1)
LEAD = U(21, "facility_manager", 5)
MEMBER = U(22, "facility_staff", 5)
OUTSIDER = U(40, "facility_staff", 9)
OUTSIDE_MANAGER = U(41, "facility_manager", 9)
NATIONAL = U(90, "national_team")
ADMIN = U(91, "admin")
ANON = U(1, "facility_staff", 1, is_authenticated=False)
PEOPLE = {"staff": STAFF, "manager": MANAGER, "lead": LEAD, "member": MEMBER, "outsider": OUTSIDER,
          "outside_manager": OUTSIDE_MANAGER, "national": NATIONAL, "admin": ADMIN, "anonymous": ANON}
LEAD_PEER = Peer(TEAM_7)


def who(predicate, *args, **kwargs) -> set[str]:
    """The people for whom ``predicate(person, *args)`` holds; the lead's own peer assessment is passed
    to predicates that take ``lead_peer`` (for the lead only, as the views do)."""
    allowed = set()
    for name, person in PEOPLE.items():
        extra = {"lead_peer": LEAD_PEER} if kwargs.get("lead") and name == "lead" else {}
        if predicate(person, *args, **extra):
            allowed.add(name)
    return allowed


def test_the_plans_pages():
    assert who(p.can_view_plans) == {"staff", "manager", "lead", "member", "outsider", "outside_manager", "national"}
    assert who(p.can_view_plans_overview) == {"national"}


def test_drafting_needs_the_lead_of_a_submitted_team_or_the_national_team():
    assert who(p.can_draft_plan, Facility(), Round(), lead=True) == {"lead", "national"}


@pytest.mark.parametrize("lead_peer", [
    Peer(TEAM_7, is_submitted=False),                 # the team has not submitted
    Peer(TEAM_7, is_withdrawn=True),                  # the assignment was withdrawn
    Peer(TEAM_7, facility_id=2),                      # another facility
    Peer(TEAM_7, round_id=11),                        # another round
    Peer(Team(8, lead_id=31, member_ids={21, 31})),   # a member, not the lead
    Peer(TEAM_7, kind="agreed"),
    None,
])
def test_no_drafting_without_a_submitted_peer_assessment_the_user_leads(lead_peer):
    assert not p.can_draft_plan(LEAD, Facility(), Round(), lead_peer)
    assert not p.can_view_plan(LEAD, Plan(), lead_peer)
    assert not p.can_edit_plan(LEAD, Plan(), lead_peer)


VIEW = {
    "draft": {"lead", "national"},
    **{s: {"lead", "national", "staff", "manager"} for s in STATUSES if s != "draft"},
}


@pytest.mark.parametrize("status", STATUSES)
def test_who_sees_the_plan(status):
    """The facility never sees a draft; other facilities and administrators never see it."""
    assert who(p.can_view_plan, Plan(status), lead=True) == VIEW[status]


@pytest.mark.parametrize("status", STATUSES)
def test_who_edits_the_plan(status):
    expected = {"lead", "national"} if status in ("draft", "returned") else set()
    assert who(p.can_edit_plan, Plan(status), lead=True) == expected


@pytest.mark.parametrize("status", STATUSES)
def test_the_manager_decides_a_shared_plan(status):
    assert who(p.can_decide_plan, Plan(status)) == ({"manager"} if status == "shared" else set())


@pytest.mark.parametrize("status", STATUSES)
def test_start_close_reopen(status):
    assert who(p.can_start_plan, Plan(status)) == ({"manager"} if status == "accepted" else set())
    assert who(p.can_close_plan, Plan(status)) == ({"national"} if status == "in_progress" else set())
    assert who(p.can_reopen_plan, Plan(status)) == (
        {"national"} if status in ("accepted", "in_progress") else set())


@pytest.mark.parametrize("status", STATUSES)
def test_progress_after_acceptance(status):
    under_way = status in ("accepted", "in_progress")
    assert who(p.can_add_progress_note, Plan(status), lead=True) == (
        {"staff", "manager", "lead"} if under_way else set())
    assert who(p.can_set_action_status, Plan(status)) == ({"staff", "manager"} if under_way else set())


def test_a_plan_of_another_facility_is_not_the_managers():
    other = Plan("shared", facility_id=9)
    assert who(p.can_view_plan, other) == {"national", "outsider", "outside_manager"}
    assert who(p.can_decide_plan, other) == {"outside_manager"}
    assert not p.can_view_plan(LEAD, other, LEAD_PEER)  # the lead's team assessed facility 1, not 9


def test_administrators_see_nothing_of_plans():
    plan_checks = [p.can_view_plans(ADMIN), p.can_view_plans_overview(ADMIN),
                   p.can_draft_plan(ADMIN, Facility(), Round())]
    for status in STATUSES:
        plan = Plan(status)
        plan_checks += [p.can_view_plan(ADMIN, plan), p.can_edit_plan(ADMIN, plan), p.can_decide_plan(ADMIN, plan),
                        p.can_start_plan(ADMIN, plan), p.can_close_plan(ADMIN, plan), p.can_reopen_plan(ADMIN, plan),
                        p.can_add_progress_note(ADMIN, plan), p.can_set_action_status(ADMIN, plan)]
    assert not any(plan_checks)


def test_plan_predicates_are_template_globals():
    for name in ("can_view_plans", "can_view_plans_overview", "can_draft_plan", "can_view_plan", "can_edit_plan",
                 "can_decide_plan", "can_start_plan", "can_close_plan", "can_reopen_plan", "can_add_progress_note",
                 "can_set_action_status"):
        assert name in p.PREDICATES
