"""Every interface string is translated into Vietnamese, with correct placeholders."""
from __future__ import annotations

import re
import tempfile
import unicodedata
from pathlib import Path

from babel.messages.pofile import read_po

from tests.unit.test_extraction import extract_like_make

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "shelterassess" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"

PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]")


def source_messages() -> set[str]:
    """The msgids `make translations-update` extracts (every folder, templates/_macros/ too)."""
    with tempfile.TemporaryDirectory() as tmp:
        extracted = extract_like_make(Path(tmp))
    return {m.id if isinstance(m.id, str) else m.id[0] for m in extracted if m.id}


def catalog():
    with CATALOG.open("rb") as fh:
        return read_po(fh, locale="vi")


def test_every_source_string_has_a_vietnamese_translation():
    cat = catalog()
    missing = sorted(m for m in source_messages() if not (cat.get(m) and cat.get(m).string and "fuzzy" not in cat.get(m).flags))
    assert not missing, f"{len(missing)} strings lack a Vietnamese translation (run `make translations-update`):\n" + "\n".join(missing[:40])


def test_placeholders_match_and_text_is_nfc():
    problems = []
    for message in catalog():
        if not message.id or not message.string:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target)):
            problems.append(f"placeholders differ: {source!r} -> {target!r}")
        if not unicodedata.is_normalized("NFC", target):
            problems.append(f"not NFC: {target!r}")
    assert not problems, "\n".join(problems)
