"""The base of every PDF renderer (the pretix ``BaseReportlabInvoiceRenderer`` pattern).

A renderer turns one plain report data object (see :mod:`shelterassess.reports.data`)
into PDF bytes. It never queries the database. Subclasses fill in the hooks:

* :meth:`BaseReport.styles` - paragraph styles by name,
* :meth:`BaseReport.on_page` - drawn on every page (the footer),
* :meth:`BaseReport.story` - the list of flowables,
* :meth:`BaseReport.title` - the document title (PDF metadata).

Interface strings go through Flask-Babel ``gettext``: render inside an app or
request context, under ``flask_babel.force_locale(language)``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import datetime as dt
from io import BytesIO
from typing import Any

from flask_babel import format_datetime, gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from shelterassess.reports.fonts import BOLD, REGULAR, register_fonts
from shelterassess.reports.renderers.flowables import Para
from shelterassess.reports.text import normalize, para_text

TEXT = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#999999")
LIGHT = colors.HexColor("#eeeeee")
WARNING = colors.HexColor("#8a1c00")
APP_NAME = "ShelterAssess"
FRAME_PADDING = 6  # SimpleDocTemplate's frames pad their content by 6 pt


def confidentiality_line() -> str:
    return _("Facility-level information only. Contains no client data.")


class BaseReport(ABC):
    """Render ``data`` to PDF bytes with :meth:`render`; subclasses give title and story."""

    pagesize = A4
    margin = 18 * mm
    footer_height = 12 * mm

    def __init__(self, generated_at: dt.datetime | None = None) -> None:
        self.generated_at = generated_at or dt.datetime.now(dt.timezone.utc)
        self.style: dict[str, ParagraphStyle] = {}

    # -- hooks -------------------------------------------------------------------

    @abstractmethod
    def title(self, data: Any) -> str:
        """The document title (PDF metadata and first heading)."""

    @abstractmethod
    def story(self, data: Any) -> list[Flowable]:
        """The flowables of the document."""

    def language(self, data: Any) -> str | None:
        return getattr(data, "language", None)

    def styles(self) -> dict[str, ParagraphStyle]:
        base = ParagraphStyle("body", fontName=REGULAR, fontSize=9.5, leading=12.5, textColor=TEXT,
                              alignment=TA_LEFT, spaceAfter=3)
        return {
            "body": base,
            "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=17, leading=21, spaceAfter=6),
            "subtitle": ParagraphStyle("subtitle", base, fontSize=11, leading=14, textColor=MUTED, spaceAfter=10),
            "h1": ParagraphStyle("h1", base, fontName=BOLD, fontSize=13, leading=16, spaceBefore=10, spaceAfter=6),
            "h2": ParagraphStyle("h2", base, fontName=BOLD, fontSize=10.5, leading=13, spaceBefore=6, spaceAfter=3),
            "small": ParagraphStyle("small", base, fontSize=8, leading=10, spaceAfter=1),
            "muted": ParagraphStyle("muted", base, fontSize=8.5, leading=11, textColor=MUTED),
            "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=10.5, spaceAfter=0),
            "cell_bold": ParagraphStyle("cell_bold", base, fontName=BOLD, fontSize=8.5, leading=10.5, spaceAfter=0),
            "warning": ParagraphStyle("warning", base, fontName=BOLD, textColor=WARNING, borderColor=WARNING,
                                      borderWidth=0.8, borderPadding=5, spaceBefore=6, spaceAfter=10),
        }

    def on_page(self, canvas: Canvas, doc: SimpleDocTemplate) -> None:
        """Footer: confidentiality line on the left, page number and generation date on the right."""
        width, _height = self.pagesize
        y = self.margin - 8 * mm
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(self.margin, y + 10, width - self.margin, y + 10)
        canvas.setFillColor(MUTED)
        canvas.setFont(REGULAR, 7.5)
        canvas.drawString(self.margin, y, normalize(confidentiality_line()))
        generated = _("Generated %(date)s", date=self.generated_label())
        page = _("Page %(number)d", number=doc.page)
        right = f"{generated} · {page}"
        canvas.drawRightString(width - self.margin, y, normalize(right))
        canvas.restoreState()

    # -- rendering ---------------------------------------------------------------

    def render(self, data: Any) -> bytes:
        register_fonts()
        self.style = self.styles()
        buffer = BytesIO()
        doc = self.doc_template(buffer, data)
        doc.build(self.story(data), onFirstPage=self.on_page, onLaterPages=self.on_page)
        return buffer.getvalue()

    def doc_template(self, buffer: BytesIO, data: Any) -> SimpleDocTemplate:
        return SimpleDocTemplate(
            buffer, pagesize=self.pagesize,
            leftMargin=self.margin, rightMargin=self.margin, topMargin=self.margin,
            bottomMargin=self.margin + self.footer_height / 2,
            title=normalize(self.title(data)), author=APP_NAME, creator=APP_NAME,
            subject=normalize(confidentiality_line()), lang=self.language(data),
            displayDocTitle=True, initialFontName=REGULAR, initialFontSize=9.5,
        )

    # -- helpers for subclasses --------------------------------------------------

    @property
    def content_width(self) -> float:
        """Width available to flowables: the page less the margins and the frame's 6 pt paddings."""
        return self.pagesize[0] - 2 * self.margin - 2 * FRAME_PADDING

    @property
    def content_height(self) -> float:
        """Height available to flowables on a page: the page less the margins, the footer's room and the paddings."""
        return self.pagesize[1] - 2 * self.margin - self.footer_height / 2 - 2 * FRAME_PADDING

    def generated_label(self) -> str:
        return format_datetime(self.generated_at, "short")

    def para(self, text: object, style: str = "body") -> Paragraph:
        """A paragraph of *data* text: always escaped (never markup)."""
        return Para(para_text(text), self.style[style])

    def cell(self, text: object, width: float, style: str = "cell", padding: float = 6) -> Flowable | str:
        """A table cell of data text: plain text when it fits on one line of a column ``width``
        wide with ``padding`` on each side (nothing to lay out: a table draws it in its cell font,
        which must be ``style``'s), else a paragraph that wraps."""
        value = normalize(text)
        font = self.style[style]
        if "\n" not in value and "\r" not in value and stringWidth(value, font.fontName, font.fontSize) <= width - 2 * padding:
            return value
        return self.para(value, style)

    def label_value(self, label: str, value: object, style: str = "body") -> Paragraph:
        """``<b>label:</b> value``, both escaped."""
        return Para(f"<b>{para_text(label)}:</b> {para_text(value)}", self.style[style])

    def gap(self, height_mm: float = 3) -> Spacer:
        return Spacer(1, height_mm * mm)
