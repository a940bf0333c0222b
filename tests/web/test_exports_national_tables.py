"""CSV and XLSX exports of the national tables (issue 13): rater agreement per indicator, every
plan action, the training needs. Each is parsed back and compared with its page (or the query the
page uses); text like a formula is neutralised; only the page's users may download."""
from __future__ import annotations

import re

import pytest

from shelterassess.audit.models import AuditEvent
from shelterassess.extensions import db
from shelterassess.plans import queries as plan_queries
from shelterassess.plans.models import PlanAction
from tests import followup_fixtures as ff
from tests import peer_scoring_fixtures as pf
from tests.comparisons_fixtures import comparison_world
from tests.conftest import login
from tests.web.test_comparisons import get, rows
from tests.web.test_exports_assessments import HYPERLINK, csv_of, page_pct, same_cells, xlsx_of


@pytest.fixture
def cw(world):
    return comparison_world(world)


# -- agreement per indicator ---------------------------------------------------------------------

def agreement_url(w, ext: str, query: str = "") -> str:
    return f"/comparisons/rounds/{w.round.id}/agreement.{ext}{'?' + query if query else ''}"


@pytest.mark.parametrize("query", ["", "anonymised=1", "province={province}"])
def test_agreement_equals_the_page(client, cw, query):
    query = query.format(province=cw.facility_a.province_id)
    login(client, cw.national)
    page = get(client, f"/comparisons/rounds/{cw.round.id}/national?{query}")
    page_lines = rows(page, "indicator-agreement")
    data = csv_of(client, agreement_url(cw, "csv", query))
    assert data[0] == ["Indicator code", "Indicator", "Exact agreement (%)", "Within one point (%)", "Weighted kappa",
                       "Kappa note", "Pairs compared", "Excluded as N/A"]
    assert len(data) == 1 + len(page_lines) + 1  # every indicator, then all indicators
    for line, (code, text, exact, within, kappa, note, pairs, na) in zip(page_lines, data[1:]):
        match = re.match(rf"{code} (.*) ([\d.]+%|–) ([\d.]+%|–) (-?[\d.]+|– ?\S?) (\d+) pairs?, (\d+) excluded as N/A$",
                         line)
        assert match, line
        assert match.group(1) == text
        assert (page_pct(match.group(2)), page_pct(match.group(3))) == (exact, within)
        assert kappa == ("" if match.group(4).startswith("–") else match.group(4))
        assert (match.group(5), match.group(6)) == (pairs, na)
        assert bool(note) == (kappa == "")  # the page's footnote, said in words
    overall = re.search(r"All indicators: exact agreement ([\d.]+%|–), within one point ([\d.]+%|–)", page)
    assert data[-1][1:4] == ["All indicators", page_pct(overall.group(1)), page_pct(overall.group(2))]
    same_cells(data, xlsx_of(client, agreement_url(cw, "xlsx", query)))


def test_agreement_of_facility_a_is_the_hand_computed_one(client, cw):
    """Only facility A's province (A and C, Hà Nội); A1 over both: see tests/comparisons_fixtures.py."""
    login(client, cw.national)
    data = csv_of(client, agreement_url(cw, "csv"))
    a1 = next(r for r in data[1:] if r[0] == "A1")
    assert a1[6:8] == ["3", "0"]  # A (3,1), B (0,2), C (3,0): three pairs, none N/A
    assert a1[2] == "0.0"


def test_an_indicator_text_like_a_formula_is_neutralised(client, cw):
    indicator = cw.sheet.indicators[0]
    indicator.text_en = "-1 " + indicator.text_en
    db.session.commit()
    login(client, cw.national)
    assert csv_of(client, agreement_url(cw, "csv"))[1][1].startswith("'-1 ")
    assert xlsx_of(client, agreement_url(cw, "xlsx"))[1][1].startswith("'-1 ")


def test_agreement_downloads_are_national_only_and_audited(client, cw):
    login(client, cw.manager_a)
    assert client.get(agreement_url(cw, "csv")).status_code == 403
    client.post("/logout")
    login(client, cw.national)
    assert client.get(f"/comparisons/rounds/999999/agreement.csv").status_code == 404
    client.get(agreement_url(cw, "xlsx")).get_data()
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "export",
                                                          AuditEvent.endpoint == "comparisons.agreement_xlsx"))
    assert event is not None and event.user_id == cw.national.id and event.object_id == cw.round.id
    page = get(client, f"/comparisons/rounds/{cw.round.id}/national?anonymised=1")
    assert re.search(r'href="/comparisons/rounds/\d+/agreement\.csv\?[^"]*anonymised=1', page)


# -- plan actions --------------------------------------------------------------------------------

def _plans(world):
    """Facility A's accepted plan (three actions) and B's with a dropped action (see test_training_needs)."""
    ff.plan_a(world)
    agreed = pf.finalised_agreed(world)
    ff.make_plan(world, facility=world.facility_b, agreed=agreed, status="in_progress", actions=[
        ("=HYPERLINK(\"http://evil.example\")", ("A1",), 1_000_000, "capacity_building", "planned"),
        ("@SUM(A1) second course", ("B1", "A2"), 2_500_000, "capacity_building", "dropped"),
        ("+New locks", ("B2",), 3_000_000, "facilities_improvement", "done"),
    ])
    db.session.commit()


def test_plan_actions_equal_the_plans_and_the_overview(client, world):
    _plans(world)
    login(client, world.national)
    data = csv_of(client, "/plans/actions.csv")
    header = data[0]
    assert header == ["Round", "Facility code", "Facility name", "Province", "Plan status", "No.", "Action", "Areas",
                      "Indicators", "Action status", "Responsible", "Start", "Due", "Cost (VND)", "Funding category",
                      "Skill"]
    actions = db.session.scalars(db.select(PlanAction)).all()
    assert len(data) == 1 + len(actions)
    by_description = {r[6].lstrip("'"): dict(zip(header, r)) for r in data[1:]}
    for action in actions:
        row = by_description[action.description]
        assert row["Cost (VND)"] == str(action.cost_vnd)
        assert row["Due"] == (action.due_on.isoformat() if action.due_on else "")
        assert set(row["Indicators"].split(", ")) == {i.code for i in action.indicators}
        assert row["Facility code"] == action.plan.facility.code
    second = by_description["@SUM(A1) second course"]
    assert (second["Areas"], second["Action status"], second["Plan status"]) == ("A, B", "Dropped", "In progress")
    # the overview page's totals: the actions not dropped, per plan
    overview = plan_queries.overview(db.session, world.round, plan_queries.OverviewFilter(), ff.today())
    totals = {}
    for row in data[1:]:
        if row[9] != "Dropped":
            totals[row[1]] = totals.get(row[1], 0) + int(row[13])
    assert totals == {r.plan.facility.code: r.total for r in overview.rows}
    same_cells(data, xlsx_of(client, "/plans/actions.xlsx"))


def test_plan_action_texts_like_formulas_are_neutralised(client, world):
    _plans(world)
    login(client, world.national)
    expected = {"'=HYPERLINK(\"http://evil.example\")", "'@SUM(A1) second course", "'+New locks"}
    assert expected <= {r[6] for r in csv_of(client, "/plans/actions.csv")[1:]}
    assert expected <= {r[6] for r in xlsx_of(client, "/plans/actions.xlsx")[1:]}


def test_plan_actions_round_filter_and_permission(client, world):
    _plans(world)
    login(client, world.national)
    count = db.session.scalar(db.select(db.func.count(PlanAction.id)))
    assert len(csv_of(client, f"/plans/actions.csv?round={world.round.id}")) == 1 + count
    assert len(csv_of(client, "/plans/actions.csv?round=999999")) == 1
    assert len(csv_of(client, "/plans/actions.csv?round=abc")) == 1 + count  # a bad filter is no filter
    assert 'href="/plans/actions.csv"' in get(client, "/plans/")
    client.post("/logout")
    login(client, world.manager_a)
    assert client.get("/plans/actions.csv").status_code == 403
    assert client.get("/plans/actions.xlsx").status_code == 403


# -- training needs ----------------------------------------------------------------------------

def test_training_needs_equal_the_page(client, world):
    _plans(world)
    ff.skill().name_en = "-Confidentiality"
    db.session.commit()
    login(client, world.national)
    page = get(client, "/training-needs/")
    body = page.split('id="needs-table"')[1].split("<tbody>")[1].split("</tbody>")[0]
    page_rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        name = re.sub(r"<[^>]+>", "", tr.split("</th>")[0]).strip()
        numbers = [re.sub(r"<[^>]+>", "", n).strip() for n in re.findall(r'<td class="num">(.*?)</td>', tr, flags=re.S)]
        page_rows.append([name, *numbers])
    data = csv_of(client, "/training-needs/needs.csv")
    assert data[0][0] == "Skill" and data[0][-2:] == ["Total", "Training scheduled"]
    head = page.split('id="needs-table"')[1].split("</thead>")[0]
    assert [h for h in data[0][1:-2] if h not in head] == []
    assert len(data) == 1 + len(page_rows) + 1  # then the totals line
    for line, row in zip(page_rows, data[1:]):
        assert line[0] == row[0].lstrip("'")
        assert line[1:] == [("" if n == "0" and i < len(row) - 3 else n) for i, n in enumerate(row[1:])]
    assert data[1][0] == "'-Confidentiality"  # neutralised
    total = page.split("<tfoot>")[1].split("</tfoot>")[0]
    assert re.findall(r">(\d+)<", total.replace("<strong>", "").replace("</strong>", "")) == data[-1][1:]
    same_cells(data, xlsx_of(client, "/training-needs/needs.xlsx"))
    assert xlsx_of(client, "/training-needs/needs.xlsx")[1][0] == "'-Confidentiality"
    client.post("/logout")
    login(client, world.manager_b)
    assert client.get("/training-needs/needs.csv").status_code == 403
