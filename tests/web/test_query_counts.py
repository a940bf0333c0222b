"""Paginated national pages: a fixed number of SQL statements whatever the data, bounded ``?page=``.

Each page's statements are counted with a ``before_cursor_execute`` listener around one GET,
with 3 facilities and again with 15 (each with self, peer and agreed assessments): the count
must not grow. Both databases (``TEST_DATABASE_URL``).
"""
from __future__ import annotations

import html
import re
from contextlib import contextmanager

from sqlalchemy import event

from shelterassess.assessments.models import AssessmentKind
from shelterassess.extensions import db
from shelterassess.facilities.services import FacilityInput, save_facility
from tests.comparisons_fixtures import make_team, scored
from tests.conftest import login

SELF = {"A1": 3, "A2": 2, "B1": 1, "B2": 3}
PEER = {"A1": 2, "A2": 2, "B1": 1, "B2": 2}
AGREED = {"A1": 2, "A2": "na", "B1": 1, "B2": 0}


@contextmanager
def counted_statements():
    """Yields a list that receives every SQL statement run on the engine meanwhile."""
    statements: list[str] = []

    def before(_conn, _cursor, statement, _params, _context, _many):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def first_views() -> None:
    """Drop the stored agreement counts (shelterassess/comparisons/agreement_store.py): each counted
    view is then a first view, which counts the pairs and stores them (a next view runs fewer
    statements: tests/web/test_agreement_summary.py)."""
    from shelterassess.comparisons.models import AgreementSummary

    db.session.execute(db.delete(AgreementSummary))
    db.session.commit()


def statements_of(client, url: str) -> int:
    first_views()
    db.session.expire_all()  # the test's session outlives requests: start each from the same (empty) state
    with counted_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return len(statements)


def add_facilities(w, first: int, count: int, assessed: bool = True) -> None:
    """Facilities QC-<nnn> (numbers from ``first``), alternating provinces of A and B; with
    ``assessed``, a submitted self, peer (one team) and agreed assessment each."""
    new = []
    for n in range(first, first + count):
        province = (w.facility_a if n % 2 else w.facility_b).province_id
        new.append(save_facility(db.session, FacilityInput(f"QC-{n:03d}", f"Facility {n:03d}", "shelter",
                                                           province, 10 + n, True, "", "")))
    db.session.flush()
    if assessed:
        team = make_team(w.round, f"Team {first}", w.manager_b, [w.staff_b], new)
        for facility in new:
            scored(w, w.manager_a, facility, w.round, AssessmentKind.SELF, SELF)
            scored(w, w.manager_b, facility, w.round, AssessmentKind.PEER, PEER, team=team)
            scored(w, w.manager_b, facility, w.round, AssessmentKind.AGREED, AGREED)
    db.session.commit()


def _pages(w) -> dict[str, str]:
    return {
        "facilities": "/facilities/",
        "self-assessments": "/assessments/",
        "national comparison": f"/comparisons/rounds/{w.round.id}/national",
    }


def _codes(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"QC-\d{3}", html)))


# -- the number of statements does not grow with the data ------------------------------------

def test_statement_counts_do_not_grow_with_facilities_and_assessments(client, world):
    login(client, world.national)
    add_facilities(world, 1, 3)
    for url in _pages(world).values():
        client.get(url)  # warm-up: anything loaded once per process
    small = {name: statements_of(client, url) for name, url in _pages(world).items()}
    add_facilities(world, 4, 12)
    large = {name: statements_of(client, url) for name, url in _pages(world).items()}
    assert large == small


def test_statement_counts_do_not_grow_with_sorting_and_filters(client, world):
    login(client, world.national)
    base = f"/comparisons/rounds/{world.round.id}/national"
    urls = [f"{base}?sort=red-flags&order=desc", f"{base}?sort=area-A&anonymised=1", f"{base}?sort=overall&page=2",
            "/assessments/?status=submitted&page=2", "/facilities/?q=QC&active=active&page=2"]
    add_facilities(world, 1, 3)
    for url in urls:
        client.get(url)
    small = [statements_of(client, url) for url in urls]
    add_facilities(world, 4, 12)
    assert [statements_of(client, url) for url in urls] == small


def export_statements(client, url: str) -> int:
    """Statements of one download, the streamed body read while counting (a CSV is written as it is sent)."""
    first_views()
    db.session.expire_all()
    with counted_statements() as statements:
        response = client.get(url)
        assert response.status_code == 200
        assert response.get_data()
    return len(statements)


def test_statement_counts_of_the_national_exports_do_not_grow(client, world):
    login(client, world.national)
    base = f"/comparisons/rounds/{world.round.id}/national"
    urls = [f"{base}.csv", f"{base}.xlsx", f"{base}.csv?sort=red-flags&order=desc&anonymised=1",
            f"{base}.xlsx?sort=area-B&province={world.facility_a.province_id}", f"{base}?sort=province&anonymised=1"]
    add_facilities(world, 1, 3)
    for url in urls:
        client.get(url).get_data()
    small = [export_statements(client, url) for url in urls]
    add_facilities(world, 4, 12)
    assert [export_statements(client, url) for url in urls] == small


def test_statement_counts_of_the_issue_13_exports_do_not_grow(client, world):
    """Self/peer/agreed results, agreement, plan actions and training needs: CSV (streamed) and XLSX."""
    from shelterassess.assessments.models import Assessment
    from shelterassess.facilities.models import Facility
    from tests import followup_fixtures as ff

    login(client, world.national)

    def more(first: int, count: int) -> None:
        """More facilities, each with its results and an accepted plan (capacity building included)."""
        add_facilities(world, first, count)
        for n in range(first, first + count):
            facility = db.session.scalar(db.select(Facility).where(Facility.code == f"QC-{n:03d}"))
            agreed = db.session.scalar(db.select(Assessment).where(Assessment.facility_id == facility.id,
                                                                   Assessment.kind == AssessmentKind.AGREED.value))
            ff.make_plan(world, facility=facility, agreed=agreed)
        db.session.commit()

    base = f"/comparisons/rounds/{world.round.id}"
    urls = ["/assessments/export.csv", "/assessments/export.xlsx?kind=peer",
            f"/assessments/export.csv?kind=agreed&round={world.round.id}", f"{base}/agreement.csv",
            f"{base}/agreement.xlsx?province={world.facility_a.province_id}", "/plans/actions.csv", f"/plans/actions.xlsx?round={world.round.id}",
            "/training-needs/needs.csv", "/training-needs/needs.xlsx"]
    more(1, 3)
    for url in urls:
        client.get(url).get_data()
    small = [export_statements(client, url) for url in urls]
    more(4, 12)
    assert [export_statements(client, url) for url in urls] == small


def test_the_counter_sees_an_n_plus_one(client, world, app):
    """The listener counts lazy loads: a template touching a lazy relation per row would fail above."""
    add_facilities(world, 1, 3, assessed=False)
    with app.test_request_context(), counted_statements() as statements:
        from shelterassess.facilities.models import Facility
        for facility in db.session.scalars(db.select(Facility)):
            db.session.expire(facility)
            _ = facility.name
    assert len(statements) >= 5


# -- pages, page size, bounded page numbers ---------------------------------------------------

def test_default_page_size_is_50_and_page_two_shows_the_rest(client, world, app):
    assert app.config["PAGE_SIZE"] == 50
    add_facilities(world, 1, 55, assessed=False)
    login(client, world.national)
    first = client.get("/facilities/?q=QC").get_data(as_text=True)
    assert _codes(first) == [f"QC-{n:03d}" for n in range(1, 51)]
    assert "Showing 1–50 of 55" in first
    assert 'aria-label="Pages of facilities"' in first and 'rel="next"' in first
    assert "q=QC&amp;page=2" in first  # the filter is kept in the page links
    second = client.get("/facilities/?q=QC&page=2").get_data(as_text=True)
    assert _codes(second) == [f"QC-{n:03d}" for n in range(51, 56)]
    assert "Showing 51–55 of 55" in second and 'aria-current="page"' in second


def test_page_two_of_each_national_page(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 4)
    add_facilities(world, 1, 6)
    login(client, world.national)
    facilities = client.get("/facilities/?page=2").get_data(as_text=True)
    assert _codes(facilities) == ["QC-005", "QC-006"]  # by code: QC-001..004 | QC-005, QC-006, RC-B, SH-A
    assert ">SH-A</a>" in facilities and ">RC-B</a>" in facilities and "Showing 5–8 of 8" in facilities
    assessments = client.get("/assessments/?page=2").get_data(as_text=True)
    assert _codes(assessments) == ["QC-005", "QC-006"] and "Showing 5–6 of 6" in assessments
    base = f"/comparisons/rounds/{world.round.id}/national"
    national = client.get(f"{base}?page=2").get_data(as_text=True)
    table = national.split('id="national-table"')[1].split("</table>")[0]
    assert _codes(table) == ["QC-005", "QC-006"] and "SH-A" in table and "RC-B" in table
    assert "Showing 5–8 of 8" in national
    # the means still cover every facility: six agreed results per area, not only the page's
    means = national.split('id="mean-table"')[1].split("</table>")[0]
    assert means.count('<td class="num">6</td>') == 2
    # sorting by red flags (read for every facility) pages the same way
    flagged = client.get(f"{base}?sort=red-flags&order=desc&page=2").get_data(as_text=True)
    assert "Showing 5–8 of 8" in flagged and "sort=red-flags" in flagged


def test_bad_page_numbers_answer_cleanly(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 4)
    add_facilities(world, 1, 6)
    login(client, world.national)
    for url in _pages(world).values():
        sep = "&" if "?" in url else "?"
        first = client.get(url).get_data(as_text=True)
        for bad, same_as_first in ((str(2**70), False), ("-1", True), ("0", True), ("abc", True), ("", True), ("²", True),
                                    ("١", True), ("1.5", True)):
            response = client.get(f"{url}{sep}page={bad}")
            assert response.status_code == 200, (url, bad)
            html = response.get_data(as_text=True)
            if same_as_first:
                assert _codes(html) == _codes(first), (url, bad)
            else:  # beyond the last page: the last page
                assert _codes(html) == _codes(client.get(f"{url}{sep}page=2").get_data(as_text=True)), (url, bad)


# -- the other lists (users, assessors, teams, visits, peer, plans, follow-ups, funding, rounds) --
# Built by tests/list_fixtures.py: each facility has a staff user, a certification, self/peer/agreed
# assessments, an accepted plan and a follow-up visit; each batch a team and a funding round.

def _list_pages(w) -> dict[str, str]:
    return {
        "rounds": "/rounds/", "assessors": "/assessors/", "teams": f"/teams/?round={w.round.id}",
        "planned visits": "/teams/visits", "peer": "/peer/", "plans": "/plans/",
        "follow-ups": "/follow-ups/", "compliance": f"/follow-ups/compliance?round={w.round.id}",
        "training needs": "/training-needs/", "funding": "/funding/",
        "funding round": f"/funding/{w.funding_round.id}",
    }


def test_list_statement_counts_do_not_grow_with_facilities_users_plans_and_visits(client, app, world):
    from tests.list_fixtures import grow

    admin = app.test_client()
    login(admin, world.admin)
    login(client, world.national)
    grow(world, 1, 3)
    for url in _list_pages(world).values():
        client.get(url)  # warm-up
    admin.get("/admin/users/")
    small = {name: statements_of(client, url) for name, url in _list_pages(world).items()}
    small["users"] = statements_of(admin, "/admin/users/")
    grow(world, 4, 12)  # five times the facilities, users, plans, visits; a second team and funding round
    large = {name: statements_of(client, url) for name, url in _list_pages(world).items()}
    large["users"] = statements_of(admin, "/admin/users/")
    assert large == small, f"few rows: {small}\nmany rows: {large}"


def test_list_statement_counts_do_not_grow_on_later_pages(client, app, world, monkeypatch):
    """Page 2 of each list (page size 4) runs as many statements with 15 facilities as with 9."""
    from tests.list_fixtures import grow

    monkeypatch.setitem(app.config, "PAGE_SIZE", 4)
    admin = app.test_client()
    login(admin, world.admin)
    login(client, world.national)
    grow(world, 1, 9)
    urls = {name: url + ("&" if "?" in url else "?") + "page=2" for name, url in _list_pages(world).items()}
    urls.update({"visits overdue": "/teams/visits?overdue_page=2&upcoming_page=2",
                 "follow-ups done": "/follow-ups/?done_page=2&plans_page=2&overdue_page=2"})
    for url in urls.values():
        client.get(url)
    small = {name: statements_of(client, url) for name, url in urls.items()}
    small["users"] = statements_of(admin, "/admin/users/?page=2")
    grow(world, 10, 6, funding_round=False)
    large = {name: statements_of(client, url) for name, url in urls.items()}
    large["users"] = statements_of(admin, "/admin/users/?page=2")
    assert large == small, f"fewer rows: {small}\nmore rows: {large}"


def _sheet_with_indicators(per_area: int) -> dict:
    """The mini sheet (tests/fixtures/mini_sheet.yaml) with ``per_area`` indicators in each area."""
    import copy

    from shelterassess.scoresheets import services as sheets
    from tests.conftest import FIXTURES

    data = sheets.read_sheet_file(FIXTURES / "mini_sheet.yaml")
    data = copy.deepcopy(data)
    data["key"] = f"mini-{per_area}"
    for area in data["areas"]:
        model = area["indicators"][-1]
        for n in range(len(area["indicators"]) + 1, per_area + 1):
            extra = copy.deepcopy(model)
            extra.update(code=f"{area['code']}{n}", key=f"{area['key']}.extra-{n}")
            area["indicators"].append(extra)
    return data


def test_statement_counts_do_not_grow_with_indicators(client, world):
    """The same pages for a round on a sheet of 2 indicators per area and one of 8 per area."""
    from shelterassess.rounds import services as rounds
    from shelterassess.scoresheets import services as sheets

    def assessed(round_, name):
        codes = [i.code for a in round_.sheet.areas for i in a.indicators]
        scores = {c: (3 if c.endswith("1") else 2) for c in codes}
        team = make_team(round_, name, world.manager_b, [world.staff_b], [world.facility_a])
        self_ = scored(world, world.manager_a, world.facility_a, round_, AssessmentKind.SELF, scores)
        scored(world, world.manager_b, world.facility_a, round_, AssessmentKind.PEER, scores, team=team)
        scored(world, world.manager_b, world.facility_a, round_, AssessmentKind.AGREED, scores)
        return self_

    small_self = assessed(world.round, "Small team")
    big_round = rounds.create_round(db.session, "Round with more indicators",
                                    sheets.load_sheet(db.session, _sheet_with_indicators(8)))
    rounds.open_round(db.session, big_round)
    big_self = assessed(big_round, "Big team")
    db.session.commit()
    assert sum(len(a.indicators) for a in big_round.sheet.areas) == 16

    def pages(round_, self_):
        area = round_.sheet.areas[0]
        return {
            "results": f"/assessments/{self_.id}/results",
            "area form": f"/assessments/{self_.id}/areas/{area.id}",
            "peer and agreed results": f"/peer/results/{world.facility_a.id}/{round_.id}",
            "comparison": f"/comparisons/facilities/{world.facility_a.id}/rounds/{round_.id}",
            "self-assessments": f"/assessments/?round={round_.id}",
        }

    login(client, world.national)
    for url in (*pages(world.round, small_self).values(), *pages(big_round, big_self).values()):
        client.get(url)
    small = {name: statements_of(client, url) for name, url in pages(world.round, small_self).items()}
    large = {name: statements_of(client, url) for name, url in pages(big_round, big_self).items()}
    assert large == small, f"2 indicators per area: {small}\n8 indicators per area: {large}"


# -- saving one area: the scores read once, after the lock; no statement per indicator ----------

#: user, assessment, area with its indicators (the form is built from them), the lock (the
#: facility's result sources' ids, then the lock), the assessment and the area's scores read
#: afresh after it, UPDATE assessment, UPDATE of the one changed score, the user read again (the
#: lock expired it; the audit row names them), INSERT audit_event.
AREA_SAVE_STATEMENTS = 11


def _save_statements(client, url: str, data: dict, status: int = 302) -> list[str]:
    from tests.area_posts import page_fields

    posted = {**page_fields(client, url), **data}
    db.session.expire_all()
    with counted_statements() as statements:
        response = client.post(url, data=posted)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    return statements


def test_statement_count_of_an_area_save_does_not_grow_with_indicators(client, world):
    """One area save changing one answer, on a sheet of 2 indicators per area and on one of 8:
    the same, pinned number of statements, the scores read once (after the lock)."""
    from shelterassess.assessments import services
    from shelterassess.assessments.models import Score
    from shelterassess.rounds import services as rounds
    from shelterassess.scoresheets import services as sheets

    big_round = rounds.create_round(db.session, "Round with more indicators",
                                    sheets.load_sheet(db.session, _sheet_with_indicators(8)))
    rounds.open_round(db.session, big_round)
    db.session.commit()
    login(client, world.staff_a)
    counts = {}
    for round_ in (world.round, big_round):
        assessment = services.start_assessment(db.session, world.staff_a, world.facility_a, round_)
        db.session.commit()
        area = round_.sheet.areas[0]
        url = f"/assessments/{assessment.id}/areas/{area.id}"
        answers = {f"score-{ind.id}": "2" for ind in area.indicators}
        _save_statements(client, url, answers)  # warm-up, and every answer given
        first = area.indicators[0]
        statements = _save_statements(client, url, {**answers, f"score-{first.id}": "3", f"note-{first.id}": "Đã sửa"})
        assert sum(bool(re.search(r"\bFROM score\b", s)) for s in statements) == 1, statements
        assert sum(s.lstrip().upper().startswith("UPDATE SCORE") for s in statements) == 1
        assert sum("INSERT INTO audit_event" in s for s in statements) == 1
        saved = db.session.scalar(db.select(Score).where(Score.assessment_id == assessment.id,
                                                         Score.indicator_id == first.id))
        db.session.refresh(saved)
        assert (saved.value, saved.note, saved.version) == (3, "Đã sửa", 3)
        page = html.unescape(client.get(url).get_data(as_text=True))
        assert f'"{first.id}": 3' in page  # the save is confirmed with the version it produced
        # refused saves show the page again, with no statement per indicator either
        too_long = len(_save_statements(client, url, {**answers, f"note-{first.id}": "x" * 2001}, 200))
        refused = len(_save_statements(client, url, {**answers, f"score-{first.id}": "7"}, 200))
        counts[len(area.indicators)] = (len(statements), too_long, refused)
    assert counts[2] == counts[8] and counts[2][0] == AREA_SAVE_STATEMENTS, counts
