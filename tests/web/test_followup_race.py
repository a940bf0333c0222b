"""Races on the follow-up visit form against a served app (Werkzeug in a thread, CSRF on, as in
tests/browser/conftest.py): team members save different results at the same moment while the
lead submits. No request may fail with a 500, and the visit must end as exactly one complete
save (never a mix of two), submitted with area results that match its scores or not submitted
at all. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from shelterassess.assessments.models import AreaResult, Assessment
from shelterassess.extensions import db
from shelterassess.followups import domain, queries
from shelterassess.followups.models import FollowUpVisit
from tests import followup_fixtures as ff
from tests.conftest import PASSWORD
from tests.served import serving

ROUNDS = 3
SAVERS = 6
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture(scope="module")
def served(app):
    with serving(app, WTF_CSRF_ENABLED=True) as base:
        yield base


class Browser:
    """A logged-in user with a cookie jar; ``post`` sends the page's CSRF token."""

    def __init__(self, base: str, email: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())
        self.opener.addheaders = [("Accept-Language", "en")]
        token = self.token("/login")
        assert self.send("/login", {"email": email, "password": PASSWORD, "csrf_token": token})[0] == 302

    def send(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def token(self, path: str) -> str:
        status, html = self.send(path)
        assert status == 200, (path, status)
        return _TOKEN.search(html).group(1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _payload(world, visit, i: int) -> dict:
    """Save number ``i``: every action and every linked indicator differs from every other save."""
    outcomes = ["implemented", "partly", "not_implemented"]
    results = {n: outcomes[(i + n) % 3] for n in (1, 2, 3)}
    scores = {"A1": i % 4, "A2": (i + 1) % 4, "B2": (i + 2) % 4}
    data = ff.visit_form(world, visit, results, scores)
    for n in (1, 2, 3):
        data[f"anote-{ff.action(world, n).id}"] = f"save {i}, action {n}"
    return data


def _state(visit_id: int) -> tuple[str, tuple, tuple]:
    db.session.expire_all()
    visit = db.session.get(FollowUpVisit, visit_id)
    data = queries.visit_data(db.session, visit)
    results = tuple((r.number, r.result.outcome, r.result.note) for r in data.actions)
    scores = tuple((r.indicator.code, r.score.value) for r in data.indicators)
    return visit.status, results, scores


def _expected(world, payload: dict) -> tuple[tuple, tuple]:
    by_id = {ff.action(world, n).id: n for n in (1, 2, 3)}
    results = tuple((n, payload[f"outcome-{aid}"], payload[f"anote-{aid}"]) for aid, n in sorted(by_id.items(), key=lambda x: x[1]))
    codes = ff.indicators(world)
    scores = tuple((c, int(payload[f"score-{codes[c].id}"])) for c in ("A1", "A2", "B2"))
    return results, scores


def test_racing_saves_and_submission_never_500_nor_mix(served, app_ctx, world):
    visit = ff.visit_a(world)
    ff.record(world, visit)  # complete, so that the submission can win
    db.session.commit()
    members = [Browser(served, world.staff_b.email) for _ in range(SAVERS)]
    lead = Browser(served, world.manager_b.email)
    initial = _state(visit.id)
    for race in range(ROUNDS):
        payloads = [_payload(world, visit, race * SAVERS + i) for i in range(SAVERS)]
        pages = [m.send(f"/follow-ups/{visit.id}")[1] for m in members]  # every form loaded before anyone saves
        forms = []
        for page, payload in zip(pages, payloads):
            versions = dict(re.findall(r'name="((?:a?version)-\d+)" type="hidden" value="(\d*)"', page))
            forms.append({**payload, **versions, "csrf_token": _TOKEN.search(page).group(1)})
        submit_token = _TOKEN.search(lead.send(f"/follow-ups/{visit.id}")[1]).group(1)
        today = ff.today().isoformat()
        barrier = threading.Barrier(SAVERS + 1)
        statuses: list[tuple[str, int]] = []

        def save(browser, form):
            barrier.wait()
            statuses.append(("save", browser.send(f"/follow-ups/{visit.id}", form)[0]))

        def submit():
            barrier.wait()
            statuses.append(("submit", lead.send(f"/follow-ups/{visit.id}/submit",
                                                 {"visited_on": today, "csrf_token": submit_token})[0]))

        threads = [threading.Thread(target=save, args=(m, f)) for m, f in zip(members, forms)]
        threads.append(threading.Thread(target=submit))
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert len(statuses) == SAVERS + 1 and all(code in (200, 302, 409) for _kind, code in statuses), statuses
        # every form was loaded at the same versions: at most one save can win
        assert sum(kind == "save" and code == 302 for kind, code in statuses) <= 1, statuses
        status, results, scores = _state(visit.id)
        allowed = [initial[1:]] + [_expected(world, p) for p in payloads]
        assert (results, scores) in allowed, "a mix of several saves"
        _check_consistent(visit.id, status)
        if status == "submitted":
            _reopen(world, visit)
        initial = _state(visit.id)


def _check_consistent(visit_id: int, status: str) -> None:
    """A submitted visit has a submitted assessment whose stored area results match its scores;
    a visit that is not submitted has none."""
    visit = db.session.get(FollowUpVisit, visit_id)
    assessment = db.session.get(Assessment, visit.assessment_id)
    stored = {r.area.key: r.percentage for r in
              db.session.scalars(select(AreaResult).where(AreaResult.assessment_id == assessment.id))}
    if status != "submitted":
        assert assessment.status == "draft" and not stored
        return
    assert assessment.status == "submitted" and visit.visited_on is not None
    data = queries.visit_data(db.session, visit)
    specs = queries.area_specs_by_key(data.plan.round.sheet)
    expected = {s.key: s.percentage for _pos, s in
                domain.after_area_scores(specs, queries.agreed_answers(db.session, data.plan), data.after())}
    assert stored == expected


def _reopen(world, visit) -> None:
    from shelterassess.followups import services

    db.session.expire_all()
    services.reopen_visit(db.session, world.national, db.session.get(FollowUpVisit, visit.id), "Race test round")
    db.session.commit()
