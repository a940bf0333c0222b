"""Paper round trip (issue 13) through HTTP: the check code on the blank sheet and at entry, two
blind entries by two people, the differences, their resolution saved into the assessment, and
what is refused. On SQLite and (with TEST_DATABASE_URL) PostgreSQL."""
from __future__ import annotations

import html
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from shelterassess.assessments import queries, services as assessment_services
from shelterassess.assessments.models import AssessmentStatus
from shelterassess.extensions import db
from shelterassess.paper import domain, services
from shelterassess.paper.models import PaperAnswer, PaperEntry, PaperResolution
from tests import peer_scoring_fixtures as pf
from tests.conftest import login
from tests.served import Client, pause_after, run_in_window, served  # noqa: F401 (fixture)

#: What the paper says (mini sheet): B2 is the indicator the second typist reads differently.
SHEET = {"A1": "3", "A2": "N/A", "B1": "1", "B2": "2"}


@pytest.fixture
def draft(world):
    assessment = assessment_services.start_assessment(db.session, world.staff_a, world.facility_a, world.round)
    db.session.commit()
    return assessment


def _ind(world, code):
    return next(i for i in world.sheet.indicators if i.code == code)


def _code(assessment) -> str:
    return domain.display_code(services.expected_code(assessment))


def _form(world, code: str, number: int, values: dict, notes: dict | None = None) -> dict:
    data = {"check_code": code, "entry_number": str(number)}
    for ind in world.sheet.indicators:
        data[f"score-{ind.id}"] = values.get(ind.code, "")
        data[f"note-{ind.id}"] = (notes or {}).get(ind.code, "")
        data[f"evidence-{ind.id}"] = ["observation"]
    return data


def _url(assessment, page: str = "") -> str:
    return f"/paper/assessments/{assessment.id}" + (f"/{page}" if page else "")


def _enter(client, world, assessment, user, number, values, notes=None, code=None):
    login(client, user)
    response = client.post(_url(assessment, "entry"), data=_form(world, code or _code(assessment), number, values, notes))
    client.post("/logout")
    return response


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


# -- the check code -------------------------------------------------------------------------

def test_the_blank_sheet_pdf_carries_the_check_code(client, world, draft):
    login(client, world.staff_a)
    response = client.get(f"/reports/facilities/{world.facility_a.id}/rounds/{world.round.id}/blank.pdf?lang=en")
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.get_data())).pages))
    assert "Check code (for typing the sheet in)" in text
    assert _code(draft) in text
    other = domain.display_code(domain.check_code(world.facility_b.id, world.round.id, world.round.sheet_id))
    assert other not in text


def test_a_wrong_check_code_is_refused_and_nothing_is_saved(client, world, draft):
    other_sheet = domain.display_code(domain.check_code(world.facility_b.id, world.round.id, world.round.sheet_id))
    response = _enter(client, world, draft, world.staff_a, 1, SHEET, code=other_sheet)
    assert response.status_code == 200
    assert "This check code does not belong to this assessment's facility, round and score-sheet version." in _text(response)
    assert f'value="{SHEET["B2"]}"' in _text(response)  # the typing is kept
    assert _count(PaperEntry) == 0


def test_the_code_may_be_typed_in_lower_case_without_the_hyphen(client, world, draft):
    response = _enter(client, world, draft, world.staff_a, 1, SHEET, code=_code(draft).replace("-", "").lower())
    assert response.status_code == 302
    assert _count(PaperEntry) == 1


# -- two blind entries ----------------------------------------------------------------------

def test_the_first_person_cannot_make_the_second_entry(client, world, draft):
    assert _enter(client, world, draft, world.staff_a, 1, SHEET).status_code == 302
    login(client, world.staff_a)
    page = _text(client.get(_url(draft, "entry")))
    assert "You typed the first entry of this paper sheet. The second entry must be typed by someone else" in page
    assert 'name="check_code"' not in page  # no form
    response = client.post(_url(draft, "entry"), data=_form(world, _code(draft), 2, SHEET))
    assert "The second entry must be typed by someone else" in _text(response)
    assert _count(PaperEntry) == 1


def test_the_second_entry_is_blind(client, world, draft):
    _enter(client, world, draft, world.staff_a, 1, SHEET, notes={"A1": "Rooms freshly painted"})
    login(client, world.manager_a)
    page = _text(client.get(_url(draft, "entry")))
    assert "Paper sheet, entry 2" in page and 'name="entry_number" type="hidden" value="2"' in page
    assert "Rooms freshly painted" not in page
    for ind in world.sheet.indicators:  # every score box is empty
        assert re.search(rf'name="score-{ind.id}"[^>]*value=""', page), ind.code
    assert "Rooms freshly painted" not in _text(client.get(_url(draft)))  # nor does the sheet page show it


def test_an_invalid_score_box_is_refused_with_its_indicator(client, world, draft):
    response = _enter(client, world, draft, world.staff_a, 1, {**SHEET, "A1": "4", "B1": "na"})
    page = _text(response)
    assert "A1: type 0, 1, 2 or 3, or leave the box empty." in page
    assert "B1: type 0, 1, 2 or 3, or leave the box empty." in page  # N/A is not allowed for B1
    assert _count(PaperEntry) == 0


def test_a_tampered_entry_number_is_refused(client, world, draft):
    login(client, world.staff_a)
    response = client.post(_url(draft, "entry"), data=_form(world, _code(draft), 1, SHEET) | {"entry_number": "x"})
    assert response.status_code == 200 and "The form does not match this score sheet." in _text(response)
    response = client.post(_url(draft, "entry"), data=_form(world, _code(draft), 2, SHEET))
    assert "Someone else saved entry 2 of this paper sheet while you were typing" in _text(response)
    assert _count(PaperEntry) == 0


def test_an_identifying_note_goes_through_the_note_gate(client, world, draft):
    note = "Đã nói chuyện với chị Lan 0912 345 678"
    response = _enter(client, world, draft, world.staff_a, 1, SHEET, notes={"B2": note})
    assert "This note seems to contain" in _text(response) and "0912 345 678" in _text(response)
    assert _count(PaperEntry) == 0


# -- differences, resolution ----------------------------------------------------------------

def _two_entries(client, world, draft, second_b2="1"):
    assert _enter(client, world, draft, world.staff_a, 1, SHEET).status_code == 302
    response = _enter(client, world, draft, world.manager_a, 2, {**SHEET, "B2": second_b2})
    assert response.status_code == 302 and response.headers["Location"].endswith(_url(draft, "resolve"))


def test_differences_are_shown_side_by_side_and_the_resolution_saves_into_the_assessment(client, world, draft):
    _two_entries(client, world, draft)
    login(client, world.staff_a)
    page = _text(client.get(_url(draft, "resolve")))
    assert "1 indicator differs." in page and "3 indicators agree." in page
    assert 'id="diff-B2"' in page and 'id="diff-A1"' not in page
    diff = page[page.index('id="diff-B2"'):]
    assert re.search(r"Entry 1</h2>.*?<dt>Score</dt><dd> ?2 ?</dd>.*?Entry 2</h2>.*?<dt>Score</dt><dd> ?1 ?</dd>",
                     diff.replace("> <", "><"))

    b2 = _ind(world, "B2")
    refused = client.post(_url(draft, "resolve"), data={})
    assert "B2: choose which answer to keep." in _text(refused)
    assert _count(PaperResolution) == 0

    done = client.post(_url(draft, "resolve"), data={f"choice-{b2.id}": "first"})
    assert done.status_code == 302
    scores = {s.indicator.code: s for s in queries.scores_by_indicator(db.session, draft).values()}
    assert (scores["A1"].value, scores["A2"].not_applicable, scores["B1"].value, scores["B2"].value) == (3, True, 1, 2)
    assert scores["B2"].version == 2 and scores["B2"].evidence == "observation"
    assert scores["B2"].updated_by_id == world.staff_a.id
    sheet = _text(client.get(_url(draft)))
    assert "Resolved by staff.a" in sheet and 'id="kept-B2"' in sheet


def test_both_entries_and_the_resolution_are_recorded(client, world, draft):
    _two_entries(client, world, draft)
    login(client, world.national)  # the national team may not type in, nor resolve
    assert client.post(_url(draft, "resolve"), data={}).status_code == 403
    client.post("/logout")
    login(client, world.manager_a)
    b2 = _ind(world, "B2")
    client.post(_url(draft, "resolve"), data={f"choice-{b2.id}": "other", f"other-score-{b2.id}": "0",
                                              f"other-note-{b2.id}": "Lock broken, re-read on the sheet"})
    entries = services.entries(db.session, draft)
    assert (entries[1].entered_by_id, entries[2].entered_by_id) == (world.staff_a.id, world.manager_a.id)
    assert {a.indicator_id: a.value for a in entries[2].answers}[b2.id] == 1
    assert _count(PaperAnswer) == 8
    record = services.resolution(db.session, draft)
    assert record.resolved_by_id == world.manager_a.id
    assert {r.indicator_id: r.source for r in record.answers}[b2.id] == "other"
    assert {r.source for r in record.answers if r.indicator_id != b2.id} == {"both"}
    score = queries.scores_by_indicator(db.session, draft)[b2.id]
    assert (score.value, score.note) == (0, "Lock broken, re-read on the sheet")


def test_agreeing_entries_are_saved_with_one_confirmation(client, world, draft):
    _two_entries(client, world, draft, second_b2="2")
    login(client, world.manager_a)
    page = _text(client.get(_url(draft, "resolve")))
    assert "The two entries agree on every indicator." in page
    assert client.post(_url(draft, "resolve"), data={}).status_code == 302
    assert queries.compute_score(db.session, draft).complete


def test_an_indicator_without_a_score_on_the_sheet_keeps_the_saved_answer(client, world, draft):
    a1 = _ind(world, "A1")
    area = world.sheet.areas[0]
    assessment_services.save_area(db.session, world.staff_a, draft, area, [
        assessment_services.AnswerInput(a1.id, 1, False, (), "typed online", None)])
    db.session.commit()
    blank_a1 = {**SHEET, "A1": ""}
    _enter(client, world, draft, world.staff_a, 1, blank_a1)
    _enter(client, world, draft, world.manager_a, 2, blank_a1)
    login(client, world.manager_a)
    assert client.post(_url(draft, "resolve"), data={}).status_code == 302
    score = queries.scores_by_indicator(db.session, draft)[a1.id]
    assert (score.value, score.note) == (1, "typed online")
    assert "left as it was: no score on the sheet" in _text(client.get(_url(draft)))


# -- refused: read-only, other facilities ---------------------------------------------------

def test_a_submitted_assessment_refuses_with_the_usual_message(client, world, draft):
    _two_entries(client, world, draft)
    draft.status = AssessmentStatus.SUBMITTED.value
    db.session.commit()
    login(client, world.staff_a)
    page = _text(client.get(_url(draft, "resolve")))
    assert "This self-assessment was submitted; it is read-only now." in page
    response = client.post(_url(draft, "resolve"), data={f"choice-{_ind(world, 'B2').id}": "first"})
    assert "This assessment has been submitted and is read-only." in _text(response)
    assert _count(PaperResolution) == 0
    assert queries.scores_by_indicator(db.session, draft)[_ind(world, "B2").id].value is None


def test_entry_into_a_submitted_assessment_is_refused(client, world, draft):
    draft.status = AssessmentStatus.SUBMITTED.value
    db.session.commit()
    response = _enter(client, world, draft, world.staff_a, 1, SHEET)
    assert "This assessment has been submitted and is read-only." in _text(response)
    assert _count(PaperEntry) == 0


@pytest.mark.parametrize("role, status", [("staff_b", 404), ("manager_b", 404), ("admin", 404), ("national", 403)])
@pytest.mark.parametrize("page", ["", "entry", "resolve"])
def test_who_cannot_edit_gets_no_paper_page(client, world, draft, role, status, page):
    login(client, getattr(world, role))
    assert client.get(_url(draft, page)).status_code == status
    assert client.post(_url(draft, page) if page else _url(draft, "entry"),
                       data=_form(world, _code(draft), 1, SHEET)).status_code == status
    assert _count(PaperEntry) == 0


def test_the_overview_links_to_the_paper_sheet(client, world, draft):
    login(client, world.staff_a)
    assert f'href="{_url(draft)}"' in client.get(f"/assessments/{draft.id}").get_data(as_text=True)
    client.post("/logout")
    login(client, world.national)
    assert f'href="{_url(draft)}"' not in client.get(f"/assessments/{draft.id}").get_data(as_text=True)


# -- peer assessments -----------------------------------------------------------------------

def test_a_peer_team_types_its_paper_sheet_in(client, world):
    peer = pf.draft_peer(world)
    db.session.commit()
    code = _code(peer)
    assert code == _code(peer)  # the facility's sheet: the same code as its self-assessment's
    for user, number, b2 in ((world.manager_b, 1, "2"), (world.staff_b, 2, "3")):
        login(client, user)
        response = client.post(_url(peer, "entry"), data=_form(world, code, number, {**SHEET, "B2": b2}))
        assert response.status_code == 302, _text(response)[:300]
        client.post("/logout")
    login(client, world.manager_b)
    assert f'href="{_url(peer)}"' in client.get(f"/peer/assessments/{peer.id}").get_data(as_text=True)
    assert client.post(_url(peer, "resolve"), data={f"choice-{_ind(world, 'B2').id}": "second"}).status_code == 302
    assert queries.scores_by_indicator(db.session, peer)[_ind(world, "B2").id].value == 3
    client.post("/logout")
    login(client, world.staff_a)  # the facility does not see the team's draft
    assert client.get(_url(peer)).status_code == 404


def test_the_visiting_team_prints_the_blank_sheet_its_paper_page_links_to(client, world):
    """The team assigned to the facility prints the blank sheet (it carries no scores); a user who
    is neither on the team, nor of the facility, nor the national team still gets 404."""
    peer = pf.draft_peer(world)
    db.session.commit()
    blank = f"/reports/facilities/{world.facility_a.id}/rounds/{world.round.id}/blank.pdf"
    login(client, world.manager_b)
    assert blank in client.get(_url(peer)).get_data(as_text=True)
    response = client.get(blank)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    client.post("/logout")
    login(client, world.admin)
    assert client.get(blank).status_code == 404


# -- races ----------------------------------------------------------------------------------

def test_two_people_saving_entry_2_at_once(world, draft, served, monkeypatch):  # noqa: F811
    """The first holds the assessment's lock between its checks and its commit; the second waits,
    then sees entry 2 saved and is refused with a message (no 500, one entry 2)."""
    from shelterassess.auth import services as auth
    from shelterassess.auth.roles import Role
    from tests.conftest import PASSWORD

    colleague = auth.create_user(db.session, "staff.a2@example.org", Role.FACILITY_STAFF, "staff.a2", world.facility_a)
    colleague.password_hash = auth.hash_password(PASSWORD)
    db.session.commit()
    first = Client(served, world.staff_a)
    assert first.post(_url(draft, "entry"), _form(world, _code(draft), 1, SHEET))[0] == 302
    one, two = Client(served, world.manager_a), Client(served, colleague)
    reached = pause_after(monkeypatch, assessment_services, "lock_assessment", "/entry")
    a, b = run_in_window(lambda: one.post(_url(draft, "entry"), _form(world, _code(draft), 2, SHEET)),
                         lambda: two.post(_url(draft, "entry"), _form(world, _code(draft), 2, SHEET)), reached)
    assert sorted(r[0] for r in (a, b)) == [200, 302]
    loser = a if a[0] == 200 else b
    assert "Both entries of this paper sheet are saved already." in loser[1] or "Someone else saved entry 2" in loser[1]
    db.session.expire_all()
    assert _count(PaperEntry) == 2
