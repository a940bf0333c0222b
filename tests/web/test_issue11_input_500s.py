"""Issue 11: the last 500s the form probe (tests/web/test_issue11_form_probe.py) found. A score that is
not a number ("abc", "2.5"), digits ``int`` refuses ("²": ``str.isdigit`` is true for it), an id or
version beyond a database integer (2**63) and control characters in a title each get the form's own
message, keep what was typed and change nothing, on SQLite and on PostgreSQL."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from shelterassess.assessments import services as assessments
from shelterassess.assessments.models import Score
from shelterassess.cases import services as cases
from shelterassess.cases.models import LocalPractice
from shelterassess.extensions import db
from shelterassess.facilities.models import Facility
from shelterassess.paper import domain as paper_domain
from shelterassess.paper import services as paper_services
from shelterassess.paper.models import PaperEntry
from shelterassess.peer.models import PeerTeam, TeamAssignment
from shelterassess.toolkit.models import Escalation
from tests import peer_scoring_fixtures as pf
from tests.area_posts import post_area
from tests.conftest import login
from tests.team_fixtures import certify, make_team

SUPERSCRIPT_TWO = "²"  # "²".isdigit() is True; int("²") raises ValueError
BIGINT = str(2**63)
NOT_NUMBERS = ["abc", "2.5", SUPERSCRIPT_TWO, "1²", "٣", BIGINT, "-1", "Tên\x01 A"]
FORGED_VERSIONS = [SUPERSCRIPT_TWO, "1²", BIGINT, "abc"]
SHEET_MISMATCH = "The form does not match this score sheet. Reload the page."
RELOAD = "This form does not match the page any more: reload the page and try again."
NAME_MESSAGE = "Remove the control characters (tabs, line breaks or invisible characters) from this name."


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _ind(world, code):
    return next(i for i in world.sheet.indicators if i.code == code)


def _scores(assessment_id: int) -> list[tuple]:
    db.session.expire_all()
    rows = db.session.scalars(select(Score).where(Score.assessment_id == assessment_id)).all()
    return sorted((s.indicator_id, s.value, s.not_applicable, s.note, s.evidence_list, s.version) for s in rows)


# -- the self- and peer-assessment area forms ---------------------------------------------------

def _self_area(world, client):
    own = assessments.start_assessment(db.session, world.staff_a, world.facility_a, world.round)
    db.session.commit()
    login(client, world.staff_a)
    return own, f"/assessments/{own.id}/areas/{world.sheet.areas[0].id}"


def _peer_area(world, client):
    peer = pf.draft_peer(world)
    db.session.commit()
    login(client, world.manager_b)
    return peer, f"/peer/assessments/{peer.id}/areas/{world.sheet.areas[0].id}"


AREA_PAGES = {"self": _self_area, "peer": _peer_area}


def _typed(world, a1_score: str) -> dict:
    """Area A as typed: A1 with ``a1_score``, a note and evidence; A2 N/A with a note."""
    a1, a2 = _ind(world, "A1"), _ind(world, "A2")
    return {f"score-{a1.id}": a1_score, f"note-{a1.id}": "Phòng ngủ có khóa", f"evidence-{a1.id}": ["document_review"],
            f"score-{a2.id}": "na", f"note-{a2.id}": "Không có trẻ em", f"evidence-{a2.id}": ["observation"]}


@pytest.mark.parametrize("page", list(AREA_PAGES))
@pytest.mark.parametrize("score", NOT_NUMBERS)
def test_a_score_that_is_not_a_number_gets_the_score_message_and_keeps_the_answers(client, world, page, score):
    assessment, url = AREA_PAGES[page](world, client)
    before = _scores(assessment.id)
    r = post_area(client, url, _typed(world, score))
    assert r.status_code in (200, 422), r.status_code
    text = _text(r)
    a1, a2 = _ind(world, "A1"), _ind(world, "A2")
    assert f'id="score-{a1.id}-error">A1: choose 0, 1, 2 or 3.</p>' in text  # on the field, as for "4"
    assert "Nothing was saved. Please correct the indicators marked below." in text
    # What was typed is on the page again: A1's note and evidence, A2's N/A and note.
    assert "Phòng ngủ có khóa</textarea>" in text and "Không có trẻ em</textarea>" in text
    assert re.search(rf'name="score-{a2.id}" value="na" checked', text)
    assert re.search(rf'name="evidence-{a1.id}" value="document_review" checked', text)
    assert _scores(assessment.id) == before


@pytest.mark.parametrize("page", list(AREA_PAGES))
def test_an_out_of_range_score_still_gets_the_same_message(client, world, page):
    assessment, url = AREA_PAGES[page](world, client)
    before = _scores(assessment.id)
    r = post_area(client, url, _typed(world, "4"))
    assert "A1: choose 0, 1, 2 or 3." in _text(r)
    assert _scores(assessment.id) == before


@pytest.mark.parametrize("page", list(AREA_PAGES))
@pytest.mark.parametrize("version", FORGED_VERSIONS)
def test_a_forged_area_version_is_refused_like_a_form_that_does_not_match(client, world, page, version):
    assessment, url = AREA_PAGES[page](world, client)
    before = _scores(assessment.id)
    r = post_area(client, url, {**_typed(world, "2"), f"version-{_ind(world, 'A1').id}": version})
    assert r.status_code in (200, 409, 422), r.status_code
    text = _text(r)
    assert SHEET_MISMATCH in text and "Phòng ngủ có khóa</textarea>" in text
    assert _scores(assessment.id) == before


@pytest.mark.parametrize("page", list(AREA_PAGES))
def test_plain_numbers_are_still_saved(client, world, page):
    assessment, url = AREA_PAGES[page](world, client)
    assert post_area(client, url, _typed(world, "2")).status_code == 302
    saved = {row[0]: row[1:3] for row in _scores(assessment.id)}
    assert saved[_ind(world, "A1").id] == (2, False) and saved[_ind(world, "A2").id] == (None, True)


# -- reconciliation -----------------------------------------------------------------------------

def _reconcile(world, client, **changes) -> tuple[str, dict]:
    pf.ready_to_reconcile(world)
    db.session.commit()
    login(client, world.manager_b)
    data = {}
    for code, (value, reason) in {"A1": ("2", "Seen on the visit"), "A2": ("na", ""), "B1": ("3", ""),
                                  "B2": ("2", "")}.items():
        ind = _ind(world, code)
        data.update({f"agreed-{ind.id}": value, f"reason-{ind.id}": reason, f"version-{ind.id}": "1"})
    return f"/peer/reconcile/{world.facility_a.id}/{world.round.id}", {**data, **changes}


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_an_agreed_score_that_is_not_a_number_gets_the_agreed_score_message(client, world, value):
    url, data = _reconcile(world, client)
    r = client.post(url, data={**data, f"agreed-{_ind(world, 'A1').id}": value})
    assert r.status_code in (200, 422), r.status_code
    text = _text(r)
    assert "A1: choose an agreed score of 0, 1, 2 or 3 (or N/A where allowed)." in text
    assert "Seen on the visit</textarea>" in text
    assert pf.find_agreed(world) is None


@pytest.mark.parametrize("version", FORGED_VERSIONS)
def test_a_forged_agreed_version_is_refused_like_a_form_that_does_not_match(client, world, version):
    url, data = _reconcile(world, client)
    r = client.post(url, data={**data, f"version-{_ind(world, 'B2').id}": version})
    assert r.status_code in (200, 409, 422), r.status_code
    assert SHEET_MISMATCH in _text(r)
    assert pf.find_agreed(world) is None


# -- paper score entry --------------------------------------------------------------------------

@pytest.mark.parametrize("score", [SUPERSCRIPT_TWO, "1²", "٣", "３", BIGINT, "9" * 5000, "2.5"])
def test_a_paper_score_in_other_digits_gets_the_score_box_message(client, world, score):
    assessment = assessments.start_assessment(db.session, world.staff_a, world.facility_a, world.round)
    db.session.commit()
    login(client, world.staff_a)
    data = {"check_code": paper_domain.display_code(paper_services.expected_code(assessment)), "entry_number": "1"}
    for ind in world.sheet.indicators:
        data.update({f"score-{ind.id}": score if ind.code == "A1" else "1", f"note-{ind.id}": "",
                     f"evidence-{ind.id}": ["observation"]})
    r = client.post(f"/paper/assessments/{assessment.id}/entry", data=data)
    assert r.status_code in (200, 422), r.status_code
    assert "A1: type 0, 1, 2 or 3, or leave the box empty." in _text(r)
    assert _count(PaperEntry) == 0


@pytest.mark.parametrize("typed, read", [("0", (0, False)), ("03", (3, False)), (" 2 ", (2, False)),
                                         ("N/A", (None, True)), ("", (None, False))])
def test_a_paper_score_box_still_reads_what_it_read(typed, read):
    assert paper_domain.parse_score(typed, na_allowed=True) == read


# -- facility edit ------------------------------------------------------------------------------

def _facility_state(facility_id: int) -> tuple:
    db.session.expire_all()
    f = db.session.get(Facility, facility_id)
    return f.code, f.name, f.province_id, f.capacity, f.active, f.address, f.phone


@pytest.mark.parametrize("province", [BIGINT, str(2**31), SUPERSCRIPT_TWO, "-1"])
def test_a_province_beyond_a_database_integer_gets_choose_a_province(client, world, province):
    login(client, world.admin)
    before = _facility_state(world.facility_a.id)
    r = client.post(f"/facilities/{world.facility_a.id}/edit", data={
        "code": "SH-A", "name": "Nhà tạm lánh A đổi tên", "type": "shelter", "province_id": province,
        "capacity": "31", "active": "y", "address": "", "phone": ""})
    assert r.status_code in (200, 422), r.status_code
    assert "Choose a province." in _text(r) and "Nhà tạm lánh A đổi tên" in _text(r)
    assert _facility_state(world.facility_a.id) == before


def test_the_edit_form_still_shows_and_saves_the_facilitys_province(client, world):
    login(client, world.admin)
    province = world.facility_a.province_id
    assert re.search(rf'<option selected value="{province}">', client.get(
        f"/facilities/{world.facility_a.id}/edit").get_data(as_text=True))
    r = client.post(f"/facilities/{world.facility_a.id}/edit", data={
        "code": "SH-A", "name": "Nhà tạm lánh A", "type": "shelter", "province_id": str(province),
        "capacity": "31", "active": "y", "address": "", "phone": ""})
    assert r.status_code == 302 and _facility_state(world.facility_a.id)[2:4] == (province, 31)


# -- local practices of the case library -------------------------------------------------------

def _practice_form(world, **changes) -> dict:
    return {"facility_id": world.facility_a.id, "title_vi": "Sổ tay nội quy tích cực", "title_en": "", "version": "",
            **changes}


def _practice_state() -> list[tuple]:
    db.session.expire_all()
    return [(p.id, p.title_vi, p.title_en, p.version) for p in db.session.scalars(select(LocalPractice))]


@pytest.fixture
def practice(world):
    created = cases.create_practice(db.session, world.national, cases.PracticeInput(
        facility_id=world.facility_a.id, texts={"title_vi": "Góc đọc sách", "title_en": "A reading corner"},
        consent_given=False))
    db.session.commit()
    return created


@pytest.mark.parametrize("version", FORGED_VERSIONS)
def test_a_forged_practice_version_asks_to_reload_the_page(client, world, practice, version):
    login(client, world.national)
    before = _practice_state()
    for url in ("/cases/practices/new", f"/cases/practices/{practice.id}/edit"):
        r = client.post(url, data=_practice_form(world, title_vi="Tiêu đề mới", version=version))
        assert r.status_code in (200, 409, 422), (url, r.status_code)
        assert RELOAD in _text(r) and "Tiêu đề mới" in _text(r)
    assert _practice_state() == before


@pytest.mark.parametrize("field", ["title_vi", "title_en"])
@pytest.mark.parametrize("title", ["Góc\x01 đọc sách", "Góc\tđọc sách", "Góc\nđọc sách", "Góc\x7fđọc", "Góc\u0085đọc"])
def test_a_practice_title_refuses_control_characters(client, world, practice, field, title):
    login(client, world.national)
    before = _practice_state()
    for url, version in (("/cases/practices/new", ""), (f"/cases/practices/{practice.id}/edit", "1")):
        r = client.post(url, data=_practice_form(world, **{field: title}, version=version))
        assert r.status_code in (200, 422), (url, r.status_code)
        assert NAME_MESSAGE in _text(r)
    assert _practice_state() == before


def test_a_practice_title_may_hold_any_printable_text(client, world, practice):
    login(client, world.national)
    r = client.post(f"/cases/practices/{practice.id}/edit",
                    data=_practice_form(world, title_vi="Góc đọc sách (thử nghiệm) – 2027", version="1"))
    assert r.status_code == 302
    assert _practice_state()[0][1:] == ("Góc đọc sách (thử nghiệm) – 2027", "", 2)


# -- escalations and peer teams (the same ``isdigit`` -> ``int`` in their forms' ids) -------------

@pytest.mark.parametrize("facility", [BIGINT, str(2**31), SUPERSCRIPT_TWO])
def test_an_escalation_for_a_huge_or_odd_facility_id_gets_the_facility_message(client, world, facility):
    pf.team_one(world)
    db.session.commit()
    login(client, world.national)
    r = client.post("/toolkit/escalations/new", data={
        "category": "detention", "facility_id": facility, "seen_on": "2027-01-05",
        "description": "A night guard locks the dormitory from outside.", "immediate_action": "Told the manager."})
    assert r.status_code in (200, 422), r.status_code
    assert "Choose a facility from the list: the facilities your team visits." in _text(r)
    assert _count(Escalation) == 0


def _team_state(team_id: int) -> tuple:
    db.session.expire_all()
    team = db.session.get(PeerTeam, team_id)
    return team.name, team.lead_id, sorted(team.member_ids), _count(TeamAssignment)


@pytest.mark.parametrize("ident", [BIGINT, str(2**31), SUPERSCRIPT_TWO])
def test_a_team_lead_or_facility_beyond_a_database_integer_gets_a_message(client, world, ident):
    certify(world, world.staff_a, world.manager_a)
    team = make_team(world, [world.staff_a, world.manager_a], lead=world.manager_a, facility=world.facility_b)
    db.session.commit()
    login(client, world.national)
    before = _team_state(team.id)
    members = [world.staff_a.id, world.manager_a.id]
    r = client.post(f"/teams/{team.id}/edit",
                    data={"round_id": world.round.id, "name": "Alpha 2", "members": members, "lead_id": ident})
    assert r.status_code in (200, 422), r.status_code
    assert "Choose the team lead." in _text(r)
    r = client.post(f"/teams/{team.id}/assign", data={"facility_id": ident})
    assert r.status_code in (200, 422), r.status_code
    assert 'class="error"' in r.get_data(as_text=True)
    assert _team_state(team.id) == before
    assert _count(PeerTeam) == 1


# -- a number too long for int() (it refuses more than 4,300 digits): refused by its length first ---

@pytest.mark.parametrize("page", list(AREA_PAGES))
def test_a_score_of_five_thousand_digits_gets_the_score_message(client, world, page):
    assessment, url = AREA_PAGES[page](world, client)
    before = _scores(assessment.id)
    r = post_area(client, url, _typed(world, "9" * 5000))
    assert r.status_code in (200, 422), r.status_code
    assert "A1: choose 0, 1, 2 or 3." in _text(r)
    assert _scores(assessment.id) == before


# -- follow-up visits: numbers in values and in field names ------------------------------------------

@pytest.mark.parametrize("score", ["9" * 5000, "9" * 30, "²"])
def test_a_follow_up_score_too_long_for_int_gets_the_form_back(client, world, score):
    from tests import followup_fixtures as ff

    visit = ff.visit_a(world)
    ff.record(world, visit, results={1: "partly"}, scores={"A1": 1})
    db.session.commit()
    login(client, world.staff_b)
    data = ff.visit_form(world, visit)
    indicator = ff.indicators(world)["A1"]
    data[f"score-{indicator.id}"] = score
    r = client.post(f"/follow-ups/{visit.id}", data=data)
    assert r.status_code in (200, 422), r.status_code
    assert 'class="error"' in r.get_data(as_text=True)


def test_a_follow_up_field_named_by_an_id_too_long_for_int_is_refused(client, world):
    from tests import followup_fixtures as ff

    visit = ff.visit_a(world)
    ff.record(world, visit, results={1: "partly"}, scores={"A1": 1})
    db.session.commit()
    login(client, world.staff_b)
    data = ff.visit_form(world, visit)
    data["score-" + "9" * 5000] = "1"
    r = client.post(f"/follow-ups/{visit.id}", data=data)
    assert r.status_code in (200, 422), r.status_code
    assert "does not check" in html.unescape(r.get_data(as_text=True))
