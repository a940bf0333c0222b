"""The proposal and the approved allocation as CSV and XLSX: one row per facility and category
(facilities listed apart included, with an empty need weight), these columns exactly:

``facility_code, category, request_vnd, need_weight, proposed_vnd, adjusted_vnd, reason``

Money in whole đồng, the need weight with four decimals (rounded half-up; the rule itself uses
exact values), ``adjusted_vnd`` empty when the proposal stands, ``category`` the language-neutral
key. Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) gets a leading apostrophe.
"""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from openpyxl import Workbook

from shelterassess.funding.labels import weight_decimal
from shelterassess.funding.queries import AllocationTable

COLUMNS = ("facility_code", "category", "request_vnd", "need_weight", "proposed_vnd", "adjusted_vnd", "reason")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def neutralise(value):
    """Text starting like a formula gets a leading apostrophe; numbers and None pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def rows(table: AllocationTable) -> list[tuple]:
    """The export's rows, values typed (int, Decimal or None, str), not yet neutralised."""
    out = []
    for row in (*table.rows, *table.apart):
        for line in row.lines:
            reason = line.reason or (row.added_reason if row.added_by_hand else "")
            out.append((row.code, line.category, line.request_vnd, weight_decimal(row.weight), line.proposed_vnd,
                        line.adjusted_vnd, reason))
    return out


def to_csv(table: AllocationTable) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read Vietnamese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for values in rows(table):
        writer.writerow(["" if v is None else neutralise(str(v) if isinstance(v, Decimal) else v) for v in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: AllocationTable, sheet_title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _SHEET_UNSAFE.sub(" ", sheet_title)[:31].strip() or "1"
    sheet.append(COLUMNS)
    for values in rows(table):
        sheet.append([neutralise(v) for v in values])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever openpyxl guessed
    for column, width in zip("ABCDEFG", (14, 24, 16, 12, 16, 16, 60)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
