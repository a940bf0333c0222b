"""Two people acting on the same plan at the same moment, against a served app (Werkzeug in a
thread, on the test database: SQLite, or PostgreSQL with TEST_DATABASE_URL).

Both requests are held at a barrier after they have read and checked the action (both saw the
same version) and before they write, so they really write at the same time: one wins, the other
is refused with the stale-save page (409), never a 500. The same for drafting the plan twice:
one plan, both sent to it.
"""
from __future__ import annotations

import html
import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select

from shelterassess.extensions import db
from shelterassess.plans import domain, queries
from shelterassess.plans.models import ImprovementPlan, PlanAction, PlanEvent
from tests import plan_fixtures as plf
from tests.conftest import PASSWORD
from tests.served import serving


@pytest.fixture
def served(app):
    with serving(app) as base:
        yield base


class Browser:
    """A logged-in user agent with its own cookies; responses are not followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str, email: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  self._NoRedirect)
        assert self.post("/login", {"email": email, "password": PASSWORD})[0] == 302

    def post(self, path: str, data: dict) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body, headers={"Accept-Language": "en"}), timeout=30) as r:
                return r.status, html.unescape(r.read().decode()), r.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            return error.code, html.unescape(error.read().decode()), error.headers.get("Location", "")


def _at_the_same_moment(monkeypatch, module, name: str, calls: int = 2):
    """Hold the first ``calls`` calls of ``module.name`` until all of them have been made."""
    barrier, original, seen, lock = threading.Barrier(calls, timeout=20), getattr(module, name), [], threading.Lock()

    def held(*args, **kwargs):
        result = original(*args, **kwargs)
        with lock:
            seen.append(threading.get_ident())
            wait = len(seen) <= calls
        if wait:
            barrier.wait()
        return result

    monkeypatch.setattr(module, name, held)
    return seen


def _run_together(*jobs):
    results: list = [None] * len(jobs)

    def run(i, job):
        results[i] = job()
    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_saves_of_the_same_action_at_the_same_moment(world, served, monkeypatch):
    plan = plf.complete_plan(world)
    db.session.commit()
    action = plan.actions[0]
    form, version = plf.action_form(world, action), action.version
    lead, national = Browser(served, world.manager_b.email), Browser(served, world.national.email)
    _at_the_same_moment(monkeypatch, domain, "check_action")  # both read and checked version N

    (lead_status, lead_page, _l), (national_status, national_page, _n) = _run_together(
        lambda: lead.post(f"/plans/actions/{action.id}/edit", {**form, "description": "The lead's text"}),
        lambda: national.post(f"/plans/actions/{action.id}/edit", {**form, "description": "The national text"}))

    assert sorted([lead_status, national_status]) == [302, 409]
    loser_page = lead_page if lead_status == 409 else national_page
    assert "Your version and the saved version" in loser_page
    db.session.expire_all()
    stored = db.session.get(PlanAction, action.id)
    winner = "The lead's text" if lead_status == 302 else "The national text"
    loser = "The national text" if lead_status == 302 else "The lead's text"
    assert stored.description == winner
    assert loser in loser_page and winner in loser_page  # both versions shown to the one refused
    assert stored.version == version + 1
    edits = db.session.scalar(select(func.count(PlanEvent.id)).where(
        PlanEvent.action == "action_edited", PlanEvent.action_id == action.id))
    assert edits == 2  # complete_plan's edit and the winner's


def test_two_leads_drafting_the_plan_at_the_same_moment_get_one(world, served, monkeypatch):
    plf.weak_agreed(world)
    db.session.commit()
    url = f"/plans/facilities/{world.facility_a.id}/rounds/{world.round.id}/create"
    lead, national = Browser(served, world.manager_b.email), Browser(served, world.national.email)
    looked = _at_the_same_moment(monkeypatch, queries, "plan_for")  # both looked before either inserted

    results = _run_together(lambda: lead.post(url, {}), lambda: national.post(url, {}))

    assert [status for status, _page, _location in results] == [302, 302]
    plans = db.session.scalars(select(ImprovementPlan)).all()
    assert len(plans) == 1
    assert {location for _s, _p, location in results} == {f"/plans/{plans[0].id}"}
    assert len(plans[0].actions) == 3  # the proposals once, not twice
    assert len(looked) == 3  # the one refused by the unique constraint looked again and found the winner
