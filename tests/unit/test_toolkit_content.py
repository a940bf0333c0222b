"""The toolkit's shipped content (``shelterassess/toolkit/data``): every text in both languages,
Vietnamese with its diacritics and the project's vocabulary, the protocol sections the issue
asks for, and sources that exist and say how much of them was read."""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterator

import pytest

from shelterassess.scoresheets.models import EVIDENCE_SOURCES
from shelterassess.toolkit import content, domain

VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ]", re.I)
#: Variants the issue rejects (the glossary's preferred term in the comment).
REJECTED = {
    "bằng chứng": "minh chứng",
    "tư vấn": "tham vấn (counselling)",
    "chuyển tuyến": "chuyển gửi",
    "người sống sót": "nạn nhân / người được hỗ trợ",
    "đồng đẳng": "đồng cấp",
    "nhà bán trú": "nhà tạm trú chuyển tiếp",
    "hiệu chuẩn": "chấm thử đối chiếu",
    "cán bộ cơ sở": "nhân viên (của cơ sở)",
}


def texts(node: Any, path: str = "") -> Iterator[tuple[str, dict]]:
    """Every bilingual text ({vi, en}) in a data structure, with where it is."""
    if isinstance(node, dict):
        if "vi" in node or "en" in node:
            yield path, node
            return
        for key, value in node.items():
            yield from texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from texts(value, f"{path}[{index}]")


def every_text() -> list[tuple[str, dict]]:
    found = []
    for name, data in content.all_documents().items():
        found += texts(data, name)
    found += texts(content.labels(), "labels")
    found += texts([{k: v for k, v in s.items() if k != "citation"} for s in content.sources().values()], "sources")
    return found


def test_every_text_is_in_both_languages_nfc_and_vietnamese_has_diacritics():
    problems = []
    for path, text in every_text():
        vi, en = text.get("vi"), text.get("en")
        if not (isinstance(vi, str) and vi.strip() and isinstance(en, str) and en.strip()):
            problems.append(f"{path}: missing a language")
            continue
        if not unicodedata.is_normalized("NFC", vi):
            problems.append(f"{path}: Vietnamese not NFC")
        if len(vi.split()) > 2 and not VIETNAMESE_LETTERS.search(vi):
            problems.append(f"{path}: Vietnamese without diacritics: {vi!r}")
        if VIETNAMESE_LETTERS.search(en.replace("–", "")) and "đồng" not in en:
            problems.append(f"{path}: English with Vietnamese letters: {en!r}")
    assert not problems, "\n".join(problems)
    assert len(every_text()) > 200


def test_vietnamese_uses_the_project_vocabulary():
    vietnamese = " ".join(t["vi"].lower() for _, t in every_text())
    used = {bad: good for bad, good in REJECTED.items() if bad in vietnamese}
    assert not used, f"rejected variants used (use instead): {used}"
    for preferred in ("minh chứng", "tham vấn", "chuyển gửi", "người được hỗ trợ", "đồng cấp", "nhóm quốc gia"):
        assert preferred in vietnamese


@pytest.mark.parametrize("name, sections", [
    ("interview", {"before", "selection", "invitation", "consent", "setting", "topics", "never", "stop", "after-stop",
                   "children", "interpreters", "notes", "ending"}),
    ("file-review", {"need-to-know", "sample", "sections", "handling", "concern"}),
    ("concerns", {"what", "now", "dont", "manager", "record", "scoring"}),
])
def test_protocols_have_the_sections_the_issue_asks_for(name, sections):
    data = content.protocol(name)
    assert {s["key"] for s in data["sections"]} == sections
    for section in data["sections"]:
        assert section.get("items") or section.get("script") or section.get("text"), section["key"]


def _english(name: str) -> str:
    return " ".join(t["en"] for _, t in texts(content.document(name)))


def test_interview_protocol_safeguards():
    text = _english("interview")
    for phrase in ("voluntary", "at random", "private room", "never sees names", "Never ask",
                   "How they were trafficked", "Stop at once", "counsellor", "Under 12", "treated as a child",
                   "interpreter signs the confidentiality undertaking", "never a name", "shreds the working notes",
                   "Consent is spoken, not signed"):
        assert phrase in text, phrase


def test_file_review_respects_need_to_know():
    text = _english("file-review")
    for phrase in ("staff member brings each file", "No copies, photographs, scans", "(no names)",
                   "picks 5 codes at random", "signs the confidentiality undertaking",
                   "do not write the facility's codes"):
        assert phrase in text, phrase


def test_concerns_procedure_names_the_hotlines_and_the_record():
    text = _english("concerns")
    for phrase in ("113", "115", "111", "Record a concern", "national team", "never can", "not an emergency channel",
                   "Do not promise to keep it secret"):
        assert phrase in text, phrase


def test_undertaking_is_a_form_to_sign():
    data = content.document("undertaking")
    assert len(data["clauses"]) == 7
    assert set(data["columns"]) == {"name", "role", "works_at", "signature", "date"}
    assert set(data["roles"]) == {"lead", "member", "interpreter"}


def test_cited_sources_exist_and_say_how_much_was_read():
    known = content.sources()
    for name, data in content.all_documents().items():
        assert data.get("sources"), f"{name} cites no source"
        assert set(data["sources"]) <= set(known), name
    for key, source in known.items():
        assert source["citation"] and source["read"]["en"] and source["read"]["vi"], key
    unread = [k for k, s in known.items() if "not read" in s["read"]["en"]]
    assert {"who-2003", "unicef-2006", "iom-2007"} <= set(unread)


def test_labels_cover_every_checklist_kind_and_evidence_source():
    labels = content.labels()
    for kind in domain.KINDS:
        assert f"kind_{kind}" in labels
    for source in EVIDENCE_SOURCES:
        assert f"source_{source}" in labels
        assert source in content.document("checklist")["by_source"], source
