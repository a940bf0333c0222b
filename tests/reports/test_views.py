"""PDF downloads through HTTP, on the shared ``world`` (facilities A and B, mini score sheet)."""
from __future__ import annotations

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from shelterassess.assessments import services
from shelterassess.assessments.models import AssessmentKind
from shelterassess.assessments.services import AnswerInput
from shelterassess.extensions import db
from tests.conftest import login

NASTY = 'score < 5 & <img src="/etc/hostname"/>'
# Area A: A1 = 3, A2 = N/A -> 100 %; area B: B1 = 0, B2 = 2 -> 33.3 %; overall 66.7 %, one red flag (B1).
ANSWERS = {"A1": 3, "A2": "na", "B1": 0, "B2": 2}


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


def _answer(ind) -> AnswerInput:
    value = ANSWERS[ind.code]
    note = NASTY if ind.code == "B2" else ""
    return AnswerInput(ind.id, None if value == "na" else value, value == "na", ("observation",), note, None)


def _assessment(world, submit: bool = True):
    assessment = services.start_assessment(db.session, world.staff_a, world.facility_a, world.round)
    for area in world.sheet.areas:
        services.save_area(db.session, world.staff_a, assessment, area, [_answer(i) for i in area.indicators])
    if submit:
        services.submit(db.session, world.manager_a, assessment)
    db.session.commit()
    return assessment


def _blank_url(facility, round_) -> str:
    return f"/reports/facilities/{facility.id}/rounds/{round_.id}/blank.pdf"


# -- filled self-assessment --------------------------------------------------------

def test_submitted_assessment_pdf_has_overall_percentage(client, world):
    assessment = _assessment(world)
    login(client, world.manager_a)
    response = client.get(f"/reports/assessments/{assessment.id}.pdf?lang=en")
    text = pdf_text(response)
    assert "66.7%" in text and "100.0%" in text and "33.3%" in text
    assert "4 of 4 indicators answered" in text
    assert "Facilities" in text and "Confidentiality" in text  # English sheet text
    assert NASTY in text
    assert "Facility-level information only. Contains no client data." in text


def test_pdf_is_inline_with_an_ascii_file_name(client, world):
    assessment = _assessment(world)
    login(client, world.staff_a)
    response = client.get(f"/reports/assessments/{assessment.id}.pdf")
    disposition = response.headers["Content-Disposition"]
    assert disposition == f"inline; filename=self-assessment-SH-A-round{world.round.id}.pdf"
    assert response.headers["Cache-Control"] == "no-store"


def test_pdf_defaults_to_the_current_locale(client, world):
    assessment = _assessment(world)
    world.staff_a.locale = "vi"  # the user's saved language wins over the test client's Accept-Language: en
    db.session.commit()
    login(client, world.staff_a)
    text = pdf_text(client.get(f"/reports/assessments/{assessment.id}.pdf"))
    assert re.search(r"66,7\s?%", text)
    assert "Cơ sở vật chất" in text and "Bảo mật thông tin" in text
    assert "Hồ sơ được mã hóa, không ghi tên" in text


def test_national_team_gets_the_pdf(client, world):
    assessment = _assessment(world, submit=False)
    login(client, world.national)
    assert client.get(f"/reports/assessments/{assessment.id}.pdf").status_code == 200


@pytest.mark.parametrize("role", ["staff_b", "manager_b", "admin"])
def test_other_facilities_get_404(client, world, role):
    assessment = _assessment(world)
    login(client, getattr(world, role))
    assert client.get(f"/reports/assessments/{assessment.id}.pdf").status_code == 404


def test_missing_assessment_is_404_and_anonymous_is_sent_to_login(client, world):
    assessment = _assessment(world)
    assert client.get(f"/reports/assessments/{assessment.id}.pdf").status_code == 302
    login(client, world.national)
    assert client.get(f"/reports/assessments/{assessment.id + 1000}.pdf").status_code == 404


def test_only_self_assessments_have_a_pdf(client, world):
    assessment = _assessment(world)
    assessment.kind = AssessmentKind.PEER.value
    db.session.commit()
    login(client, world.national)
    assert client.get(f"/reports/assessments/{assessment.id}.pdf").status_code == 404


# -- blank score sheet ---------------------------------------------------------------

def test_blank_sheet_for_own_facility(client, world):
    login(client, world.staff_a)
    response = client.get(_blank_url(world.facility_a, world.round) + "?lang=en")
    text = pdf_text(response)
    for code in ("A1", "A2", "B1", "B2"):
        assert f"{code} " in text
    assert text.count("N/A") == 1  # only A2 allows N/A
    assert "Do not write any resident's name or identifying details on this sheet." in text
    assert "SH-A" in text and "2027 national round" in text
    assert response.headers["Content-Disposition"].startswith("inline; filename=score-sheet-SH-A-round")


def test_blank_sheet_for_national_team_in_vietnamese(client, world):
    login(client, world.national)
    text = pdf_text(client.get(_blank_url(world.facility_b, world.round) + "?lang=vi"))
    assert "Trung tâm tiếp nhận B" in text and "Phòng ngủ riêng tư và an toàn" in text


@pytest.mark.parametrize("role", ["staff_b", "manager_b", "admin"])
def test_blank_sheet_for_another_facility_is_refused(client, world, role):
    login(client, getattr(world, role))
    assert client.get(_blank_url(world.facility_a, world.round)).status_code in (403, 404)


def test_blank_sheet_missing_objects_are_404(client, world):
    login(client, world.national)
    assert client.get(f"/reports/facilities/{world.facility_a.id}/rounds/9999/blank.pdf").status_code == 404
    assert client.get(f"/reports/facilities/9999/rounds/{world.round.id}/blank.pdf").status_code == 404
