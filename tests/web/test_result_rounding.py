"""An overall score of exactly 56.25 % shows as 56.3 %, on the results page and in the PDF.

Area A: A1 = 1, A2 = N/A -> 1/3 = 33.33 %; area B (8 indicators): 3+3+3+3+3+2+1+1 = 19 of 24
-> 79.17 %; overall (33.33 + 79.17) / 2 = 56.25 exactly. Float arithmetic made it
56.249999999999993, shown as 56.2 %.
"""
from __future__ import annotations

import io
import re
import unicodedata

import pytest
import yaml
from pypdf import PdfReader

from shelterassess.assessments import services
from shelterassess.assessments.services import AnswerInput
from shelterassess.extensions import db
from tests.conftest import FIXTURES, build_world, login

SCORES = {"A1": 1, "A2": None, "B1": 3, "B2": 3, "B3": 3, "B4": 3, "B5": 3, "B6": 2, "B7": 1, "B8": 1}


@pytest.fixture
def world(app_ctx, tmp_path):
    """The mini sheet with area B grown to 8 indicators (B3..B8 copy B2)."""
    data = yaml.safe_load((FIXTURES / "mini_sheet.yaml").read_text(encoding="utf-8"))
    data["key"] = "mini-eight"
    indicators = data["areas"][1]["indicators"]
    indicators += [dict(indicators[1], code=f"B{n}", key=f"confidentiality.extra-{n}") for n in range(3, 9)]
    path = tmp_path / "sheet.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return build_world(path)


def _submitted(world):
    assessment = services.start_assessment(db.session, world.staff_a, world.facility_a, world.round)
    for area in world.sheet.areas:
        inputs = [AnswerInput(i.id, SCORES[i.code], SCORES[i.code] is None, ("observation",), "", None)
                  for i in area.indicators]
        services.save_area(db.session, world.staff_a, assessment, area, inputs)
    services.submit(db.session, world.manager_a, assessment)
    db.session.commit()
    return assessment


def test_results_page_rounds_an_exact_half_up(client, world):
    assessment = _submitted(world)
    assert assessment.overall_percentage == 56.25  # stored unrounded, exactly
    login(client, world.manager_a)
    page = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    overall = re.search(r'<span id="overall">([^<]*)</span>', page).group(1)
    assert overall == "56.3%"
    assert "33.3%" in page and "79.2%" in page


def test_results_pdf_rounds_an_exact_half_up(client, world):
    assessment = _submitted(world)
    login(client, world.manager_a)
    response = client.get(f"/reports/assessments/{assessment.id}.pdf?lang=en")
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.get_data())).pages)
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))
    assert "56.3%" in text and "56.2%" not in text
