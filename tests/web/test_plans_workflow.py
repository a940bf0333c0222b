"""Improvement plans through HTTP: drafting from the finalised agreed result, editing, merging,
dropping, sharing, returning, accepting, progress, reopening, the history, the overview and
who gets 404. Facility A's agreed result: A1 1 · A2 N/A · B1 0 (critical) · B2 1
(tests/plan_fixtures.py); team 1's lead is manager_b."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from shelterassess.db import utcnow
from shelterassess.extensions import db
from shelterassess.plans.models import ImprovementPlan, PlanAction, PlanEvent
from tests import peer_scoring_fixtures as pf
from tests import plan_fixtures as plf
from tests import team_fixtures
from tests.conftest import login


def _as(client, user):
    client.post("/logout")
    login(client, user)
    return client


def _plan() -> ImprovementPlan:
    db.session.expire_all()
    return db.session.scalar(select(ImprovementPlan))


def _events(plan) -> list[tuple[str, str]]:
    return [(e.action, e.detail) for e in db.session.scalars(
        select(PlanEvent).where(PlanEvent.plan_id == plan.id).order_by(PlanEvent.id))]


def _page(client, plan) -> str:
    r = client.get(f"/plans/{plan.id}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def _fill(client, world, action, **changes):
    r = client.post(f"/plans/actions/{action.id}/edit", data=plf.action_form(world, action, **changes))
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]


def test_the_whole_workflow_through_http(client, world):
    plf.weak_agreed(world)
    plf.skill(world)
    db.session.commit()
    facility_url = f"/plans/facilities/{world.facility_a.id}/rounds/{world.round.id}"

    # The lead drafts the plan from the proposals: B1 (red flag), then A1, then B2.
    _as(client, world.manager_b)
    assert "Draft the plan from the agreed result" in client.get(facility_url).get_data(as_text=True)
    r = client.post(facility_url + "/create")
    assert r.status_code == 302
    plan = _plan()
    assert r.headers["Location"].endswith(f"/plans/{plan.id}")
    assert [[i.code for i in a.indicators] for a in plan.actions] == [["B1"], ["A1"], ["B2"]]
    assert [a.category for a in plan.actions] == ["other", "facilities_improvement", "other"]
    assert plan.actions[0].description.startswith("Reach level 1 on B1")
    assert _events(plan) == [("created", "3")]
    assert client.post(facility_url + "/create").headers["Location"].endswith(f"/plans/{plan.id}")  # still one
    assert db.session.scalar(select(func.count(ImprovementPlan.id))) == 1

    # The facility does not see a draft.
    _as(client, world.staff_a)
    assert client.get(f"/plans/{plan.id}").status_code == 404

    # Sharing an incomplete plan is refused with what is missing.
    _as(client, world.manager_b)
    r = client.post(f"/plans/{plan.id}/share", follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "Action 1: say who is responsible." in text and "Action 3: give the due date." in text
    assert _plan().status == "draft"

    # The lead completes the actions: B1 as capacity building, A1 and B2 with costs.
    b1, a1, b2 = plan.actions
    skill = plf.skill(world)
    _fill(client, world, b1, responsible_role="counsellor", due_on="2027-08-31", cost="3.000.000",
          category="capacity_building", skill_id=str(skill.id), description="Tập huấn lưu trữ hồ sơ mã hóa")
    _fill(client, world, a1, responsible_role="facility_manager", due_on="2027-09-30", cost="40.000.000")
    _fill(client, world, b2, responsible_name="Ms Lan", due_on="2027-07-31", cost="1,500,000",
          category="capacity_building", skill_id=str(skill.id), description="Buy locks for the cabinets")

    # Merge B1 and B2 (same category and skill): one action, costs summed, indicators united.
    r = client.post(f"/plans/{plan.id}/merge", data={"action_ids": [b1.id, b2.id]})
    assert r.status_code == 302
    plan = _plan()
    assert len(plan.actions) == 2
    merged = plan.actions[0]
    assert merged.id == b1.id and [i.code for i in merged.indicators] == ["B1", "B2"]
    assert merged.cost_vnd == 4_500_000
    assert merged.description == "Tập huấn lưu trữ hồ sơ mã hóa\n\nBuy locks for the cabinets"
    assert merged.due_on == dt.date(2027, 8, 31)

    # Add an action, then drop it with a reason.
    r = client.post(f"/plans/{plan.id}/actions/new", data=plf.action_form(world, cost="2.500.000"))
    assert r.status_code == 302
    added = _plan().actions[-1]
    r = client.post(f"/plans/actions/{added.id}/drop", data={"drop_reason": "The province pays for the cabinet"})
    assert r.status_code == 302
    assert db.session.get(PlanAction, added.id).status == "dropped"

    # Share; the facility now sees it; the funding request leaves the dropped action out.
    assert client.post(f"/plans/{plan.id}/share").status_code == 302
    assert _plan().status == "shared"
    _as(client, world.staff_a)
    page = _page(client, plan)
    assert "₫4,500,000" in page and "₫40,000,000" in page and "₫44,500,000" in page
    assert "₫2,500,000" in page  # the dropped action is listed with its cost, outside the totals

    # The manager returns it with a comment; the lead edits and shares again; the manager accepts.
    _as(client, world.manager_a)
    r = client.post(f"/plans/{plan.id}/return", data={"comment": "Name the counsellor for action 1"})
    assert r.status_code == 302 and _plan().status == "returned"
    assert "Name the counsellor for action 1" in _page(client, plan)
    _as(client, world.manager_b)
    _fill(client, world, _plan().actions[0], responsible_name="Ms Hoa")
    assert client.post(f"/plans/{plan.id}/share").status_code == 302
    _as(client, world.manager_a)
    assert client.post(f"/plans/{plan.id}/accept").status_code == 302
    plan = _plan()
    assert plan.status == "accepted" and plan.decided_by_id == world.manager_a.id

    # Accepted: the lead can no longer change it (the form comes back with the reason, nothing saved).
    _as(client, world.manager_b)
    before = plan.actions[0].description
    r = client.post(f"/plans/actions/{plan.actions[0].id}/edit",
                    data=plf.action_form(world, plan.actions[0], description="Changed after acceptance"))
    assert r.status_code == 409
    assert "changes only after the national team reopens it" in r.get_data(as_text=True)
    assert "Changed after acceptance" in r.get_data(as_text=True)
    assert _plan().actions[0].description == before

    # Staff mark action 2 done with a note: the plan is in progress. The lead adds a note (no status).
    _as(client, world.staff_a)
    today = utcnow().date().isoformat()
    action_2 = plan.actions[1]
    r = client.post(f"/plans/actions/{action_2.id}/progress",
                    data={"status": "done", "noted_on": today, "note": "New lights in every room"})
    assert r.status_code == 302
    plan = _plan()
    assert plan.status == "in_progress" and plan.actions[1].status == "done"
    assert [n.text for n in plan.actions[1].notes] == ["New lights in every room"]
    _as(client, world.manager_b)
    r = client.post(f"/plans/actions/{action_2.id}/progress", data={"status": "planned", "note": "Checked on a call"})
    assert r.status_code == 302
    assert db.session.get(PlanAction, action_2.id).status == "done"  # the lead's status is ignored

    # The national team reopens it with a reason: a draft again, hidden from the facility.
    _as(client, world.national)
    assert client.post(f"/plans/{plan.id}/reopen", data={"reason": "x"}).status_code == 200
    assert client.post(f"/plans/{plan.id}/reopen", data={"reason": "Province changed the budget"}).status_code == 302
    assert _plan().status == "draft"
    _as(client, world.staff_a)
    assert client.get(f"/plans/{plan.id}").status_code == 404

    # Every change is in the history, with who and what.
    codes = [code for code, _detail in _events(plan)]
    assert codes == ["created", "action_edited", "action_edited", "action_edited", "actions_merged", "action_added",
                     "action_dropped", "shared", "returned", "action_edited", "shared", "accepted",
                     "action_status", "started", "note_added", "note_added", "reopened"]
    details = dict(_events(plan))
    assert "due_on:  → 2027-08-31" in _events(plan)[1][1]
    assert details["returned"] == "Name the counsellor for action 1"
    assert details["reopened"] == "Province changed the budget"
    _as(client, world.national)
    page = _page(client, plan)
    assert "Reopened by the national team" in page and "Province changed the budget" in page
    assert "manager.a" in page and "Returned by the facility manager" in page


def test_no_plan_before_the_agreed_result_is_finalised(client, world):
    pf.ready_to_reconcile(world)
    db.session.commit()
    _as(client, world.manager_b)
    url = f"/plans/facilities/{world.facility_a.id}/rounds/{world.round.id}"
    assert "is not finalised yet" in client.get(url).get_data(as_text=True)
    r = client.post(url + "/create", follow_redirects=True)
    assert "The plan is drafted from the finalised agreed result" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ImprovementPlan.id))) == 0


def test_other_facilities_get_404_on_plans_actions_and_pdfs(client, world):
    plan = plf.accepted_plan(world)
    team_fixtures.add_facility_c(world)
    db.session.commit()
    action = plan.actions[0]
    urls = [f"/plans/{plan.id}", f"/plans/{plan.id}.pdf", f"/plans/{plan.id}.pdf?lang=en",
            f"/plans/actions/{action.id}/edit", f"/plans/actions/{action.id}/progress",
            f"/plans/actions/{action.id}/drop", f"/plans/{plan.id}/merge", f"/plans/{plan.id}/return",
            f"/plans/{plan.id}/reopen", f"/plans/facilities/{world.facility_a.id}/rounds/{world.round.id}"]
    posts = [f"/plans/{plan.id}/accept", f"/plans/{plan.id}/start", f"/plans/actions/{action.id}/restore",
             f"/plans/actions/{action.id}/progress", f"/plans/actions/{action.id}/edit"]
    for user in (world.staff_c, world.staff_b):
        _as(client, user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.email, url)
        for url in posts:
            assert client.post(url, data={"note": "x" * 10}).status_code == 404, (user.email, url)
    assert [n.text for n in db.session.get(PlanAction, action.id).notes] == []
    _as(client, world.admin)
    assert client.get(f"/plans/{plan.id}").status_code == 404
    assert client.get("/plans/").status_code == 403


def test_overdue_actions_are_highlighted_and_listed_first(client, world):
    plan = plf.accepted_plan(world)
    yesterday = utcnow().date() - dt.timedelta(days=2)
    plan.actions[1].due_on = yesterday
    plan.actions[1].start_on = yesterday - dt.timedelta(days=30)
    db.session.commit()
    _as(client, world.staff_a)
    page = _page(client, plan)
    assert "1 action is overdue." in page and 'class="plan-action overdue"' in page
    _as(client, world.national)
    r = client.get(f"/plans/rounds/{world.round.id}")
    text = r.get_data(as_text=True)
    assert r.status_code == 200
    overdue_section = text.split('id="overdue"')[1].split('id="plans"')[0]
    assert plan.actions[1].description[:40] in overdue_section
    assert plan.actions[0].description[:40] not in overdue_section


def test_national_overview_totals_by_category_and_province_with_filters(client, world):
    plan = plf.accepted_plan(world)  # costs 1 000 000, 2 000 000, 3 000 000: other, facilities, other
    db.session.commit()
    _as(client, world.national)
    text = client.get(f"/plans/rounds/{world.round.id}").get_data(as_text=True)
    assert "₫4,000,000" in text and "₫2,000,000" in text and "₫6,000,000" in text
    assert "Hà Nội" in text or "Ha Noi" in text
    text = client.get(f"/plans/rounds/{world.round.id}?status=draft").get_data(as_text=True)
    assert "No plan matches." in text and "₫6,000,000" not in text
    text = client.get(f"/plans/rounds/{world.round.id}?province={world.facility_a.province_id}&status=accepted")
    assert "₫6,000,000" in text.get_data(as_text=True)
    assert plan.status == "accepted"


def test_money_uses_the_locales_grouping(client_vi, world):
    plan = plf.shared_plan(world)
    db.session.commit()
    login(client_vi, world.manager_a)
    text = client_vi.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "6.000.000\xa0₫" in text and "1.000.000\xa0₫" in text


def test_dashboard_and_results_link_to_plans(client, world):
    plan = plf.shared_plan(world)
    pf.released(world)
    db.session.commit()
    _as(client, world.manager_a)
    assert 'href="/plans/"' in client.get("/").get_data(as_text=True)
    results = client.get(f"/peer/results/{world.facility_a.id}/{world.round.id}").get_data(as_text=True)
    assert f'href="/plans/facilities/{world.facility_a.id}/rounds/{world.round.id}"' in results
    r = client.get(f"/plans/facilities/{world.facility_a.id}/rounds/{world.round.id}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/plans/{plan.id}")
