"""The visit toolkit PDFs, read back with pypdf in both languages: the generic protocols, a
visit's pack (team names, the round's checklist, the undertaking with signature lines), one
part at a time, and the checklist of a sheet that carries its own (v2) or a generic one (v1)."""
from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from flask_babel import force_locale
from pypdf import PdfReader

from shelterassess.extensions import db
from shelterassess.reports.renderers.toolkit import ToolkitRenderer
from shelterassess.scoresheets import services as sheets
from shelterassess.scoresheets.services import DATA_DIR
from shelterassess.toolkit import content, queries, report_data
from tests import toolkit_fixtures as tf
from tests.conftest import login
from tests.reports.test_views import pdf_text


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages)))


def test_generic_protocols_in_vietnamese(client, world):
    tf.team(world)
    db.session.commit()
    login(client, world.staff_b)
    response = client.get("/toolkit/protocols.pdf?lang=vi")
    assert response.headers["Content-Disposition"] == "inline; filename=visit-protocols-all-vi.pdf"
    text = pdf_text(response)
    for phrase in ("Các quy trình cho chuyến thăm đánh giá đồng cấp", "Chương trình chuyến thăm một ngày",
                   "Nhóm 2 người", "Nhóm 5 người", "Làm việc mở đầu với lãnh đạo cơ sở",
                   "Quy trình phỏng vấn người được hỗ trợ", "Quy tắc dừng", "Tuyệt đối không hỏi",
                   "Tổng đài quốc gia bảo vệ trẻ em 111", "Người phiên dịch", "Quy trình xem xét hồ sơ",
                   "Không sao chụp, chụp ảnh, quét", "Khi nhóm phát hiện xâm hại, giam giữ hoặc trẻ em có nguy cơ",
                   "Cam kết bảo mật khi tham gia chuyến thăm đánh giá đồng cấp", "Chữ ký", "Họ và tên",
                   "Nguồn tham khảo", "Chỉ gồm thông tin cấp cơ sở"):
        assert phrase in text, phrase
    assert "Resident interview protocol" not in text


def test_generic_protocols_in_english(client, world):
    tf.team(world)
    db.session.commit()
    login(client, world.national)
    text = pdf_text(client.get("/toolkit/protocols.pdf?lang=en"))
    for phrase in ("Protocols for peer assessment visits", "One-day visit agenda", "Team of 3",
                   "Resident interview protocol", "Stop rule", "Never ask", "File-review protocol",
                   "When the team sees abuse, detention or a child at risk", "police 113",
                   "Confidentiality undertaking for a peer assessment visit", "Signature",
                   "WHO Ethical and Safety Recommendations for Interviewing Trafficked Women",
                   "not read in full"):
        assert phrase in text, phrase
    assert "Quy tắc dừng" not in text


def test_a_visit_pack_in_vietnamese_names_the_team_and_derives_a_generic_checklist(client, world):
    assignment = tf.assignment(world)
    db.session.commit()
    login(client, world.manager_b)
    response = client.get(f"/toolkit/visits/{assignment.id}.pdf?lang=vi")
    assert response.headers["Content-Disposition"] == "inline; filename=visit-pack-SH-A-all-vi.pdf"
    text = pdf_text(response)
    for phrase in ("Bộ tài liệu cho chuyến thăm", "SH-A – Nhà tạm lánh A", "Team 1", "2027 national round",
                   "chưa xác định",                                    # no planned date yet
                   "manager.b (trưởng nhóm)", "A manager.b", "B staff.b",  # letters and names in the agenda
                   "Danh mục kiểm tra minh chứng theo từng tiêu chí", "Danh mục chung",
                   "Hồ sơ được mã hóa, không ghi tên", "Trọng yếu", "Tài liệu cần đề nghị chuẩn bị", "Cần quan sát",
                   "Cách kiểm tra (hướng dẫn của bộ tiêu chí)", "Xem tủ hồ sơ.",
                   "Tài liệu đề nghị cơ sở chuẩn bị sẵn vào ngày thăm",
                   "RC-B – Trung tâm tiếp nhận B",                       # where the signers work
                   "Quy trình phỏng vấn người được hỗ trợ", "Cam kết bảo mật"):
        assert phrase in text, phrase


def test_a_visit_pack_in_english(client, world):
    assignment = tf.assignment(world)
    db.session.commit()
    login(client, world.national)
    text = pdf_text(client.get(f"/toolkit/visits/{assignment.id}.pdf?lang=en"))
    for phrase in ("Visit pack", "manager.b (team lead)", "Evidence checklist per indicator", "Generic",
                   "Files carry a code, not a name", "Critical", "What to observe", "Team lead",
                   "Team member", "Works at", "Received for the facility (the manager)"):
        assert phrase in text, phrase


def test_one_part_only(client, world):
    assignment = tf.assignment(world)
    db.session.commit()
    login(client, world.staff_b)
    text = pdf_text(client.get(f"/toolkit/visits/{assignment.id}.pdf?lang=en&part=undertaking"))
    assert "Confidentiality undertaking for a peer assessment visit" in text and "staff.b" in text
    assert "Resident interview protocol" not in text and "Evidence checklist per indicator" not in text
    assert client.get(f"/toolkit/visits/{assignment.id}.pdf?part=everything").status_code == 404
    assert client.get("/toolkit/protocols.pdf?part=checklist").status_code == 404


def _sheet_with_checklists(world, tmp_path: Path):
    """The mini sheet's data file with a v2-style checklist on B1 only, in a data folder of its own."""
    data = sheets.read_sheet_file(Path(__file__).parents[1] / "fixtures" / "mini_sheet.yaml")
    b1 = data["areas"][1]["indicators"][0]
    b1["checklist"] = {
        "documents": [{"vi": "Sổ đăng ký mã số hồ sơ", "en": "Register of file codes"}],
        "file_sample": {"size": 5, "vi": "5 hồ sơ chọn ngẫu nhiên", "en": "5 files chosen at random"},
        "ask": [{"vi": "Nhân viên quản lý hồ sơ: ai giữ chìa khóa", "en": "The records officer: who holds the key"}],
        "observe": [{"vi": "Bìa của 5 hồ sơ", "en": "The covers of the 5 files"}],
    }
    (tmp_path / "mini_v1.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return world.sheet


@pytest.mark.parametrize("language, phrases", [
    ("vi", ("Sổ đăng ký mã số hồ sơ", "5 hồ sơ chọn ngẫu nhiên", "Nhân viên quản lý hồ sơ: ai giữ chìa khóa",
            "Danh mục kiểm tra lấy từ bộ tiêu chí của đợt đánh giá.")),
    ("en", ("Register of file codes", "5 files chosen at random", "The records officer: who holds the key",
            "Checklist taken from the round's score sheet.")),
])
def test_a_sheet_with_its_own_checklist(app_ctx, world, tmp_path, language, phrases):
    sheet = _sheet_with_checklists(world, tmp_path)
    areas = queries.checklists(sheet, tmp_path)
    by_code = {row.indicator.code: row.checklist for area in areas for row in area.indicators}
    assert not by_code["B1"].generic and by_code["A1"].generic
    area_b = "B. Bảo mật thông tin" if language == "vi" else "B. Confidentiality"
    assert queries.documents_to_request(areas, language) == [(area_b, [(phrases[0], ["B1"])])]  # not the generic list
    assignment = tf.assignment(world)
    with app_ctx.test_request_context(), force_locale(language):
        report = report_data.visit_report(assignment, areas, queries.documents_to_request(areas, language), language,
                                          "", "checklist")
        text = text_of(ToolkitRenderer().render(report))
    for phrase in phrases:
        assert phrase in text, phrase


def test_another_sheet_of_the_same_key_does_not_borrow_a_checklist(app_ctx, world, tmp_path):
    data = sheets.read_sheet_file(Path(__file__).parents[1] / "fixtures" / "mini_sheet.yaml")
    data["version"] = 7  # a file named for version 1 that describes another version
    (tmp_path / "mini_v1.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert queries.sheet_data(world.sheet, tmp_path) is None
    assert queries.is_generic(queries.checklists(world.sheet, tmp_path))


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("standard_v*.yaml")), ids=lambda p: p.name)
def test_shipped_sheets_checklists_are_readable(path):
    """Every indicator of a shipped sheet either has no checklist (a generic one is derived) or
    one the toolkit reads into at least one line, with documents or a file sample or people to
    ask or places to observe."""
    from shelterassess.toolkit import domain

    data = content.load_yaml(path)
    with_checklist = [ind for area in data["areas"] for ind in area["indicators"] if "checklist" in ind]
    for ind in with_checklist:
        checklist = domain.normalize_checklist(ind["checklist"])
        assert checklist is not None and set(checklist.kinds) <= {"documents", "sample", "ask", "observe"}, ind["key"]
    if data["version"] >= 2:
        assert len(with_checklist) == sum(len(a["indicators"]) for a in data["areas"])


def test_the_standard_sheets_visit_pack(app_ctx, world):
    """A round on the real standard sheet, v2 when shipped (its own checklists) else v1 (generic)."""
    path = max(DATA_DIR.glob("standard_v*.yaml"))
    sheet = sheets.load_sheet(db.session, content.load_yaml(path))
    world.round.sheet_id = sheet.id
    db.session.flush()
    db.session.refresh(world.round)
    assignment = tf.assignment(world)
    areas = queries.checklists(sheet)
    assert queries.is_generic(areas) == (sheet.version < 2)
    with app_ctx.test_request_context(), force_locale("vi"):
        report = report_data.visit_report(assignment, areas, queries.documents_to_request(areas, "vi"), "vi", "",
                                          "checklist")
        text = text_of(ToolkitRenderer().render(report))
    for indicator in (sheet.areas[0].indicators[0], sheet.areas[-1].indicators[-1]):
        assert re.sub(r"\s+", " ", indicator.text_vi)[:40] in text
