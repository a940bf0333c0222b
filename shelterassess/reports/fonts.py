"""The TTF fonts used in PDFs, vendored in ``shelterassess/static/fonts``.

ReportLab's built-in Helvetica lacks many Vietnamese glyphs, so every report
uses DejaVu Sans. :func:`register_fonts` is idempotent and cheap to call before
each render.
"""
from __future__ import annotations

import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FAMILY = REGULAR
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_lock = threading.Lock()


def _is_registered(name: str) -> bool:
    return name in pdfmetrics.getRegisteredFontNames()


def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) and its family mapping, once."""
    if all(_is_registered(name) for name in _FILES):
        return
    with _lock:
        for name, filename in _FILES.items():
            if not _is_registered(name):
                pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
        # No oblique face is vendored: italic falls back to the upright faces.
        pdfmetrics.registerFontFamily(FAMILY, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
