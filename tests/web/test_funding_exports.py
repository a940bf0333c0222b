"""The proposal and the approved allocation as CSV and XLSX, parsed back: the exact columns, one row
per facility and category, the same figures as the allocation table, formulas neutralised."""
import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from shelterassess.extensions import db
from shelterassess.funding import exports, queries
from tests import funding_fixtures as ff
from tests.conftest import login

COLUMNS = ["facility_code", "category", "request_vnd", "need_weight", "proposed_vnd", "adjusted_vnd", "reason"]


def _csv(client, fround):
    response = client.get(f"/funding/{fround.id}/allocation.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"funding-{fround.id}-" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def _xlsx(client, fround):
    response = client.get(f"/funding/{fround.id}/allocation.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()], sheet


def test_both_exports_have_the_columns_and_the_figures_of_the_table(client, world):
    fround = ff.proposal(world)
    db.session.commit()
    login(client, world.national)
    rows = _csv(client, fround)
    assert rows[0] == COLUMNS
    assert len(rows) == 1 + 3 * 3  # A, B and C (listed apart), three categories each
    by_key = {(r[0], r[1]): r for r in rows[1:]}
    assert by_key[("SH-A", "capacity_building")] == ["SH-A", "capacity_building", "4000000", "47.5000", "3000000",
                                                     "", ""]
    assert by_key[("RC-C", "facilities_improvement")] == ["RC-C", "facilities_improvement", "2000000", "", "0", "",
                                                          ""]
    table = queries.allocation_table(db.session, fround)
    expected = {(r.code, ln.category): ln.proposed_vnd for r in table.rows for ln in r.lines}
    assert {k: int(v[4]) for k, v in by_key.items() if k[0] != "RC-C"} == expected
    xlsx_rows, _sheet = _xlsx(client, fround)
    assert xlsx_rows[0] == COLUMNS
    assert [[("" if v is None else str(v)) for v in r] for r in xlsx_rows[1:]] == [
        [c.replace("47.5000", "47.5").replace("25.0000", "25") for c in r] for r in rows[1:]]
    assert isinstance(xlsx_rows[1][2], int)


def _reasons(client, fround):
    in_csv = [r[6] for r in _csv(client, fround)[1:] if r[6]]
    xlsx_rows, sheet = _xlsx(client, fround)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    return in_csv, [r[6] for r in xlsx_rows[1:] if r[6]]


def test_cells_that_a_spreadsheet_would_run_are_neutralised(client, world):
    fround = ff.proposal(world)
    db.session.commit()
    login(client, world.national)
    places = [("SH-A", "capacity_building"), ("SH-A", "facilities_improvement"), ("RC-B", "facilities_improvement"),
              ("RC-B", "other")]
    typed = ['=HYPERLINK("http://x")', "+1+1 mua tủ", "-2+3 sửa cửa", "@SUM(A1) chi"]
    for (code, category), reason in zip(places, typed):  # typed into the adjustment form
        line = ff.line(world, code, category)
        response = client.post(f"/funding/{fround.id}/lines/{line.id}/adjust",
                               data={"amount": str(line.amount_vnd), "reason": reason})
        assert response.status_code == 302, response.get_data(as_text=True)
    expected = ["'" + typed[i] for i in (2, 3, 0, 1)]  # rows by facility code (RC-B, SH-A), then category
    assert _reasons(client, fround) == (expected, expected)
    for (code, category), reason in zip(places, ["\tcmd /c calc", "\rcmd /c calc"]):  # the form strips these
        ff.line(world, code, category).reason = reason
    db.session.commit()
    expected = [*expected[:2], "'\tcmd /c calc", "'\rcmd /c calc"]
    in_csv, in_xlsx = _reasons(client, fround)
    assert in_csv == expected
    assert in_xlsx == [e.replace("\r", "\n") for e in expected]  # XML stores a carriage return as a line feed


def test_neutralise():
    assert exports.neutralise("=1+1") == "'=1+1"
    assert exports.neutralise("Mua tủ =") == "Mua tủ ="
    assert exports.neutralise(-5) == -5 and exports.neutralise(None) is None
    assert exports.neutralise(Decimal("1.5")) == Decimal("1.5")


def test_the_approved_allocation_exports_its_adjusted_amounts(client, world):
    fround = ff.proposal(world)
    db.session.commit()
    login(client, world.national)
    line = ff.line(world, "SH-A", "capacity_building")
    client.post(f"/funding/{fround.id}/lines/{line.id}/adjust",
                data={"amount": "2.000.000", "reason": "Khóa tập huấn do tỉnh chi trả"})
    client.post(f"/funding/{fround.id}/approve")
    response = client.get(f"/funding/{fround.id}/allocation.csv")
    assert "approved-allocation" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert ["SH-A", "capacity_building", "4000000", "47.5000", "3000000", "2000000",
            "Khóa tập huấn do tỉnh chi trả"] in rows
