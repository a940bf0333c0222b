"""The national team's audit page: filters, pages, the CSV export, and who may see it."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select

from shelterassess.audit.models import AuditEvent
from shelterassess.extensions import db
from tests.conftest import login


def _add(n: int, **values) -> None:
    base = {"action": "update", "object_type": "assessment", "outcome": "success"}
    db.session.add_all(AuditEvent(**{**base, **values}) for _ in range(n))
    db.session.commit()


@pytest.mark.parametrize("role", ["staff_a", "manager_a"])
def test_facility_staff_get_403_and_no_link(client, world, role):
    login(client, getattr(world, role))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/events.csv").status_code == 403
    assert 'href="/audit/"' not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["national", "admin"])
def test_national_team_and_admin_see_the_page_and_the_link(client, world, role):
    login(client, getattr(world, role))
    assert 'href="/audit/"' in client.get("/").get_data(as_text=True)
    page = client.get("/audit/").get_data(as_text=True)
    assert "Audit trail" in page and "Logged in" in page  # this very login, labelled


def test_filters_by_action_outcome_email_facility_and_object(client, world):
    _add(2, action="login_failed", outcome="failure", user_email="ghost@example.org")
    _add(1, action="delete", object_type="improvement_plan", object_facility_id=world.facility_b.id)
    login(client, world.national)
    page = client.get("/audit/?action=login_failed").get_data(as_text=True)
    assert "Events found: 2." in page and "ghost@example.org" in page and "Failed login" in page
    assert "Events found: 2." in client.get("/audit/?outcome=failure").get_data(as_text=True)
    page = client.get("/audit/?email=GHOST@example.org").get_data(as_text=True)
    assert "Events found: 2." in page
    page = client.get(f"/audit/?facility={world.facility_b.id}&object_type=improvement_plan").get_data(as_text=True)
    assert "Events found: 1." in page and "Improvement plan" in page and "RC-B" in page
    page = client.get(f"/audit/?facility={world.facility_a.id}&object_type=improvement_plan").get_data(as_text=True)
    assert "Events found: 0." in page and "No event matches these filters." in page
    assert "Events found: 1." in client.get("/audit/?object_type=improvement_plan&action=delete").get_data(as_text=True)


def test_date_range_and_bad_dates(client, world):
    old = dt.datetime(2020, 5, 1, 10, tzinfo=dt.timezone.utc)
    _add(3, action="approve", occurred_at=old)
    login(client, world.national)
    page = client.get("/audit/?action=approve&since=2020-05-01&until=2020-05-01").get_data(as_text=True)
    assert "Events found: 3." in page
    assert "Events found: 0." in client.get("/audit/?action=approve&since=2020-05-02").get_data(as_text=True)
    response = client.get("/audit/?since=not-a-date&until=2020-13-45&page=99999999999999999999999")
    assert response.status_code == 200
    assert "Not a valid date value" in response.get_data(as_text=True)


def test_newest_first_and_pages_of_fifty(client, world):
    start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    db.session.add_all(AuditEvent(action="export", object_type="funding_round", object_id=i,
                                  occurred_at=start + dt.timedelta(minutes=i)) for i in range(1, 121))
    db.session.commit()
    login(client, world.national)
    first = client.get("/audit/?action=export").get_data(as_text=True)
    assert "Events found: 120." in first and "#120" in first and "#70" not in first and "#71" in first
    assert 'href="/audit/?page=3&amp;action=export"' in first or 'href="/audit/?action=export&amp;page=3"' in first
    third = client.get("/audit/?action=export&page=3").get_data(as_text=True)
    assert "#20" in third and "#1<" in third and "#21" not in third
    beyond = client.get("/audit/?action=export&page=500").get_data(as_text=True)
    assert "#1<" in beyond  # the last page


def test_the_page_has_no_route_that_changes_the_trail(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("audit.")]
    assert rules and all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in rules)


def test_csv_export_is_filtered_neutralised_and_itself_audited(client, world):
    _add(1, action="update", detail="=HYPERLINK(1)", object_type="plan_action")
    login(client, world.national)
    response = client.get("/audit/events.csv?object_type=plan_action")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "occurred_at_utc" and len(rows) == 2
    assert rows[1][rows[0].index("detail")] == "'=HYPERLINK(1)"
    db.session.expire_all()
    exported = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert [(e.endpoint, e.user_id) for e in exported] == [("audit.export_csv", world.national.id)]



def test_csv_export_streams_more_rows_than_one_database_batch(client, world):
    """1,300 events: read 500 at a time while the file is sent, after the download's own audit
    row is committed (a cursor opened before that commit was closed under it on PostgreSQL)."""
    _add(1300, object_type="plan_action")
    login(client, world.national)
    response = client.get("/audit/events.csv?object_type=plan_action")
    assert response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1 + 1300
