"""The action forms through HTTP: bad input gets a clear message on the form, keeps what was typed
and changes nothing; a save based on an older version is refused with both versions shown."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from shelterassess.extensions import db
from shelterassess.plans import action_services
from shelterassess.plans.models import PlanAction, PlanEvent
from shelterassess.scoresheets.services import create_draft_copy
from tests import plan_fixtures as plf
from tests.conftest import login


def _state(plan_id: int):
    """Everything a refused request must leave as it was: the actions and the history."""
    db.session.expire_all()
    actions = db.session.scalars(select(PlanAction).where(PlanAction.plan_id == plan_id).order_by(PlanAction.id))
    events = db.session.scalar(select(func.count(PlanEvent.id)).where(PlanEvent.plan_id == plan_id))
    return [action_services.snapshot(a) | {"version": a.version} for a in actions], events


@pytest.fixture
def draft(client, world):
    plan = plf.complete_plan(world)
    db.session.commit()
    login(client, world.manager_b)
    return plan


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


BAD_INPUT = [
    ({"cost": "2000000000000"}, "The cost is above the limit of 100,000,000,000 đồng for one action."),
    ({"cost": "2GB"}, "Enter the cost as a whole number of đồng, in digits only"),
    ({"cost": "-5"}, "The cost cannot be negative."),
    ({"cost": "1.5"}, "The cost is in whole đồng, without decimals."),
    ({"cost": ""}, "Enter the cost estimate in đồng"),
    ({"start_on": "2027-08-01", "due_on": "2027-07-01"}, "The due date cannot be before the start date."),
    ({"indicator_ids": ["999999"]}, "Not indicators of this plan's score sheet: 999999."),
    ({"indicator_ids": []}, "Link the action to at least one indicator."),
    ({"indicator_ids": ["abc"]}, "Choose from the list."),
    ({"description": "   "}, "Describe what will be done."),
    ({"category": "capacity_building", "skill_id": ""}, "A capacity-building action names the skill it builds"),
    ({"category": "gifts"}, "Choose a funding category."),
    ({"due_on": "31/02/2027"}, "Not a valid date value."),
]


@pytest.mark.parametrize("changes, message", BAD_INPUT, ids=[m[:30] for _c, m in BAD_INPUT])
def test_bad_input_on_an_edited_action(client, world, draft, changes, message):
    action = draft.actions[0]
    before = _state(draft.id)
    typed = {"description": "Mã hóa toàn bộ hồ sơ – typed before the error", **changes}
    r = client.post(f"/plans/actions/{action.id}/edit", data=plf.action_form(world, action, **typed))
    assert r.status_code == 422
    text = _text(r)
    assert message in text
    assert 'aria-invalid="true"' in text or 'class="checkboxes stacked has-error"' in text
    if "description" not in changes:
        assert "Mã hóa toàn bộ hồ sơ – typed before the error" in text  # what was typed is kept
    if "cost" in changes and changes["cost"]:
        assert f'value="{changes["cost"]}"' in text
    assert _state(draft.id) == before


@pytest.mark.parametrize("changes, message", BAD_INPUT[:7], ids=[m[:30] for _c, m in BAD_INPUT[:7]])
def test_bad_input_on_a_new_action(client, world, draft, changes, message):
    before = _state(draft.id)
    r = client.post(f"/plans/{draft.id}/actions/new", data=plf.action_form(world, **changes))
    assert r.status_code == 422
    assert message in _text(r)
    assert "Lock the file cabinet and code every file" in _text(r)
    assert _state(draft.id) == before


def test_an_indicator_of_another_score_sheet_is_refused(client, world, draft):
    other = create_draft_copy(db.session, world.sheet).indicators[0]
    db.session.commit()
    before = _state(draft.id)
    r = client.post(f"/plans/actions/{draft.actions[0].id}/edit",
                    data=plf.action_form(world, draft.actions[0], indicator_ids=[str(other.id)]))
    assert r.status_code == 422
    assert f"Not indicators of this plan's score sheet: {other.id}." in _text(r)
    assert _state(draft.id) == before


def test_dropping_needs_a_reason(client, world, draft):
    action = draft.actions[1]
    before = _state(draft.id)
    for reason in ("", "no"):
        r = client.post(f"/plans/actions/{action.id}/drop", data={"drop_reason": reason})
        assert r.status_code == 422
        assert "Give the reason (at least 5 characters)." in _text(r)
    assert _state(draft.id) == before
    r = client.post(f"/plans/actions/{action.id}/drop", data={"drop_reason": "Already done by the province"})
    assert r.status_code == 302
    assert db.session.get(PlanAction, action.id).status == "dropped"
    assert client.post(f"/plans/actions/{action.id}/restore").status_code == 302
    assert db.session.get(PlanAction, action.id).status == "planned"


def test_merge_refusals_change_nothing(client, world, draft):
    before = _state(draft.id)
    b1, a1, _b2 = draft.actions  # B1 "other", A1 "facilities improvement"
    for ids, message in (([b1.id], "Choose at least two actions to merge."),
                         ([b1.id, a1.id], "These actions have different funding categories."),
                         ([b1.id, 999999], "Choose actions of this plan.")):
        r = client.post(f"/plans/{draft.id}/merge", data={"action_ids": ids})
        assert r.status_code == 422, ids
        assert message in _text(r)
    assert _state(draft.id) == before


def test_reordering(client, world, draft):
    first, second, third = [a.id for a in draft.actions]
    assert client.post(f"/plans/actions/{third}/move", data={"direction": "up"}).status_code == 302
    db.session.expire_all()
    assert [a.id for a in sorted(draft.actions, key=lambda a: a.position)] == [first, third, second]
    assert client.post(f"/plans/actions/{third}/move", data={"direction": "sideways"}).status_code == 400


def test_a_stale_save_is_refused_with_both_versions(client, world, draft):
    action = draft.actions[0]
    opened = plf.action_form(world, action)  # the lead opens the form (version N)
    # Meanwhile the national team saves the same action.
    action_services.save_action(db.session, world.national, action,
                                plf.action_input(action, description="Saved by the national team", cost="7000000"))
    db.session.commit()
    saved = _state(draft.id)
    r = client.post(f"/plans/actions/{action.id}/edit",
                    data={**opened, "description": "The lead's own text", "cost": "1.200.000"})
    assert r.status_code == 409
    text = _text(r)
    assert "Someone else saved this action after you opened it." in text
    assert "Your version and the saved version" in text
    assert "The lead's own text" in text and "Saved by the national team" in text
    assert "₫1,200,000" in text and "₫7,000,000" in text
    assert _state(draft.id) == saved  # nothing overwritten
    # The form now carries the saved version: saving again deliberately keeps the lead's copy.
    version = text.split('name="version" type="hidden" value="')[1].split('"')[0]
    assert int(version) == db.session.get(PlanAction, action.id).version
    r = client.post(f"/plans/actions/{action.id}/edit",
                    data={**opened, "description": "The lead's own text", "cost": "1.200.000", "version": version})
    assert r.status_code == 302
    stored = db.session.get(PlanAction, action.id)
    assert (stored.description, stored.cost_vnd) == ("The lead's own text", 1_200_000)


def test_an_unchanged_save_of_an_old_version_is_not_a_conflict(client, world, draft):
    action = draft.actions[0]
    opened = plf.action_form(world, action)
    action_services.save_action(db.session, world.national, action, plf.action_input(action, cost="7000000"))
    db.session.commit()
    r = client.post(f"/plans/actions/{action.id}/edit", data={**opened, "cost": "7000000"})
    assert r.status_code == 302


def test_progress_input_is_checked(client, world):
    plan = plf.accepted_plan(world)
    db.session.commit()
    login(client, world.staff_a)
    action = plan.actions[0]
    before = _state(plan.id)
    for data, message in (({"status": action.status, "note": ""},
                           "Write the progress note, or change only the status."),
                          ({"status": "dropped", "drop_reason": "", "note": ""}, "Give the reason"),
                          ({"status": "done", "noted_on": "2999-01-01", "note": "Done"},
                           "The note's date cannot be in the future."),
                          ({"status": "finished", "note": "x"}, "Choose a status from the list.")):
        r = client.post(f"/plans/actions/{action.id}/progress", data=data)
        assert r.status_code == 422, data
        assert message in _text(r)
    assert _state(plan.id) == before


def test_a_deactivated_skill_stays_on_its_action_but_is_not_offered(client, world, draft):
    counselling = plf.skill(world)
    plf.skill(world, "referral", "Referral procedures", "Chuyển gửi")
    action = draft.actions[0]
    action_services.save_action(db.session, world.manager_b, action, plf.action_input(
        action, category="capacity_building", skill_id=counselling.id))
    counselling.active = False
    db.session.commit()
    r = client.post(f"/plans/actions/{action.id}/edit", data=plf.action_form(world, action, cost="9000000"))
    assert r.status_code == 302  # an unchanged deactivated skill does not block the save
    page = client.get(f"/plans/{draft.id}/actions/new").get_data(as_text=True)
    assert "Referral procedures" in page and "Counselling and listening" not in page
    r = client.post(f"/plans/{draft.id}/actions/new", data=plf.action_form(
        world, category="capacity_building", skill_id=str(counselling.id)))
    assert r.status_code == 422 and "Choose a skill from the list." in _text(r)
