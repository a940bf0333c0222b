"""Issue 11 leftovers found by the form probe (tests/web/test_issue11_form_probe.py): numbers written with
digits that are not ASCII ("²": ``str.isdigit`` is true, ``int`` raises), ids beyond a database integer,
forged versions and a control character in the plan's "responsible staff member" name. Each gets a
clear message and changes nothing, on SQLite and on PostgreSQL; none is a 500."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from shelterassess.extensions import db
from shelterassess.funding.models import FundingRound
from shelterassess.web.params import int_or_none
from tests import followup_fixtures as ff
from tests import funding_fixtures as fuf
from tests import plan_fixtures as plf
from tests.conftest import login
from tests.web.test_plans_actions import _state, draft  # noqa: F401 (the plan pages' own helper and fixture)

SUPERSCRIPT_TWO = "²"  # "²".isdigit() is True; int("²") raises ValueError
BIGINT = str(2**63)
RELOAD = "This form does not match the page any more: reload the page and try again."
NAME_MESSAGE = "Remove the control characters (tabs, line breaks or invisible characters) from this name."


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("typed", [SUPERSCRIPT_TWO, "1²", "١٢", "５", BIGINT, str(2**31)])
def test_int_or_none_reads_only_ascii_digits_within_a_database_integer(typed):
    assert int_or_none(typed) is None


def test_int_or_none_still_reads_plain_numbers():
    assert [int_or_none(v) for v in ("0", "42", str(2**31 - 1))] == [0, 42, 2**31 - 1]


# -- funding ------------------------------------------------------------------------------------------

def _round_form(world, **changes) -> dict:
    return {"name": "Improvement fund 2027", "round_id": world.round.id, "budget": "10.000.000",
            "rounding_unit": "1.000.000", "red_flag_weight": "10", **changes}


def _funding_rounds() -> int:
    return db.session.scalar(select(func.count(FundingRound.id)))


@pytest.mark.parametrize("round_id", [BIGINT, str(2**31), SUPERSCRIPT_TWO])
def test_a_funding_round_for_a_huge_or_odd_round_id_gets_a_message(client, world, round_id):
    fuf.results(world)
    db.session.commit()
    login(client, world.national)
    r = client.post("/funding/new", data=_round_form(world, round_id=round_id))
    assert r.status_code in (200, 422), r.status_code
    assert "Choose" in _text(r) and "round" in _text(r)
    assert _funding_rounds() == 0


@pytest.mark.parametrize("weight", [SUPERSCRIPT_TWO, "1²", "١٠"])
def test_a_red_flag_weight_in_other_digits_gets_the_weight_message(client, world, weight):
    fuf.results(world)
    db.session.commit()
    login(client, world.national)
    r = client.post("/funding/new", data=_round_form(world, red_flag_weight=weight))
    assert r.status_code in (200, 422), r.status_code
    assert "The weight of a red flag is a whole number from 0 to 100." in _text(r)
    assert _funding_rounds() == 0
    fround = fuf.funding_round(world)
    db.session.commit()
    r = client.post(f"/funding/{fround.id}/edit", data=_round_form(world, red_flag_weight=weight))
    assert r.status_code in (200, 422) and "The weight of a red flag is a whole number from 0 to 100." in _text(r)
    db.session.expire_all()
    assert db.session.get(FundingRound, fround.id).red_flag_weight == 10


@pytest.mark.parametrize("version", [BIGINT, SUPERSCRIPT_TWO, "-1"])
def test_a_forged_version_on_an_adjustment_is_refused_not_taken_as_none(client, world, version):
    fround = fuf.proposal(world)
    db.session.commit()
    login(client, world.national)
    line = fuf.line(world, "SH-A", fuf.CB)
    before = fuf.amounts(fround)
    r = client.post(f"/funding/{fround.id}/lines/{line.id}/adjust",
                    data={"amount": "1.000.000", "reason": "The province pays part of it", "version": version})
    assert r.status_code in (200, 409, 422), r.status_code
    assert RELOAD in _text(r)
    assert fuf.amounts(fround) == before


# -- plans --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Chị\x01 Lan", "Chị\tLan", "Chị\nLan", "Chị\u0085Lan", "Chị\x7fLan"])
def test_the_responsible_staff_member_refuses_control_characters(client, world, draft, name):
    action = draft.actions[0]
    before = _state(draft.id)
    r = client.post(f"/plans/actions/{action.id}/edit", data=plf.action_form(world, action, responsible_name=name))
    assert r.status_code == 422 and NAME_MESSAGE in _text(r)
    r = client.post(f"/plans/{draft.id}/actions/new", data=plf.action_form(world, responsible_name=name))
    assert r.status_code == 422 and NAME_MESSAGE in _text(r)
    assert _state(draft.id) == before


def test_the_responsible_staff_member_may_hold_any_printable_name(client, world, draft):
    action = draft.actions[0]
    r = client.post(f"/plans/actions/{action.id}/edit",
                    data=plf.action_form(world, action, responsible_name="Nguyễn Thị Lan (kế toán)"))
    assert r.status_code == 302
    assert _state(draft.id)[0][0]["responsible"].endswith(" / Nguyễn Thị Lan (kế toán)")


@pytest.mark.parametrize("changes, message", [
    ({"skill_id": SUPERSCRIPT_TWO, "category": "capacity_building"}, "Choose from the list."),
    ({"practice_id": SUPERSCRIPT_TWO}, "Choose from the list."),
    ({"indicator_ids": [SUPERSCRIPT_TWO]}, "Choose from the list."),
    ({"version": SUPERSCRIPT_TWO}, RELOAD),
])
def test_other_digits_on_the_action_form_get_a_message(client, world, draft, changes, message):
    action = draft.actions[0]
    before = _state(draft.id)
    r = client.post(f"/plans/actions/{action.id}/edit", data=plf.action_form(world, action, **changes))
    assert r.status_code == 422 and message in _text(r)
    assert _state(draft.id) == before


def test_other_digits_as_the_progress_version_get_a_message(client, world):
    plan = plf.accepted_plan(world)
    db.session.commit()
    login(client, world.manager_a)
    before = _state(plan.id)
    r = client.post(f"/plans/actions/{plan.actions[0].id}/progress",
                    data={"status": "done", "note": "Xong", "version": SUPERSCRIPT_TWO})
    assert r.status_code == 422 and RELOAD in _text(r)
    assert _state(plan.id) == before


# -- follow-up visits ---------------------------------------------------------------------------------

def _visit_snapshot(visit_id: int):
    from shelterassess.followups.models import FollowUpVisit

    db.session.expire_all()
    visit = db.session.get(FollowUpVisit, visit_id)
    return visit.status, visit.version, sorted((r.action_id, r.outcome, r.note, r.version) for r in visit.results)


@pytest.mark.parametrize("key, value, message", [
    (lambda w: f"score-{ff.indicators(w)['A1'].id}", SUPERSCRIPT_TWO, "A1: choose 0, 1, 2 or 3"),
    (lambda w: f"aversion-{ff.action(w, 1).id}", SUPERSCRIPT_TWO, "reload the page"),
    (lambda w: f"version-{ff.indicators(w)['A1'].id}", SUPERSCRIPT_TWO, "reload the page"),
])
def test_other_digits_on_the_visit_form_get_a_message(client, world, key, value, message):
    visit = ff.visit_a(world)
    ff.record(world, visit, results={1: "partly"}, scores={"A1": 1})
    db.session.commit()
    login(client, world.staff_b)
    before = _visit_snapshot(visit.id)
    r = client.post(f"/follow-ups/{visit.id}", data={**ff.visit_form(world, visit), key(world): value})
    assert r.status_code in (200, 409, 422), r.status_code
    assert message in _text(r)
    assert _visit_snapshot(visit.id) == before


def test_visit_form_keys_take_ascii_digits_only():
    """``\\d`` also matches "١" (Arabic-Indic one), which ``int`` reads as 1: such a key named action 1."""
    from werkzeug.datastructures import MultiDict

    from shelterassess.followups.forms import visit_inputs

    actions, scores = visit_inputs(MultiDict({"outcome-١": "implemented", "score-٢": "3", "outcome-²": "partly"}))
    assert actions == [] and scores == []
