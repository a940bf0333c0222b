"""Small flowables and translated labels shared by the renderers."""
from __future__ import annotations

from typing import Sequence

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from shelterassess.reports.fonts import BOLD, REGULAR
from shelterassess.reports.renderers.base import TEXT
from shelterassess.reports.renderers.flowables import PagedTable, RowCommands

GRID = colors.HexColor("#b0b0b0")
HEADER_BG = colors.HexColor("#e8eef4")
BAND_BG = colors.HexColor("#f3f3f3")


class TickBox(Flowable):
    """An empty square to tick with a pen."""

    def __init__(self, size: float = 3.6 * mm) -> None:
        super().__init__()
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        self.canv.setStrokeColor(colors.black)
        self.canv.setLineWidth(0.8)
        self.canv.rect(0, 0, self.size, self.size, stroke=1, fill=0)


class RuledLines(Flowable):
    """``count`` horizontal lines to write on, ``spacing`` apart."""

    def __init__(self, count: int = 3, spacing: float = 7 * mm) -> None:
        super().__init__()
        self.count = count
        self.spacing = spacing
        self.width = 0.0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.count * self.spacing

    def draw(self) -> None:
        self.canv.setStrokeColor(GRID)
        self.canv.setLineWidth(0.5)
        for i in range(self.count):
            y = i * self.spacing
            self.canv.line(0, y, self.width, y)


#: Plain-text cells (short values drawn without a paragraph) as tall as the "cell" paragraphs
#: (a table's own default leading is 12 points whatever the font size).
PLAIN_TEXT_LEADING = ("LEADING", (0, 0), (-1, -1), 10.5)


def grid_commands(header: bool = True, plain_text: bool = False) -> list[tuple]:
    """The style of :func:`grid_table` (also used by :class:`~.flowables.PagedTable`)."""
    commands = [*([PLAIN_TEXT_LEADING] if plain_text else []),
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), TEXT),  # plain-text cells in the paragraphs' colour
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), HEADER_BG), ("FONTNAME", (0, 0), (-1, 0), BOLD)]
    return commands


def grid_table(rows: list[list], col_widths: Sequence[float], header: bool = True, plain_text: bool = False) -> Table:
    """A table with a light grid and, when ``header``, a shaded repeated header row; ``plain_text``
    when some cells are strings (see ``BaseReport.cell``)."""
    table = Table(rows, colWidths=list(col_widths), repeatRows=1 if header else 0)
    table.setStyle(TableStyle(grid_commands(header, plain_text)))
    return table


def paged_grid_table(header: list, body: list[list], col_widths: Sequence[float],
                     row_commands: RowCommands | None = None) -> PagedTable:
    """A long :func:`grid_table` (hundreds or thousands of rows): the header row repeats on every
    page and the layout takes time in proportion to the rows."""
    return PagedTable([header], body, col_widths, grid_commands(True, plain_text=True), row_commands)


def plain_table(rows: list[list], col_widths: Sequence[float], padding: float = 2) -> Table:
    """A borderless layout table, top-aligned."""
    table = Table(rows, colWidths=list(col_widths))
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
    ]))
    return table


# -- translated labels (evaluated at render time, under the forced locale) -------

def evidence_labels() -> dict[str, str]:
    """Same msgids as the self-assessment form, so they share translations."""
    return {
        "observation": _("Observation"),
        "document_review": _("Document review"),
        "staff_interview": _("Staff interview"),
        "resident_interview": _("Resident interview"),
    }


def evidence_text(keys: Sequence[str], labels: dict[str, str] | None = None) -> str:
    """The sources' labels; pass ``labels`` (:func:`evidence_labels`) to translate them once per report."""
    labels = evidence_labels() if labels is None else labels
    return ", ".join(labels.get(key, key) for key in keys)


def status_label(status: str) -> str:
    return {"draft": _("Draft"), "submitted": _("Submitted")}.get(status, status)


def na_label() -> str:
    return _("N/A")
