"""The proposal and the approved allocation as CSV and XLSX: one row per facility and category
(facilities listed apart included, with an empty need weight), these columns exactly:

``facility_code, category, request_vnd, need_weight, proposed_vnd, adjusted_vnd, reason``

Money in whole đồng, the need weight with four decimals (rounded half-up; the rule itself uses
exact values), ``adjusted_vnd`` empty when the proposal stands, ``category`` the language-neutral
key. Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) gets a leading apostrophe.
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from shelterassess.exports import FORMULA_STARTS, csv_lines, neutralise, sheet_title, spreadsheet_text
from shelterassess.funding.labels import weight_decimal
from shelterassess.funding.queries import AllocationTable

__all__ = ["COLUMNS", "FORMULA_STARTS", "csv_stream", "neutralise", "rows", "to_csv", "to_xlsx", "write_xlsx"]

COLUMNS = ("facility_code", "category", "request_vnd", "need_weight", "proposed_vnd", "adjusted_vnd", "reason")
_WIDTHS = (14, 24, 16, 12, 16, 16, 60)


def rows(table: AllocationTable) -> list[tuple]:
    """The export's rows, values typed (int, Decimal or None, str), not yet neutralised."""
    out = []
    for row in (*table.rows, *table.apart):
        for line in row.lines:
            reason = line.reason or (row.added_reason if row.added_by_hand else "")
            out.append((row.code, line.category, line.request_vnd, weight_decimal(row.weight), line.proposed_vnd,
                        line.adjusted_vnd, reason))
    return out


def csv_stream(table: AllocationTable) -> Iterator[str]:
    """The CSV piece by piece (UTF-8 byte-order mark first, each value neutralised), for a streamed response."""
    return csv_lines(COLUMNS, ([str(v) if isinstance(v, Decimal) else v for v in values] for values in rows(table)))


def to_csv(table: AllocationTable) -> bytes:
    """The whole CSV, UTF-8 with a byte-order mark, so that spreadsheet programs read Vietnamese correctly."""
    return "".join(csv_stream(table)).encode("utf-8")


def write_xlsx(target: IO[bytes], table: AllocationTable, title: str) -> None:
    """One sheet in openpyxl's write-only mode, saved to ``target`` (a temporary file for a large round)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    for index, width in enumerate(_WIDTHS):
        sheet.column_dimensions["ABCDEFG"[index]].width = width
    sheet.freeze_panes = "A2"
    sheet.append(COLUMNS)
    for values in rows(table):
        sheet.append([_cell(sheet, v) for v in values])
    workbook.save(target)


def _cell(sheet, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=spreadsheet_text(value) if isinstance(value, str) else value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever openpyxl guessed
    return cell


def to_xlsx(table: AllocationTable, title: str) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, table, title)
    return buffer.getvalue()
