"""Comparison pages through HTTP: hand-computed figures, sorting, filters, anonymised mode,
trends, PDFs and the blind rules. Scenario and hand computations: tests/comparisons_fixtures.py."""
from __future__ import annotations

import io
import re
import unicodedata
from html import unescape

import pytest
from pypdf import PdfReader

from shelterassess.assessments import services
from shelterassess.assessments.models import AssessmentKind
from shelterassess.extensions import db
from shelterassess.facilities.models import Province
from shelterassess.rounds import services as rounds
from tests.comparisons_fixtures import (
    PEER_A,
    SELF_A,
    comparison_world,
    make_team,
    release,
    scored,
)
from tests.conftest import login

FACILITY_TEXTS = ("Nhà tạm lánh A", "Trung tâm tiếp nhận B", "Nhà tạm lánh C", "SH-A", "RC-B", "SH-C")


@pytest.fixture
def cw(world):
    return comparison_world(world)


def facility_url(w, facility, suffix: str = "") -> str:
    return f"/comparisons/facilities/{facility.id}/rounds/{w.round.id}{suffix}"


def national_url(w, query: str = "", pdf: bool = False) -> str:
    return f"/comparisons/rounds/{w.round.id}/national{'.pdf' if pdf else ''}{'?' + query if query else ''}"


def text(html: str) -> str:
    """Visible text with tags stripped and whitespace collapsed."""
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def section(html: str, element_id: str) -> str:
    """The text of the element (table, list) with the given id."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', html, flags=re.S)
    assert match, f"no element #{element_id}"
    return text(match.group(2))


def rows(html: str, element_id: str) -> list[str]:
    match = re.search(rf'<table[^>]*\bid="{element_id}"[^>]*>(.*?)</table>', html, flags=re.S)
    assert match, f"no table #{element_id}"
    body = match.group(1).split("<tbody>")[1]
    return [text(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)]


def get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return response.get_data(as_text=True)


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    content = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", content))


# -- one facility: hand-computed figures ---------------------------------------------

def test_facility_comparison_shows_hand_computed_agreement_and_gaps(client, cw):
    login(client, cw.national)
    html = get(client, facility_url(cw, cw.facility_a))
    agreement = rows(html, "agreement-0")
    # pairs (3,1) (1,1) (3,2), A2 excluded: exact 1/3, within one 2/3, kappa 1 - 3*5/19 = 0.21
    assert agreement[0] == "All indicators 33.3% 66.7% 0.21 3 pairs, 1 excluded as N/A"
    # area A: (3,1) only -> kappa 1 - 1*4/4 = 0; area B: (1,1) (3,2) -> kappa 1 - 2*1/6 = 0.67
    assert agreement[1] == "A. Facilities 0.0% 0.0% 0.00 1 pair, 1 excluded as N/A"
    assert agreement[2] == "B. Confidentiality 50.0% 100.0% 0.67 2 pairs, 0 excluded as N/A"
    assert "Self-assessment vs North team" in html
    flagged = rows(html, "flagged")
    assert flagged == ["A1 Private, safe bedrooms North team 3 1 +2 The facility rated itself 2 points higher than "
                       "North team: possible over-rating."]


def test_facility_comparison_area_percentages_and_indicator_scores(client, cw):
    login(client, cw.national)
    html = get(client, facility_url(cw, cw.facility_a))
    # self: A 100 (A2 N/A), B (1+3)/6 = 66.7; North: A (1+2)/6 = 50, B (1+2)/6 = 50; agreed: A 66.7, B 50
    assert rows(html, "area-table") == ["A. Facilities 100.0% 50.0% 66.7% +50.0",
                                        "B. Confidentiality 66.7% 50.0% 50.0% +16.7"]
    indicators = rows(html, "indicators")
    assert indicators[0] == "A1 Private, safe bedrooms gap of 2 or more 3 1 2 +2"
    assert indicators[1] == "A2 Play space for children N/A 2 N/A –"
    assert indicators[3] == "B2 Files are locked 3 2 2 +1"
    assert 'class="flagged"' in html
    assert html.count("<svg") == 1 and 'role="img"' in html  # the chart, described by the area table
    assert 'aria-describedby="area-table-caption"' in html


def test_under_rating_shows_a_negative_gap(client, cw):
    login(client, cw.national)
    html = get(client, facility_url(cw, cw.facility_b))
    assert rows(html, "flagged") == ["A1 Private, safe bedrooms South team 0 2 -2 The facility rated itself 2 points "
                                     "lower than South team: possible under-rating."]


def test_two_teams_are_compared_with_each_other(client, cw):
    east = make_team(cw.round, "East team", cw.staff_c, [cw.manager_c], [cw.facility_a])
    east_scores = {"A1": 1, "A2": 2, "B1": 2, "B2": 2}
    scored(cw, cw.staff_c, cw.facility_a, cw.round, AssessmentKind.PEER, east_scores, team=east)
    db.session.commit()
    login(client, cw.national)
    html = get(client, facility_url(cw, cw.facility_a))
    # East team sorts before North team. East vs North: (1,1) (2,2) (2,1) (2,2): exact 3/4, within 4/4,
    # kappa 1 - 4*1/8 = 0.50
    captions = re.findall(r'<table class="agreement" id="agreement-\d+">\s*<caption>(.*?)</caption>', html)
    assert captions == ["Self-assessment vs East team", "Self-assessment vs North team", "East team vs North team"]
    assert rows(html, "agreement-2")[0] == "All indicators 75.0% 100.0% 0.50 4 pairs, 0 excluded as N/A"


def test_comparison_before_any_peer_result(client, world):
    scored(world, world.manager_a, world.facility_a, world.round, AssessmentKind.SELF, SELF_A)
    db.session.commit()
    login(client, world.national)
    html = get(client, facility_url(world, world.facility_a))
    assert "No peer assessment is submitted yet." in html
    assert "Agreement needs a submitted self-assessment and peer assessment" in html
    assert rows(html, "flagged") == ["No indicator differs by 2 points or more."]


def test_facility_comparison_pdf(client, cw):
    login(client, cw.national)
    content = pdf_text(client.get(facility_url(cw, cw.facility_a, ".pdf") + "?lang=en"))
    assert "SH-A – Nhà tạm lánh A" in content
    assert "33.3%" in content and "66.7%" in content and "0.21" in content
    assert "3 pairs, 1 excluded as N/A" in content
    assert "+2" in content and "possible over-rating" in content
    assert "Facilities" in content and "Confidentiality" in content


# -- national view -----------------------------------------------------------------------

def test_national_table_sorts_by_any_column(client, cw):
    login(client, cw.national)
    html = get(client, national_url(cw))
    assert rows(html, "national-table") == [  # last column: red flags of the agreed result
        "RC-B · Trung tâm tiếp nhận B Lao Cai 33.3% 100.0% 66.7% 0",
        "SH-A · Nhà tạm lánh A Ha Noi 66.7% 50.0% 58.3% 0",
        "SH-C · Nhà tạm lánh C Ha Noi no agreed result",
    ]
    order = lambda query: [r.split(" ")[0] for r in rows(get(client, national_url(cw, query)), "national-table")]
    assert order("sort=area-A") == ["RC-B", "SH-A", "SH-C"]  # no result always last
    assert order("sort=area-A&order=desc") == ["SH-A", "RC-B", "SH-C"]
    assert order("sort=overall&order=desc") == ["RC-B", "SH-A", "SH-C"]
    assert order("sort=facility&order=desc") == ["SH-C", "SH-A", "RC-B"]
    assert order("sort=nonsense") == ["RC-B", "SH-A", "SH-C"]
    html = get(client, national_url(cw, "sort=area-B&order=desc"))
    assert 'aria-sort="descending"' in html
    assert f"/comparisons/rounds/{cw.round.id}/national?sort=area-B&amp;order=asc" in html  # sort again: reverse


def test_national_table_province_filter_and_means(client, cw):
    login(client, cw.national)
    html = get(client, national_url(cw))
    # means of agreed results: area A (66.7 + 33.3) / 2, area B (50 + 100) / 2; C has none
    assert rows(html, "mean-table") == ["A. Facilities 50.0% 2", "B. Confidentiality 75.0% 2"]
    lca = db.session.scalar(db.select(Province).where(Province.code == "VN-LCA"))
    html = get(client, national_url(cw, f"province={lca.id}"))
    assert [r.split(" ")[0] for r in rows(html, "national-table")] == ["RC-B"]
    assert rows(html, "mean-table") == ["A. Facilities 33.3% 1", "B. Confidentiality 100.0% 1"]


def test_national_agreement_per_indicator_and_low_agreement_list(client, cw, app, monkeypatch):
    monkeypatch.setitem(app.config, "KAPPA_MIN_PAIRS", 3)  # the default 5 would hide every kappa here
    login(client, cw.national)
    html = get(client, national_url(cw))
    table = rows(html, "indicator-agreement")
    # A1: (3,1) (0,2) (3,0) -> kappa 1 - 3*17/33 = -0.55; B1: (1,1) (3,3) (0,3) -> 1 - 3*9/31 = 0.13
    assert table[0] == "A1 Private, safe bedrooms 0.0% 0.0% -0.55 3 pairs, 0 excluded as N/A"
    # A2: (1,1) (3,3): kappa 1.00, but only 2 pairs < 3
    assert table[1] == "A2 Play space for children 100.0% 100.0% – ‡ 2 pairs, 1 excluded as N/A"
    assert table[2] == "B1 Files carry a code, not a name 66.7% 66.7% 0.13 3 pairs, 0 excluded as N/A"
    assert table[3] == "B2 Files are locked 66.7% 100.0% 0.80 3 pairs, 0 excluded as N/A"
    low = section(html, "low-agreement")
    assert low.index("A1") < low.index("B1") and "B2" not in low and "A2" not in low
    assert "need clearer descriptors or training" in html
    assert "exact agreement 54.5%, within one point 63.6%" in text(html)  # 6 and 7 of 11 pairs
    assert "11 pairs, 1 excluded as N/A" in html


def test_anonymised_mode_hides_names_and_codes(client, cw):
    login(client, cw.national)
    html = get(client, national_url(cw, "anonymised=1"))
    for hidden in FACILITY_TEXTS:
        assert hidden not in html
    table = rows(html, "national-table")
    assert sorted(r.split(" ")[0] for r in table) == ["F-01", "F-02", "F-03"]
    assert f"/comparisons/facilities/{cw.facility_a.id}/" not in html  # no links to named pages
    code_b = next(r.split(" ")[0] for r in table if "33.3%" in r)
    lca = db.session.scalar(db.select(Province).where(Province.code == "VN-LCA"))
    for query in ("anonymised=1&sort=overall&order=desc", f"anonymised=1&province={lca.id}"):
        again = rows(get(client, national_url(cw, query)), "national-table")
        assert next(r.split(" ")[0] for r in again if "33.3%" in r) == code_b  # stable within the round
    content = pdf_text(client.get(national_url(cw, "anonymised=1&lang=en", pdf=True)))
    for hidden in FACILITY_TEXTS:
        assert hidden not in content
    assert "F-01" in content and "F-02" in content and "F-03" in content
    assert "Anonymised for workshops" in content


def test_national_pdf(client, cw):
    login(client, cw.national)
    content = pdf_text(client.get(national_url(cw, "lang=en", pdf=True)))
    assert "SH-A – Nhà tạm lánh A" in content and "RC-B" in content
    assert "58.3%" in content and "no agreed result" in content
    assert "50.0%" in content and "75.0%" in content  # national means
    assert "need clearer descriptors or training" in content
    # 3 pairs per indicator < KAPPA_MIN_PAIRS (5): no per-indicator kappa, a footnote says why
    assert "-0.55" not in content and "–‡ 3 pairs" in content
    assert "‡ Weighted kappa not shown: fewer than 5 pairs" in content


def test_national_view_in_vietnamese(client_vi, cw):
    login(client_vi, cw.national)
    response = client_vi.get(national_url(cw))
    assert response.status_code == 200
    assert "66,7" in response.get_data(as_text=True)


def test_index_and_nav_for_the_national_team(client, cw):
    login(client, cw.national)
    html = get(client, "/comparisons/")
    assert cw.round.name in html and f"/comparisons/rounds/{cw.round.id}/national?anonymised=1" in html
    assert 'href="/comparisons/"' in get(client, "/")


def test_no_nav_link_for_facility_users(client, cw):
    login(client, cw.staff_a)
    assert 'href="/comparisons/"' not in get(client, "/")
    get(client, "/comparisons/", 403)
    get(client, national_url(cw), 403)
    get(client, national_url(cw, pdf=True), 403)


# -- trends -------------------------------------------------------------------------------

@pytest.fixture
def two_rounds(cw):
    cw.round2 = rounds.create_round(db.session, "2028 national round", cw.sheet)
    rounds.open_round(db.session, cw.round2)
    scored(cw, cw.manager_a, cw.facility_a, cw.round2, AssessmentKind.SELF, {"A1": 3, "A2": 3, "B1": 3, "B2": 2})
    db.session.commit()
    return cw


def test_trends_across_rounds_for_the_national_team(client, two_rounds):
    w = two_rounds
    login(client, w.national)
    html = get(client, f"/comparisons/facilities/{w.facility_a.id}/trends")
    assert rows(html, "trend-table") == [
        "2027 national round Agreed result 66.7% 50.0% 58.3%",
        "2028 national round Self-assessment 100.0% 83.3% 91.7%",
    ]
    assert html.count("<svg") == 1


def test_trends_show_the_agreed_result_to_the_facility_only_after_release(client, two_rounds):
    w = two_rounds
    login(client, w.staff_a)
    url = f"/comparisons/facilities/{w.facility_a.id}/trends"
    assert rows(get(client, url), "trend-table")[0] == "2027 national round Self-assessment 100.0% 66.7% 83.3%"
    release(w.round)
    assert rows(get(client, url), "trend-table")[0] == "2027 national round Agreed result 66.7% 50.0% 58.3%"


def test_trends_are_private_to_the_facility(client, two_rounds):
    login(client, two_rounds.staff_b)
    get(client, f"/comparisons/facilities/{two_rounds.facility_a.id}/trends", 404)
    get(client, "/comparisons/facilities/99999/trends", 404)


# -- who sees a facility's comparison ---------------------------------------------------------

def test_facility_sees_its_comparison_only_after_release(client, cw):
    login(client, cw.staff_a)
    get(client, facility_url(cw, cw.facility_a), 404)
    assert client.get(facility_url(cw, cw.facility_a, ".pdf")).status_code == 404
    release(cw.round)
    html = get(client, facility_url(cw, cw.facility_a))
    assert "0.21" in html and "North team" in html
    assert client.get(facility_url(cw, cw.facility_a, ".pdf")).status_code == 200


def test_other_facility_staff_never_see_it(client, cw):
    release(cw.round)
    login(client, cw.staff_c)  # a member of South team, assigned to B, not to A
    get(client, facility_url(cw, cw.facility_a), 404)
    get(client, facility_url(cw, cw.facility_b))  # its own team's facility, South team has submitted


def test_team_member_sees_it_only_after_their_own_peer_assessment_is_submitted(client, world):
    north = make_team(world.round, "North team", world.manager_b, [world.staff_b], [world.facility_a])
    scored(world, world.manager_a, world.facility_a, world.round, AssessmentKind.SELF, SELF_A)
    peer = scored(world, world.manager_b, world.facility_a, world.round, AssessmentKind.PEER, PEER_A, team=north,
                  submit=False)
    db.session.commit()
    login(client, world.staff_b)
    get(client, facility_url(world, world.facility_a), 404)
    services.submit(db.session, world.manager_b, peer)
    db.session.commit()
    html = get(client, facility_url(world, world.facility_a))
    assert "Self-assessment vs North team" in html


def test_a_second_team_stays_blind_until_it_submits(client, cw):
    # staff_c and manager_c (facility C) form a second team on A; it has not submitted
    east = make_team(cw.round, "East team", cw.staff_c, [cw.manager_c], [cw.facility_a])
    scored(cw, cw.staff_c, cw.facility_a, cw.round, AssessmentKind.PEER, {"A1": 0, "A2": 0, "B1": 0, "B2": 0},
           team=east, submit=False)
    db.session.commit()
    login(client, cw.manager_c)
    get(client, facility_url(cw, cw.facility_a), 404)
    client.post("/logout")
    login(client, cw.national)
    html = get(client, facility_url(cw, cw.facility_a))
    assert "Still scoring: East team." in html
    assert "East team vs" not in html  # a draft is never compared


def test_unknown_facility_or_round_is_404(client, cw):
    login(client, cw.national)
    get(client, f"/comparisons/facilities/99999/rounds/{cw.round.id}", 404)
    get(client, f"/comparisons/facilities/{cw.facility_a.id}/rounds/99999", 404)
    get(client, "/comparisons/rounds/99999/national", 404)


def test_admin_is_not_the_national_team(client, cw):
    login(client, cw.admin)
    get(client, facility_url(cw, cw.facility_a), 404)
    get(client, national_url(cw), 403)

