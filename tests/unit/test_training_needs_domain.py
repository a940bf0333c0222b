"""The needs table pivot and the follow-up permission predicates, without an app."""
from types import SimpleNamespace as NS

import pytest

from shelterassess.auth import permissions as perm
from shelterassess.training_needs.domain import SKILLS, NeedCount, needs_table


def test_needs_table_pivots_by_skill_and_province_with_totals():
    counts = [NeedCount(2, 10, 3, 1), NeedCount(1, 20, 1, 0), NeedCount(2, 20, 2, 2), NeedCount(None, 10, 1, 0)]
    table = needs_table(counts, skill_order=[1, 2, 3], province_order=[30, 10, 20])
    assert table.province_ids == (10, 20)  # provinces without needs are left out, order kept
    assert [(r.skill_id, r.by_province, r.total, r.answered, r.open) for r in table.rows] == [
        (1, (0, 1), 1, 0, 1), (2, (3, 2), 5, 3, 2), (None, (1, 0), 1, 0, 1)]
    assert table.province_totals == (4, 3) and (table.total, table.answered) == (7, 3)


def test_no_needs_gives_an_empty_table():
    table = needs_table([], [1], [10])
    assert table.rows == () and table.total == 0


def test_shipped_skills_have_unique_keys_and_both_languages():
    assert len({s.key for s in SKILLS}) == len(SKILLS)
    assert all(s.name_vi and s.name_en for s in SKILLS)


def _user(role, uid=1, facility_id=None):
    return NS(id=uid, role=role, facility_id=facility_id, is_authenticated=True)


TEAM = NS(member_ids={2, 3}, lead_id=3)
LEAD, MEMBER = _user("facility_manager", 3, 20), _user("facility_staff", 2, 20)
VISITED, NATIONAL, ADMIN = _user("facility_manager", 4, 10), _user("national_team", 5), _user("admin", 6)
OTHER = _user("facility_staff", 7, 30)


def _visit(status):
    return NS(status=status, team=TEAM, plan=NS(facility_id=10))


@pytest.mark.parametrize(("user", "view", "edit", "submit", "reopen", "results"), [
    (LEAD, True, True, True, False, True),
    (MEMBER, True, True, False, False, True),
    (VISITED, False, False, False, False, False),
    (NATIONAL, True, False, False, False, True),
    (ADMIN, False, False, False, False, False),
    (OTHER, False, False, False, False, False),
])
def test_draft_visit_permissions(user, view, edit, submit, reopen, results):
    visit = _visit("in_progress")
    assert perm.can_view_follow_up_visit(user, visit) is view
    assert perm.can_edit_follow_up_visit(user, visit) is edit
    assert perm.can_submit_follow_up_visit(user, visit) is submit
    assert perm.can_reopen_follow_up_visit(user, visit) is reopen
    assert perm.can_view_follow_up_results(user, visit) is results


@pytest.mark.parametrize(("user", "edit", "reopen", "results"), [
    (LEAD, False, False, True), (MEMBER, False, False, True), (VISITED, False, False, True),
    (NATIONAL, False, True, True), (ADMIN, False, False, False), (OTHER, False, False, False),
])
def test_submitted_visit_permissions(user, edit, reopen, results):
    visit = _visit("submitted")
    assert perm.can_edit_follow_up_visit(user, visit) is edit
    assert perm.can_reopen_follow_up_visit(user, visit) is reopen
    assert perm.can_view_follow_up_results(user, visit) is results


def test_skills_and_needs_pages():
    assert perm.can_manage_skills(ADMIN) and perm.can_manage_skills(NATIONAL) and not perm.can_manage_skills(LEAD)
    assert perm.can_view_training_needs(NATIONAL) and not perm.can_view_training_needs(ADMIN)
