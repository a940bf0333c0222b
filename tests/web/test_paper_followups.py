"""Paper round trip (issue 13) for follow-up visits, through HTTP: the visit's blank sheet and its
own check code, two blind entries by two team members, the differences, the resolution saved into
the visit's results (``followups.services.save_results``), and what is refused. On SQLite and
(with TEST_DATABASE_URL) PostgreSQL.

Facility A's plan (tests/followup_fixtures.py) is visited by team 1 (manager B leads, staff B);
the visit re-scores A1, A2 and B2 (B1's action was dropped)."""
from __future__ import annotations

import html
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from shelterassess.extensions import db
from shelterassess.followups import queries as followup_queries
from shelterassess.paper import domain, services
from shelterassess.paper.models import PaperEntry, PaperResolution
from shelterassess.paper.sheets import PaperSheet
from tests import followup_fixtures as ff
from tests.conftest import login
from tests.served import Client, pause_after, run_in_window, served  # noqa: F401 (fixture)

#: What the visit's paper sheet says: B2 is the score the second typist reads differently.
SHEET = {"A1": "3", "A2": "N/A", "B2": "3"}


@pytest.fixture
def visit(world):
    found = ff.visit_a(world)
    db.session.commit()
    return found


def _ind(world, code):
    return ff.indicators(world)[code]


def _code(visit) -> str:
    return domain.display_code(services.expected_code(PaperSheet.of_visit(visit)))


def _url(visit, page: str = "") -> str:
    return f"/paper/visits/{visit.id}" + (f"/{page}" if page else "")


def _form(world, code: str, number: int, values: dict) -> dict:
    data = {"check_code": code, "entry_number": str(number)}
    for name in SHEET:
        ind = _ind(world, name)
        data[f"score-{ind.id}"] = values.get(name, "")
        data[f"note-{ind.id}"] = ""
        data[f"evidence-{ind.id}"] = ["observation"]
    return data


def _enter(client, world, visit, user, number, values, code=None):
    login(client, user)
    response = client.post(_url(visit, "entry"), data=_form(world, code or _code(visit), number, values))
    client.post("/logout")
    return response


def _two_entries(client, world, visit, second_b2="2"):
    assert _enter(client, world, visit, world.staff_b, 1, SHEET).status_code == 302
    response = _enter(client, world, visit, world.manager_b, 2, {**SHEET, "B2": second_b2})
    assert response.status_code == 302 and response.headers["Location"].endswith(_url(visit, "resolve"))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def _scores(visit) -> dict:
    db.session.expire_all()
    return {row.indicator.code: row.score for row in followup_queries.visit_data(db.session, visit).indicators}


# -- the visit's sheet and its check code ---------------------------------------------------

def test_the_visit_blank_sheet_holds_its_indicators_and_its_own_code(client, world, visit):
    login(client, world.staff_b)
    response = client.get(_url(visit, "blank.pdf") + "?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.get_data())).pages))
    assert "Check code (for typing the sheet in)" in text and _code(visit) in text
    assert "follow-up visit" in text
    assert "Private, safe bedrooms" in text and "Files are locked" in text
    assert "Files carry a code, not a name" not in text  # B1: its action was dropped
    facility_code = domain.display_code(services.expected_code(visit.assessment))
    assert facility_code != _code(visit) and facility_code not in text


def test_the_facility_sheet_code_is_refused_for_the_visit(client, world, visit):
    facility_code = domain.display_code(domain.check_code(world.facility_a.id, world.round.id, world.round.sheet_id))
    response = _enter(client, world, visit, world.staff_b, 1, SHEET, code=facility_code)
    assert response.status_code == 200
    assert "This check code does not belong to this follow-up visit." in _text(response)
    assert _count(PaperEntry) == 0


def test_the_visit_page_links_to_its_paper_sheet(client, world, visit):
    login(client, world.staff_b)
    page = client.get(f"/follow-ups/{visit.id}").get_data(as_text=True)
    assert f'href="{_url(visit)}"' in page and f'href="{_url(visit, "blank.pdf")}"' in page
    client.post("/logout")
    login(client, world.national)  # reads the visit, records nothing
    assert f'href="{_url(visit)}"' not in client.get(f"/follow-ups/{visit.id}").get_data(as_text=True)


# -- two blind entries ----------------------------------------------------------------------

def test_the_entry_form_holds_the_visit_indicators_only(client, world, visit):
    login(client, world.staff_b)
    page = _text(client.get(_url(visit, "entry")))
    assert "Paper sheet, entry 1" in page and "follow-up visit" in page
    for code in SHEET:
        assert f'name="score-{_ind(world, code).id}"' in page
    assert f'name="score-{_ind(world, "B1").id}"' not in page


def test_the_second_entry_is_blind_and_by_someone_else(client, world, visit):
    assert _enter(client, world, visit, world.staff_b, 1, SHEET).status_code == 302
    login(client, world.staff_b)
    page = _text(client.get(_url(visit, "entry")))
    assert "The second entry must be typed by someone else" in page and 'name="check_code"' not in page
    assert "The second entry must be typed by someone else" in _text(
        client.post(_url(visit, "entry"), data=_form(world, _code(visit), 2, SHEET)))
    client.post("/logout")
    login(client, world.manager_b)
    page = _text(client.get(_url(visit, "entry")))
    assert 'name="entry_number" type="hidden" value="2"' in page
    for code in SHEET:
        assert re.search(rf'name="score-{_ind(world, code).id}"[^>]*value=""', page), code
    assert _count(PaperEntry) == 1


def test_a_score_of_an_indicator_the_visit_does_not_rescore_is_refused(client, world, visit):
    data = _form(world, _code(visit), 1, SHEET) | {f"score-{_ind(world, 'B1').id}": "2"}
    login(client, world.staff_b)
    # The form has no B1 box: what the browser sent for it is not read, and nothing of B1 is saved.
    assert client.post(_url(visit, "entry"), data=data).status_code == 302
    assert {a.indicator_id for a in services.entries(db.session, visit.assessment)[1].answers} == {
        _ind(world, c).id for c in SHEET}


# -- differences, resolution into the visit -------------------------------------------------

def test_differences_are_shown_and_the_resolution_lands_in_the_visit_results(client, world, visit):
    _two_entries(client, world, visit)
    login(client, world.staff_b)
    page = _text(client.get(_url(visit, "resolve")))
    assert "1 indicator differs." in page and "2 indicators agree." in page
    assert 'id="diff-B2"' in page and 'id="diff-A1"' not in page
    diff = page[page.index('id="diff-B2"'):].replace("> <", "><")
    assert re.search(r"Entry 1</h2>.*?<dt>Score</dt><dd> ?3 ?</dd>.*?Entry 2</h2>.*?<dt>Score</dt><dd> ?2 ?</dd>", diff)
    assert "Save the resolved scores into the follow-up visit" in page

    b2 = _ind(world, "B2")
    assert "B2: choose which answer to keep." in _text(client.post(_url(visit, "resolve"), data={}))
    assert _count(PaperResolution) == 0

    done = client.post(_url(visit, "resolve"), data={f"choice-{b2.id}": "second"})
    assert done.status_code == 302
    scores = _scores(visit)
    assert (scores["A1"].value, scores["A2"].not_applicable, scores["B2"].value) == (3, True, 2)
    assert scores["B2"].evidence == "observation" and scores["B2"].updated_by_id == world.staff_b.id
    assert scores["B2"].version == 2
    db.session.refresh(visit)
    assert visit.status == "in_progress"  # as after any save of the visit form
    record = services.resolution(db.session, visit.assessment)
    assert record.resolved_by_id == world.staff_b.id and record.assessment_id == visit.assessment_id
    assert {r.indicator_id: r.source for r in record.answers}[b2.id] == "second"
    entries = services.entries(db.session, visit.assessment)
    assert (entries[1].entered_by_id, entries[2].entered_by_id) == (world.staff_b.id, world.manager_b.id)
    sheet = _text(client.get(_url(visit)))
    assert "Resolved by staff.b" in sheet and "saved into the follow-up visit" in sheet
    # the visit form shows the typed-in scores, and the visit can be submitted with them
    form = client.get(f"/follow-ups/{visit.id}").get_data(as_text=True)
    assert re.search(rf'name="score-{b2.id}" value="2" checked', form)


def test_the_resolution_replaces_scores_typed_on_the_visit_form(client, world, visit):
    ff.record(world, visit, scores={"A1": 1, "A2": 1, "B2": 1})
    db.session.commit()
    _two_entries(client, world, visit, second_b2="3")
    login(client, world.manager_b)
    assert "The two entries agree on every indicator." in _text(client.get(_url(visit, "resolve")))
    assert client.post(_url(visit, "resolve"), data={}).status_code == 302
    scores = _scores(visit)
    assert (scores["A1"].value, scores["A2"].not_applicable, scores["B2"].value) == (3, True, 3)
    assert scores["A1"].version == 3  # created, typed on the form, replaced by the paper sheet


# -- refused: submitted visit, other users --------------------------------------------------

def test_entry_into_a_submitted_visit_is_refused(client, world):
    visit = ff.submitted_visit(world)
    db.session.commit()
    response = _enter(client, world, visit, world.staff_b, 1, SHEET)
    assert response.status_code == 200
    page = _text(response)
    assert "This visit was submitted; it is read-only." in page
    assert "This follow-up visit was submitted and is read-only." in page
    assert _count(PaperEntry) == 0


def test_resolving_after_the_visit_was_submitted_is_refused(client, world, visit):
    _two_entries(client, world, visit)
    ff.submitted_visit(world)
    db.session.commit()
    before = {code: (s.value, s.version) for code, s in _scores(visit).items()}
    login(client, world.manager_b)
    response = client.post(_url(visit, "resolve"), data={f"choice-{_ind(world, 'B2').id}": "first"})
    assert "This follow-up visit was submitted and is read-only." in _text(response)
    assert _count(PaperResolution) == 0
    assert {code: (s.value, s.version) for code, s in _scores(visit).items()} == before


@pytest.mark.parametrize("role, status", [("staff_a", 404), ("manager_a", 404), ("admin", 404), ("national", 403)])
@pytest.mark.parametrize("page", ["", "entry", "resolve"])
def test_who_cannot_record_the_visit_gets_no_paper_page(client, world, visit, role, status, page):
    """Facility A is the visited facility, not the team: its users do not see the visit at all."""
    login(client, getattr(world, role))
    assert client.get(_url(visit, page)).status_code == status
    assert client.post(_url(visit, page) if page else _url(visit, "entry"),
                       data=_form(world, _code(visit), 1, SHEET)).status_code == status
    assert _count(PaperEntry) == 0


def test_an_unknown_visit_is_a_404(client, world, visit):
    login(client, world.staff_b)
    assert client.get(f"/paper/visits/{visit.id + 1000}").status_code == 404
    assert client.get(f"/paper/visits/{visit.id + 1000}/blank.pdf").status_code == 404


# -- races ----------------------------------------------------------------------------------

def test_two_team_members_resolving_at_once(world, visit, served, monkeypatch):  # noqa: F811
    """The first holds the visit's lock (its follow-up assessment's) from its checks to its commit;
    the second waits, then is told the sheet is resolved: one resolution, no 500."""
    from shelterassess.assessments import services as assessment_services

    answers = {ind.id: domain.PaperAnswer(2) for ind in PaperSheet.of_visit(visit).indicators()}
    for user, number in ((world.staff_b, 1), (world.manager_b, 2)):
        services.save_entry(db.session, user, PaperSheet.of_visit(visit), number, _code(visit), answers)
    db.session.commit()
    one, two = Client(served, world.staff_b), Client(served, world.manager_b)
    reached = pause_after(monkeypatch, assessment_services, "lock_assessment", "/resolve")
    a, b = run_in_window(lambda: one.post(_url(visit, "resolve"), {}), lambda: two.post(_url(visit, "resolve"), {}),
                         reached)
    assert sorted(r[0] for r in (a, b)) == [200, 302]
    loser = a if a[0] == 200 else b
    assert "This paper sheet has been resolved already." in html.unescape(loser[1])
    db.session.expire_all()
    assert _count(PaperResolution) == 1
    assert {code: s.value for code, s in _scores(visit).items()} == {"A1": 2, "A2": 2, "B2": 2}
