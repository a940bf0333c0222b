"""Making user and stored text safe for ReportLab ``Paragraph`` markup.

``Paragraph`` parses its text as XML-like markup: a raw ``<`` raises an error and
tags such as ``<img src=...>`` make ReportLab open server files (security
checklist item 23). Every piece of data text goes through :func:`para_text`.
"""
from __future__ import annotations

import unicodedata
from xml.sax.saxutils import escape  # nosec B406 # escapes text for ReportLab, parses nothing


def normalize(value: object) -> str:
    """``str(value)`` in Unicode NFC (precomposed Vietnamese letters), ``None`` -> ``""``."""
    return "" if value is None else unicodedata.normalize("NFC", str(value))


def para_text(value: object) -> str:
    """NFC-normalised, XML-escaped text with line breaks as ``<br/>``."""
    text = escape(normalize(value)).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\n", "<br/>")
