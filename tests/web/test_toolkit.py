"""The visit toolkit's pages and escalated concerns through HTTP: who sees what, the national
team's workflow (acknowledge, record an action, close, reopen) with its history, the
recorder's added information, and bad input refused with a clear message and nothing saved."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from shelterassess.extensions import db
from shelterassess.toolkit import services
from shelterassess.toolkit.models import Escalation, EscalationEvent
from tests import toolkit_fixtures as tf
from tests.conftest import login as first_login

YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()
DESCRIPTION = "A night guard locks the girls' dormitory from outside after 21:00; two children sleep there."


def login(client, user):
    """Log ``user`` in, logging out whoever was logged in before."""
    client.post("/logout")
    first_login(client, user)


def page(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def form(world, **overrides) -> dict:
    values = {"category": "detention", "facility_id": world.facility_a.id, "seen_on": YESTERDAY,
              "description": DESCRIPTION, "immediate_action": "Told the manager, who unlocked the door."}
    values.update(overrides)
    return values


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Escalation))


def reload(item: Escalation) -> Escalation:
    db.session.expire_all()
    return db.session.get(Escalation, item.id)


# -- toolkit pages ------------------------------------------------------------------------

def test_a_team_member_sees_the_visit_and_its_pack(client, world):
    assignment = tf.assignment(world)
    db.session.commit()
    login(client, world.staff_b)
    index = page(client.get("/toolkit/"))
    assert f"/toolkit/visits/{assignment.id}" in index and "SH-A · Nhà tạm lánh A" in index
    assert "/toolkit/escalations/new" in index
    visit = page(client.get(f"/toolkit/visits/{assignment.id}"))
    for text in ("Visit pack", "A manager.b", "B staff.b", "manager.b (team lead)", "Evidence checklist per indicator",
                 "Generic", "Files carry a code, not a name", "Stop rule", "Confidentiality undertaking",
                 "Before the visit: the team lead&#39;s list", f"/toolkit/visits/{assignment.id}.pdf?lang=vi"):
        assert text in visit, text
    assert "/toolkit/escalations/new?facility=" in visit


def test_the_pack_page_in_vietnamese(client_vi, world):
    assignment = tf.assignment(world)
    db.session.commit()
    login(client_vi, world.manager_b)
    visit = page(client_vi.get(f"/toolkit/visits/{assignment.id}"))
    for text in ("Bộ tài liệu cho chuyến thăm", "Danh mục chung", "Quy tắc dừng", "Hồ sơ được mã hóa, không ghi tên",
                 "Cam kết bảo mật khi tham gia chuyến thăm đánh giá đồng cấp", "Tổng đài quốc gia bảo vệ trẻ em 111"):
        assert text in visit, text


@pytest.mark.parametrize("name, heading", [
    ("agenda", "One-day visit agenda"), ("interview", "Resident interview protocol"),
    ("file-review", "File-review protocol"), ("concerns", "When the team sees abuse, detention or a child at risk"),
    ("undertaking", "Confidentiality undertaking for a peer assessment visit"),
])
def test_protocol_pages(client, world, name, heading):
    tf.team(world)
    db.session.commit()
    login(client, world.staff_b)
    text = page(client.get(f"/toolkit/protocols/{name}"))
    assert heading in text
    assert f"/toolkit/protocols.pdf?lang=vi&amp;part={name}" in text


def test_unknown_protocol_and_others_visits(client, world):
    assignment = tf.assignment(world)
    db.session.commit()
    login(client, world.staff_b)
    assert client.get("/toolkit/protocols/gossip").status_code == 404
    assert client.get("/toolkit/visits/999999").status_code == 404
    login(client, world.staff_a)  # works at the visited facility
    assert client.get("/toolkit/").status_code == 403
    assert client.get(f"/toolkit/visits/{assignment.id}").status_code == 404
    assert client.get(f"/toolkit/visits/{assignment.id}.pdf").status_code == 404


def test_a_withdrawn_team_no_longer_gets_the_pack(client, world):
    assignment = tf.assignment(world)
    assignment.withdrawn_at = dt.datetime.now(dt.timezone.utc)
    db.session.commit()
    login(client, world.staff_b)
    assert client.get(f"/toolkit/visits/{assignment.id}").status_code == 404
    assert f"/toolkit/visits/{assignment.id}" not in page(client.get("/toolkit/"))


def test_menu_links(client, world):
    tf.team(world)
    db.session.commit()
    login(client, world.staff_b)
    assert 'href="/toolkit/"' in page(client.get("/"))
    login(client, world.staff_a)
    home = page(client.get("/"))
    assert 'href="/toolkit/"' not in home and "/toolkit/escalations" not in home


# -- recording a concern -------------------------------------------------------------------

def test_a_team_member_records_a_concern_that_only_the_national_team_and_they_see(client, world):
    tf.team(world)
    db.session.commit()
    login(client, world.staff_b)
    response = client.post("/toolkit/escalations/new", data=form(world))
    assert response.status_code == 302
    item = db.session.scalar(select(Escalation))
    assert response.headers["Location"].endswith(f"/toolkit/escalations/{item.id}")
    assert (item.status, item.category, item.facility_id, item.team_id, item.recorded_by_id) == (
        "open", "detention", world.facility_a.id, world.team_one.id, world.staff_b.id)
    assert [(e.kind, e.user_id) for e in item.events] == [("recorded", world.staff_b.id)]
    detail = page(client.get(f"/toolkit/escalations/{item.id}"))
    assert DESCRIPTION.replace("'", "&#39;") in detail and "Open: waiting for the national team" in detail
    assert "Add information" in detail and "Acknowledge" not in detail
    for user in (world.staff_a, world.manager_a, world.manager_b, world.admin):
        login(client, user)
        assert client.get(f"/toolkit/escalations/{item.id}").status_code == 404
    login(client, world.manager_a)
    own_list = page(client.get("/toolkit/escalations"))  # the facility's own list is empty
    assert "No escalation recorded." in own_list and f"/toolkit/escalations/{item.id}" not in own_list
    login(client, world.national)
    assert client.get(f"/toolkit/escalations/{item.id}").status_code == 200


def test_open_escalations_are_highlighted_for_the_national_team(client, world):
    item = tf.escalation(world)
    db.session.commit()
    login(client, world.national)
    home = page(client.get("/"))
    assert "Not acknowledged yet: 1. Being acted on: 0." in home
    assert f'/toolkit/escalations/{item.id}' in home and 'class="error"' in home
    assert 'Escalations <span class="badge flag">1' in home  # the menu
    listing = page(client.get("/toolkit/escalations"))
    assert 'class="flagged"' in listing and "1 escalation waits for the national team to acknowledge it." in listing
    assert "staff.b" in listing


def test_national_team_records_for_any_active_facility(client, world):
    login(client, world.national)
    assert client.post("/toolkit/escalations/new", data=form(world, facility_id=world.facility_b.id)).status_code == 302
    item = db.session.scalar(select(Escalation))
    assert item.facility_id == world.facility_b.id and item.team_id is None


@pytest.mark.parametrize("overrides, message", [
    ({"description": ""}, "This cannot be empty."),
    ({"description": "   "}, "This cannot be empty."),
    ({"description": "x" * 4001}, "Shorten this to at most 4000 characters (it has 4001)."),
    ({"immediate_action": ""}, "This cannot be empty."),
    ({"facility_id": "999999"}, "Choose a facility from the list: the facilities your team visits."),
    ({"facility_id": "abc"}, "Choose a facility from the list: the facilities your team visits."),
    ({"facility_id": ""}, "Choose a facility from the list: the facilities your team visits."),
    ({"category": ""}, "Choose what kind of concern this is."),
    ({"category": "rumour"}, "Choose what kind of concern this is."),
    ({"seen_on": ""}, "Enter the date as year-month-day, for example 2027-03-15."),
    ({"seen_on": "10/05/2027"}, "Enter the date as year-month-day, for example 2027-03-15."),
    ({"seen_on": (dt.date.today() + dt.timedelta(days=2)).isoformat()}, "The date cannot be in the future."),
    ({"description": "Chị Lan, sinh năm 2009, bị khóa trong phòng ngủ suốt đêm."},
     "This seems to contain a name, a birth date or year of birth."),
    ({"immediate_action": "Phoned her brother on 0912 345 678"},
     "This seems to contain a phone, identity card or account number."),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(client, world, overrides, message):
    tf.team(world)
    db.session.commit()
    login(client, world.staff_b)
    response = client.post("/toolkit/escalations/new", data=form(world, **overrides))
    assert response.status_code == 200
    text = page(response)
    assert message.replace("'", "&#39;") in text
    assert count() == 0
    if "description" in overrides and overrides["description"].strip() and len(overrides["description"]) < 100:
        assert overrides["description"] in text  # what was typed is kept


def test_a_facility_the_team_does_not_visit_is_refused(client, world):
    tf.team(world)
    db.session.commit()
    login(client, world.staff_b)
    response = client.post("/toolkit/escalations/new", data=form(world, facility_id=world.facility_b.id))
    assert "Choose a facility from the list" in page(response) and count() == 0
    assert f'value="{world.facility_b.id}"' not in page(client.get("/toolkit/escalations/new"))


def test_only_team_members_and_the_national_team_record(client, world):
    tf.team(world)
    db.session.commit()
    for user in (world.staff_a, world.manager_a, world.admin):
        login(client, user)
        assert client.get("/toolkit/escalations/new").status_code == 403
        assert client.post("/toolkit/escalations/new", data=form(world)).status_code == 403
    assert count() == 0


# -- the national team's workflow ---------------------------------------------------------

def test_acknowledge_act_close_and_reopen_each_recorded(client, world):
    item = tf.escalation(world)
    db.session.commit()
    url = f"/toolkit/escalations/{item.id}"
    login(client, world.national)
    assert client.post(f"{url}/acknowledge").status_code == 302
    item = reload(item)
    assert item.status == "acknowledged" and item.acknowledged_by_id == world.national.id
    # closing needs an action first
    response = client.post(f"{url}/close", data={"close-text": "Nothing more to do."}, follow_redirects=True)
    assert "Record the action taken before closing." in page(response)
    assert reload(item).status == "acknowledged"
    assert client.post(f"{url}/actions", data={"action-text": "Phoned the provincial child protection office."}
                       ).status_code == 302
    assert client.post(f"{url}/close", data={"close-text": "The province inspected; the lock was removed."}
                       ).status_code == 302
    item = reload(item)
    assert item.status == "closed" and item.closed_by_id == world.national.id and item.closed_at is not None
    # the recorder sees every step, and can add nothing once it is closed
    login(client, world.staff_b)
    detail = page(client.get(url))
    for text in ("Acknowledged", "Action taken", "Phoned the provincial child protection office.",
                 "The province inspected; the lock was removed.", "national"):
        assert text in detail, text
    response = client.post(f"{url}/information", data={"information-text": "The lock was back a week later."},
                           follow_redirects=True)
    assert "This cannot be done while the escalation is “Closed”." in page(response)
    # reopening asks for a new action before the next close
    login(client, world.national)
    assert client.post(f"{url}/reopen", data={"reopen-text": "The next team saw the lock again."}).status_code == 302
    item = reload(item)
    assert item.status == "acknowledged" and item.closed_at is None and not item.has_action
    kinds = [(e.kind, e.user_id) for e in item.events]
    assert kinds == [("recorded", world.staff_b.id), ("acknowledged", world.national.id),
                     ("action", world.national.id), ("closed", world.national.id), ("reopened", world.national.id)]
    assert all(e.at is not None for e in item.events)


def test_an_action_on_an_open_escalation_acknowledges_it(client, world):
    item = tf.escalation(world)
    db.session.commit()
    login(client, world.national)
    client.post(f"/toolkit/escalations/{item.id}/actions", data={"action-text": "Called the manager's superior."})
    item = reload(item)
    assert item.status == "acknowledged" and [e.kind for e in item.events] == ["recorded", "acknowledged", "action"]


def test_the_recorder_adds_information(client, world):
    item = tf.escalation(world)
    db.session.commit()
    login(client, world.staff_b)
    response = client.post(f"/toolkit/escalations/{item.id}/information",
                           data={"information-text": "The padlock is on the outside of the door."})
    assert response.status_code == 302
    assert [e.kind for e in reload(item).events] == ["recorded", "information"]
    login(client, world.national)
    assert "The padlock is on the outside of the door." in page(client.get(f"/toolkit/escalations/{item.id}"))


@pytest.mark.parametrize("endpoint, field, user, text, message", [
    ("actions", "action-text", "national", "", "This cannot be empty."),
    ("actions", "action-text", "national", "Told Chị Lan's family", "This seems to contain a name."),
    ("actions", "action-text", "national", "x" * 2001, "Shorten this to at most 2000 characters"),
    ("information", "information-text", "staff_b", "ok", "Write at least 5 characters."),
])
def test_bad_step_text_is_refused_and_kept(client, world, endpoint, field, user, text, message):
    item = tf.escalation(world)
    db.session.commit()
    login(client, getattr(world, user))
    response = client.post(f"/toolkit/escalations/{item.id}/{endpoint}", data={field: text})
    assert response.status_code == 200
    body = page(response)
    assert message.replace("'", "&#39;") in body
    if text.strip() and len(text) < 100:
        assert text.replace("'", "&#39;") in body
    item = reload(item)
    assert item.status == "open" and [e.kind for e in item.events] == ["recorded"]


def test_acknowledging_twice_is_refused_with_a_message(client, world):
    item = tf.escalation(world)
    db.session.commit()
    login(client, world.national)
    client.post(f"/toolkit/escalations/{item.id}/acknowledge")
    response = client.post(f"/toolkit/escalations/{item.id}/acknowledge", follow_redirects=True)
    assert "This cannot be done while the escalation is" in page(response)
    assert [e.kind for e in reload(item).events] == ["recorded", "acknowledged"]


def test_two_simultaneous_steps_cannot_both_be_saved(app_ctx, world):
    """Two national-team members acknowledge the same escalation at the same moment: the
    version column makes the second flush fail instead of recording two acknowledgements."""
    item = tf.escalation(world)
    db.session.commit()
    with Session(db.engine) as other:
        theirs = other.get(Escalation, item.id)
        services.acknowledge(other, other.get(type(world.national), world.national.id), theirs)
        other.commit()
    with pytest.raises(StaleDataError):
        services.acknowledge(db.session, world.national, item)  # based on the copy read before
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(EscalationEvent).where(
        EscalationEvent.kind == "acknowledged")) == 1
