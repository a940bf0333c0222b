"""The glossary: well-formed, documented, and followed by every shipped text.

Shipped texts are the interface catalogue (msgstr), every YAML data file of the package
(score sheets v1 and v2, the case library, the calibration practice cases, the visit
toolkit and whatever comes next), the string literals of the package's Python code (seed
data, PDF labels) and the templates. None may contain a rejected variant of a glossary term.
"""
from __future__ import annotations

import ast
import unicodedata
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from shelterassess import glossary

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "shelterassess"
CATALOGUE = PACKAGE / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
DOC = ROOT / "docs" / "glossary.md"
GLOSSARY = glossary.load()
#: The files that describe the rules and so name the rejected variants.
NOT_SHIPPED_TEXT = {glossary.GLOSSARY_FILE, Path(glossary.__file__)}


# -- collecting the shipped texts ------------------------------------------------------------

def _yaml_strings(node, where=""):
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _yaml_strings(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _yaml_strings(value, f"{where}[{i}]")


def _catalogue_texts():
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh)
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        for string in strings:
            yield f"msgid {msgid[:60]!r}", string or ""


def _python_strings(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield f"line {node.lineno}", node.value


def _sources():
    yield CATALOGUE, _catalogue_texts
    for path in sorted(PACKAGE.rglob("*.yaml")):
        if path not in NOT_SHIPPED_TEXT:
            yield path, lambda p=path: _yaml_strings(yaml.safe_load(p.read_text(encoding="utf-8")))
    for path in sorted(PACKAGE.rglob("*.py")):
        if path not in NOT_SHIPPED_TEXT:
            yield path, lambda p=path: _python_strings(p)
    for path in sorted((ROOT / "templates").rglob("*.html")):
        yield path, lambda p=path: [("file", p.read_text(encoding="utf-8"))]


SOURCES = list(_sources())


def _hits(texts):
    return [f"{where}: “{hit.variant}” ({hit.term}) in …{hit.excerpt}…"
            for where, text in texts for hit in glossary.find_rejected(text, GLOSSARY)]


@pytest.mark.parametrize("path,texts", SOURCES, ids=[str(p.relative_to(ROOT)) for p, _ in SOURCES])
def test_no_shipped_text_uses_a_rejected_variant(path, texts):
    assert _hits(texts()) == []


def test_the_texts_that_must_follow_the_glossary_are_scanned():
    scanned = {p.relative_to(ROOT).as_posix() for p, _ in SOURCES}
    assert {"shelterassess/translations/vi/LC_MESSAGES/messages.po",
            "shelterassess/scoresheets/data/standard_v1.yaml",
            "shelterassess/cases/data/cases.yaml",
            "shelterassess/cases/data/indicator_links.yaml",
            "shelterassess/cases/data/themes.yaml",
            "shelterassess/assessors/data/practice_cases.yaml",
            "shelterassess/training_needs/domain.py",
            "templates/base.html"} <= scanned
    if (PACKAGE / "scoresheets" / "data" / "standard_v2.yaml").exists():
        assert "shelterassess/scoresheets/data/standard_v2.yaml" in scanned


# -- the glossary itself ----------------------------------------------------------------------

def test_every_term_is_complete_in_both_languages():
    keys = [t.key for t in GLOSSARY.terms]
    assert len(keys) == len(set(keys))
    for term in GLOSSARY.terms:
        assert term.group in GLOSSARY.groups, term.key
        assert term.en.strip() and term.vi.strip(), term.key
        assert term.why.get("en", "").strip() and term.why.get("vi", "").strip(), term.key
        for variant in term.rejected:
            assert variant.why.get("en", "").strip() and variant.why.get("vi", "").strip(), (term.key, variant.text)
    for title in GLOSSARY.groups.values():
        assert title["en"] and title["vi"]


def test_the_core_terms_of_the_issue_are_decided():
    by_key = {t.key: t for t in GLOSSARY.terms}
    rejected = {r.text for _, r in GLOSSARY.rejected()}
    assert by_key["referral"].vi == "chuyển gửi" and "chuyển tuyến" in rejected
    assert by_key["counselling"].vi.startswith("tham vấn") and "tư vấn" in rejected
    assert by_key["victim"].vi.startswith("nạn nhân") and "người sống sót" in rejected
    assert by_key["peer-assessment"].vi.startswith("đánh giá đồng cấp") and "đồng đẳng" in rejected
    assert by_key["calibration"].vi == "chấm thử đối chiếu" and "hiệu chuẩn" in rejected
    assert by_key["transitional-housing"].vi == "nhà ở chuyển tiếp" and "bán trú" in rejected
    assert "cán bộ cơ sở" in rejected
    assert by_key["evidence"].vi.startswith("minh chứng") and "bằng chứng" in rejected
    for key in ("self-assessment", "agreed-score", "reconciliation", "red-flag", "critical-indicator",
                "improvement-plan", "follow-up-visit", "compliance", "capacity-building", "case-management",
                "child-safeguarding", "informed-consent", "non-conditional-assistance", "reflection-period"):
        assert key in by_key, key


def test_no_accepted_term_uses_a_rejected_variant():
    for term in GLOSSARY.terms:
        for text in (term.vi, *term.forms):
            assert glossary.find_rejected(text, GLOSSARY) == [], (term.key, text)


def test_the_document_is_generated_from_the_data():
    """Regenerate with: python -m shelterassess.glossary > docs/glossary.md"""
    assert DOC.read_text(encoding="utf-8") == glossary.render_markdown(GLOSSARY)


# -- matching ------------------------------------------------------------------------------

def _variants(text):
    return [hit.variant for hit in glossary.find_rejected(text, GLOSSARY)]


def test_matching_is_by_whole_words_and_ignores_case():
    assert _variants("Hiệu chuẩn") == ["hiệu chuẩn"]
    assert _variants("Lần HIỆU CHUẨN đầu tiên") == ["hiệu chuẩn"]
    assert _variants("quy trình chuyển\ntuyến") == ["chuyển tuyến"]  # a line break between the words
    assert _variants("quản lý cao") == []  # "ca" is not a word of "cao"
    assert _variants("phân ca trực") == []


def test_diacritics_are_exact_and_text_is_normalised():
    assert _variants("tư văn") == [] and _variants("tu van") == []
    assert _variants(unicodedata.normalize("NFD", "tư vấn tâm lý")) == ["tư vấn"]


def test_allowed_phrases_are_not_hits():
    assert _variants("được tư vấn pháp lý miễn phí") == []
    assert _variants("tư vấn pháp lý và tư vấn tâm lý") == ["tư vấn"]
    assert _variants("nhóm đối tượng của chiến dịch") == []
    assert _variants("đối tượng được hỗ trợ") == ["đối tượng"]
