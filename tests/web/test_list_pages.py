"""The lists that grow with facilities, users and rounds page in SQL and keep their totals whole.

Page size 4 (``PAGE_SIZE``), facilities QC-001… from tests/list_fixtures.py. Totals that a page
shows (funding categories, compliance by province) cover every row, not only the page's.
"""
from __future__ import annotations

import re

import pytest

from shelterassess.extensions import db
from shelterassess.funding import queries as funding_queries
from tests.conftest import login
from tests.list_fixtures import grow


@pytest.fixture
def paged(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 4)
    grow(world, 1, 9)
    return world


def _codes(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"QC-\d{3}", html)))


def _section(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_funding_round_pages_facilities_and_keeps_the_totals_of_all(client, paged):
    w = paged
    login(client, w.national)
    url = f"/funding/{w.funding_round.id}"
    first, second = client.get(url).get_data(as_text=True), client.get(f"{url}?page=2").get_data(as_text=True)
    assert _codes(_section(first, 'class="allocation"', "</table>")) == ["QC-001", "QC-002", "QC-003", "QC-004"]
    assert _codes(_section(second, 'class="allocation"', "</table>")) == ["QC-005", "QC-006", "QC-007", "QC-008"]
    assert "Showing 5–8 of 9" in second and 'rel="next"' in second
    # the totals are those of the whole allocation (every facility), the same on every page
    whole = funding_queries.allocation_table(db.session, w.funding_round)
    totals = _section(first, 'class="funding-totals"', "</table>")
    assert totals == _section(second, 'class="funding-totals"', "</table>")
    assert whole.allocated > 0 and f"₫{whole.allocated:,}" in totals
    assert _section(first, 'id="budget-check"', "</p>") == _section(second, 'id="budget-check"', "</p>")


def test_user_list_pages_by_email(client, app, paged):
    login(client, paged.admin)
    second = client.get("/admin/users/?page=2").get_data(as_text=True)
    emails = re.findall(r'>([a-z.0-9]+@example\.org)</a>', second)
    assert len(emails) == 4 and emails == sorted(emails)
    assert "users/?page=3" in second or "users/?page=1" in second or 'rel="prev"' in second


def test_planned_visits_page_each_list_on_its_own(client, paged):
    """Each list of the planned visits keeps the other lists' page numbers in its links."""
    login(client, paged.national)
    html = client.get("/teams/visits?unscheduled_page=2").get_data(as_text=True)
    assert 'id="unscheduled"' in html
    unscheduled = _section(html, 'id="unscheduled"', "</nav>")
    assert _codes(unscheduled) == ["QC-005", "QC-006", "QC-007", "QC-008"]
    assert "unscheduled_page=3" in unscheduled


def test_follow_up_lists_page_and_compliance_keeps_province_totals(client, app, paged, monkeypatch):
    w = paged
    login(client, w.national)
    html = client.get("/follow-ups/?done_page=1&upcoming_page=2").get_data(as_text=True)
    assert "upcoming_page=2" in html  # the other lists' links keep it
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    compliance = f"/follow-ups/compliance?round={w.round.id}"
    first, second = client.get(compliance).get_data(as_text=True), client.get(f"{compliance}&page=2").get_data(as_text=True)
    # QC-003, 006 and 009 have a submitted visit: two on page 1, one on page 2, by province then code
    assert sorted(_codes(first) + _codes(second)) == ["QC-003", "QC-006", "QC-009"]
    assert len(_codes(first)) == 2 and "Showing 3–3 of 3" in second
    # the national total covers all three on both pages
    assert _section(first, "<tfoot>", "</tfoot>") == _section(second, "<tfoot>", "</tfoot>")
    assert "3 facilities" in first and "3 facilities" in second


def test_peer_assignments_page_in_list_order(client, paged):
    login(client, paged.national)
    first = client.get("/peer/").get_data(as_text=True)
    second = client.get("/peer/?page=2").get_data(as_text=True)
    assert _codes(first) == ["QC-001", "QC-002", "QC-003", "QC-004"]
    assert _codes(second) == ["QC-005", "QC-006", "QC-007", "QC-008"] and "Showing 5–8 of 9" in second


def test_assessors_page_with_their_records(client, paged):
    login(client, paged.national)
    second = client.get("/assessors/?page=2").get_data(as_text=True)
    assert "Showing 5–8 of 9" in second
    assert second.count("Training 1") == 4  # each row shows its person's training


def test_plans_of_a_round_page_the_plans_and_keep_the_totals_of_all(client, paged):
    """Nine accepted plans, four a page; the funding totals by category and province cover all nine."""
    w = paged
    login(client, w.national)
    url = f"/plans/rounds/{w.round.id}"
    first, third = client.get(url).get_data(as_text=True), client.get(f"{url}?plans_page=3").get_data(as_text=True)
    plans_of = lambda html: _codes(_section(html, 'aria-labelledby="plans"', "</table>"))  # noqa: E731
    assert len(plans_of(first)) == 4 and len(plans_of(third)) == 1
    assert "Showing 9–9 of 9" in third and 'rel="prev"' in third
    seen = plans_of(first) + plans_of(client.get(f"{url}?plans_page=2").get_data(as_text=True)) + plans_of(third)
    assert sorted(seen) == [f"QC-{i:03d}" for i in range(1, 10)]
    assert _section(first, "Funding requested, by category", "</table>") == \
        _section(third, "Funding requested, by category", "</table>")
    assert _section(first, "Funding requested, by province", "</table>") == \
        _section(third, "Funding requested, by province", "</table>")
