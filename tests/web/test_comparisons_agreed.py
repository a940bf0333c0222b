"""Issue 7, comparisons and reports: the agreed result's red flags and lowest indicators wherever agreed
results are shown, kappa where it is undefined or withheld, anonymised mode that singles out no facility,
and translated PDF metadata titles. Scenario: tests/comparisons_fixtures.py, plus an agreed B1 = 0 for A.

Mini sheet: B1 ("Files carry a code, not a name") is the only critical indicator.
"""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from shelterassess.assessments.models import AssessmentKind
from shelterassess.extensions import db
from shelterassess.facilities.models import Province
from shelterassess.facilities.services import FacilityInput, save_facility
from shelterassess.peer.models import TeamAssignment
from tests.comparisons_fixtures import (
    PEER_A,
    SELF_A,
    SELF_C,
    add_facility_c,
    comparison_world,
    make_team,
    scored,
)
from tests.conftest import login
from tests.web.test_comparisons import FACILITY_TEXTS, facility_url, get, national_url, pdf_text, rows, section, text

#: Facility A's agreed result with the critical B1 at 0 (self said 1, North team 1): a red flag
#: only in the agreed result. Lowest first, ties in sheet order: B1 0, A1 2, B2 2 (A2 N/A left out).
#: Area A 2/3 = 66.7 %, area B (0 + 2)/6 = 33.3 %, overall 50.0 %.
AGREED_A_FLAGGED = {"A1": 2, "A2": "na", "B1": 0, "B2": 2}
B1 = "B1 Files carry a code, not a name"


@pytest.fixture
def fw(world):
    """Facility A: self, North team and a finalised agreed result with B1 = 0. Facility C: a self-assessment
    with B1 = 0 (a self red flag) and no agreed result. Facility B: nothing."""
    w = world
    add_facility_c(w)
    w.north = make_team(w.round, "North team", w.manager_b, [w.staff_b], [w.facility_a])
    w.self_a = scored(w, w.manager_a, w.facility_a, w.round, AssessmentKind.SELF, SELF_A)
    w.peer_a = scored(w, w.manager_b, w.facility_a, w.round, AssessmentKind.PEER, PEER_A, team=w.north)
    w.agreed_a = scored(w, w.manager_b, w.facility_a, w.round, AssessmentKind.AGREED, AGREED_A_FLAGGED)
    w.self_c = scored(w, w.manager_c, w.facility_c, w.round, AssessmentKind.SELF, SELF_C)
    db.session.commit()
    return w


@pytest.fixture
def cw(world):
    return comparison_world(world)


def province(code: str) -> Province:
    return db.session.scalar(db.select(Province).where(Province.code == code))


def pdf_reader(response) -> PdfReader:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(response.get_data()))


# -- 1. red flags and lowest indicators of the agreed result ---------------------------------

def test_comparison_page_shows_the_agreed_red_flags_and_lowest_indicators(client, fw):
    login(client, fw.national)
    html = get(client, facility_url(fw, fw.facility_a))
    flags = section(html, "agreed-red-flags")
    assert "Red flags of the agreed result: critical indicators at or below their red-flag level" in flags and B1 in flags
    assert rows(html, "agreed-lowest") == [f"{B1} red flag 0", "A1 Private, safe bedrooms 2", "B2 Files are locked 2"]


def test_comparison_page_says_when_the_agreed_result_has_no_red_flag(client, cw):
    login(client, cw.national)
    html = get(client, facility_url(cw, cw.facility_a))  # agreed A: B1 = 1
    assert "No critical indicator of the agreed result is at or below its red-flag level." in section(html, "agreed-red-flags")
    # agreed A: A1 2, B1 1, B2 2 (A2 N/A) -> B1, A1, B2
    assert [r.split(" ")[0] for r in rows(html, "agreed-lowest")] == ["B1", "A1", "B2"]


def test_no_agreed_section_before_the_agreed_result_is_finalised(client, fw):
    login(client, fw.national)
    html = get(client, facility_url(fw, fw.facility_c))
    assert 'id="agreed-red-flags"' not in html and 'id="agreed-lowest"' not in html


def test_comparison_pdf_shows_the_agreed_red_flags(client, fw):
    login(client, fw.national)
    content = pdf_text(client.get(facility_url(fw, fw.facility_a, ".pdf") + "?lang=en"))
    assert "Red flags of the agreed result: critical indicators at or below their red-flag level" in content
    assert f"{B1} Lowest indicators of the agreed result" in content  # the flag, then the lowest list
    assert f"{B1} (red flag) 0" in content


def test_peer_results_page_shows_the_agreed_red_flags(client, fw):
    login(client, fw.national)
    html = get(client, f"/peer/results/{fw.facility_a.id}/{fw.round.id}")
    assert B1 in section(html, "agreed-red-flags")
    assert rows(html, "agreed-lowest")[0] == f"{B1} red flag 0"
    assert "red flag in the agreed result" in html  # B1's row in the area B table


def test_national_table_has_a_sortable_red_flag_column_of_the_agreed_result(client, fw, cw_b_agreed):
    login(client, fw.national)
    table = rows(get(client, national_url(fw)), "national-table")
    assert table == ["RC-B · Trung tâm tiếp nhận B Lao Cai 33.3% 100.0% 66.7% 0",
                     "SH-A · Nhà tạm lánh A Ha Noi 66.7% 33.3% 50.0% 1 (B1)",
                     "SH-C · Nhà tạm lánh C Ha Noi no agreed result"]  # C's self red flag is not shown here
    order = lambda query: [r.split(" ")[0] for r in rows(get(client, national_url(fw, query)), "national-table")]
    assert order("sort=red-flags&order=desc") == ["SH-A", "RC-B", "SH-C"]
    assert order("sort=red-flags") == ["RC-B", "SH-A", "SH-C"]  # no result always last
    html = get(client, national_url(fw, "sort=red-flags&order=desc"))
    assert re.search(r'aria-sort="descending">\s*<a [^>]*>Red flags', html)


@pytest.fixture
def cw_b_agreed(fw):
    """Facility B with an agreed result and no red flag (the AGREED_B of comparisons_fixtures)."""
    scored(fw, fw.national, fw.facility_b, fw.round, AssessmentKind.AGREED, {"A1": 1, "A2": 1, "B1": 3, "B2": 3})
    db.session.commit()
    return fw


def test_national_pdf_has_the_red_flag_column(client, fw):
    login(client, fw.national)
    content = pdf_text(client.get(national_url(fw, "lang=en", pdf=True)))
    assert "Overall Red flags" in content and "SH-A – Nhà tạm lánh A Ha Noi 66.7% 33.3% 50.0% 1 (B1)" in content


def test_self_assessment_list_shows_the_agreed_red_flags_and_labels_the_self_ones(client, fw):
    login(client, fw.national)
    html = get(client, "/assessments/")
    assert "Red flags (agreed result)" in html and "Red flags (self-assessment)" in html
    def column(name: str) -> dict[str, str]:
        pattern = rf'<a href="/assessments/\d+">([A-Z]+-[A-Z]) ·.*?data-col="{name}">([^<]*)<'
        return dict(re.findall(pattern, html, flags=re.S))

    agreed, self_ = column("agreed-red-flags"), column("self-red-flags")
    assert agreed == {"SH-A": "1", "SH-C": "–"}  # A: agreed B1 = 0; C: no agreed result
    assert self_ == {"SH-A": "0", "SH-C": "1"}   # A: self B1 = 1; C: self B1 = 0


# -- 2. kappa where it is undefined or withheld ----------------------------------------------

@pytest.fixture
def single_level(world):
    """Facility A: self and North team both scored 2 everywhere in area A (one shared level)."""
    w = world
    w.north = make_team(w.round, "North team", w.manager_b, [w.staff_b], [w.facility_a])
    scored(w, w.manager_a, w.facility_a, w.round, AssessmentKind.SELF, {"A1": 2, "A2": 2, "B1": 1, "B2": 3})
    scored(w, w.manager_b, w.facility_a, w.round, AssessmentKind.PEER, {"A1": 2, "A2": 2, "B1": 1, "B2": 2},
           team=w.north)
    db.session.commit()
    return w


def test_kappa_of_a_single_shared_level_is_a_dash_with_tooltip_and_footnote(client, single_level):
    login(client, single_level.national)
    html = get(client, facility_url(single_level, single_level.facility_a))
    table = rows(html, "agreement-0")
    # all: (2,2) (2,2) (1,1) (3,2): exact 3/4; r = (0,1,2,1), c = (0,1,3,0), observed sum d2*C = 1,
    # expected sum r_i c_j d2 = 1*3 + 2*1 + 1*(4 + 3) = 12 -> kappa 1 - 4*1/12 = 0.67
    assert table[0] == "All indicators 75.0% 100.0% 0.67 4 pairs, 0 excluded as N/A"
    # area A: (2,2) (2,2): both raters used level 2 only -> undefined, not 1.00
    assert table[1] == "A. Facilities 100.0% 100.0% – * 2 pairs, 0 excluded as N/A"
    assert 'title="undefined: both raters used the same single level"' in html
    assert 'href="#kappa-note-single_level"' in html
    assert "* Weighted kappa undefined: both raters used the same single level" in text(html)
    assert 'id="kappa-note-single_level"' in html


def test_kappa_footnote_in_the_comparison_pdf(client, single_level):
    login(client, single_level.national)
    content = pdf_text(client.get(facility_url(single_level, single_level.facility_a, ".pdf") + "?lang=en"))
    assert "100.0% 100.0% –* 2 pairs" in content
    assert "* Weighted kappa undefined: both raters used the same single level" in content


def test_national_kappa_with_no_pairs_says_so(client, world):
    scored(world, world.manager_a, world.facility_a, world.round, AssessmentKind.SELF, SELF_A)
    db.session.commit()
    login(client, world.national)
    html = get(client, national_url(world))
    assert rows(html, "indicator-agreement")[0] == "A1 Private, safe bedrooms – – – † 0 pairs, 0 excluded as N/A"
    assert "weighted kappa – †" in text(html)  # the all-indicators sentence
    assert 'title="undefined: no pairs scored by both"' in html
    assert "† Weighted kappa undefined: no pairs scored by both" in text(html)


def test_per_indicator_kappa_needs_the_configured_minimum_of_pairs(client, cw, app):
    assert app.config["KAPPA_MIN_PAIRS"] == 5  # the shipped default (tests do not set it)
    login(client, cw.national)
    html = get(client, national_url(cw))
    # every indicator has 3 self/peer pairs (facilities A, B, C) < 5: no value, a footnote instead
    assert rows(html, "indicator-agreement")[0] == "A1 Private, safe bedrooms 0.0% 0.0% – ‡ 3 pairs, 0 excluded as N/A"
    assert "‡ Weighted kappa not shown: fewer than 5 pairs" in text(html)
    assert 'title="not shown: fewer than 5 pairs"' in html
    assert "-0.55" not in html
    # the all-indicators figure is not per indicator: 11 pairs, shown
    assert re.search(r"weighted kappa -?\d\.\d\d \(11 pairs", text(html))


def test_kappa_minimum_is_configurable(client, cw, app, monkeypatch):
    monkeypatch.setitem(app.config, "KAPPA_MIN_PAIRS", 3)
    login(client, cw.national)
    html = get(client, national_url(cw))
    assert rows(html, "indicator-agreement")[0] == ("A1 Private, safe bedrooms 0.0% 0.0% -0.55 3 pairs, "
                                                    "0 excluded as N/A")
    assert "An indicator's weighted kappa is shown only from 3 pairs scored by both." in text(html)


# -- 3. anonymised mode singles out no facility -------------------------------------------------

PROVINCE_NAMES = ("Ha Noi", "Lao Cai", "Hà Nội", "Lào Cai")


def test_anonymised_mode_merges_small_provinces_into_other_provinces(client, cw):
    # Ha Noi: A (result) and C (none) -> 1 with a result; Lao Cai: B -> 1. Both fewer than 3.
    login(client, cw.national)
    html = get(client, national_url(cw, "anonymised=1"))
    for name in PROVINCE_NAMES:
        assert name not in html
    assert [r.split(" ", 1)[1].startswith("Other provinces") for r in rows(html, "national-table")] == [True] * 3
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html)
    assert options == [("", "All provinces"), ("other", "Other provinces")]


def test_anonymised_filter_by_a_small_province_shows_the_whole_other_group(client, cw):
    login(client, cw.national)
    lca = province("VN-LCA")
    html = get(client, national_url(cw, f"anonymised=1&province={lca.id}"))
    for name in PROVINCE_NAMES:
        assert name not in html
    assert "Other provinces" in section(html, "national-table").split("Facility")[0]  # the caption
    assert len(rows(html, "national-table")) == 3  # not just B: the group, never one small province
    assert re.search(r'<option value="other"\s+selected>', html)
    content = pdf_text(client.get(national_url(cw, f"anonymised=1&province={lca.id}&lang=en", pdf=True)))
    for name in PROVINCE_NAMES:
        assert name not in content
    assert "Province: Other provinces" in content


def add_agreed_facility(w, code: str, name: str, province_code: str):
    facility = save_facility(db.session, FacilityInput(code, name, "shelter", province(province_code).id, 12, True,
                                                       "", ""))
    scored(w, w.national, facility, w.round, AssessmentKind.AGREED, {"A1": 3, "A2": 3, "B1": 3, "B2": 3})
    return facility


@pytest.fixture
def big_hanoi(cw):
    """Ha Noi: A, D and E with an agreed result (C without): 3, named. Lao Cai: B and G (2), Hai Phong: F (1):
    merged into "Other provinces", a group of 3 facilities with a result."""
    add_agreed_facility(cw, "SH-D", "Nhà tạm lánh D", "VN-HN")
    add_agreed_facility(cw, "SH-E", "Nhà tạm lánh E", "VN-HN")
    add_agreed_facility(cw, "SH-F", "Nhà tạm lánh F", "VN-HP")
    add_agreed_facility(cw, "SH-G", "Nhà tạm lánh G", "VN-LCA")
    db.session.commit()
    return cw


def test_anonymised_mode_names_a_province_with_three_facilities_with_results(client, big_hanoi):
    login(client, big_hanoi.national)
    html = get(client, national_url(big_hanoi, "anonymised=1"))
    table = rows(html, "national-table")
    assert sum(" Ha Noi " in r for r in table) == 4  # A, C, D, E (C has no result yet)
    assert sum(" Other provinces " in r for r in table) == 3  # B, G (Lao Cai), F (Hai Phong)
    assert "Lao Cai" not in html and "Hai Phong" not in html
    hn = province("VN-HN")
    assert re.findall(r'<option value="([^"]*)"', html) == ["", str(hn.id), "other"]
    other = rows(get(client, national_url(big_hanoi, "anonymised=1&province=other")), "national-table")
    assert len(other) == 3 and sum("33.3% 100.0% 66.7%" in r for r in other) == 1  # B's agreed result among them
    named = get(client, national_url(big_hanoi, f"anonymised=1&province={hn.id}"))
    assert len(rows(named, "national-table")) == 4
    assert "Ha Noi" in section(named, "national-table").split("Facility")[0]  # the caption
    content = pdf_text(client.get(national_url(big_hanoi, "anonymised=1&lang=en", pdf=True)))
    assert "Ha Noi" in content and "Other provinces" in content
    assert "Lao Cai" not in content and "Hai Phong" not in content


def test_a_big_province_is_not_named_when_that_would_leave_one_facility_in_other_provinces(client, cw):
    # Ha Noi reaches 3 with a result (A, D, E), but Lao Cai's B would then be alone in "Other provinces"
    add_agreed_facility(cw, "SH-D", "Nhà tạm lánh D", "VN-HN")
    add_agreed_facility(cw, "SH-E", "Nhà tạm lánh E", "VN-HN")
    db.session.commit()
    login(client, cw.national)
    html = get(client, national_url(cw, "anonymised=1"))
    for name in PROVINCE_NAMES:
        assert name not in html
    assert all(" Other provinces " in r for r in rows(html, "national-table"))


def test_not_anonymised_lists_every_province(client, cw):
    login(client, cw.national)
    html = get(client, national_url(cw))
    assert "Other provinces" not in html
    assert [label for _value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html)] == [
        "All provinces", "Ha Noi", "Lao Cai"]
    # "other" means nothing outside anonymised mode: every facility is listed
    assert len(rows(get(client, national_url(cw, "province=other")), "national-table")) == 3


def test_anonymised_output_has_no_type_capacity_or_visit_date(client, cw):
    visit = dt.date(2027, 3, 14)
    for assignment in db.session.scalars(db.select(TeamAssignment)):
        assignment.planned_visit_on = visit
    db.session.commit()
    login(client, cw.national)
    html = get(client, national_url(cw, "anonymised=1"))
    content = pdf_text(client.get(national_url(cw, "anonymised=1&lang=en", pdf=True)))
    for output in (text(html), content):
        for hidden in FACILITY_TEXTS + PROVINCE_NAMES:
            assert hidden not in output
        assert not re.search(r"\bShelter\b|Reception centre|Capacity", output)
        assert not re.search(r"2027-03-14|14/03/2027|3/14/27|Mar 14, 2027|14 Mar", output)
    for row in rows(html, "national-table"):  # code, group, A, B, overall, flags: no capacity (30, 20, 15)
        assert not re.search(r"\b(30|20|15)\b", row)
    assert "types, capacities and visit dates are hidden" in html
    assert "Provinces with fewer than 3 facilities with a result are shown together" in html


# -- 4. translated PDF metadata titles --------------------------------------------------------

def test_pdf_metadata_titles_are_translated(client_vi, cw):
    login(client_vi, cw.national)
    comparison = pdf_reader(client_vi.get(facility_url(cw, cw.facility_a, ".pdf")))
    assert comparison.metadata.title == ("Tự đánh giá, đánh giá đồng cấp và điểm thống nhất: SH-A, "
                                         "2027 national round")
    national = pdf_reader(client_vi.get(national_url(cw, pdf=True)))
    assert national.metadata.title == "So sánh toàn quốc: 2027 national round"


def test_pdf_metadata_titles_in_english(client, cw):
    login(client, cw.national)
    assert pdf_reader(client.get(facility_url(cw, cw.facility_a, ".pdf"))).metadata.title == (
        "Self vs peer vs agreed: SH-A, 2027 national round")
    national = pdf_reader(client.get(national_url(cw, pdf=True)))
    assert national.metadata.title == "National comparison: 2027 national round"
