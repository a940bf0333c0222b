"""Notes that seem to hold a person's identifying details (issue 11): the save is refused with a
message on the note that says what looked identifying, nothing is stored, the typed text stays in
the page with a box to confirm; ticking it saves. A harmless note saves without any prompt."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from shelterassess.assessments.models import Score
from shelterassess.extensions import db
from shelterassess.funding.models import AllocationLine
from shelterassess.plans.models import PlanAction
from shelterassess.toolkit.models import Escalation
from tests import followup_fixtures as ff
from tests import funding_fixtures as fuf
from tests import peer_scoring_fixtures as pf
from tests import plan_fixtures as plf
from tests.area_posts import post_area
from tests.conftest import login

PHONE_NOTE = "Gặp chị Lan, số 0912 345 678, tại phòng khách"
WARNING = "This note seems to contain"
CONFIRM_BOX = 'name="confirm_identifying"'


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _assert_warned(response, typed: str, *quoted: str) -> str:
    """The page refuses the note: the warning quotes what looked identifying, the confirm box is
    there (unticked) and what was typed is still in the form."""
    assert response.status_code in (200, 409, 422), response.status_code
    text = _text(response)
    assert WARNING in text
    assert "Remove it, or tick the box to confirm it identifies no resident or client." in text
    for q in quoted:
        assert q in text
    assert CONFIRM_BOX in text
    assert re.search(r'<input type="checkbox" name="confirm_identifying" value="[0-9a-f]{20}" id="[^"]+"\s*>', text)  # not ticked
    assert typed in text
    return text


def _box_value(warned_page: str) -> str:
    """What ticking the confirmation box sends: the fingerprint of the details the warning quoted."""
    return re.search(r'name="confirm_identifying" value="([0-9a-f]{20})"', warned_page).group(1)


# -- the self-assessment area ----------------------------------------------------------------------

@pytest.fixture
def self_a(world):
    from shelterassess.assessments import services
    assessment = services.start_assessment(db.session, world.staff_a, world.facility_a, world.round)
    db.session.commit()
    return assessment


def _area_post(world, area, notes: dict[str, str]) -> dict:
    data = {"next": "stay"}
    for ind in area.indicators:
        data[f"score-{ind.id}"] = "2" if not ind.na_allowed else "na"
        data[f"note-{ind.id}"] = notes.get(ind.code, "")
    return data


def _score(assessment, ind) -> Score:
    db.session.expire_all()
    return db.session.scalar(select(Score).where(Score.assessment_id == assessment.id, Score.indicator_id == ind.id))


def test_area_note_with_a_phone_number_is_refused_then_confirmed(client, world, self_a):
    area = world.sheet.areas[0]
    a1 = area.indicators[0]
    url = f"/assessments/{self_a.id}/areas/{area.id}"
    login(client, world.staff_a)
    before = _score(self_a, a1)
    before_note, before_value, before_version = before.note, before.value, before.version
    other_before = _score(self_a, area.indicators[1]).version
    r = post_area(client, url, _area_post(world, area, {a1.code: PHONE_NOTE}))
    text = _assert_warned(r, PHONE_NOTE, 'a phone number ("0912 345 678")', 'a person\'s name ("chị Lan")')
    assert "Nothing was saved." in text
    after = _score(self_a, a1)
    assert (after.note, after.value, after.version) == (before_note, before_value, before_version)
    assert _score(self_a, area.indicators[1]).version == other_before  # nor any other answer of the area
    r = post_area(client, url, {**_area_post(world, area, {a1.code: PHONE_NOTE}), "confirm_identifying": _box_value(text)})
    assert r.status_code == 302
    assert _score(self_a, a1).note == PHONE_NOTE


def test_area_harmless_note_saves_without_a_prompt(client, world, self_a):
    area = world.sheet.areas[0]
    a1 = area.indicators[0]
    login(client, world.staff_a)
    note = "Tủ hồ sơ có khóa; 12 người được hỗ trợ, kiểm tra ngày 12/3/2027, chỉ số A1.2 đạt"
    r = post_area(client, f"/assessments/{self_a.id}/areas/{area.id}", _area_post(world, area, {a1.code: note}))
    assert r.status_code == 302
    assert _score(self_a, a1).note == note
    page = _text(client.get(r.headers["Location"]))
    assert WARNING not in page and CONFIRM_BOX not in page


def test_area_page_shows_no_confirm_box_before_a_warning(client, world, self_a):
    login(client, world.staff_a)
    page = _text(client.get(f"/assessments/{self_a.id}/areas/{world.sheet.areas[0].id}"))
    assert CONFIRM_BOX not in page


# -- plan action description -----------------------------------------------------------------------

def test_plan_action_description_warns_then_saves(client, world):
    plan = plf.complete_plan(world)
    db.session.commit()
    login(client, world.manager_b)
    action = plan.actions[0]
    description = "Hỏi ý kiến em Nguyễn Thị Hoa (CCCD 001098012345) về tủ khóa"
    r = client.post(f"/plans/actions/{action.id}/edit", data=plf.action_form(world, action, description=description))
    warned = _assert_warned(r, description, 'an ID or passport number ("001098012345")', "em Nguyễn Thị Hoa")
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).description != description
    r = client.post(f"/plans/actions/{action.id}/edit",
                    data={**plf.action_form(world, action, description=description), "confirm_identifying": _box_value(warned)})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).description == description


def test_plan_action_harmless_description_saves(client, world):
    plan = plf.complete_plan(world)
    db.session.commit()
    login(client, world.manager_b)
    action = plan.actions[0]
    description = "Mua tủ khóa 1.500.000 đ cho phòng hồ sơ; cán bộ và nhân viên được tập huấn năm 2027"
    r = client.post(f"/plans/actions/{action.id}/edit", data=plf.action_form(world, action, description=description))
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).description == description


# -- follow-up visit note ----------------------------------------------------------------------------

def _visit_results(visit_id: int):
    from shelterassess.followups.models import FollowUpVisit
    db.session.expire_all()
    visit = db.session.get(FollowUpVisit, visit_id)
    return sorted((r.action_id, r.outcome, r.note, r.version) for r in visit.results)


def test_follow_up_note_warns_then_saves(client, world):
    visit = ff.visit_a(world)
    db.session.commit()
    login(client, world.staff_b)
    note = "Ms Hoa said the lock was fixed, email hoa.tran@example.com"
    data = ff.visit_form(world, visit)
    key = f"anote-{ff.action(world, 1).id}"
    data[key] = note
    before = _visit_results(visit.id)
    r = client.post(f"/follow-ups/{visit.id}", data=data)
    warned = _assert_warned(r, note, 'a person\'s name ("Ms Hoa")', 'an e-mail address ("hoa.tran@example.com")')
    assert _visit_results(visit.id) == before
    r = client.post(f"/follow-ups/{visit.id}", data={**data, "confirm_identifying": _box_value(warned)})
    assert r.status_code == 302
    assert note in [row[2] for row in _visit_results(visit.id)]


def test_follow_up_harmless_note_saves(client, world):
    visit = ff.visit_a(world)
    db.session.commit()
    login(client, world.staff_b)
    data = ff.visit_form(world, visit)
    data[f"anote-{ff.action(world, 1).id}"] = "Tủ khóa đã lắp; 3 nhân viên được tập huấn ngày 5/4/2027"
    assert client.post(f"/follow-ups/{visit.id}", data=data).status_code == 302


# -- funding adjustment reason -------------------------------------------------------------------

def test_funding_adjustment_reason_warns_then_saves(client, world):
    fround = fuf.proposal(world)
    db.session.commit()
    login(client, world.national)
    line = fuf.line(world, "SH-A", "capacity_building")
    amount_before = line.amount_vnd
    reason = "As agreed with Mr Binh on +84 24 3826 1234"
    url = f"/funding/{fround.id}/lines/{line.id}/adjust"
    data = {"amount": "2.000.000", "reason": reason, "version": line.version}
    r = client.post(url, data=data)
    warned = _assert_warned(r, reason, 'a phone number ("+84 24 3826 1234")', 'a person\'s name ("Mr Binh")')
    db.session.expire_all()
    assert db.session.get(AllocationLine, line.id).amount_vnd == amount_before
    assert client.post(url, data={**data, "confirm_identifying": _box_value(warned)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(AllocationLine, line.id).amount_vnd == 2_000_000
    assert [e.reason for e in fround.events if e.action == "adjusted"] == [reason]


def test_funding_harmless_reason_saves(client, world):
    fround = fuf.proposal(world)
    db.session.commit()
    login(client, world.national)
    line = fuf.line(world, "SH-A", "capacity_building")
    r = client.post(f"/funding/{fround.id}/lines/{line.id}/adjust",
                    data={"amount": "2.000.000", "reason": "Tỉnh Lào Cai trả 1.000.000 đ", "version": line.version})
    assert r.status_code == 302


# -- escalation description ------------------------------------------------------------------------

def _escalation_form(world, description):
    import datetime as dt
    return {"category": "detention", "facility_id": world.facility_a.id,
            "seen_on": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
            "description": description, "immediate_action": "Told the manager, who unlocked the door."}


def _escalations() -> int:
    return db.session.scalar(select(func.count()).select_from(Escalation))


def test_escalation_description_warns_then_saves(client, world):
    from tests import toolkit_fixtures as tf
    tf.assignment(world)
    db.session.commit()
    login(client, world.staff_b)
    # A name written without diacritics: the escalation's own stricter check does not know it.
    description = "The night guard locks chi Lan in the girls' dormitory after 21:00 every night."
    r = client.post("/toolkit/escalations/new", data=_escalation_form(world, description))
    warned = _assert_warned(r, description, 'a person\'s name ("chi Lan")')
    assert _escalations() == 0
    confirmed = {**_escalation_form(world, description), "confirm_identifying": _box_value(warned)}
    r = client.post("/toolkit/escalations/new", data=confirmed)
    assert r.status_code == 302
    assert _escalations() == 1


def test_escalation_phone_number_is_refused_outright(client, world):
    """Escalations refuse obvious identifiers outright (toolkit.domain): no box to confirm them away."""
    from tests import toolkit_fixtures as tf
    tf.assignment(world)
    db.session.commit()
    login(client, world.staff_b)
    description = "The guard locks the dormitory; call the guard on 0912 345 678 to check."
    for extra in ({}, {"confirm_identifying": "y"}):
        r = client.post("/toolkit/escalations/new", data={**_escalation_form(world, description), **extra})
        text = _text(r)
        assert "This seems to contain a phone, identity card or account number." in text
        assert WARNING not in text and CONFIRM_BOX not in text
        assert description in text and _escalations() == 0


# -- peer reconciliation reason ------------------------------------------------------------------

def _reconcile_data(world, agreed):
    data = {}
    for ind in world.sheet.indicators:
        value, reason = agreed.get(ind.code, ("", ""))
        data[f"agreed-{ind.id}"] = value
        data[f"reason-{ind.id}"] = reason
        data[f"version-{ind.id}"] = "1"
    return data


def test_peer_reconcile_reason_warns_then_saves(client, world):
    pf.ready_to_reconcile(world)
    db.session.commit()
    login(client, world.manager_b)
    url = f"/peer/reconcile/{world.facility_a.id}/{world.round.id}"
    reason = "Anh Tuấn, sinh năm 1990, showed the register"
    agreed = {"A1": ("2", reason), "A2": ("na", ""), "B1": ("3", ""), "B2": ("2", "")}
    r = client.post(url, data=_reconcile_data(world, agreed))
    warned = _assert_warned(r, reason, 'a person\'s name ("Anh Tuấn")', 'a date of birth ("sinh năm 1990")')
    assert pf.find_agreed(world) is None or all(
        s.note != reason for s in db.session.scalars(select(Score).where(
            Score.assessment_id == pf.find_agreed(world).id)))  # an agreed score's reason is its note
    r = client.post(url, data={**_reconcile_data(world, agreed), "confirm_identifying": _box_value(warned)})
    assert r.status_code == 302
    db.session.expire_all()
    agreed_a = pf.find_agreed(world)
    assert reason in [s.note for s in db.session.scalars(select(Score).where(Score.assessment_id == agreed_a.id))]


def test_peer_reconcile_harmless_reason_saves(client, world):
    pf.ready_to_reconcile(world)
    db.session.commit()
    login(client, world.manager_b)
    url = f"/peer/reconcile/{world.facility_a.id}/{world.round.id}"
    agreed = {"A1": ("2", "Sổ theo dõi thiếu 2 tháng; cán bộ đã xác nhận"), "A2": ("na", ""), "B1": ("3", ""),
              "B2": ("2", "")}
    assert client.post(url, data=_reconcile_data(world, agreed)).status_code == 302


# -- every other note field goes through the same form base --------------------------------------

def test_drop_reason_warns_and_keeps_the_action(client, world):
    plan = plf.complete_plan(world)
    db.session.commit()
    login(client, world.manager_b)
    action = plan.actions[0]
    reason = "Bà Sáu (DOB: 12/03/1960) asked to stop"
    r = client.post(f"/plans/actions/{action.id}/drop", data={"drop_reason": reason})
    _assert_warned(r, reason, 'a date of birth ("DOB: 12/03/1960")')
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).status != "dropped"


def test_a_tick_confirms_only_the_details_it_was_shown(client, world):
    """A note changed after the warning (another phone number) is flagged again, whatever the old
    tick; a made-up box value confirms nothing; a page shown again never comes back ticked."""
    plan = plf.complete_plan(world)
    db.session.commit()
    login(client, world.manager_b)
    action = plan.actions[0]
    first = "Gọi chị Mai 0912 345 678 trước khi đến"
    warned = _assert_warned(client.post(f"/plans/actions/{action.id}/edit",
                                        data=plf.action_form(world, action, description=first)), first)
    changed = "Gọi chị Mai 0987 654 321 trước khi đến"
    for value in (_box_value(warned), "y", "0" * 20):
        r = client.post(f"/plans/actions/{action.id}/edit",
                        data={**plf.action_form(world, action, description=changed), "confirm_identifying": value})
        _assert_warned(r, changed, 'a phone number ("0987 654 321")')
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).description not in (first, changed)
