"""Visit-toolkit rules without an app: obvious identifiers, escalation input and workflow, the
agenda for teams of 2-5, and checklists from v2-style data or derived from v1's evidence."""
from __future__ import annotations

import datetime as dt

import pytest

from shelterassess.toolkit import content, domain
from shelterassess.toolkit.domain import find_identifiers

TODAY = dt.date(2027, 5, 10)
OK_DESCRIPTION = "A night guard locks the girls' dormitory from outside after 21:00; two children sleep there."


# -- identifiers -------------------------------------------------------------------------

@pytest.mark.parametrize("text, kinds", [
    ("Chị Lan bị bảo vệ khóa trong phòng", ["name"]),
    ("Em Mai kể rằng bị phạt nhịn ăn", ["name"]),
    ("bé Na, khoảng 10 tuổi, ngủ chung với người lớn", ["name"]),
    ("tên là Hoa", ["name"]),
    ("a girl named Mai said the door is locked", ["name"]),
    ("Ms. Nguyen, the manager, holds the keys", ["name"]),
    ("sinh năm 2010", ["birth_date"]),
    ("ngày sinh 03/04/2010", ["birth_date"]),
    ("born in 2011", ["birth_date"]),
    ("call 0912 345 678", ["phone_or_id"]),
    ("0912.345.678", ["phone_or_id"]),
    ("+84 912 345 678", ["phone_or_id"]),
    ("CCCD 001203012345", ["phone_or_id"]),
    ("passport B1234567 is kept in the office", ["document_number"]),
    ("write to someone@example.org", ["email"]),
    ("Chị Lan, sinh năm 2008, số 0912345678", ["name", "birth_date", "phone_or_id"]),
])
def test_obvious_identifiers_are_found(text, kinds):
    assert find_identifiers(text) == kinds


@pytest.mark.parametrize("text", [
    OK_DESCRIPTION,
    "Một bảo vệ ca đêm khóa cửa phòng ngủ của các em gái từ bên ngoài sau 21 giờ.",
    "anh Bảo vệ nói rằng cửa luôn khóa",            # a role, capitalised
    "Nhân viên nói với chị Trưởng phòng",
    "cô Giáo dạy nghề không đến từ tháng trước",
    "Em không biết ai giữ chìa khóa",                # "Em" starting a sentence, no name
    "Các em được gọi điện cho gia đình vào Chủ nhật",
    "Seen on 2027-03-12 10:30; fines of 150.000.000 đồng; 1,500,000 VND a month",
    "12/03/2027, about 20 residents, 3 staff at night",
    "Residents are fined 200.000 đ for coming back late.",
])
def test_facility_level_text_passes(text):
    assert find_identifiers(text) == []


# -- escalation input -------------------------------------------------------------------

def _check(**overrides):
    values = dict(category="abuse", facility_allowed=True, seen_on=TODAY, today=TODAY,
                  description=OK_DESCRIPTION, immediate_action="Told the manager.")
    values.update(overrides)
    return [(p.field, p.code) for p in domain.check_escalation(**values)]


def test_a_good_escalation_has_no_problem():
    assert _check() == []


@pytest.mark.parametrize("overrides, expected", [
    ({"category": None}, [("category", "category")]),
    ({"category": "rumour"}, [("category", "category")]),
    ({"facility_allowed": False}, [("facility_id", "facility")]),
    ({"seen_on": None}, [("seen_on", "date_missing")]),
    ({"seen_on": TODAY + dt.timedelta(days=1)}, [("seen_on", "date_future")]),
    ({"seen_on": TODAY - dt.timedelta(days=400)}, [("seen_on", "date_too_old")]),
    ({"description": ""}, [("description", "empty")]),
    ({"description": "locked"}, [("description", "too_short")]),
    ({"description": "x" * (domain.DESCRIPTION_MAX + 1)}, [("description", "too_long")]),
    ({"description": "Chị Lan bị khóa trong phòng ngủ suốt đêm qua."}, [("description", "identifiers")]),
    ({"immediate_action": ""}, [("immediate_action", "empty")]),
    ({"immediate_action": "Phoned 0912 345 678"}, [("immediate_action", "identifiers")]),
])
def test_bad_input_is_named_field_by_field(overrides, expected):
    assert _check(**overrides) == expected


def test_every_problem_is_reported_at_once():
    fields = {f for f, _ in _check(category="", facility_allowed=False, seen_on=None, description="",
                                   immediate_action="")}
    assert fields == {"category", "facility_id", "seen_on", "description", "immediate_action"}


def test_clean_normalises_and_strips():
    assert domain.clean("  Cu\u0309a\r\nkho\u0301a  ") == "Của\nkhóa"


# -- workflow ---------------------------------------------------------------------------

def test_workflow_table():
    assert domain.allowed("acknowledge", "open") and not domain.allowed("acknowledge", "acknowledged")
    assert domain.allowed("action", "open") and domain.allowed("action", "acknowledged")
    assert not domain.allowed("action", "closed") and not domain.allowed("information", "closed")
    assert domain.allowed("close", "acknowledged") and not domain.allowed("close", "open")
    assert domain.allowed("reopen", "closed") and not domain.allowed("reopen", "open")
    assert domain.next_status("action", "open") == "acknowledged"
    assert domain.next_status("information", "open") == "open"
    assert domain.next_status("reopen", "closed") == "acknowledged"


# -- agenda -----------------------------------------------------------------------------

def test_letters_lead_first():
    members = domain.letter_members("Lead", ["Bình", "An"])
    assert [(m.letter, m.name, m.is_lead) for m in members] == [("A", "Lead", True), ("B", "Bình", False),
                                                              ("C", "An", False)]


@pytest.mark.parametrize("size", [2, 3, 4, 5])
def test_every_member_has_a_role_and_work_in_a_team_of(size):
    data = content.document("agenda")
    slots = domain.agenda_for(data["slots"], size)
    letters = set(domain.LETTERS[:size])
    assert [letter for letter, _ in domain.roles_for(data["roles"], size)] == sorted(letters)
    own_work = {x for slot in slots for a in slot.activities if len(a.letters) < size for x in a.letters}
    assert own_work == letters, "every member does something of their own, not only whole-team meetings"
    whole_team = [a.activity["en"] for slot in slots for a in slot.activities if len(a.letters) == size]
    assert "Opening meeting with the manager" in whole_team and "Closing meeting with the manager" in whole_team
    assert any("consolidation" in text for text in whole_team)


@pytest.mark.parametrize("size", [2, 3, 4, 5])
def test_resident_interviewers_do_not_review_files(size):
    slots = domain.agenda_for(content.document("agenda")["slots"], size)
    by_activity: dict[str, set[str]] = {}
    for slot in slots:
        for a in slot.activities:
            by_activity.setdefault(a.activity["en"], set()).update(a.letters)
    interviewers = by_activity["Resident interviews (voluntary, private)"]
    file_reviewers = by_activity["File review (staff handle the files)"]
    assert interviewers and file_reviewers and not interviewers & file_reviewers


@pytest.mark.parametrize("count, used", [(1, 2), (2, 2), (5, 5), (7, 5)])
def test_team_size_is_clamped(count, used):
    assert domain.team_size(count) == used


# -- checklists -------------------------------------------------------------------------

V, E = "vi", "en"


@pytest.mark.parametrize("raw", [
    {"documents": [{V: "Sổ giao ca", E: "Handover log"}], "sample": 5,
     "ask": {V: ["Bảo vệ ca đêm"], E: ["Night guard"]},
     "observe": {V: "Cửa ra vào", E: "Entrances"}},
    {"before_visit": {V: "Sổ giao ca", E: "Handover log"}, "file_sample": {V: 5, E: 5},
     "who_to_ask": [{V: "Bảo vệ ca đêm", E: "Night guard"}], "look_at": [{V: "Cửa ra vào", E: "Entrances"}]},
    [{"kind": "documents", V: "Sổ giao ca", E: "Handover log"}, {"kind": "sample", V: 5, E: 5},
     {"type": "ask", V: "Bảo vệ ca đêm", E: "Night guard"}, {"source": "observation", V: "Cửa ra vào", E: "Entrances"}],
])
def test_checklist_shapes_of_a_v2_sheet(raw):
    checklist = domain.normalize_checklist(raw)
    assert checklist is not None and not checklist.generic
    assert checklist.kinds == ["documents", "sample", "ask", "observe"]
    assert checklist.of("documents") == [{V: "Sổ giao ca", E: "Handover log"}]
    assert checklist.of("sample")[0][E] == "5 files, chosen at random"
    assert checklist.of("ask") == [{V: "Bảo vệ ca đêm", E: "Night guard"}]


def test_unknown_keys_become_other_checks_and_empty_is_none():
    checklist = domain.normalize_checklist({"notes": {V: "Hỏi về ca đêm", E: "Ask about nights"}})
    assert checklist.kinds == ["other"]
    assert domain.normalize_checklist({}) is None and domain.normalize_checklist([]) is None
    assert domain.normalize_checklist(None) is None


def test_generic_checklist_from_v1_evidence_sources():
    by_source = content.document("checklist")["by_source"]
    checklist = domain.generic_checklist(["observation", "document_review", "resident_interview", "unknown"], by_source)
    assert checklist.generic
    assert checklist.kinds == ["documents", "sample", "ask", "observe"]
    assert "never about their story" in checklist.of("ask")[0][E]


def test_documents_to_request_by_area_once_each_with_their_indicators():
    a = domain.normalize_checklist({"documents": [{V: "Nội quy", E: "House rules"}, {V: "Lịch trực", E: "Roster"}]})
    b = domain.normalize_checklist({"documents": [{V: "Lịch trực", E: "Roster"}]})
    c = domain.normalize_checklist({"documents": [{V: "Sổ khiếu nại", E: "Complaints"},
                                                  {V: "Nội quy", E: "House rules"}]})
    rows = [("A. Safety", "A1", a), ("A. Safety", "A2", b), ("F. Rights", "F5", c)]
    assert domain.documents_to_request(rows, "vi") == [
        ("A. Safety", [("Nội quy", ["A1", "F5"]), ("Lịch trực", ["A1", "A2"])]),
        ("F. Rights", [("Sổ khiếu nại", ["F5"])]),
    ]
