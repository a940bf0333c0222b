"""CSV and XLSX exports of the national table: every row of the page's filter and sort, the
page's figures, formulas neutralised, no names when anonymised, the CSV streamed, the
download in the audit trail. Scenario: tests/comparisons_fixtures.py (A, B with agreed results, C without)."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from shelterassess.audit.models import AuditEvent
from shelterassess.extensions import db
from shelterassess.facilities.models import Province
from shelterassess.exports import neutralise
from tests.comparisons_fixtures import comparison_world
from tests.conftest import login
from tests.web.test_comparisons import FACILITY_TEXTS, get, rows

HYPERLINK = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def cw(world):
    return comparison_world(world)


def url(w, suffix: str = "", query: str = "") -> str:
    return f"/comparisons/rounds/{w.round.id}/national{suffix}{'?' + query if query else ''}"


def csv_rows(client, w, query: str = "") -> list[list[str]]:
    response = client.get(url(w, ".csv", query))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    data = response.get_data()
    assert data.startswith("\ufeff".encode())  # BOM: spreadsheet programs read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(client, w, query: str = "") -> list[list]:
    response = client.get(url(w, ".xlsx", query))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value  # never a formula
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def as_page_line(cells: list, anonymised: bool = False) -> str:
    """A CSV/XLSX data row written the way the page's table row reads (tests/web/test_comparisons.rows)."""
    cells = ["" if c is None else c for c in cells]
    if anonymised:
        code, province, *rest = cells
        head = f"{code} {province}"
    else:
        code, name, province, *rest = cells
        head = f"{code} · {name} {province}"
    *percentages, flags, flag_codes = rest
    if flags == "":
        return f"{head} no agreed result"
    figures = " ".join(f"{float(v):.1f}%" if v != "" else "–" for v in percentages)
    return f"{head} {figures} {flags}{f' ({flag_codes})' if flag_codes else ''}"


def page_lines(client, w, query: str = "") -> list[str]:
    return rows(get(client, url(w, "", query)), "national-table")


QUERIES = ("", "sort=area-A&order=desc", "sort=overall", "sort=red-flags&order=desc", "sort=province&order=desc")


@pytest.mark.parametrize("query", QUERIES)
def test_csv_has_the_rows_and_figures_of_the_page(client, cw, query):
    login(client, cw.national)
    header, *data = csv_rows(client, cw, query)
    assert header == ["Facility code", "Facility name", "Province", "A. Facilities (%)", "B. Confidentiality (%)",
                      "Overall (%)", "Red flags", "Red-flag indicators"]
    assert [as_page_line(r) for r in data] == page_lines(client, cw, query)


@pytest.mark.parametrize("query", QUERIES)
def test_xlsx_has_the_rows_and_figures_of_the_page(client, cw, query):
    login(client, cw.national)
    header, *data = xlsx_rows(client, cw, query)
    assert header[0] == "Facility code" and header[-1] == "Red-flag indicators"
    assert [as_page_line(r) for r in data] == page_lines(client, cw, query)
    b = next(r for r in data if r[0] == "RC-B")
    assert b[3:7] == [33.3, 100.0, 66.7, 0]  # numbers, rounded as shown, not text


def test_exports_hold_every_row_not_only_the_page(client, cw, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    login(client, cw.national)
    shown = page_lines(client, cw, "sort=overall&order=desc") + page_lines(client, cw, "sort=overall&order=desc&page=2")
    assert len(shown) == 3
    assert [as_page_line(r) for r in csv_rows(client, cw, "sort=overall&order=desc&page=2")[1:]] == shown
    assert [as_page_line(r) for r in xlsx_rows(client, cw, "sort=overall&order=desc")[1:]] == shown


def test_province_filter_applies_to_the_exports(client, cw):
    login(client, cw.national)
    lca = db.session.scalar(db.select(Province).where(Province.code == "VN-LCA"))
    assert [r[0] for r in csv_rows(client, cw, f"province={lca.id}")[1:]] == ["RC-B"]
    assert [r[0] for r in xlsx_rows(client, cw, f"province={lca.id}")[1:]] == ["RC-B"]


def test_a_name_that_looks_like_a_formula_is_neutralised(client, cw):
    cw.facility_a.name = HYPERLINK
    db.session.commit()
    login(client, cw.national)
    names = [r[1] for r in csv_rows(client, cw)[1:]]
    assert "'" + HYPERLINK in names and HYPERLINK not in names
    names = [r[1] for r in xlsx_rows(client, cw)[1:]]
    assert "'" + HYPERLINK in names and HYPERLINK not in names


def test_neutralise_follows_the_owasp_rule():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise("Nhà tạm lánh =") == "Nhà tạm lánh =" and neutralise(-5) == -5 and neutralise(None) is None


def test_anonymised_exports_have_no_names_and_the_page_codes(client, cw):
    login(client, cw.national)
    page = page_lines(client, cw, "anonymised=1&sort=overall")
    data = csv_rows(client, cw, "anonymised=1&sort=overall")
    assert "Facility name" not in data[0]
    assert [as_page_line(r, anonymised=True) for r in data[1:]] == page
    sheet = xlsx_rows(client, cw, "anonymised=1&sort=overall")
    assert [as_page_line(r, anonymised=True) for r in sheet[1:]] == page
    everything = repr(data) + repr(sheet)
    for hidden in FACILITY_TEXTS:
        assert hidden not in everything
    assert sorted(r[0] for r in data[1:]) == ["F-01", "F-02", "F-03"]


def test_the_csv_is_streamed_and_named(client, cw):
    login(client, cw.national)
    response = client.get(url(cw, ".csv", "anonymised=1"))
    assert response.is_streamed
    response.get_data()  # read to its end: the stream closes inside this request's context
    assert response.headers["Content-Disposition"] == f'attachment; filename="national-round{cw.round.id}-anonymised.csv"'
    response = client.get(url(cw, ".xlsx"))
    assert f"filename=national-round{cw.round.id}.xlsx" in response.headers["Content-Disposition"]


def test_downloads_are_in_the_audit_trail(client, cw):
    login(client, cw.national)
    for suffix in (".csv", ".xlsx"):
        client.get(url(cw, suffix)).get_data()
    db.session.expire_all()
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "export",
                                                            AuditEvent.user_id == cw.national.id)).all()
    details = sorted(e.detail for e in events)
    assert details == [f"csv round_id={cw.round.id}", f"xlsx round_id={cw.round.id}"]
    assert {e.object_type for e in events} == {"round"}


def test_the_audit_row_says_which_rows_and_whether_names_left(client, cw):
    login(client, cw.national)
    client.get(url(cw, ".csv", "anonymised=1&sort=overall&order=desc&note=free+text")).get_data()
    db.session.expire_all()
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.detail == f"csv round_id={cw.round.id} anonymised=1 sort=overall order=desc"


def test_bad_parameters_give_the_default_table(client, cw):
    login(client, cw.national)
    default = csv_rows(client, cw)
    assert csv_rows(client, cw, "sort=%3Dnonsense&order=sideways&page=-3&anonymised=yes") == default
    assert csv_rows(client, cw, "province=abc") == default
    assert csv_rows(client, cw, "province=999999")[1:] == []  # an unknown province matches nothing
    assert client.get("/comparisons/rounds/999999/national.csv").status_code == 404
    assert client.get("/comparisons/rounds/999999/national.xlsx").status_code == 404
