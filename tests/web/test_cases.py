"""The case library through HTTP: pages, search, coverage, PDF, local practices, guidance beside indicators."""
import io
import unicodedata

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from shelterassess.assessments.models import Assessment
from shelterassess.cases.models import LocalPractice
from shelterassess.extensions import db
from tests.area_posts import post_area
from tests.conftest import login

ROLES = ("staff_a", "manager_a", "staff_b", "manager_b", "national", "admin")
VN_CASE = "shelter-self-improvement-vietnam"
VN_TITLE_VI = "Dự án Tự cải thiện nhà tạm lánh"


def _page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def _practice_data(world, **extra):
    data = {"facility_id": world.facility_a.id, "title_vi": "Nội quy viết lại cùng người được hỗ trợ",
            "title_en": "House rules rewritten with residents", "summary_vi": "Nội quy mới, ngắn và tích cực.",
            "summary_en": "", "what_was_done_vi": "Họp nhà hằng tháng để góp ý nội quy.", "what_was_done_en": "",
            "results_vi": "Ít vi phạm hơn.", "results_en": "", "lessons_vi": "Bắt đầu từ điều thật sự cần.",
            "lessons_en": "", "pillars": ["protection"], "themes": ["case-management"],
            "indicator_keys": [], "version": ""}
    data.update(extra)
    return data


def _create_practice(client, world, **extra) -> LocalPractice:
    response = client.post("/cases/practices/new", data=_practice_data(world, **extra))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.scalars(select(LocalPractice).order_by(LocalPractice.id.desc())).first()


# -- reading ------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_library(client, world, role):
    login(client, getattr(world, role))
    index = _page(client, "/cases/")
    assert "The Wiñari Project" in index and "Chiang Mai" in index and index.count('class="case-entry') == 10
    case = _page(client, f"/cases/{VN_CASE}")
    for heading in ("Summary", "Objectives", "What was done", "Results", "Key figures", "Lessons learned",
                    "Recommendations", "Applies to these indicators", "Source"):
        assert heading in case
    assert "formed into 2 assessment teams" in case
    _page(client, "/cases/coverage")
    assert client.get("/cases/winari-ecuador.pdf").status_code == 200


def test_anonymous_users_are_sent_to_log_in(client, world):
    assert client.get("/cases/").status_code == 302
    assert client.get(f"/cases/{VN_CASE}").status_code == 302


def test_unknown_case_is_404(client, world):
    login(client, world.staff_a)
    assert client.get("/cases/no-such-case").status_code == 404
    assert client.get("/cases/no-such-case.pdf").status_code == 404


def test_the_nav_links_to_the_library(client, world):
    login(client, world.staff_a)
    assert 'href="/cases/"' in _page(client, "/")


def test_case_page_in_vietnamese(client_vi, world):
    login(client_vi, world.staff_a)
    page = _page(client_vi, f"/cases/{VN_CASE}")
    assert VN_TITLE_VI in page and "Việt Nam" in page


def _country_fact(page: str) -> str:
    """The text of the "Country or region" entry of a case page."""
    return page.split("<dl class=\"facts\">")[1].split("<dd>")[1].split("</dd>")[0]


def test_case_page_names_a_single_country_once(client, client_vi, world):
    login(client_vi, world.staff_a)
    assert _country_fact(_page(client_vi, f"/cases/{VN_CASE}")) == "Việt Nam"
    assert _country_fact(_page(client_vi, "/cases/chiang-mai-model-thailand")) == "Thái Lan"
    login(client, world.staff_a)
    assert _country_fact(_page(client, f"/cases/{VN_CASE}")) == "Vietnam"
    region = _country_fact(_page(client, "/cases/commit-cross-border-cooperation"))
    assert region.startswith("Mekong region (") and "Cambodia" in region and "Vietnam" in region


def test_case_pdf_names_a_single_country_once(client, world):
    login(client, world.staff_a)
    text = _pdf_text(client.get(f"/cases/{VN_CASE}.pdf?lang=vi"))
    assert "Việt Nam" in text and "Việt Nam (Việt Nam)" not in text
    text = _pdf_text(client.get("/cases/commit-cross-border-cooperation.pdf?lang=en"))
    assert "Mekong region (Cambodia" in text


# -- search and filters -----------------------------------------------------------------------------

def _titles(page):
    return [part.split("</a>")[0].split(">")[-1] for part in page.split('<h2><a href="')[1:]]


def test_search_without_diacritics_finds_vietnamese_text(client, world):
    login(client, world.staff_a)
    page = _page(client, "/cases/?q=tham+van")
    assert "Shelter Self-Improvement Project" in _titles(page)
    assert "The Wiñari Project" not in _titles(page)
    assert 'value="tham van"' in page  # the query stays in the box


def test_search_finds_us_spelling_and_place_names_without_spaces(client, world):
    login(client, world.staff_a)
    assert "Shelter Self-Improvement Project" in _titles(_page(client, "/cases/?q=counseling"))
    assert _titles(_page(client, "/cases/?q=chiangmai"))[0] == "The Chiang Mai Model"


def test_search_puts_a_title_match_first(client_vi, world):
    login(client_vi, world.staff_a)
    titles = _titles(_page(client_vi, "/cases/?q=nha+tam+lanh"))
    assert titles[0] == VN_TITLE_VI and len(titles) > 1


def test_filters(client, world):
    login(client, world.staff_a)
    assert _titles(_page(client, "/cases/?country=EC")) == ["The Wiñari Project"]
    prevention = _titles(_page(client, "/cases/?pillar=prevention"))
    assert "MTV EXIT Program" in prevention and "The Chiang Mai Model" not in prevention
    shelters = _titles(_page(client, "/cases/?theme=shelter-standards&q=bangladesh"))
    assert len(shelters) == 1 and shelters[0].startswith("ACT")
    assert "Nothing matches" in _page(client, "/cases/?q=zzzzqx")
    assert len(_titles(_page(client, "/cases/?pillar=not-a-pillar"))) == 10  # unknown values are ignored


# -- coverage ------------------------------------------------------------------------------------------

def test_coverage_lists_unlinked_indicators_first(client, standard_world):
    login(client, standard_world.staff_a)
    page = _page(client, "/cases/coverage")
    rows = page.split('data-indicator="')[1:]
    keys = [row.split('"')[0] for row in rows]
    uncovered = [k for k, row in zip(keys, rows) if "no guidance yet" in row]
    assert "safety.staff-24h" in uncovered and "confidentiality.coded-files" not in uncovered
    assert keys[:len(uncovered)] == uncovered
    assert len(keys) == len(standard_world.sheet.indicators)
    assert f"{len(uncovered)} indicators have no guidance yet" in page


def test_a_published_practice_covers_its_indicator(client, standard_world):
    login(client, standard_world.national)
    practice = _create_practice(client, standard_world, consent_given="y", indicator_keys=["safety.staff-24h"])
    client.post(f"/cases/practices/{practice.id}/publish")
    page = _page(client, "/cases/coverage")
    row = page.split('data-indicator="safety.staff-24h"')[1].split("</tr>")[0]
    assert "House rules rewritten with residents" in row  # the English title, for an English reader
    assert "no guidance yet" not in row and f"/cases/practices/{practice.id}" in row


def test_case_page_lists_the_indicators_it_applies_to(client, standard_world):
    login(client, standard_world.staff_a)
    page = _page(client, f"/cases/{VN_CASE}")
    section = page.split('id="indicators"')[1]
    assert "E1" in section and "Files are identified by a code" in section
    assert "how to code and lock files so that clients" in section


# -- PDF -----------------------------------------------------------------------------------------------------

def _pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


def test_case_pdf_in_vietnamese_has_the_title_with_diacritics(client, standard_world):
    login(client, standard_world.staff_a)
    response = client.get(f"/cases/{VN_CASE}.pdf?lang=vi")
    text = _pdf_text(response)
    assert VN_TITLE_VI in text
    assert "Bài học kinh nghiệm" in text or "Lessons learned" in text  # headings follow the catalogue
    assert "E1." in text  # the linked indicators
    assert response.headers["Content-Disposition"].startswith("inline")


def test_case_pdf_in_english(client, world):
    login(client, world.staff_a)
    text = _pdf_text(client.get("/cases/act-bangladesh.pdf?lang=en"))
    assert "ACT: Actions for Combating Trafficking-in-Persons" in text and "1,800+" in text


# -- local practices -----------------------------------------------------------------------------------------

def test_national_team_creates_a_draft(client, world):
    login(client, world.national)
    form = _page(client, "/cases/practices/new")
    assert "Never write a resident" in form and "The facility agreed to share this practice" in form
    practice = _create_practice(client, world)
    assert practice.status == "draft" and not practice.consent_given and practice.created_by_id == world.national.id
    assert practice.pillars == "protection" and practice.themes == "case-management"
    page = _page(client, f"/cases/practices/{practice.id}")
    assert "Local practice" in page and "Draft" in page


@pytest.mark.parametrize("role", ["staff_a", "manager_a", "admin"])
def test_others_cannot_add_practices(client, world, role):
    login(client, getattr(world, role))
    assert client.get("/cases/practices/new").status_code == 403
    assert client.post("/cases/practices/new", data=_practice_data(world)).status_code == 403
    assert db.session.scalar(select(db.func.count(LocalPractice.id))) == 0


def test_a_practice_needs_a_title_and_a_facility(client, world):
    login(client, world.national)
    page = client.post("/cases/practices/new", data=_practice_data(world, title_vi="", title_en="", facility_id=0))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Give the practice a title" in text and "Choose the facility" in text
    assert "Họp nhà hằng tháng" in text  # the user's input is kept
    assert db.session.scalar(select(db.func.count(LocalPractice.id))) == 0


def test_publishing_without_consent_is_refused(client, world):
    login(client, world.national)
    practice = _create_practice(client, world)
    response = client.post(f"/cases/practices/{practice.id}/publish", follow_redirects=True)
    assert "consent is needed" in response.get_data(as_text=True)
    db.session.expire_all()
    practice = db.session.get(LocalPractice, practice.id)
    assert practice.status == "draft" and practice.published_at is None and practice.version == 1


def test_published_practice_appears_in_the_index_marked_local(client, world):
    login(client, world.national)
    practice = _create_practice(client, world, consent_given="y")
    draft = _create_practice(client, world, title_vi="Bản nháp chưa công bố", title_en="")
    client.post(f"/cases/practices/{practice.id}/publish")
    db.session.expire_all()
    assert db.session.get(LocalPractice, practice.id).is_published
    national_index = _page(client, "/cases/")
    assert "Bản nháp chưa công bố" in national_index  # drafts: national team only
    client.post("/logout")
    login(client, world.staff_b)
    index = _page(client, "/cases/")
    entry = index.split("House rules rewritten with residents")[0].rsplit('<li class="case-entry', 1)[1]
    assert entry.startswith(' local"') and "Local practice" in index
    assert "Bản nháp chưa công bố" not in index
    assert client.get(f"/cases/practices/{draft.id}").status_code == 404
    assert "Họp nhà hằng tháng" in _page(client, f"/cases/practices/{practice.id}")
    assert _titles(_page(client, "/cases/?q=noi+quy"))[0] == "House rules rewritten with residents"
    assert "House rules rewritten" in _page(client, "/cases/?country=VN")


def test_editing_keeps_consent_rules_and_refuses_stale_copies(client, world):
    login(client, world.national)
    practice = _create_practice(client, world, consent_given="y")
    client.post(f"/cases/practices/{practice.id}/publish")
    edit = _page(client, f"/cases/practices/{practice.id}/edit")
    assert 'name="version"' in edit
    db.session.expire_all()
    version = db.session.get(LocalPractice, practice.id).version
    # unticking consent on a published practice is refused
    r = client.post(f"/cases/practices/{practice.id}/edit", data=_practice_data(world, version=str(version)))
    assert r.status_code == 200 and "consent is needed" in r.get_data(as_text=True)
    ok = client.post(f"/cases/practices/{practice.id}/edit",
                     data=_practice_data(world, consent_given="y", title_en="Better rules", version=str(version)))
    assert ok.status_code == 302
    stale = client.post(f"/cases/practices/{practice.id}/edit",
                        data=_practice_data(world, consent_given="y", title_en="Old copy", version=str(version)))
    assert stale.status_code == 200 and "Someone else saved this practice" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(LocalPractice, practice.id).title_en == "Better rules"


# -- guidance beside indicators -------------------------------------------------------------------------------

def _start(client, world) -> Assessment:
    assert client.post("/assessments/start", data={"round_id": world.round.id}).status_code == 302
    return db.session.scalar(select(Assessment).where(Assessment.facility_id == world.facility_a.id))


def test_guidance_appears_beside_the_indicator_while_scoring(client, standard_world):
    w = standard_world
    login(client, w.staff_a)
    assessment = _start(client, w)
    area = next(a for a in w.sheet.areas if a.code == "E")
    page = _page(client, f"/assessments/{assessment.id}/areas/{area.id}")
    e1 = page.split('id="ind-E1"')[1].split("</fieldset>")[0]
    assert 'class="case-guidance"' in e1
    # a new tab: the score form and its unsaved typing stay open (and the draft stays in localStorage)
    assert f'href="/cases/{VN_CASE}" target="_blank" rel="noopener"' in e1 and "(opens in a new tab)" in e1
    assert "how to code and lock files so that clients" in e1
    e5 = page.split('id="ind-E5"')[1].split("</fieldset>")[0]
    assert "case-guidance" not in e5  # no case fits confidentiality agreements


def test_guidance_lists_published_local_practices(client, standard_world):
    w = standard_world
    login(client, w.national)
    practice = _create_practice(client, w, consent_given="y", indicator_keys=["confidentiality.signed-agreements"])
    hidden = _create_practice(client, w, title_en="Unpublished idea", indicator_keys=["confidentiality.signed-agreements"])
    client.post(f"/cases/practices/{practice.id}/publish")
    client.post("/logout")
    login(client, w.staff_a)
    assessment = _start(client, w)
    area = next(a for a in w.sheet.areas if a.code == "E")
    e5 = _page(client, f"/assessments/{assessment.id}/areas/{area.id}").split('id="ind-E5"')[1].split("</fieldset>")[0]
    assert f"/cases/practices/{practice.id}" in e5 and "Local practice" in e5
    assert f"/cases/practices/{hidden.id}" not in e5


def test_guidance_on_the_results_page_for_low_indicators(client, standard_world):
    w = standard_world
    login(client, w.staff_a)
    assessment = _start(client, w)
    area = next(a for a in w.sheet.areas if a.code == "E")
    e1 = next(i for i in area.indicators if i.code == "E1")
    r = post_area(client, f"/assessments/{assessment.id}/areas/{area.id}", data={f"score-{e1.id}": "0"})
    assert r.status_code == 302
    page = _page(client, f"/assessments/{assessment.id}/results")
    lowest = page.split("Lowest indicators first")[1]
    assert "case-guidance" in lowest and f"/cases/{VN_CASE}" in lowest
