"""The national table of a round as CSV and XLSX: every row of the page's filter and sort.

Columns: facility code (the anonymous code when anonymised), facility name (left out when
anonymised), province, each area's agreed score (%), overall (%), the number of red flags and
their indicator codes. Percentages are rounded half-up to one decimal, exactly as the page
shows them (a number in the spreadsheet, not text); a facility without an agreed result has
empty figures. Text is neutralised (:mod:`shelterassess.exports`) so no cell runs as a formula.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO

from flask_babel import gettext as _

from shelterassess.assessments.domain import round_half_up_decimal
from shelterassess.comparisons.national_data import NationalRow, NationalTable
from shelterassess.exports import csv_lines
from shelterassess.exports import write_xlsx as write_sheet


def header(table: NationalTable) -> list[str]:
    names = [] if table.params.anonymised else [_("Facility name")]
    return [_("Facility code"), *names, _("Province"), *(f"{a.label} (%)" for a in table.areas),
            _("Overall (%)"), _("Red flags"), _("Red-flag indicators")]


def _pct(value: float | None):
    return None if value is None else round_half_up_decimal(value, 1)


def values(table: NationalTable, row: NationalRow) -> list:
    """One row's cells: text and rounded ``Decimal`` percentages (``None``: empty)."""
    names = [] if table.params.anonymised else [row.name]
    if not row.has_result:
        figures: list = [None] * (len(table.areas) + 3)
    else:
        figures = [*(_pct(v) for v in row.percentages), _pct(row.overall), len(row.red_flags), ", ".join(row.red_flags)]
    return [row.code, *names, row.province, *figures]


def csv_stream(table: NationalTable, rows: Iterable[NationalRow]) -> Iterator[str]:
    """The CSV file piece by piece: BOM, header, one line per row (for ``stream_with_context``)."""
    return csv_lines(header(table), (values(table, row) for row in rows))


def write_xlsx(target: IO[bytes], table: NationalTable, rows: Iterable[NationalRow], title: str) -> None:
    """One sheet, written row by row in openpyxl's write-only mode (:func:`shelterassess.exports.write_xlsx`)."""
    write_sheet(target, title, header(table), (values(table, row) for row in rows))
