"""Funding predicates of auth/permissions.py as a role x status matrix, without an app. Users 1
(staff) and 2 (manager) work at facility 1, user 3 at facility 2; 90 is the national team, 99 an
administrator."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from shelterassess.auth import permissions as p


@dataclass
class U:
    id: int
    role: str
    facility_id: int | None = None
    is_authenticated: bool = True


@dataclass
class Round:
    status: str
    proposal_at: object = "computed"


STAFF, MANAGER, OTHER = U(1, "facility_staff", 1), U(2, "facility_manager", 1), U(3, "facility_manager", 2)
NATIONAL, ADMIN, ANONYMOUS = U(90, "national_team"), U(99, "admin"), U(0, "admin", is_authenticated=False)


@pytest.mark.parametrize("status", ["draft", "approved", "reopened"])
def test_the_facility_sees_its_own_allocation_only_once_approved(status):
    fround = Round(status)
    approved = status == "approved"
    assert p.can_view_facility_allocation(STAFF, fround, 1) is approved
    assert p.can_view_facility_allocation(MANAGER, fround, 1) is approved
    assert not p.can_view_facility_allocation(OTHER, fround, 1)
    assert not p.can_view_facility_allocation(ADMIN, fround, 1)
    assert not p.can_view_facility_allocation(ANONYMOUS, fround, 1)
    assert p.can_view_facility_allocation(NATIONAL, fround, 1)


@pytest.mark.parametrize("status", ["draft", "approved", "reopened"])
def test_only_the_national_team_manages_and_approval_locks(status):
    fround = Round(status)
    for user in (STAFF, MANAGER, OTHER, ADMIN, ANONYMOUS):
        assert not (p.can_manage_funding(user) or p.can_change_allocation(user, fround)
                    or p.can_approve_allocation(user, fround) or p.can_reopen_allocation(user, fround))
    assert p.can_manage_funding(NATIONAL)
    assert p.can_change_allocation(NATIONAL, fround) is (status != "approved")
    assert p.can_approve_allocation(NATIONAL, fround) is (status != "approved")
    assert p.can_reopen_allocation(NATIONAL, fround) is (status == "approved")


def test_approval_needs_a_proposal():
    assert not p.can_approve_allocation(NATIONAL, Round("draft", proposal_at=None))


def test_the_funding_page_is_for_facilities_and_the_national_team_not_administrators():
    assert [p.can_view_funding(u) for u in (STAFF, MANAGER, NATIONAL, ADMIN, ANONYMOUS)] == [
        True, True, True, False, False]
