"""The plan page and the funding round page stay under 150 KB however long the plan and its
history: the plan page shows one page of actions (``?actions_page=``), each with its latest
changes and progress notes, and the plan's latest changes; the round page pages the facilities
listed apart (``?apart_page=``, beside the facilities' ``?page=``) and shows the latest changes.
The whole histories are on their own paged pages, for whoever may see the plan or the round. The
pages run a fixed number of statements however many actions, changes, notes and facilities.
Both databases (``TEST_DATABASE_URL``).
"""
from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import func, select

from shelterassess.extensions import db
from shelterassess.facilities.services import FacilityInput, save_facility
from shelterassess.funding.models import AllocationLine, FundingEvent, FundingFacility
from shelterassess.plans.changes import change_lines
from shelterassess.plans.domain import CATEGORIES
from shelterassess.plans.models import ActionProgressNote, PlanAction, PlanEvent
from shelterassess.plans.queries import ACTIONS_PER_PAGE
from tests import funding_fixtures as fnf
from tests import plan_fixtures as plf
from tests.conftest import login
from tests.web.test_query_counts import statements_of

LIMIT = 150 * 1024


# -- builders -------------------------------------------------------------------------------------

def grow_plan(w, actions: int, changes: int, notes: int):
    """Facility A's draft plan with ``actions`` actions in all (long texts, every third one capacity
    building, from the fourth), then ``changes`` changes and ``notes`` progress notes more on every action."""
    plan = plf.draft_plan(w)
    b1 = plf.indicator(w, "B1")
    last = max(a.position for a in plan.actions)
    for n in range(len(plan.actions) + 1, actions + 1):
        last += 1
        db.session.add(PlanAction(plan_id=plan.id, position=last, description=f"Action text {n:03d}. " + "Mô tả " * 60,
                                  cost_vnd=n * 1000, category="capacity_building" if n % 3 == 1 else "other",
                                  status="planned", drop_reason="", indicators=[b1]))
    db.session.flush()
    db.session.refresh(plan)
    for a in plan.actions:
        already = db.session.scalar(select(func.count()).where(PlanEvent.action_id == a.id))
        db.session.add_all(PlanEvent(
            plan_id=plan.id, action_id=a.id, user_id=w.manager_b.id, action="action_edited",
            detail=change_lines([("description", "Đã sửa " * 15,
                                  f"Change {k:02d} of action {a.id}. " + "Đã sửa " * 15)]))
            for k in range(already, already + changes))
        had = db.session.scalar(select(func.count()).where(ActionProgressNote.action_id == a.id))
        db.session.add_all(ActionProgressNote(action_id=a.id, noted_on=dt.date(2027, 1, 1) + dt.timedelta(days=k),
                                              text=f"Note {k:02d} of action {a.id}. " + "Ghi chú " * 20,
                                              user_id=w.manager_b.id)
                           for k in range(had, had + notes))
    db.session.commit()
    db.session.expire_all()  # the test's session outlives the requests: read afresh, as a request would
    return plan


def grow_round(w, first: int, apart: int, changes: int):
    """The funding round's proposal with ``apart`` more facilities listed apart (ZA-<nnn>) and
    ``changes`` more changes in its history."""
    fround = fnf.proposal(w)
    for n in range(first, first + apart):
        facility = save_facility(db.session, FacilityInput(f"ZA-{n:03d}", f"Facility apart {n:03d}", "shelter",
                                                           w.facility_a.province_id, 10, True, "", ""))
        db.session.flush()
        ff = FundingFacility(funding_round_id=fround.id, facility_id=facility.id, red_flags=0, capacity=10)
        db.session.add(ff)
        db.session.flush()
        db.session.add_all(AllocationLine(funding_facility_id=ff.id, category=c, request_vnd=n * 1000, proposed_vnd=0)
                           for c in CATEGORIES)
    done = db.session.scalar(select(func.count()).where(FundingEvent.funding_round_id == fround.id))
    db.session.add_all(FundingEvent(funding_round_id=fround.id, user_id=w.national.id, action="adjusted",
                                    facility_id=w.facility_a.id, category="capacity_building",
                                    detail=change_lines([("amount_vnd", str(k * 1000), str(k * 1000 + 500))]),
                                    reason=f"Funding change {k:04d}. " + "Lý do " * 20)
                       for k in range(done, done + changes))
    db.session.commit()
    db.session.expire_all()
    return fround


def _ids(page: str) -> list[int]:
    return [int(x) for x in dict.fromkeys(re.findall(r'<article class="plan-action[^"]*" id="action-(\d+)"', page))]


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def _newest_events(model, **where) -> list:
    query = select(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return list(db.session.scalars(query.order_by(model.id.desc())))


# -- sizes, pagers and links --------------------------------------------------------------------------

def test_a_long_plan_stays_under_150_kb_and_pages_its_actions_and_histories(client, world):
    plan = grow_plan(world, actions=45, changes=12, notes=6)
    login(client, world.national)
    actions = list(db.session.scalars(select(PlanAction).where(PlanAction.plan_id == plan.id)
                                      .order_by(PlanAction.position, PlanAction.id)))
    assert len(actions) == 45
    sizes = {}
    for url in (f"/plans/{plan.id}", f"/plans/{plan.id}?actions_page=2", f"/plans/{plan.id}?actions_page=5",
                f"/plans/{plan.id}/history", f"/plans/{plan.id}/history?page=2",
                f"/plans/actions/{actions[5].id}/history"):
        response = client.get(url)
        assert response.status_code == 200, url
        sizes[url] = len(response.data)
    assert max(sizes.values()) < LIMIT, sizes

    size = ACTIONS_PER_PAGE  # 10: 45 actions on 5 pages
    first = _text(client.get(f"/plans/{plan.id}"))
    assert _ids(first) == [a.id for a in actions[:size]]
    assert f"Showing 1–{size} of 45" in first and 'aria-label="Pages of actions"' in first and 'rel="next"' in first
    second = _text(client.get(f"/plans/{plan.id}?actions_page=2"))
    assert _ids(second) == [a.id for a in actions[size:2 * size]] and f"Showing {size + 1}–{2 * size} of 45" in second
    assert f'<h3 id="action-{actions[size].id}-h">Action {size + 1} ' in second  # numbered in the whole plan
    last = _text(client.get(f"/plans/{plan.id}?actions_page=5"))
    assert _ids(last) == [a.id for a in actions[40:]] and "Showing 41–45 of 45" in last
    # ?action=<id> (the links back from an action's forms) opens the page holding it
    fourth = [a.id for a in actions[3 * size:4 * size]]
    assert _ids(_text(client.get(f"/plans/{plan.id}?action={actions[33].id}"))) == fourth
    back = re.search(r'<p><a href="([^"]+)">←', _text(client.get(f"/plans/actions/{actions[33].id}/edit"))).group(1)
    assert back.endswith(f"#action-{actions[33].id}")
    assert _ids(_text(client.get(back))) == fourth
    for odd in ("abc", "²", str(2**70), "-1", str(actions[33].id) + "x"):  # anything else: the first page
        assert _ids(_text(client.get(f"/plans/{plan.id}?action={odd}"))) == [a.id for a in actions[:size]], odd
    # the funding request still counts every action, not only the page's
    total = sum(a.cost_vnd for a in actions if a.status != "dropped")
    assert re.search(r'<tr class="total"><th scope="row">Total</th><td class="num"><strong>₫([\d,]+)</strong>',
                     first).group(1) == f"{total:,}"

    # each action: its 3 latest notes, newest first, its 3 latest changes (what, which fields: the
    # values are on its history page), and a link to all of them
    a = actions[5]
    block = first.split(f'id="action-{a.id}"')[1].split("</article>")[0]
    changes = block.split('<ul class="action-changes">')[1].split("</ul>")[0]
    assert changes.count("<li>") == 3 and changes.count("Action changed (What will be done)") == 3, changes
    assert "Change 11" not in block
    assert [int(k) for k in re.findall(rf"Note (\d\d) of action {a.id}\.", block)] == [5, 4, 3]
    assert "The latest 3 of 6 progress notes." in block
    assert f'href="/plans/actions/{a.id}/history"' in block and f"Full history of action 6 (12 changes)" in block

    # the plan's latest changes, with the link to the whole history
    events = _newest_events(PlanEvent, plan_id=plan.id)
    foot = first.split('id="history-h"')[1]
    assert f"The latest 10 of {len(events)} changes." in foot and f'href="/plans/{plan.id}/history"' in foot
    assert foot.count("<tr><td>") == 10

    # the plan's history page by page, newest first
    page2 = _text(client.get(f"/plans/{plan.id}/history?page=2"))
    assert f"Showing 21–40 of {len(events)}" in page2  # 20 a page: a change may be long
    expected = [re.search(r"Change \d\d of action \d+", e.detail).group(0) for e in events[20:40]]
    assert re.findall(r"Change \d\d of action \d+", page2) == expected


def test_the_plan_page_stays_under_150_kb_with_texts_at_their_longest(client, world):
    """Every description and note as long as allowed, every change with nine fields of the longest
    values the history keeps: one page of actions and the plan's latest changes still fit."""
    from shelterassess.plans import domain

    plan = grow_plan(world, actions=25, changes=4, notes=4)
    long_line = ("Khóa tủ hồ sơ, mã hóa hồ sơ và tập huấn nhân viên trực đêm. " * 60)
    fields = ("description", "responsible", "start_on", "due_on", "cost_vnd", "category", "indicators", "cases", "skill")
    for a in plan.actions:
        a.description = long_line[:domain.DESCRIPTION_MAX]
    for note in db.session.scalars(select(ActionProgressNote)):
        note.text = long_line[:domain.NOTE_MAX]
    for event in db.session.scalars(select(PlanEvent)):
        event.detail = change_lines([(f, long_line, long_line[::-1]) for f in fields])
    db.session.commit()
    db.session.expire_all()
    login(client, world.national)
    for url in (f"/plans/{plan.id}", f"/plans/{plan.id}?actions_page=2", f"/plans/{plan.id}/history",
                f"/plans/actions/{plan.actions[0].id}/history"):
        response = client.get(url)
        assert response.status_code == 200 and len(response.data) < LIMIT, (url, len(response.data))


def test_the_round_pages_stay_under_150_kb_with_texts_at_their_longest(client, world):
    from shelterassess.funding import domain

    fround = grow_round(world, 1, 60, 60)
    long_text = "Lý do điều chỉnh theo đề nghị của tỉnh và kết quả thăm theo dõi. " * 30
    fields = ("name", "budget_vnd", "rounding_unit_vnd", "red_flag_weight", "use_capacity",
              "envelope_capacity_building_vnd", "envelope_facilities_improvement_vnd", "envelope_other_vnd")
    for event in db.session.scalars(select(FundingEvent)):
        event.reason = long_text[:domain.REASON_MAX]
        event.detail = change_lines([(f, long_text, long_text[::-1]) for f in fields])
    db.session.commit()
    db.session.expire_all()
    login(client, world.national)
    for url in (f"/funding/{fround.id}", f"/funding/{fround.id}/history", f"/funding/{fround.id}/history?page=2"):
        response = client.get(url)
        assert response.status_code == 200 and len(response.data) < LIMIT, (url, len(response.data))


def test_an_actions_history_pages_its_notes_and_changes_apart(client, world, app, monkeypatch):
    plan = grow_plan(world, actions=4, changes=12, notes=6)
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    login(client, world.national)
    a = plan.actions[3]
    url = f"/plans/actions/{a.id}/history"
    first = _text(client.get(url))
    assert "History of action 4" in first
    assert [int(k) for k in re.findall(rf"Note (\d\d) of action {a.id}\.", first)] == [5, 4, 3, 2, 1]
    assert [int(k) for k in re.findall(rf"Change (\d\d) of action {a.id}\.", first)] == [11, 10, 9, 8, 7]
    assert "Showing 1–5 of 6" in first and "Showing 1–5 of 12" in first
    # the notes' next page keeps the history's page, and the other way round
    both = _text(client.get(f"{url}?notes_page=2&history_page=3"))
    assert [int(k) for k in re.findall(rf"Note (\d\d) of action {a.id}\.", both)] == [0]
    assert [int(k) for k in re.findall(rf"Change (\d\d) of action {a.id}\.", both)] == [1, 0]
    assert "Showing 6–6 of 6" in both and "Showing 11–12 of 12" in both
    history_links = re.findall(r'href="([^"]*#history)"', both)
    notes_links = re.findall(r'href="([^"]*#notes)"', both)
    assert history_links and all("notes_page=2" in link for link in history_links)
    assert notes_links and all("history_page=3" in link for link in notes_links)


def test_a_round_with_many_apart_facilities_and_changes_stays_under_150_kb(client, world):
    fround = grow_round(world, 1, 120, 200)
    login(client, world.national)
    sizes = {}
    for url in (f"/funding/{fround.id}", f"/funding/{fround.id}?apart_page=2", f"/funding/{fround.id}/history",
                f"/funding/{fround.id}/history?page=4"):
        response = client.get(url)
        assert response.status_code == 200, url
        sizes[url] = len(response.data)
    assert max(sizes.values()) < LIMIT, sizes

    codes = sorted(["RC-C"] + [f"ZA-{n:03d}" for n in range(1, 121)])  # RC-C: no finalised result either
    first = _text(client.get(f"/funding/{fround.id}"))
    apart = first.split('id="apart-h"')[1].split("</section>")[0]
    assert re.findall(r"(?:ZA-\d{3}|RC-C) · ", apart) == [c + " · " for c in codes[:50]]
    assert "Showing 1–50 of 121" in apart and 'aria-label="Pages of facilities listed apart"' in apart
    second = _text(client.get(f"/funding/{fround.id}?apart_page=2")).split('id="apart-h"')[1].split("</section>")[0]
    assert re.findall(r"(?:ZA-\d{3}|RC-C) · ", second) == [c + " · " for c in codes[50:100]]
    assert "Showing 51–100 of 121" in second

    events = _newest_events(FundingEvent, funding_round_id=fround.id)
    history = first.split('id="history-h"')[1]
    assert f"The latest 10 of {len(events)} changes." in history
    assert f'href="/funding/{fround.id}/history"' in history
    assert re.findall(r"Funding change \d{4}", history) == [e.reason[:19] for e in events[:10]]
    page2 = _text(client.get(f"/funding/{fround.id}/history?page=2"))
    assert f"Showing 26–50 of {len(events)}" in page2  # 25 a page: a reason may be long
    assert re.findall(r"Funding change \d{4}", page2) == [e.reason[:19] for e in events[25:50]]


def test_the_two_pagers_of_the_round_page_keep_each_others_page(client, world, app, monkeypatch):
    fround = grow_round(world, 1, 12, 0)
    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)  # RC-B | SH-A; RC-C, ZA-001 … ZA-012 one a page
    login(client, world.national)
    page = _text(client.get(f"/funding/{fround.id}?page=2&apart_page=3"))
    table = page.split('id="allocation-h"')[1].split("</table>")[0]  # by code: RC-B | SH-A
    assert f'id="facility-{world.facility_a.id}"' in table and f'id="facility-{world.facility_b.id}"' not in table
    apart = page.split('id="apart-h"')[1].split("</section>")[0]
    assert re.findall(r"(?:ZA-\d{3}|RC-C) · ", apart) == ["ZA-002 · "]  # RC-C, ZA-001, ZA-002
    assert "Showing 3–3 of 13" in apart
    nxt = re.search(r'href="([^"]+)" rel="next"', apart).group(1)
    assert "apart_page=4" in nxt and "page=2" in nxt.replace("apart_page", "") and nxt.endswith("#apart")
    facilities_prev = re.search(r'href="([^"]+)" rel="prev"', page.split('id="apart-h"')[0]).group(1)
    assert "apart_page=3" in facilities_prev and "page=2" not in facilities_prev.replace("apart_page", "")


# -- statements do not grow --------------------------------------------------------------------------

def _grown(client, urls, grow) -> None:
    for url in urls().values():
        client.get(url)  # warm-up
    small = {name: statements_of(client, url) for name, url in urls().items()}
    grow()
    large = {name: statements_of(client, url) for name, url in urls().items()}
    assert large == small, f"few rows: {small}\nmany rows: {large}"


def test_plan_statement_counts_do_not_grow_with_actions_changes_and_notes(client, world):
    plan = grow_plan(world, actions=4, changes=1, notes=1)
    login(client, world.national)
    action = plan.actions[3]
    _grown(client, lambda: {
        "plan": f"/plans/{plan.id}", "plan page 2": f"/plans/{plan.id}?actions_page=2",
        "plan history": f"/plans/{plan.id}/history?page=2",
        "action history": f"/plans/actions/{action.id}/history?notes_page=2&history_page=2",
    }, lambda: grow_plan(world, actions=45, changes=12, notes=6))


def test_round_statement_counts_do_not_grow_with_apart_facilities_and_changes(client, world):
    fround = grow_round(world, 1, 3, 3)
    login(client, world.national)
    _grown(client, lambda: {
        "round": f"/funding/{fround.id}", "round apart page 2": f"/funding/{fround.id}?apart_page=2",
        "round history": f"/funding/{fround.id}/history?page=2",
    }, lambda: grow_round(world, 4, 110, 150))


# -- permissions ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("who, status", [("staff_b", 404), ("manager_b", 200), ("national", 200), ("staff_a", 404)])
def test_the_history_pages_of_a_draft_plan_follow_the_plan(client, world, who, status):
    plan = grow_plan(world, actions=3, changes=2, notes=1)
    login(client, getattr(world, who))
    for url in (f"/plans/{plan.id}/history", f"/plans/actions/{plan.actions[0].id}/history"):
        assert client.get(url).status_code == status, url


def test_only_the_national_team_reads_a_rounds_history(client, world):
    fround = grow_round(world, 1, 1, 2)
    login(client, world.manager_a)
    assert client.get(f"/funding/{fround.id}/history").status_code == 403


def test_after_a_change_the_plan_opens_on_the_page_of_the_action(client, world):
    plan = grow_plan(world, actions=ACTIONS_PER_PAGE + 5, changes=0, notes=0)
    login(client, world.manager_b)  # team 1's lead drafts the plan
    last_of_first = plan.actions[ACTIONS_PER_PAGE - 1]
    moved = client.post(f"/plans/actions/{last_of_first.id}/move", data={"direction": "down"})  # to page 2
    assert moved.status_code == 302
    assert moved.headers["Location"].endswith(f"/plans/{plan.id}?actions_page=2#action-{last_of_first.id}")
    page = _text(client.get(moved.headers["Location"]))
    assert f'<h3 id="action-{last_of_first.id}-h">Action {ACTIONS_PER_PAGE + 1} ' in page
    back = client.post(f"/plans/actions/{last_of_first.id}/move", data={"direction": "up"})  # page 1 again
    assert back.headers["Location"].endswith(f"/plans/{plan.id}#action-{last_of_first.id}")


def test_the_pager_of_a_page_opened_by_an_action_link_goes_back_to_the_first_page(client, world):
    """``?action=<id>`` opens the page holding that action; the pager's own links leave it out,
    or "previous" and "1" would open the same page again."""
    plan = grow_plan(world, actions=15, changes=0, notes=0)
    login(client, world.national)
    actions = list(db.session.scalars(select(PlanAction).where(PlanAction.plan_id == plan.id)
                                      .order_by(PlanAction.position, PlanAction.id)))
    page = html.unescape(client.get(f"/plans/{plan.id}?action={actions[12].id}").get_data(as_text=True))
    assert actions[12].id in _ids(page) and actions[0].id not in _ids(page)
    previous = re.search(r'<a href="([^"]+)" rel="prev"', page).group(1)
    assert "action=" not in previous
    first = html.unescape(client.get(previous).get_data(as_text=True))
    assert actions[0].id in _ids(first) and actions[12].id not in _ids(first)
