"""Paginated national pages: a fixed number of SQL statements whatever the data, bounded ``?page=``.

Each page's statements are counted with a ``before_cursor_execute`` listener around one GET,
with 3 facilities and again with 15 (each with self, peer and agreed assessments): the count
must not grow. Both databases (``TEST_DATABASE_URL``).
"""
from __future__ import annotations

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


def statements_of(client, url: str) -> int:
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
