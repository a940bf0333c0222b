"""Cells of CSV and XLSX exports that a spreadsheet will never run. Pure Python: no Flask, no database.

The OWASP "CSV injection" rule: text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return would be read as a formula by Excel or LibreOffice, so it gets a leading
apostrophe (shown as text, the apostrophe hidden). Numbers, dates and ``None`` pass unchanged.
CSV exports are UTF-8 with a byte-order mark so that spreadsheet programs read Vietnamese.
XLSX exports are written by :func:`write_xlsx` (openpyxl, imported only when a workbook is made).
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Written first in every CSV export (UTF-8 byte-order mark).
BOM = "\ufeff"


#: Characters an XLSX file cannot hold (XML 1.0 forbids them; openpyxl raises on them): the C0
#: controls but tab, line feed and carriage return. A vertical tab pasted from a word processor
#: is the usual one; each becomes a space.
XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def spreadsheet_text(value: str) -> str:
    """Text for an XLSX cell: characters the format cannot hold become spaces, then :func:`neutralise`."""
    return neutralise(XLSX_ILLEGAL.sub(" ", value))


def neutralise(value):
    """Text starting like a formula gets a leading apostrophe; numbers and None pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_line(values: Iterable) -> str:
    """One CSV record (CRLF-terminated), each value neutralised, ``None`` as an empty cell."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(["" if v is None else neutralise(v) for v in values])
    return buffer.getvalue()


def csv_lines(header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    """A whole CSV file piece by piece (for a streamed response): the BOM, the header, one line per row."""
    yield BOM + csv_line(header)
    for values in rows:
        yield csv_line(values)


#: The media type of an XLSX workbook.
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: no ``[]:*?/\\``, at most 31 characters, never empty."""
    return _SHEET_UNSAFE.sub(" ", title)[:31].strip() or "1"


def write_xlsx(target: IO[bytes], title: str, header: Iterable, rows: Iterable[Iterable]) -> None:
    """One sheet in openpyxl's write-only mode (rows are written as they come, never held), saved
    to ``target``. Text is neutralised and stored as text (never a formula), ``Decimal`` as a number
    shown with its own decimals, dates as dates, ``None`` as an empty cell; the header is bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_xlsx_cell(sheet, text, bold) for text in header])
    for values in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in values])
    workbook.save(target)


def _xlsx_cell(sheet, value, font=None):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=float(value))
        exponent = value.as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        cell.number_format = "0." + "0" * decimals if decimals else "0"
        return cell
    cell = WriteOnlyCell(sheet, value=spreadsheet_text(value) if isinstance(value, str) else value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever openpyxl guessed
    if font is not None:
        cell.font = font
    return cell
