"""CSV and XLSX exports of assessment results (issue 13): the national list of self, peer and
agreed results (every row of the page's filters) and one self-assessment's results page. Each
export is parsed back with ``csv`` / openpyxl and compared with the page's figures; text that
looks like a formula is neutralised; the CSV is streamed; the download is in the audit trail;
another facility's results are a 404. Scenario: tests/comparisons_fixtures.py (A, B, C)."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from shelterassess.assessments.models import Assessment, AssessmentKind
from shelterassess.audit.models import AuditEvent
from shelterassess.extensions import db
from tests.comparisons_fixtures import comparison_world
from tests.conftest import login
from tests.web.test_comparisons import get, rows, text

HYPERLINK = '=HYPERLINK("http://evil.example","click")'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def cw(world):
    return comparison_world(world)


# -- helpers shared by the other test_exports_* files -------------------------------------------

def csv_of(client, url: str) -> list[list[str]]:
    """The CSV download parsed back (BOM checked, streamed checked)."""
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/csv" and response.is_streamed
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    data = response.get_data()
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_of(client, url: str) -> list[list]:
    """The XLSX download's first sheet as values (no cell is a formula)."""
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == XLSX
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def same_cell(csv_cell: str, value) -> bool:
    """A CSV cell and the XLSX cell at the same place hold the same thing (numbers as numbers)."""
    if value is None:
        return csv_cell == ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return csv_cell != "" and abs(float(csv_cell) - value) < 1e-9
    if hasattr(value, "isoformat"):
        return csv_cell == value.date().isoformat() if hasattr(value, "date") else csv_cell == value.isoformat()
    return csv_cell == str(value)


def same_cells(csv_rows: list[list[str]], xlsx_rows: list[list]) -> None:
    assert csv_rows[0] == xlsx_rows[0]
    assert len(csv_rows) == len(xlsx_rows)
    for csv_row, xlsx_row in zip(csv_rows[1:], xlsx_rows[1:]):
        assert len(csv_row) == len(xlsx_row) and all(map(same_cell, csv_row, xlsx_row)), (csv_row, xlsx_row)


def page_pct(cell: str) -> str:
    """ "66.7%" (English page) -> "66.7"; "–" -> "" """
    return "" if cell.strip() in ("–", "") else cell.replace("%", "").replace(",", "").strip()


# -- the national list --------------------------------------------------------------------------

def test_self_results_equal_the_page(client, cw):
    login(client, cw.national)
    page = get(client, "/assessments/")
    table = re.search(r"<tbody>(.*?)</tbody>", page, flags=re.S).group(1)
    page_rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        cells = [text(td) for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
        page_rows[cells[0].split(" · ")[0]] = cells
    data = csv_of(client, "/assessments/export.csv")
    header = data[0]
    assert header == ["Facility code", "Facility name", "Province", "Round", "Status", "A (%)", "B (%)",
                      "Overall (%)", "Red flags"]
    assert {r[0] for r in data[1:]} == set(page_rows) == {"SH-A", "RC-B", "SH-C"}
    for code, name, province, round_name, status, _a, _b, overall, flags in data[1:]:
        cells = page_rows[code]
        assert cells[0] == f"{code} · {name}" and cells[1] == province and cells[2] == round_name
        assert cells[3] == status and page_pct(cells[5]) == overall and cells[7] == (flags or "–")
    same_cells(data, xlsx_of(client, "/assessments/export.xlsx"))


def test_area_figures_are_the_stored_percentages(client, cw):
    """Agreed results of A and B: the hand-computed figures of the fixtures (C has none)."""
    login(client, cw.national)
    data = csv_of(client, f"/assessments/export.csv?kind=agreed&round={cw.round.id}")
    assert data[0][5:8] == [f"A. {cw.sheet.areas[0].title_en} (%)", f"B. {cw.sheet.areas[1].title_en} (%)",
                            "Overall (%)"]
    by_code = {r[0]: r for r in data[1:]}
    assert set(by_code) == {"SH-A", "RC-B"}
    assert by_code["SH-A"][5:8] == ["66.7", "50.0", "58.3"]
    assert by_code["RC-B"][5:8] == ["33.3", "100.0", "66.7"]
    for row in data[1:]:  # equal to the stored area results, rounded as the pages round them
        agreed = db.session.scalar(db.select(Assessment).join(Assessment.facility).where(
            Assessment.kind == "agreed", Assessment.facility.has(code=row[0])))
        assert [f"{r.percentage:.1f}" for r in agreed.area_results] == row[5:7]


def test_peer_results_name_the_team(client, cw):
    login(client, cw.national)
    data = csv_of(client, "/assessments/export.csv?kind=peer")
    assert data[0][4] == "Team"
    assert sorted((r[0], r[4]) for r in data[1:]) == [("RC-B", "South team"), ("SH-A", "North team"),
                                                       ("SH-C", "West team")]
    peer_a = next(r for r in data[1:] if r[0] == "SH-A")
    assert peer_a[6:9] == ["50.0", "50.0", "50.0"]  # PEER_A: A1 1, A2 2 -> 3/6; B1 1, B2 2 -> 3/6
    same_cells(data, xlsx_of(client, "/assessments/export.xlsx?kind=peer"))


def test_filters_of_the_page_apply_and_bad_ones_are_ignored(client, cw):
    login(client, cw.national)
    cw.self_c.status = "draft"
    db.session.commit()
    drafts = csv_of(client, "/assessments/export.csv?status=draft")
    assert [r[0] for r in drafts[1:]] == ["SH-C"] and drafts[1][-1] == ""  # no red flags for a draft
    assert len(csv_of(client, "/assessments/export.csv?status=bogus&kind=nonsense&round=x")) == 4
    assert len(csv_of(client, "/assessments/export.csv?round=999999")) == 1  # header only


def test_a_facility_name_like_a_formula_is_neutralised(client, cw):
    cw.facility_a.name = HYPERLINK
    cw.facility_b.name = "+1+1 Trung tâm"
    db.session.commit()
    login(client, cw.national)
    data = csv_of(client, "/assessments/export.csv")
    names = {r[0]: r[1] for r in data[1:]}
    assert names["SH-A"] == "'" + HYPERLINK and names["RC-B"] == "'+1+1 Trung tâm"
    sheet = xlsx_of(client, "/assessments/export.xlsx")
    assert {r[0]: r[1] for r in sheet[1:]}["SH-A"] == "'" + HYPERLINK


def test_only_the_national_team_downloads_the_list(client, cw):
    login(client, cw.manager_a)
    assert client.get("/assessments/export.csv").status_code == 403
    assert client.get("/assessments/export.xlsx?kind=agreed").status_code == 403


def test_the_page_links_its_downloads_with_its_filters(client, cw):
    login(client, cw.national)
    page = get(client, f"/assessments/?round={cw.round.id}&status=submitted")
    for kind in ("self", "peer", "agreed"):
        for ext in ("csv", "xlsx"):
            assert re.search(rf'href="/assessments/export\.{ext}\?[^"]*kind={kind}', page)
    assert f"round={cw.round.id}" in page.split("export.csv")[1][:80]


# -- one facility's results ------------------------------------------------------------------

def results_url(assessment: Assessment, ext: str) -> str:
    return f"/assessments/{assessment.id}/results.{ext}"


def test_results_equal_the_results_page(client, cw):
    login(client, cw.staff_a)
    page = get(client, f"/assessments/{cw.self_a.id}/results")
    areas = {}
    for line in rows(page, "area-table"):
        match = re.match(r"(\w+)\. .*? ([\d.]+%|–) \d+ / \d+$", line)
        areas[match.group(1)] = page_pct(match.group(2))
    overall = page_pct(re.search(r'id="overall">([^<]*)<', page).group(1))
    data = csv_of(client, results_url(cw.self_a, "csv"))
    assert data[0] == ["Area code", "Area", "Area score (%)", "Indicator code", "Indicator", "Score", "N/A",
                       "Red flag", "Note"]
    assert {r[0]: r[2] for r in data[1:-1]} == areas
    assert data[-1][1:3] == ["Overall score", overall]
    scores = {r[3]: (r[5], r[6]) for r in data[1:-1]}
    assert scores == {"A1": ("3", ""), "A2": ("", "Yes"), "B1": ("1", ""), "B2": ("3", "")}  # SELF_A
    same_cells(data, xlsx_of(client, results_url(cw.self_a, "xlsx")))


def test_a_note_like_a_formula_is_neutralised(client, cw):
    from shelterassess.assessments.models import Score

    for score, note in zip(db.session.scalars(db.select(Score).where(Score.assessment_id == cw.self_a.id)
                                              .order_by(Score.id)), ("=1+1", "-2 cửa", "@SUM(A1)", "ok")):
        score.note = note
    db.session.commit()
    login(client, cw.manager_a)
    notes = sorted(r[8] for r in csv_of(client, results_url(cw.self_a, "csv"))[1:-1])
    assert notes == sorted(["'=1+1", "'-2 cửa", "'@SUM(A1)", "ok"])
    notes_xlsx = sorted(r[8] for r in xlsx_of(client, results_url(cw.self_a, "xlsx"))[1:-1])
    assert notes_xlsx == notes


def test_a_note_with_a_control_character_still_exports(client, cw):
    """A vertical tab pasted from a word processor: the CSV keeps it, the XLSX (which cannot hold
    it) shows a space; never a 500."""
    from shelterassess.assessments.models import Score

    score = db.session.scalars(db.select(Score).where(Score.assessment_id == cw.self_a.id).order_by(Score.id)).first()
    score.note = "Phòng ngủ\x0bcó khóa\x01"
    db.session.commit()
    login(client, cw.manager_a)
    assert "Phòng ngủ\x0bcó khóa\x01" in [r[8] for r in csv_of(client, results_url(cw.self_a, "csv"))]
    assert "Phòng ngủ có khóa " in [r[8] for r in xlsx_of(client, results_url(cw.self_a, "xlsx"))]


def test_another_facility_gets_404_and_the_national_team_200(client, cw):
    login(client, cw.staff_b)
    assert client.get(results_url(cw.self_a, "csv")).status_code == 404
    assert client.get(results_url(cw.self_a, "xlsx")).status_code == 404
    assert client.get("/assessments/999999/results.csv").status_code == 404
    client.post("/logout")
    login(client, cw.national)
    assert client.get(results_url(cw.self_a, "xlsx")).status_code == 200


def test_results_page_links_its_downloads(client, cw):
    login(client, cw.staff_a)
    page = get(client, f"/assessments/{cw.self_a.id}/results")
    assert f'href="{results_url(cw.self_a, "csv")}"' in page and f'href="{results_url(cw.self_a, "xlsx")}"' in page


def test_downloads_are_in_the_audit_trail(client, cw):
    login(client, cw.staff_a)
    client.get(results_url(cw.self_a, "csv")).get_data()
    client.get(results_url(cw.self_a, "xlsx")).get_data()
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "export",
                                                            AuditEvent.user_id == cw.staff_a.id)).all()
    assert sorted(e.detail.split()[0] for e in events) == ["csv", "xlsx"]
    assert {(e.object_type, e.object_id) for e in events} == {("assessment", cw.self_a.id)}
    assert all(e.endpoint.startswith("assessments.results_") for e in events)
    assert AssessmentKind.SELF.value == cw.self_a.kind
