"""The national agreement counts, stored (``agreement_summary``) and reused while still valid.

Every change the counts depend on shows at the next view, with hand-computed figures
(scenario: tests/comparisons_fixtures.py; 11 pairs at first, 6 exact and 7 within one point);
the stored counts equal freshly computed ones; the second view does not run the ``GROUP BY``;
two first views at the same moment give no error and one row; storing never breaks a page.
SQLite and PostgreSQL (``TEST_DATABASE_URL``).
"""
from __future__ import annotations

import json
import re
import threading
from html import unescape

import pytest
from sqlalchemy import event, select

from shelterassess.assessments import services
from shelterassess.assessments.models import AssessmentKind, Score
from shelterassess.comparisons import agreement_store
from shelterassess.comparisons import national_queries as nq
from shelterassess.comparisons.models import AgreementSummary
from shelterassess.db import utcnow
from shelterassess.extensions import db
from shelterassess.facilities.models import Facility
from shelterassess.facilities.services import FacilityInput, save_facility
from shelterassess.teams import services as team_services
from tests.comparisons_fixtures import SELF_C, answers, comparison_world, make_team, scored
from tests.conftest import login
from tests.served import Client, serving

BASELINE = ("11 pairs, 1 excluded as N/A", "exact agreement 54.5%, within one point 63.6%")


@pytest.fixture
def cw(world):
    return comparison_world(world)


def national_url(w, query: str = "") -> str:
    return f"/comparisons/rounds/{w.round.id}/national" + (f"?{query}" if query else "")


def text(html: str) -> str:
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def overall(client, w, query: str = "") -> tuple[str, str]:
    """The page's overall line: ("N pairs, M excluded as N/A", "exact agreement …, within one point …")."""
    response = client.get(national_url(w, query))
    assert response.status_code == 200
    page = text(response.get_data(as_text=True))
    agreement = re.search(r"exact agreement [\d.]+%, within one point [\d.]+%", page)
    pairs = re.findall(r"\d+ pairs?, \d+ excluded as N/A", page)
    assert agreement and pairs, page[:500]
    # the overall line is the largest count of pairs on the page (the table has one per indicator)
    return max(pairs, key=lambda p: int(p.split(" ")[0])), agreement.group(0)


def stored_rows(w) -> list[AgreementSummary]:
    db.session.expire_all()
    return list(db.session.scalars(select(AgreementSummary).where(AgreementSummary.round_id == w.round.id)))


def fresh_counts(w, province_ids=None) -> dict:
    ids = [ind.id for ind in w.round.sheet.indicators]
    return nq.agreement_counts(db.session, nq.TableFilter(w.round.id, province_ids), ids)


def reopen(w, user, assessment) -> None:
    services.reopen(db.session, user, assessment, "A corrected score")
    db.session.commit()


# -- what is stored ----------------------------------------------------------------------

def test_stored_counts_equal_freshly_computed_ones(client, cw):
    login(client, cw.national)
    assert overall(client, cw) == BASELINE
    hn = cw.facility_a.province_id
    assert overall(client, cw, f"province={hn}") == ("7 pairs, 1 excluded as N/A",
                                                     "exact agreement 42.9%, within one point 57.1%")  # A and C
    rows = {row.scope: row for row in stored_rows(cw)}
    assert set(rows) == {"all", f"p:{hn}"}
    assert agreement_store.decode(rows["all"].counts) == fresh_counts(cw)
    assert agreement_store.decode(rows[f"p:{hn}"].counts) == fresh_counts(cw, (hn,))
    # an independent look at the stored data: A1's pairs are (3,1) (0,2) (3,0), one each
    assert {(own, peer): n for key, own, peer, n in json.loads(rows["all"].counts)
            if key == cw.round.sheet.indicators[0].key} == {(3, 1): 1, (0, 2): 1, (3, 0): 1}
    # the next views read it, and show the same figures
    assert overall(client, cw) == BASELINE
    assert len(stored_rows(cw)) == 2


def test_scope_keys_are_canonical():
    assert agreement_store.scope_key(None) == "all"
    assert agreement_store.scope_key((7, 3, 7)) == agreement_store.scope_key((3, 7)) == "p:3,7"
    assert agreement_store.scope_key(()) == "p:"
    long = agreement_store.scope_key(tuple(range(1000, 1100)))
    assert long.startswith("h:") and len(long) == 66


def test_the_stored_row_is_not_audited(client, cw):
    """Neither the page's own store nor a row written through the session (ORM or bulk) is audited."""
    from shelterassess.audit.models import AuditEvent

    login(client, cw.national)
    overall(client, cw)
    assert len(stored_rows(cw)) == 1
    db.session.add(AgreementSummary(round_id=cw.round.id, scope="p:0", fingerprint="x", counts="[]"))
    db.session.commit()
    db.session.execute(agreement_store.upsert(db.engine.dialect.name, {
        "round_id": cw.round.id, "scope": "p:0", "fingerprint": "y", "counts": "[]", "computed_at": utcnow()}))
    db.session.commit()
    assert len(stored_rows(cw)) == 2
    types = set(db.session.scalars(select(AuditEvent.object_type)))
    assert "agreement_summary" not in types


# -- each change shows at the next view ----------------------------------------------------

def test_a_submitted_peer_assessment_shows_at_the_next_view(client, cw):
    login(client, cw.national)
    assert overall(client, cw) == BASELINE
    east = make_team(cw.round, "East team", cw.manager_b, [cw.staff_b], [cw.facility_c])
    draft = scored(cw, cw.manager_b, cw.facility_c, cw.round, AssessmentKind.PEER, SELF_C, team=east, submit=False)
    db.session.commit()
    assert overall(client, cw) == BASELINE  # a draft counts for nothing
    services.submit(db.session, cw.manager_b, draft)
    db.session.commit()
    # C's self-assessment against East's identical scores: 4 more pairs, all exact
    assert overall(client, cw) == ("15 pairs, 1 excluded as N/A", "exact agreement 66.7%, within one point 73.3%")
    assert agreement_store.decode(stored_rows(cw)[0].counts) == fresh_counts(cw)


def test_a_reopened_self_assessment_leaves_the_counts_at_the_next_view(client, cw):
    login(client, cw.national)
    assert overall(client, cw) == BASELINE
    reopen(cw, cw.national, cw.self_c)
    # C's four pairs are gone: A (3) and B (4); exact 4 of 7, within one 5 of 7
    assert overall(client, cw) == ("7 pairs, 1 excluded as N/A", "exact agreement 57.1%, within one point 71.4%")


def test_a_corrected_score_shows_at_the_next_view(client, cw):
    """Reopened, one score corrected, submitted again between two views: as many pairs as before."""
    login(client, cw.national)
    assert overall(client, cw) == BASELINE
    before = stored_rows(cw)[0].fingerprint
    reopen(cw, cw.national, cw.self_c)
    area_b = cw.round.sheet.areas[1]
    services.save_area(db.session, cw.manager_c, cw.self_c, area_b, answers(area_b, {**SELF_C, "B1": 3}))
    services.submit(db.session, cw.manager_c, cw.self_c)
    db.session.commit()
    # C's B1 pair (0,3) becomes (3,3): exact 7 of 11, within one 8 of 11
    assert overall(client, cw) == ("11 pairs, 1 excluded as N/A", "exact agreement 63.6%, within one point 72.7%")
    assert stored_rows(cw)[0].fingerprint != before


def test_a_withdrawn_team_leaves_the_counts_at_the_next_view(client, cw):
    login(client, cw.national)
    assert overall(client, cw) == BASELINE
    assignment = cw.west.assignments[0]
    team_services.withdraw_assignment(db.session, cw.national, assignment, "The team knew the staff too well")
    db.session.commit()
    assert overall(client, cw) == ("7 pairs, 1 excluded as N/A", "exact agreement 57.1%, within one point 71.4%")
    # and back (no page does this; a correction in the database must show too)
    model = type(assignment)
    db.session.execute(db.update(model).where(model.id == assignment.id).values(withdrawn_at=None))
    db.session.commit()
    assert overall(client, cw) == BASELINE


def _move(facility, province_id: int, active: bool = True) -> None:
    save_facility(db.session, FacilityInput(facility.code, facility.name, facility.type, province_id, facility.capacity,
                                            active, facility.address or "", facility.phone or ""), facility)
    db.session.commit()


def test_a_facility_moved_to_another_province_shows_at_the_next_view(client, cw):
    login(client, cw.national)
    hn, lca = cw.facility_a.province_id, cw.facility_b.province_id
    assert overall(client, cw, f"province={hn}") == ("7 pairs, 1 excluded as N/A",
                                                     "exact agreement 42.9%, within one point 57.1%")
    assert overall(client, cw, f"province={lca}") == ("4 pairs, 0 excluded as N/A",
                                                      "exact agreement 75.0%, within one point 75.0%")
    _move(cw.facility_c, lca)
    assert overall(client, cw, f"province={hn}") == ("3 pairs, 1 excluded as N/A",
                                                     "exact agreement 33.3%, within one point 66.7%")  # A only
    assert overall(client, cw, f"province={lca}") == ("8 pairs, 0 excluded as N/A",
                                                      "exact agreement 62.5%, within one point 62.5%")  # B and C
    assert overall(client, cw) == BASELINE  # every province: the same pairs


def test_a_deactivated_facility_changes_the_fingerprint(client, cw):
    """An assessed facility stays in its round's table when deactivated: same figures, counted again."""
    login(client, cw.national)
    assert overall(client, cw) == BASELINE
    before = stored_rows(cw)[0].fingerprint
    _move(cw.facility_c, cw.facility_c.province_id, active=False)
    assert overall(client, cw) == BASELINE
    assert stored_rows(cw)[0].fingerprint != before
    assert agreement_store.decode(stored_rows(cw)[0].counts) == fresh_counts(cw)


def test_a_change_made_outside_the_application_shows_once_the_row_is_too_old(client, cw, app, monkeypatch):
    """A score of a submitted assessment changed in the database directly (no page does it) is not in
    the fingerprint; the row is counted again once older than the maximum age."""
    login(client, cw.national)
    assert overall(client, cw) == BASELINE
    b1 = next(ind for ind in cw.round.sheet.indicators if ind.code == "B1")
    db.session.execute(db.update(Score).where(Score.assessment_id == cw.self_c.id, Score.indicator_id == b1.id)
                       .values(value=3))
    db.session.commit()
    assert overall(client, cw) == BASELINE  # still the stored row
    monkeypatch.setitem(app.config, "AGREEMENT_SUMMARY_MAX_AGE_HOURS", 0)
    assert overall(client, cw) == ("11 pairs, 1 excluded as N/A", "exact agreement 63.6%, within one point 72.7%")


# -- statements -------------------------------------------------------------------------

def _statements(client, url: str) -> list[str]:
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        seen.append(statement)

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return seen


def test_the_next_view_does_not_count_the_pairs_again(client, cw):
    login(client, cw.national)
    url = national_url(cw)
    first = _statements(client, url)
    grouped = [s for s in first if "peer_score" in s and "GROUP BY" in s]
    assert len(grouped) == 1 and sum("INSERT INTO agreement_summary" in s for s in first) == 1
    second = _statements(client, url)
    assert not [s for s in second if "peer_score" in s or "INSERT INTO agreement_summary" in s]
    assert len(second) < len(first)
    # the PDF and the agreement export read the same row
    pdf, export = f"/comparisons/rounds/{cw.round.id}/national.pdf", f"/comparisons/rounds/{cw.round.id}/agreement.csv"
    for other in (pdf, export):
        assert not [s for s in _statements(client, other) if "peer_score" in s]


# -- storing never breaks a page ---------------------------------------------------------

def test_a_failed_store_still_shows_the_counts(client, cw, monkeypatch):
    """An INSERT the database refuses (as for a read-only user) is logged; the page shows the counts."""
    from sqlalchemy import column, insert, table

    monkeypatch.setattr(agreement_store, "upsert",
                        lambda dialect, values: insert(table("no_such_table", column("x"))).values(x=1))
    login(client, cw.national)
    assert overall(client, cw) == BASELINE
    assert overall(client, cw) == BASELINE
    assert stored_rows(cw) == []


def test_a_locked_row_still_shows_the_counts(client, cw):
    """Another transaction holds the stored row (PostgreSQL: a row lock, given up after
    ``LOCK_TIMEOUT_MS``; SQLite: the write lock, after the busy timeout): the page shows the new
    counts without storing them, and the next view stores them."""
    login(client, cw.national)
    assert overall(client, cw) == BASELINE
    old = stored_rows(cw)[0].fingerprint
    reopen(cw, cw.national, cw.self_c)
    reopened = ("7 pairs, 1 excluded as N/A", "exact agreement 57.1%, within one point 71.4%")
    with db.engine.connect() as other:
        if db.engine.dialect.name == "sqlite":
            other.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            other.execute(select(AgreementSummary.id).with_for_update())
        assert overall(client, cw) == reopened
        other.rollback()
    assert stored_rows(cw)[0].fingerprint == old
    assert overall(client, cw) == reopened
    assert stored_rows(cw)[0].fingerprint != old


def test_storing_does_not_commit_the_request(app_ctx, cw):
    """The row is written on a connection of its own: the request's unflushed and flushed changes stay
    its own (rolled back here), the stored row stays."""
    from shelterassess.comparisons.national_data import NationalParams, national_summary

    name = cw.facility_a.name
    cw.facility_a.name = "Changed, never committed"
    db.session.flush()
    if db.engine.dialect.name == "sqlite":  # this session holds SQLite's write lock: storing waits for nobody
        summary = national_summary(db.session, cw.round, NationalParams(), "en")
        db.session.rollback()
        assert stored_rows(cw) == []
    else:
        summary = national_summary(db.session, cw.round, NationalParams(), "en")
        db.session.rollback()
        assert len(stored_rows(cw)) == 1
    assert summary.overall_agreement.n == 11
    assert db.session.get(Facility, cw.facility_a.id).name == name


def test_two_first_views_at_the_same_moment_store_one_row(app, cw, monkeypatch):
    barrier, original, stored = threading.Barrier(2, timeout=20), agreement_store.store, []

    def together(*args, **kwargs):
        try:
            barrier.wait()  # both have counted: both insert at once
        except threading.BrokenBarrierError:
            pass
        stored.append(original(*args, **kwargs))
        return stored[-1]

    monkeypatch.setattr(agreement_store, "store", together)
    with serving(app) as base:
        clients = [Client(base, cw.national), Client(base, cw.national)]
        results: list = [None, None]

        def view(i):
            results[i] = clients[i].get(national_url(cw))

        threads = [threading.Thread(target=view, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert [status for status, _body in results] == [200, 200]
    assert stored == [True, True]  # one inserted, the other updated the same row: neither failed
    for _status, body in results:
        assert all(part in text(body) for part in BASELINE)
    rows = stored_rows(cw)
    assert len(rows) == 1 and agreement_store.decode(rows[0].counts) == fresh_counts(cw)
