"""Flowables that keep long reports linear in their length.

ReportLab wraps a paragraph several times at the same width (a ``KeepTogether`` measures its
content, then the frame wraps each part again, then a table wraps its cells once more when it
draws them), and it splits a long ``Table`` page by page by measuring every remaining row again
on every page (quadratic: a 10,000-row table takes minutes). :class:`Para` remembers its line
breaking per width; :class:`PagedTable` measures each row once and hands the frame one ordinary
``Table`` per page, with the header rows repeated at the top of each; :class:`LabelLine` draws a
one-line ``label: value`` paragraph without laying out a paragraph.
"""
from __future__ import annotations

from typing import Callable, Sequence

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

#: Rows measured per ``Table`` when a :class:`PagedTable` computes its row heights.
MEASURE_CHUNK = 50


class Para(Paragraph):
    """A ``Paragraph`` that breaks its lines once per width (the result depends on nothing else)."""

    _wrapped: tuple | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        cached = self._wrapped
        if cached is not None and cached[0] == availWidth:
            _w, self.width, self.height, self.blPara, self._wrapWidths, self._width_max = cached
            return self.width, self.height
        width, height = super().wrap(availWidth, availHeight)
        if getattr(self, "width", None) == availWidth:  # laid out (not refused as too narrow)
            self._wrapped = (availWidth, width, height, self.blPara, self._wrapWidths,
                             getattr(self, "_width_max", None))
        return width, height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self._wrapped = None  # the parts are new paragraphs; this one is not drawn any more
        return super().split(availWidth, availHeight)


#: Extra style commands of one body row: ``(command, first column, last column, *arguments)``,
#: e.g. ``("SPAN", 2, -1)``; the row coordinate is filled in per page.
RowCommands = Callable[[int], Sequence[tuple]]


class PagedTable(Flowable):
    """A long table with ``header`` rows repeated on every page, laid out in linear time.

    ``commands`` are the table's ``TableStyle`` commands, written for one table of header and
    body rows (ranges such as ``(0, 0), (-1, 0)`` for the header and ``(0, 0), (-1, -1)`` for
    all); ``row_commands(i)`` gives body row ``i``'s own commands (spans). Each page gets a
    ``Table`` of the header and the body rows that fit, with the row heights measured once.
    """

    def __init__(self, header: list[list], body: list[list], col_widths: Sequence[float],
                 commands: Sequence[tuple], row_commands: RowCommands | None = None,
                 _heights: tuple[list[float], list[float]] | None = None, _first: int = 0) -> None:
        super().__init__()
        self.hAlign = "CENTER"  # as a Table
        self.header, self.body = header, body
        self.col_widths = list(col_widths)
        self.commands = list(commands)
        self.row_commands = row_commands
        self._heights = _heights  # (header heights, body heights), measured on first wrap
        self._first = _first  # index of this part's first body row in the whole table (for row_commands)

    # -- measuring ------------------------------------------------------------------

    def _table_of(self, rows: list[list], first: int, heights: list[float] | None = None) -> Table:
        """A table of the header and body rows ``first .. first + len(rows) - 1``."""
        table = Table(self.header + rows, colWidths=self.col_widths, rowHeights=heights,
                      repeatRows=len(self.header))
        offset = len(self.header)
        extra = []
        if self.row_commands is not None:
            for i in range(len(rows)):
                extra += [(cmd, (c0, offset + i), (c1, offset + i), *args)
                          for cmd, c0, c1, *args in self.row_commands(first + i)]
        table.setStyle(TableStyle(self.commands + extra))
        return table

    def _measure(self, width: float) -> tuple[list[float], list[float]]:
        if self._heights is None:
            head: list[float] = []
            body: list[float] = []
            for start in range(0, max(len(self.body), 1), MEASURE_CHUNK):
                table = self._table_of(self.body[start:start + MEASURE_CHUNK], self._first + start)
                table.wrap(width, 1e9)
                n = len(self.header)
                head = list(table._rowHeights[:n])
                body += table._rowHeights[n:]
            self._heights = (head, body)
        return self._heights

    # -- the Flowable interface -------------------------------------------------------

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        head, body = self._measure(availWidth)
        return sum(self.col_widths), sum(head) + sum(body)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        head, body = self._measure(availWidth)
        room = availHeight - sum(head)
        count = 0
        while count < len(body) and body[count] <= room + 1e-6:
            room -= body[count]
            count += 1
        if count == 0:
            return []  # not even one row: the frame moves on to the next page
        page = self._table_of(self.body[:count], self._first, head + body[:count])
        rest = PagedTable(self.header, self.body[count:], self.col_widths, self.commands, self.row_commands,
                          (head, body[count:]), self._first + count)
        return [page, rest] if count < len(body) else [page]

    def draw(self) -> None:
        head, body = self._heights or self._measure(sum(self.col_widths))
        table = self._table_of(self.body, self._first, head + body)
        table.wrapOn(self.canv, sum(self.col_widths), sum(head) + sum(body))
        table.drawOn(self.canv, 0, 0)


class LabelLine(Flowable):
    """``label: value`` on one line: what ``Para("<b>label:</b> value", style)`` draws when the text
    fits on one line, drawn directly (no markup to parse, no lines to break).

    Use :func:`label_line`, which falls back to the paragraph whenever the text would wrap or holds
    whitespace a paragraph would collapse.
    """

    def __init__(self, label: str, value: str, style: ParagraphStyle, bold_font: str) -> None:
        super().__init__()
        self.label, self.value, self.style, self.bold_font = label, value, style, bold_font

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, self.style.leading

    def getSpaceBefore(self) -> float:
        return self.style.spaceBefore

    def getSpaceAfter(self) -> float:
        return self.style.spaceAfter

    def draw(self) -> None:
        style = self.style
        text = self.canv.beginText(style.leftIndent + style.firstLineIndent, style.leading - style.fontSize)
        text.setFillColor(style.textColor)
        text.setFont(self.bold_font, style.fontSize, style.leading)
        text.textOut(f"{self.label}:")
        text.setFont(style.fontName, style.fontSize, style.leading)
        text.textOut(f" {self.value}")
        self.canv.drawText(text)


def label_line(label: str, value: str, style: ParagraphStyle, bold_font: str, width: float) -> Flowable | None:
    """A :class:`LabelLine` when ``label: value`` fits on one line of a frame ``width`` wide in
    ``style``, else ``None`` (the caller makes a paragraph)."""
    if label != " ".join(label.split()) or value != " ".join(value.split()) or not value:
        return None  # newlines, tabs or runs of spaces: a paragraph lays them out
    room = width - style.leftIndent - style.firstLineIndent - style.rightIndent
    used = stringWidth(f"{label}:", bold_font, style.fontSize) + stringWidth(f" {value}", style.fontName, style.fontSize)
    return LabelLine(label, value, style, bold_font) if used <= room - 1 else None
