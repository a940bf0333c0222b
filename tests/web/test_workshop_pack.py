"""The national workshop pack through HTTP: its figures, parsed back from the PDF (pypdf) and the
workbook (openpyxl), equal those of the pages they come from; anonymised, neither format leaks a
facility or a small province; Vietnamese renders; workbook cells are numbers, and text that could
run as a formula is neutralised. Scenario and hand computations: tests/workshop_fixtures.py."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from shelterassess.extensions import db
from tests.conftest import login
from tests.web.test_comparisons import get, pdf_text, rows, section, text
from tests.workshop_fixtures import CODES, NAMES, approved_allocation, pack_url, pack_world

PROVINCE_NAMES = ("Hà Nội", "Lào Cai", "Ha Noi", "Lao Cai")


@pytest.fixture
def pw(world):
    approved_allocation(pack_world(world))
    return world


def workbook(client, w, query: str):
    response = client.get(pack_url(w, "/pack.xlsx", query))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.get_data()))


def sheet_rows(wb, title: str) -> list[tuple]:
    return [tuple(row) for row in wb[title].iter_rows(min_row=2, values_only=True) if any(v is not None for v in row)]


def by_first(wb, title: str) -> dict:
    return {row[0]: row[1:] for row in sheet_rows(wb, title)}


def pct(value: float) -> str:
    """A workbook percentage as the English pages print it."""
    return f"{value:.1f}%"


def vnd(value: int) -> str:
    """Money as the English pack prints it (Babel's currency format, decision 33)."""
    return f"₫{value:,}"


def as_pack_money(page_text: str) -> str:
    """The compliance page prints "5,000,000 ₫"; the pack prints money as the app does elsewhere."""
    return re.sub(r"([\d,]+) ₫", r"₫\1", page_text)


def all_strings(wb) -> str:
    return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None)


# -- the figures equal the pages --------------------------------------------------------------

def test_results_and_agreement_equal_the_national_page(client, pw):
    login(client, pw.national)
    page = get(client, f"/comparisons/rounds/{pw.round.id}/national")
    pdf = pdf_text(client.get(pack_url(pw, "/pack.pdf", "lang=en")))
    wb = workbook(client, pw, "lang=en")
    means = by_first(wb, "National results by area")
    hand = {"A. Facilities": ("58.3%", "41.7%"), "B. Confidentiality": ("83.3%", "66.7%")}
    for line in rows(page, "mean-table"):  # "A. Facilities 50.0% 2"
        label, agreed, n = re.fullmatch(r"(.+) (\S+%) (\d+)", line).groups()
        own, _n1, peer, _n2, mean, count = means[label]
        assert (pct(own), pct(peer), pct(mean), count) == (*hand[label], agreed, int(n))
        assert f"{label} {hand[label][0]} 2 {hand[label][1]} 2 {agreed} {n}" in pdf
    assert [pct(v) for v in means["Overall score"][0:6:2]] == ["70.8%", "54.2%", "58.3%"]
    assert "Overall score 70.8% 2 54.2% 2 58.3% 2" in pdf

    facilities = {row[0]: row for row in sheet_rows(wb, "Agreed results by facility")}
    for line in rows(page, "national-table"):  # "SH-A · Nhà tạm lánh A Ha Noi 66.7% 83.3% 75.0% 0"
        code = line.split(" ")[0]
        _code, name, province, *figures, codes = facilities[code]
        assert line.startswith(f"{code} · {name} {province} ")
        if "no agreed result" in line:
            assert figures == ["–"] * 4 and f"{code} – {name} {province} no agreed result" in pdf
            continue
        shown = " ".join([*(pct(v) for v in figures[:3]), str(figures[3])]) + (f" ({codes})" if codes else "")
        assert line.endswith(shown)
        assert f"{code} – {name} {province} {shown}" in pdf

    overall = re.search(r"All indicators: exact agreement (\S+), within one point (\S+), weighted kappa (\S+) "
                        r"\((\d+) pairs, (\d+) excluded as N/A\)", text(page)).groups()
    assert overall == ("57.1%", "57.1%", "0.25", "7", "1")
    exact, within, kappa, n, na, _note = by_first(wb, "Rater agreement")["All indicators"]
    assert (pct(exact), pct(within), f"{kappa:.2f}", str(n), str(na)) == overall
    assert "All indicators 57.1% 57.1% 0.25 7 1" in pdf


def test_gaps_red_flags_and_lessons(client, pw):
    login(client, pw.national)
    pdf = pdf_text(client.get(pack_url(pw, "/pack.pdf", "lang=en")))
    wb = workbook(client, pw, "lang=en")
    # the gaps the facility comparison pages flag, counted: A1 at A (+2) and B (-2), B1 at B (+2)
    for facility, flagged in ((pw.facility_a, ["A1"]), (pw.facility_b, ["A1", "B1"])):
        page = get(client, f"/comparisons/facilities/{facility.id}/rounds/{pw.round.id}")
        assert [r.split(" ")[0] for r in rows(page, "flagged")] == flagged
    assert sheet_rows(wb, "Most common gaps") == [("A1 Private, safe bedrooms", 2, 2, 1, 1),
                                                  ("B1 Files carry a code, not a name", 2, 1, 1, 0)]
    assert "A1 Private, safe bedrooms 2 2 1 1 B1 Files carry a code, not a name 2 1 1 0" in pdf
    # red flags: those of the national page's rows ("1 (B1)" for RC-B)
    assert sheet_rows(wb, "Red flags") == [("B1 Files carry a code, not a name", 1, "RC-B")]
    assert "B1 Files carry a code, not a name 1 RC-B" in pdf
    # the case library's lesson linked to B1 (confidentiality.coded-files), listed for both reasons
    from shelterassess.cases.queries import case_by_slug, links_for

    (link,) = links_for("confidentiality.coded-files")
    (lesson,) = sheet_rows(wb, "Lessons from the case library")
    assert lesson == ("B1 Files carry a code, not a name", "gap, red flag", case_by_slug(link.case).title["en"],
                      link.lesson["en"])
    assert link.lesson["en"] in pdf


def test_training_needs_and_compliance_equal_their_pages(client, pw):
    login(client, pw.national)
    pdf = pdf_text(client.get(pack_url(pw, "/pack.pdf", "lang=en")))
    wb = workbook(client, pw, "lang=en")
    needs = get(client, "/training-needs/")
    assert rows(needs, "needs-table")[0].startswith("Skill confidentiality 1 1 2 0")
    assert "Capacity-building actions: 2, of which 0 have a training scheduled" in text(needs)
    assert sheet_rows(wb, "Training needs") == [("Skill confidentiality", 1, 1, 2, 0), ("Total", 1, 1, 2, 0)]
    assert wb["Training needs"]["B1"].value == "Ha Noi" and wb["Training needs"]["C1"].value == "Lao Cai"
    assert "Skill confidentiality 1 1 2 0 Total 1 1 2 0" in pdf

    page = get(client, f"/follow-ups/compliance?round={pw.round.id}")
    national = text(re.search(r"<tfoot>(.*?)</tfoot>", page, flags=re.S).group(1))
    assert national == "National total 75.0% 1 / 1 / 0 / 1 +2 5,000,000 ₫ 2,500,000 ₫"
    total = sheet_rows(wb, "Plan compliance")[-1]
    rate, implemented, partly, not_done, not_relevant, points, spent, per_point = total[4:]
    assert (f"National total {pct(rate)} {implemented} / {partly} / {not_done} / {not_relevant} {points:+d} "
            f"{vnd(spent)} {vnd(per_point)}") == as_pack_money(national)
    assert as_pack_money(national).replace(" /", "") in pdf
    facility_row = sheet_rows(wb, "Plan compliance")[0]
    assert facility_row[:3] == ("Ha Noi", "SH-A", "Nhà tạm lánh A")
    assert "SH-A – Nhà tạm lánh A" in pdf and "Province total: Ha Noi 75.0%" in pdf


def test_allocation_equals_the_allocation_page(client, pw):
    login(client, pw.national)
    page = get(client, f"/funding/{pw.funding_round.id}")
    pdf = pdf_text(client.get(pack_url(pw, "/pack.pdf", "lang=en")))
    wb = workbook(client, pw, "lang=en")
    lines = {row[0]: row for row in sheet_rows(wb, "Allocation")}
    labels = ("Capacity building", "Facilities improvement", "Other needs")
    for facility in (pw.facility_a, pw.facility_b):
        block = section(page, f"facility-{facility.id}")  # category, requested, proposed, allocated
        allocated = {c: int(amount.replace(",", "")) for c, amount in
                     re.findall(r"(Capacity building|Facilities improvement|Other needs) ₫[\d,]+ ₫[\d,]+ ₫([\d,]+)",
                                block)}
        code, name, province, *amounts, total, per_point = lines[facility.code]
        assert {c: a for c, a in zip(labels, amounts) if c in allocated} == allocated
        assert sum(amounts) == total == sum(allocated.values())
        shown = f"{code} {name} {province} {' '.join(vnd(a) for a in amounts)} {vnd(total)}"
        assert shown in pdf
        per_point_table = text(re.search(r'id="per-point-h".*?</table>', page, flags=re.S).group(0))
        page_per_point = re.search(rf"{code} ₫([\d,]+) (\S+) (\S+)", per_point_table).groups()
        assert page_per_point[0] == f"{total:,}"
        assert page_per_point[2] == (vnd(per_point) if per_point != "–" else "–")
    assert lines["Total"][3:] == (3_000_000, 7_000_000, 0, 10_000_000, 1_000_000)
    assert lines["SH-A"][-1] == 1_000_000 and lines["RC-B"][-1] == "–"  # 2 points gained at A; no visit at B
    assert sheet_rows(wb, "Funding rounds") == [("Improvement fund 2027", 10_000_000, 10_000_000)]
    assert "Total ₫3,000,000 ₫7,000,000 ₫0 ₫10,000,000 ₫1,000,000" in pdf


def test_participation(client, pw):
    login(client, pw.national)
    wb = workbook(client, pw, "lang=en")
    assert sheet_rows(wb, "Participation") == [("Ha Noi", 2, 1, 1, 1, 1, 1), ("Lao Cai", 1, 1, 1, 1, 1, 0),
                                               ("All provinces", 3, 2, 2, 2, 2, 1)]
    page = get(client, f"/comparisons/rounds/{pw.round.id}/national")
    assert len(rows(page, "national-table")) == 3  # the facilities of the round
    assert "All provinces 3 2 2 2 2 1" in pdf_text(client.get(pack_url(pw, "/pack.pdf", "lang=en")))


# -- anonymised ----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "vi"])
def test_anonymised_pack_leaks_no_facility_or_small_province(client, pw, lang):
    login(client, pw.national)
    pdf = pdf_text(client.get(pack_url(pw, "/pack.pdf", f"anonymised=1&lang={lang}")))
    wb = workbook(client, pw, f"anonymised=1&lang={lang}")
    cells = all_strings(wb)
    visit = pw.visit_a.visited_on
    for secret in (*NAMES, *CODES, *PROVINCE_NAMES, visit.isoformat(), visit.strftime("%b %-d, %Y"), "Team 1"):
        assert secret not in pdf, secret
        assert secret not in cells, secret
    page = get(client, f"/comparisons/rounds/{pw.round.id}/national?anonymised=1")
    codes = sorted(r.split(" ")[0] for r in rows(page, "national-table"))
    assert sorted(r[0] for r in sheet_rows(wb, wb.sheetnames[3])) == codes  # the comparison pages' codes
    assert all(code in pdf for code in codes)
    other = "Other provinces" if lang == "en" else "Tỉnh/thành phố khác"
    assert all(row[0] == other for row in sheet_rows(wb, wb.sheetnames[1])[:-1])


def test_anonymised_compliance_keeps_the_figures(client, pw):
    login(client, pw.national)
    named = sheet_rows(workbook(client, pw, "lang=en"), "Plan compliance")
    anonymous = sheet_rows(workbook(client, pw, "lang=en&anonymised=1"), "Plan compliance")
    assert anonymous[-1][2:] == named[-1][4:]  # national total: no name or visit-date columns
    assert anonymous[0][1].startswith("F-") and anonymous[0][0] == "Other provinces"


# -- languages, workbook cells, formula text -------------------------------------------------------

def test_vietnamese_pdf_renders_diacritics(client, pw):
    login(client, pw.national)
    pdf = pdf_text(client.get(pack_url(pw, "/pack.pdf", "lang=vi")))
    for expected in ("Nhà tạm lánh A", "Hà Nội", "Bảo mật thông tin", "Hồ sơ được mã hóa, không ghi tên",
                     "Tổng toàn quốc", "Nhu cầu tập huấn", "5.000.000 ₫", "75,0%"):
        assert expected in pdf, expected


def test_workbook_cells_are_numbers_with_headers_frozen_and_widths(client, pw):
    login(client, pw.national)
    wb = workbook(client, pw, "lang=vi")
    assert len(wb.sheetnames) == len(set(wb.sheetnames)) >= 10
    for ws in wb.worksheets:
        assert ws.freeze_panes in ("B2", "C2"), ws.title
        assert ws["A1"].font.bold, ws.title
        assert all(ws.column_dimensions[c].width >= 10 for c in "AB"), ws.title
    participation = wb.worksheets[1]
    numbers = [c for row in participation.iter_rows(min_row=2, min_col=2) for c in row if c.value is not None]
    assert numbers and all(c.data_type == "n" and isinstance(c.value, int) for c in numbers)
    money = [c for ws in wb.worksheets for row in ws.iter_rows(min_row=2) for c in row if c.number_format == "#,##0"]
    assert {c.value for c in money} >= {5_000_000, 2_500_000} and all(isinstance(c.value, int) for c in money)


def test_text_that_could_run_as_a_formula_is_neutralised(client, pw):
    from tests.followup_fixtures import skill

    pw.facility_b.name = '=HYPERLINK("http://example.org","x")'
    pw.round.name = "@SUM(1,2)"
    skill().name_en = "+cmd|' /C calc'!A0"
    db.session.commit()
    login(client, pw.national)
    wb = workbook(client, pw, "lang=en")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert "'=HYPERLINK(\"http://example.org\",\"x\")" in texts
    assert "'@SUM(1,2)" in texts and "'+cmd|' /C calc'!A0" in texts
    assert not [t for t in texts if t[:1] in "=+-@"]


# -- the page ---------------------------------------------------------------------------------

def test_the_page_lists_the_contents_and_the_downloads(client, pw):
    login(client, pw.national)
    html = get(client, pack_url(pw))
    contents = section(html, "pack-contents")
    for title in ("Participation", "National results by area", "Rater agreement", "Most common gaps and red flags",
                  "Training needs", "Plan compliance", "Allocation", "Lessons from the case library"):
        assert title in contents
    assert "Facilities taking part: 2 of 3" in contents and "national compliance: 75.0%" in contents
    assert "Approved funding rounds: 1; facilities funded: 2; in total ₫10,000,000" in contents
    for suffix in (".pdf", ".xlsx"):
        for query in ("lang=en", "anonymised=1&amp;lang=en", "lang=vi", "anonymised=1&amp;lang=vi"):
            assert f"/workshop/rounds/{pw.round.id}/pack{suffix}?{query}" in html
    index = get(client, "/comparisons/")
    assert f"/workshop/rounds/{pw.round.id}" in index


def test_only_the_national_team(client, pw):
    for user in (pw.manager_a, pw.staff_b, pw.admin):
        client.post("/logout")
        login(client, user)
        for suffix in ("", "/pack.pdf", "/pack.xlsx"):
            assert client.get(pack_url(pw, suffix)).status_code == 403


# -- sections: the round's training needs; small provinces merged --------------------------------

def test_training_needs_count_the_rounds_plans_only(client, pw):
    from shelterassess.rounds import services as rounds
    from tests import followup_fixtures as ff

    later = rounds.create_round(db.session, "2028 national round", pw.sheet)
    ff.make_plan(pw, facility=pw.facility_c, round_=later, agreed=pw.agreed_b)
    db.session.commit()
    login(client, pw.national)
    assert "Capacity-building actions: 3," in text(get(client, "/training-needs/"))  # every round
    assert sheet_rows(workbook(client, pw, "lang=en"), "Training needs")[-1] == ("Total", 1, 1, 2, 0)
    later_pack = client.get(f"/workshop/rounds/{later.id}/pack.xlsx?lang=en")
    wb = load_workbook(io.BytesIO(later_pack.get_data()))
    assert sheet_rows(wb, "Training needs") == [("Skill confidentiality", 1, 1, 0), ("Total", 1, 1, 0)]


def test_a_named_province_keeps_its_name_and_small_ones_are_merged(app_ctx, pw):
    from shelterassess.comparisons import queries as comparison_queries
    from shelterassess.comparisons.national_data import Provinces
    from shelterassess.workshop import sections

    hanoi, laocai = pw.facility_a.province, pw.facility_b.province
    groups = Provinces({hanoi.id: "Hà Nội", laocai.id: "Lào Cai"}, frozenset({hanoi.id}), "Other provinces")
    training = sections.training_needs(db.session, pw.round.id, groups, "vi")
    assert (training.provinces, training.province_totals) == (("Hà Nội", "Other provinces"), (1, 1))
    every = comparison_queries.round_facilities(db.session, pw.round.id)
    codes = {f.id: f"F-{i}" for i, f in enumerate(every, start=1)}
    table = sections.compliance(db.session, pw.round.id, every, groups, codes, True, "vi")
    (group,) = table.groups
    assert group.name == "Hà Nội" and [r.facility_code for r in group.rows] == [codes[pw.facility_a.id]]
    assert (group.rows[0].facility_name, group.rows[0].visited_on) == ("", None)
    assert group.totals.compliance_pct == table.totals.compliance_pct == 75.0
