"""The visit toolkit's and escalations' permission predicates, as pure functions over plain objects."""
from __future__ import annotations

from types import SimpleNamespace as NS

import pytest

from shelterassess.auth import permissions as perm

FACILITY_A, FACILITY_B = 1, 2


def user(uid, role, facility_id=None):
    return NS(id=uid, role=role, facility_id=facility_id, is_authenticated=True)


STAFF_A = user(1, "facility_staff", FACILITY_A)          # works at the visited facility
MEMBER = user(2, "facility_staff", FACILITY_B)           # on the visiting team
LEAD = user(3, "facility_manager", FACILITY_B)           # leads the visiting team
OTHER = user(4, "facility_manager", 3)                  # a manager on no team
NATIONAL = user(5, "national_team")
ADMIN = user(6, "admin")
ANONYMOUS = NS(id=None, role=None, facility_id=None, is_authenticated=False)

TEAM = NS(member_ids={MEMBER.id, LEAD.id}, lead_id=LEAD.id)
ASSIGNMENT = NS(team=TEAM, facility_id=FACILITY_A, is_withdrawn=False)
WITHDRAWN = NS(team=TEAM, facility_id=FACILITY_A, is_withdrawn=True)
FACILITY = NS(id=FACILITY_A, active=True)
INACTIVE = NS(id=9, active=False)
VISITED = [(FACILITY_A, TEAM)]


def escalation(status="open", recorded_by=MEMBER, has_action=False):
    return NS(facility_id=FACILITY_A, recorded_by_id=recorded_by.id, status=status, has_action=has_action)


@pytest.mark.parametrize("who, teams, allowed", [
    (MEMBER, [TEAM], True), (LEAD, [TEAM], True), (NATIONAL, [], True),
    (STAFF_A, [], False), (OTHER, [], False), (ADMIN, [], False), (ANONYMOUS, [], False),
    (OTHER, [TEAM], False),  # a team the user is not on does not count
])
def test_toolkit_for_team_members_and_the_national_team(who, teams, allowed):
    assert perm.can_view_toolkit(who, teams) is allowed


@pytest.mark.parametrize("who, assignment, allowed", [
    (MEMBER, ASSIGNMENT, True), (LEAD, ASSIGNMENT, True), (NATIONAL, ASSIGNMENT, True), (NATIONAL, WITHDRAWN, True),
    (MEMBER, WITHDRAWN, False), (STAFF_A, ASSIGNMENT, False), (OTHER, ASSIGNMENT, False), (ADMIN, ASSIGNMENT, False),
])
def test_a_visit_pack_for_its_team_and_the_national_team(who, assignment, allowed):
    assert perm.can_view_visit_toolkit(who, assignment) is allowed


@pytest.mark.parametrize("who, facility, visited, allowed", [
    (MEMBER, FACILITY, VISITED, True), (LEAD, None, VISITED, True), (NATIONAL, FACILITY, [], True),
    (NATIONAL, None, [], True), (NATIONAL, INACTIVE, [], False),
    (MEMBER, NS(id=FACILITY_B, active=True), VISITED, False),   # a facility the team does not visit
    (STAFF_A, FACILITY, VISITED, False),                         # the visited facility's own staff
    (OTHER, None, [], False), (ADMIN, None, [], False), (ANONYMOUS, None, VISITED, False),
])
def test_recording_a_concern(who, facility, visited, allowed):
    assert perm.can_record_escalation(who, facility, visited) is allowed


@pytest.mark.parametrize("who, allowed", [
    (NATIONAL, True), (MEMBER, True), (LEAD, False), (STAFF_A, False), (OTHER, False), (ADMIN, False),
    (ANONYMOUS, False),
])
def test_an_escalation_is_seen_by_the_national_team_and_its_recorder_only(who, allowed):
    assert perm.can_view_escalation(who, escalation()) is allowed


def test_list_of_escalations():
    assert perm.can_list_escalations(NATIONAL) and perm.can_list_escalations(MEMBER)
    assert perm.can_list_escalations(STAFF_A)  # an empty list of their own
    assert not perm.can_list_escalations(ADMIN) and not perm.can_list_escalations(ANONYMOUS)
    assert perm.can_manage_escalations(NATIONAL) and not perm.can_manage_escalations(MEMBER)


def test_national_team_steps_follow_the_status():
    assert perm.can_acknowledge_escalation(NATIONAL, escalation("open"))
    assert not perm.can_acknowledge_escalation(NATIONAL, escalation("acknowledged"))
    assert perm.can_record_escalation_action(NATIONAL, escalation("open"))
    assert not perm.can_record_escalation_action(NATIONAL, escalation("closed"))
    assert not perm.can_close_escalation(NATIONAL, escalation("acknowledged", has_action=False))
    assert perm.can_close_escalation(NATIONAL, escalation("acknowledged", has_action=True))
    assert perm.can_reopen_escalation(NATIONAL, escalation("closed", has_action=True))
    assert not perm.can_reopen_escalation(NATIONAL, escalation("acknowledged"))


@pytest.mark.parametrize("who", [MEMBER, LEAD, STAFF_A, ADMIN])
def test_nobody_else_takes_the_national_teams_steps(who):
    item = escalation("acknowledged", has_action=True)
    assert not perm.can_acknowledge_escalation(who, escalation("open"))
    assert not perm.can_record_escalation_action(who, item)
    assert not perm.can_close_escalation(who, item)
    assert not perm.can_reopen_escalation(who, escalation("closed"))


def test_the_recorder_adds_information_until_closed():
    assert perm.can_add_escalation_information(MEMBER, escalation("open"))
    assert perm.can_add_escalation_information(MEMBER, escalation("acknowledged"))
    assert not perm.can_add_escalation_information(MEMBER, escalation("closed"))
    assert not perm.can_add_escalation_information(NATIONAL, escalation("open"))
    assert not perm.can_add_escalation_information(LEAD, escalation("open"))
