"""Leftovers of issue 11: names refuse control characters, and the numbers posted to the plan and
follow-up pages are bounded (a huge or negative number gets a clear message, never a 500, and
changes nothing)."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from shelterassess.peer.models import TrainingSession as Training
from shelterassess.auth.models import User
from shelterassess.extensions import db
from shelterassess.funding.models import FundingRound
from tests import followup_fixtures as ff
from tests import plan_fixtures as plf
from tests.conftest import login
from tests.web.test_plans_actions import _state, draft  # noqa: F401 (the plan pages' own helper and fixture)

HUGE = str(2**64)
TOO_BIG_FOR_BIGINT = str(2**63)
NAME_MESSAGE = "Remove the control characters (tabs, line breaks or invisible characters) from this name."


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# -- control characters in names -----------------------------------------------------------------

@pytest.mark.parametrize("name", ["Quỹ\x01 2027", "Quỹ\t2027", "Quỹ\n2027", "Quỹ\x85 2027", "Quỹ\u009f2027"])
def test_funding_round_name_refuses_control_characters(client, world, name):
    login(client, world.national)
    r = client.post("/funding/new", data={"name": name, "round_id": world.round.id, "budget": "10.000.000",
                                          "rounding_unit": "1.000.000", "red_flag_weight": "10"})
    assert r.status_code in (200, 422)
    assert NAME_MESSAGE in _text(r)
    assert _count(FundingRound) == 0


def test_funding_round_name_without_control_characters_saves(client, world):
    login(client, world.national)
    r = client.post("/funding/new", data={"name": "Quỹ cải thiện 2027", "round_id": world.round.id,
                                          "budget": "10.000.000", "rounding_unit": "1.000.000",
                                          "red_flag_weight": "10"})
    assert r.status_code == 302 and _count(FundingRound) == 1


@pytest.mark.parametrize("field, value, message", [
    ("title", "Tập huấn\x07 đánh giá viên", NAME_MESSAGE),
    ("title", "Tập huấn\nđánh giá viên", NAME_MESSAGE),
    ("place", "Lào\x1bCai", NAME_MESSAGE),
    ("trainers", "Cô A,\x0b Thầy B", "Remove the invisible control characters from this text."),
])
def test_training_names_refuse_control_characters(client, world, field, value, message):
    login(client, world.national)
    data = {"title": "Tập huấn đánh giá viên", "held_on": "2027-03-01", "place": "Lào Cai", "trainers": "Trainer One"}
    r = client.post("/assessors/trainings/new", data={**data, field: value})
    assert r.status_code == 200 and message in _text(r)
    assert _count(Training) == 0


def test_training_trainers_may_hold_line_breaks(client, world):
    login(client, world.national)
    r = client.post("/assessors/trainings/new", data={"title": "Tập huấn", "held_on": "2027-03-01", "place": "Lào Cai",
                                                       "trainers": "Trainer One,\r\nTrainer\tTwo"})
    assert r.status_code == 302 and _count(Training) == 1


@pytest.mark.parametrize("name", ["New\x01person", "New\tperson", "New person\u0085", "New\x7fperson"])
def test_user_display_name_refuses_control_characters(client, world, name):
    login(client, world.admin)
    before = _count(User)
    r = client.post("/admin/users/new", data={"email": "new.person@example.org", "display_name": name,
                                              "role": "facility_staff", "facility": ""})
    assert r.status_code in (200, 422) and NAME_MESSAGE in _text(r)
    assert _count(User) == before


# -- bounded numbers on the plan pages ----------------------------------------------------------



@pytest.mark.parametrize("changes, message", [
    ({"skill_id": HUGE, "category": "capacity_building"}, "Choose from the list."),
    ({"skill_id": TOO_BIG_FOR_BIGINT, "category": "capacity_building"}, "Choose from the list."),
    ({"skill_id": "-1", "category": "capacity_building"}, "Choose from the list."),
    ({"practice_id": HUGE}, "Choose from the list."),
    ({"practice_id": "-1"}, "Choose from the list."),
    ({"indicator_ids": [HUGE]}, "Choose from the list."),
    ({"indicator_ids": ["-1"]}, "Choose from the list."),
    ({"version": HUGE}, "This form does not match the page any more: reload the page and try again."),
    ({"version": "-1"}, "This form does not match the page any more: reload the page and try again."),
])
def test_huge_or_negative_numbers_on_the_action_form_get_a_message(client, world, draft, changes, message):
    action = draft.actions[0]
    before = _state(draft.id)
    r = client.post(f"/plans/actions/{action.id}/edit", data=plf.action_form(world, action, **changes))
    assert r.status_code == 422
    assert message in _text(r)
    assert _state(draft.id) == before
    r = client.post(f"/plans/{draft.id}/actions/new", data=plf.action_form(world, **changes))
    assert r.status_code == 422 and message in _text(r)
    assert _state(draft.id) == before


@pytest.mark.parametrize("ids", [[HUGE], ["-1"], [HUGE, "-1"]])
def test_huge_or_negative_action_ids_to_merge_get_a_message(client, world, draft, ids):
    before = _state(draft.id)
    r = client.post(f"/plans/{draft.id}/merge", data={"action_ids": ids})
    assert r.status_code in (200, 422) and "Choose from the list." in _text(r)
    assert _state(draft.id) == before


@pytest.mark.parametrize("version", [HUGE, "-1"])
def test_huge_or_negative_versions_on_drop_and_progress_get_a_message(client, world, version):
    plan = plf.accepted_plan(world)
    db.session.commit()
    action = plan.actions[0]
    login(client, world.manager_a)
    before = _state(plan.id)
    r = client.post(f"/plans/actions/{action.id}/progress", data={"status": "done", "note": "Xong", "version": version})
    assert r.status_code == 422
    assert "This form does not match the page any more" in _text(r)
    assert _state(plan.id) == before


def test_huge_ids_in_plan_urls_and_queries_are_not_found_or_ignored(client, world, draft):
    assert client.get(f"/plans/actions/{HUGE}/edit").status_code == 404
    assert client.get(f"/plans/{HUGE}").status_code == 404
    login(client, world.national)
    assert client.get(f"/plans/?province={HUGE}").status_code == 200
    assert client.get("/plans/?province=-1").status_code == 200


# -- bounded numbers on the follow-up pages -----------------------------------------------------

def _visit_snapshot(visit_id: int):
    from shelterassess.followups.models import FollowUpVisit
    db.session.expire_all()
    visit = db.session.get(FollowUpVisit, visit_id)
    return visit.status, visit.version, sorted((r.action_id, r.outcome, r.note, r.version) for r in visit.results)


@pytest.mark.parametrize("extra, message", [
    (lambda w: {f"outcome-{HUGE}": "implemented"}, "does not check"),
    (lambda w: {f"anote-{TOO_BIG_FOR_BIGINT}": "x"}, "does not check"),
    (lambda w: {f"score-{HUGE}": "2"}, "does not check"),
    (lambda w: {f"score-{ff.indicators(w)['A1'].id}": HUGE}, "A1: choose 0, 1, 2 or 3"),
    (lambda w: {f"score-{ff.indicators(w)['A1'].id}": "-1"}, "A1: choose 0, 1, 2 or 3"),
])
def test_huge_numbers_on_the_visit_form_get_a_message(client, world, extra, message):
    visit = ff.visit_a(world)
    db.session.commit()
    login(client, world.staff_b)
    before = _visit_snapshot(visit.id)
    r = client.post(f"/follow-ups/{visit.id}", data={**ff.visit_form(world, visit), **extra(world)})
    assert r.status_code in (200, 422)
    assert message in _text(r)
    assert _visit_snapshot(visit.id) == before


@pytest.mark.parametrize("version", [HUGE, TOO_BIG_FOR_BIGINT, "-1"])
def test_huge_or_negative_versions_on_the_visit_form_never_fail(client, world, version):
    visit = ff.visit_a(world)
    ff.record(world, visit, results={1: "partly"}, scores={"A1": 1})
    db.session.commit()
    login(client, world.staff_b)
    before = _visit_snapshot(visit.id)
    data = {**ff.visit_form(world, visit, results={1: "implemented"}), f"aversion-{ff.action(world, 1).id}": version}
    r = client.post(f"/follow-ups/{visit.id}", data=data)
    assert r.status_code in (200, 409, 422)
    assert "reload the page" in _text(r) or "Someone else" in _text(r)
    assert _visit_snapshot(visit.id) == before


@pytest.mark.parametrize("team_id", [HUGE, "-1"])
def test_huge_or_negative_team_on_scheduling_gets_a_message(client, world, team_id):
    plan = ff.plan_a(world)
    db.session.commit()
    login(client, world.national)
    r = client.post(f"/follow-ups/plans/{plan.id}/schedule", data={"team_id": team_id, "planned_on": "2099-01-01"})
    assert r.status_code in (200, 422)
    assert r.status_code != 500
    from shelterassess.followups.models import FollowUpVisit
    assert _count(FollowUpVisit) == 0


def test_huge_round_in_the_follow_up_query_is_ignored(client, world):
    login(client, world.national)
    assert client.get(f"/follow-ups/?round={HUGE}").status_code == 200
    assert client.get(f"/follow-ups/{HUGE}").status_code == 404


TOO_BIG_FOR_INTEGER = str(2**31)  # ids are 32-bit INTEGER columns; psycopg binds are cast to them


@pytest.mark.parametrize("url", [
    "/facilities/{n}/edit", "/facilities/?province={n}", "/facilities/?page={n}", "/assessments/?round={n}",
    "/assessments/{n}", "/assessments/{n}/results", "/plans/{n}", "/plans/rounds/{n}",
    "/comparisons/rounds/{n}/national", "/comparisons/facilities/{n}/trends", "/follow-ups/{n}",
    "/funding/{n}", "/audit/?page={n}", "/teams/{n}/edit",
])
def test_ids_beyond_a_32_bit_integer_are_not_found_not_a_500(client, world, url):
    login(client, world.national)
    r = client.get(url.format(n=TOO_BIG_FOR_INTEGER))
    assert r.status_code in (200, 404), r.status_code
