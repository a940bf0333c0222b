"""Issue 11 audit: checklist items docs/security.md claims but no test pinned — the 30-minute idle
timeout (17), a fresh session at login (16) and no mass assignment through extra posted fields (5)."""
from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from shelterassess.auth.models import User
from shelterassess.extensions import db
from shelterassess.funding.models import FundingRound
from shelterassess.plans.models import PlanAction
from tests import funding_fixtures as fuf
from tests import plan_fixtures as plf
from tests.conftest import login


# -- 17. idle timeout ----------------------------------------------------------------------------

def _minutes_later(monkeypatch, minutes: int) -> None:
    """The session cookie's signature is checked against a clock ``minutes`` ahead."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) + minutes * 60)


def test_the_idle_timeout_is_thirty_minutes(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 30 * 60


@pytest.mark.parametrize("minutes, signed_in", [(29, True), (31, False)])
def test_a_session_left_idle_past_thirty_minutes_is_refused(client, world, monkeypatch, minutes, signed_in):
    login(client, world.staff_a)
    assert client.get("/").status_code == 200
    _minutes_later(monkeypatch, minutes)
    r = client.get("/")
    assert (r.status_code == 200) is signed_in
    if not signed_in:
        assert "/login" in r.headers["Location"]


# -- 16. a fresh session at login ------------------------------------------------------------------

def test_login_starts_a_fresh_session(client, world):
    """Nothing put into the session before login (a planted, fixated session) survives it."""
    client.get("/login")
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    before = client.get_cookie("shelterassess_session").value
    login(client, world.staff_a)
    assert client.get_cookie("shelterassess_session").value != before
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s.get("_user_id")


# -- 5. no mass assignment ---------------------------------------------------------------------------

def test_extra_fields_on_a_plan_action_change_nothing_they_name(client, world):
    plan = plf.complete_plan(world)
    other = plf.draft_plan(world)  # the same plan (one per facility and round): a made-up id below instead
    db.session.commit()
    login(client, world.manager_b)
    action = plan.actions[0]
    before = (action.plan_id, action.position, action.status, action.version)
    forged = {"plan_id": other.id + 1000, "position": "9", "status": "done", "facility_id": world.facility_b.id,
              "created_by_id": world.national.id}
    r = client.post(f"/plans/actions/{action.id}/edit",
                    data={**plf.action_form(world, action, responsible_name="Chị Lan"), **forged})
    assert r.status_code == 302
    db.session.expire_all()
    saved = db.session.get(PlanAction, action.id)
    assert saved.responsible_name == "Chị Lan"  # the real field was taken...
    assert (saved.plan_id, saved.position, saved.status) == before[:3]  # ...the forged ones were not
    assert saved.plan.facility_id == world.facility_a.id


def test_extra_fields_on_a_new_funding_round_change_nothing_they_name(client, world):
    fuf.results(world)
    db.session.commit()
    login(client, world.national)
    r = client.post("/funding/new", data={"name": "Improvement fund 2027", "round_id": world.round.id,
                                          "budget": "10.000.000", "rounding_unit": "1.000.000",
                                          "red_flag_weight": "10", "status": "approved", "version": "7",
                                          "created_by_id": world.admin.id})
    assert r.status_code == 302
    fround = db.session.scalar(select(FundingRound))
    assert fround.status == "draft" and fround.proposal_at is None


def test_extra_fields_on_a_new_account_change_nothing_they_name(client, world):
    login(client, world.admin)
    r = client.post("/admin/users/new", data={"email": "new.person@example.org", "display_name": "New person",
                                              "role": "facility_staff", "facility": str(world.facility_a.id),
                                              "active": "y", "password_hash": "x", "totp_enrolled": "y",
                                              "session_token": "chosen"})
    assert r.status_code == 200  # the page showing the activation link
    user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user.password_hash is None and not user.totp_enrolled and user.session_token != "chosen"
