"""The professional vocabulary of the app (``data/glossary.yaml``): one Vietnamese term per
concept, the variants not to use and why.

Pure Python: parse the data, find rejected variants in a text, render ``docs/glossary.md``.
``python -m shelterassess.glossary > docs/glossary.md`` regenerates the document; the
glossary test checks that every shipped text avoids the rejected variants and that the
document is up to date.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

import yaml

GLOSSARY_FILE = Path(__file__).parent / "data" / "glossary.yaml"

Texts = Mapping[str, str]


@dataclass(frozen=True)
class Rejected:
    text: str
    why: Texts
    #: phrases in which ``text`` is right ("tư vấn pháp lý" for "tư vấn")
    exceptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Term:
    key: str
    group: str
    en: str
    vi: str
    forms: tuple[str, ...]
    why: Texts
    rejected: tuple[Rejected, ...]


@dataclass(frozen=True)
class Glossary:
    groups: Mapping[str, Texts]
    terms: tuple[Term, ...]

    def rejected(self) -> Iterator[tuple[Term, Rejected]]:
        for term in self.terms:
            for variant in term.rejected:
                yield term, variant


def parse(data: Mapping[str, Any]) -> Glossary:
    terms = tuple(
        Term(
            key=t["key"], group=t["group"], en=t["en"], vi=t["vi"], forms=tuple(t.get("forms") or ()),
            why=dict(t["why"]),
            rejected=tuple(Rejected(r["text"], dict(r["why"]), tuple(r.get("except") or ()))
                           for r in t.get("rejected") or ()),
        )
        for t in data["terms"]
    )
    return Glossary(groups=dict(data["groups"]), terms=terms)


def load(path: Path = GLOSSARY_FILE) -> Glossary:
    with Path(path).open(encoding="utf-8") as fh:
        return parse(yaml.safe_load(fh))


# -- finding rejected variants ------------------------------------------------------------

def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """``phrase`` as whole words: not inside a longer word, any run of whitespace between
    its words, case-insensitive, diacritics exact ("tư vấn" never matches "tư văn")."""
    words = unicodedata.normalize("NFC", phrase).split()
    return re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    term: str
    variant: str
    excerpt: str


def find_rejected(text: str, glossary: Glossary, context: int = 30) -> list[Hit]:
    """Every rejected variant in ``text`` that is not part of one of its allowed phrases."""
    text = unicodedata.normalize("NFC", text or "")
    hits = []
    for term, variant in glossary.rejected():
        allowed = [m.span() for phrase in variant.exceptions for m in phrase_pattern(phrase).finditer(text)]
        for m in phrase_pattern(variant.text).finditer(text):
            if any(start <= m.start() and m.end() <= end for start, end in allowed):
                continue
            excerpt = " ".join(text[max(0, m.start() - context):m.end() + context].split())
            hits.append(Hit(term.key, variant.text, excerpt))
    return hits


# -- docs/glossary.md -----------------------------------------------------------------------

def _quoted(items: tuple[str, ...]) -> str:
    return ", ".join(f"“{item}”" for item in items)


def render_markdown(glossary: Glossary) -> str:
    lines = [
        "# Glossary (English – Vietnamese)",
        "",
        "<!-- Generated from shelterassess/data/glossary.yaml by "
        "`python -m shelterassess.glossary > docs/glossary.md`; do not edit by hand. -->",
        "",
        "One Vietnamese term per concept, chosen as a practitioner in social protection in Vietnam",
        "would write it. Every shipped text uses these terms: the interface catalogue, the score",
        "sheets, the case library and the calibration practice cases. `tests/unit/test_glossary.py`",
        "fails when one of them contains a rejected variant (whole words, case-insensitive,",
        "diacritics exact; the phrases listed as allowed are the exceptions).",
        "",
        "| English | Tiếng Việt | Not (rejected) |",
        "|---|---|---|",
    ]
    for term in glossary.terms:
        lines.append(f"| {term.en} | {term.vi} | {_quoted(tuple(r.text for r in term.rejected))} |")
    for group, title in glossary.groups.items():
        lines += ["", f"## {title['en']} · {title['vi']}"]
        for term in (t for t in glossary.terms if t.group == group):
            lines += ["", f"### {term.en} · {term.vi}", ""]
            if term.forms:
                lines.append(f"- **Also:** {'; '.join(term.forms)}")
            lines.append(f"- **Why:** {term.why['en']}")
            lines.append(f"- **Vì sao:** {term.why['vi']}")
            for r in term.rejected:
                allowed = f" (allowed in {_quoted(r.exceptions)})" if r.exceptions else ""
                lines.append(f"- **Not “{r.text}”**{allowed}: {r.why['en']} · {r.why['vi']}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(render_markdown(load()), end="")
