"""The shipped standard score sheet v1: structure, bilingual text and its use in the app."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml
from markupsafe import escape
from sqlalchemy import select

from shelterassess.scoresheets.models import EVIDENCE_SOURCES

STANDARD_V1 = Path(__file__).resolve().parents[2] / "shelterassess" / "scoresheets" / "data" / "standard_v1.yaml"
AREA_ORDER = ["facilities", "safety", "services", "case-management", "confidentiality", "participation",
              "staffing", "referral", "management"]
VIETNAMESE_MARKS = set("ăâđêôơưàáạảãèéẹẻẽìíịỉĩòóọỏõùúụủũỳýỵỷỹ")


@pytest.fixture(scope="module")
def sheet() -> dict:
    with STANDARD_V1.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _indicators(sheet: dict) -> list[dict]:
    return [ind for area in sheet["areas"] for ind in area["indicators"]]


def _bilingual_texts(node, path: str = "") -> list[tuple[str, dict]]:
    """Every {vi, en} mapping in the file, with where it is."""
    if isinstance(node, dict):
        if set(node) == {"vi", "en"}:
            return [(path, node)]
        return [found for key, value in node.items() for found in _bilingual_texts(value, f"{path}.{key}")]
    if isinstance(node, list):
        return [found for i, value in enumerate(node) for found in _bilingual_texts(value, f"{path}[{i}]")]
    return []


def test_identity(sheet):
    assert sheet["key"] == "standard" and sheet["version"] == 1
    assert sheet["title"]["vi"] and sheet["title"]["en"]


def test_nine_areas_in_the_required_order(sheet):
    assert [area["key"] for area in sheet["areas"]] == AREA_ORDER


@pytest.mark.parametrize("position", range(len(AREA_ORDER)), ids=AREA_ORDER)
def test_each_area_has_five_to_eight_indicators(sheet, position):
    area = sheet["areas"][position]
    assert 5 <= len(area["indicators"]) <= 8, area["key"]
    assert all(ind["code"].startswith(area["code"]) for ind in area["indicators"])


def test_codes_and_keys_are_unique(sheet):
    for items in (sheet["areas"], _indicators(sheet)):
        codes = [item["code"] for item in items]
        keys = [item["key"] for item in items]
        assert len(set(codes)) == len(codes), sorted(c for c in codes if codes.count(c) > 1)
        assert len(set(keys)) == len(keys), sorted(k for k in keys if keys.count(k) > 1)


def test_every_indicator_has_levels_zero_to_three(sheet):
    for ind in _indicators(sheet):
        assert sorted(ind["levels"]) == [0, 1, 2, 3], ind["code"]
        assert all(set(ind["levels"][level]) == {"vi", "en"} for level in range(4)), ind["code"]
        assert set(ind["text"]) == {"vi", "en"}, ind["code"]


def test_every_text_is_non_empty_and_nfc(sheet):
    texts = _bilingual_texts(sheet)
    assert len(texts) > 9 * 5 * 5  # titles, texts, guidance and four descriptors per indicator
    for path, pair in texts:
        for lang in ("vi", "en"):
            value = pair[lang]
            assert isinstance(value, str) and value.strip(), f"{path}.{lang} is empty"
            assert unicodedata.is_normalized("NFC", value), f"{path}.{lang} is not NFC-normalised"


def test_vietnamese_texts_carry_vietnamese_diacritics(sheet):
    texts = [pair["vi"] for _, pair in _bilingual_texts(sheet)]
    plain = [t for t in texts if not VIETNAMESE_MARKS & set(t.lower())]
    assert len(plain) <= len(texts) // 10, plain[:5]


def test_english_texts_are_not_vietnamese(sheet):
    texts = [pair["en"] for _, pair in _bilingual_texts(sheet)]
    assert sum(bool(VIETNAMESE_MARKS & set(t.lower())) for t in texts) <= len(texts) // 20


def test_evidence_values_are_allowed(sheet):
    for ind in _indicators(sheet):
        evidence = ind.get("evidence", [])
        assert evidence, ind["code"]
        assert set(evidence) <= set(EVIDENCE_SOURCES), (ind["code"], evidence)


def test_at_least_five_critical_indicators(sheet):
    assert sum(bool(ind.get("critical")) for ind in _indicators(sheet)) >= 5


def test_flags_are_booleans(sheet):
    for ind in _indicators(sheet):
        assert isinstance(ind.get("critical", False), bool), ind["code"]
        assert isinstance(ind.get("na_allowed", False), bool), ind["code"]


def test_area_page_shows_vietnamese_indicator_text(client_vi, standard_world):
    from shelterassess.assessments.models import Assessment
    from shelterassess.extensions import db
    from tests.conftest import login

    w = standard_world
    assert w.sheet.key == "standard" and len(w.sheet.areas) == len(AREA_ORDER)
    login(client_vi, w.staff_a)
    assert client_vi.post("/assessments/start", data={"round_id": w.round.id}).status_code == 302
    assessment = db.session.scalar(select(Assessment).where(Assessment.facility_id == w.facility_a.id))
    area = w.sheet.areas[0]
    page = client_vi.get(f"/assessments/{assessment.id}/areas/{area.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="vi">' in html
    indicator = area.indicators[0]
    assert VIETNAMESE_MARKS & set(indicator.text_vi.lower())
    assert str(escape(indicator.text_vi)) in html
    assert str(escape(indicator.levels[3].descriptor_vi)) in html
    assert str(escape(indicator.text_en)) not in html
