"""The permission predicates as a role x state matrix, without an app."""
from dataclasses import dataclass, field

import pytest

from shelterassess.auth import permissions as p


@dataclass
class U:
    role: str
    facility_id: int | None = None
    id: int = 1
    is_authenticated: bool = True


@dataclass
class R:
    is_open: bool = True


@dataclass
class A:
    facility_id: int = 1
    kind: str = "self"
    is_submitted: bool = False
    round: R = field(default_factory=R)


@dataclass
class F:
    id: int = 1
    active: bool = True


STAFF_A = U("facility_staff", 1)
MANAGER_A = U("facility_manager", 1)
STAFF_B = U("facility_staff", 2)
MANAGER_B = U("facility_manager", 2)
NATIONAL = U("national_team")
ADMIN = U("admin")
ANON = U("facility_staff", 1, is_authenticated=False)
EVERYONE = [STAFF_A, MANAGER_A, STAFF_B, MANAGER_B, NATIONAL, ADMIN, ANON]


def allowed(pred, *args):
    return {i for i, u in enumerate(EVERYONE) if pred(u, *args)}


def test_edit_draft_only_own_facility():
    assert allowed(p.can_edit_assessment, A()) == {0, 1}


def test_submit_only_own_manager():
    assert allowed(p.can_submit_assessment, A()) == {1}


def test_submitted_is_read_only_for_everyone():
    assert allowed(p.can_edit_assessment, A(is_submitted=True)) == set()


def test_closed_round_is_read_only():
    assert allowed(p.can_edit_assessment, A(round=R(is_open=False))) == set()


def test_view_own_facility_and_national_only():
    assert allowed(p.can_view_assessment, A()) == {0, 1, 4}


def test_facility_never_sees_peer_assessments_through_the_self_rule():
    assert allowed(p.can_view_assessment, A(kind="peer")) == {4}


def test_reopen_only_national_and_only_submitted():
    assert allowed(p.can_reopen_assessment, A(is_submitted=True)) == {4}
    assert allowed(p.can_reopen_assessment, A()) == set()


def test_contact_details_are_sensitive():
    assert allowed(p.can_view_facility_contact, F()) == {0, 1, 4, 5}


def test_start_needs_open_round_and_active_facility():
    assert allowed(p.can_start_self_assessment, F(), R()) == {0, 1}
    assert allowed(p.can_start_self_assessment, F(), R(is_open=False)) == set()
    assert allowed(p.can_start_self_assessment, F(active=False), R()) == set()


@pytest.mark.parametrize("pred,expected", [
    (p.can_manage_users, {5}),
    (p.can_manage_facilities, {5}),
    (p.can_manage_scoresheets, {5}),
    (p.can_manage_rounds, {4}),
    (p.can_view_all_assessments, {4}),
    (p.can_list_facilities, {0, 1, 2, 3, 4, 5}),
])
def test_role_only_rules(pred, expected):
    assert allowed(pred) == expected
