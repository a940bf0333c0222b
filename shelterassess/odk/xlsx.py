"""Writing an :class:`~shelterassess.odk.domain.XLSForm` as an ``.xlsx`` workbook (openpyxl)."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from shelterassess.odk.domain import CHOICE_COLUMNS, SETTINGS_COLUMNS, SURVEY_COLUMNS, XLSForm


def xlsform_bytes(form: XLSForm) -> bytes:
    """The workbook: sheets ``survey``, ``choices`` and ``settings``, a header row each."""
    book = Workbook()
    book.remove(book.active)
    for title, columns, rows in (("survey", SURVEY_COLUMNS, form.survey), ("choices", CHOICE_COLUMNS, form.choices),
                                 ("settings", SETTINGS_COLUMNS, form.settings)):
        sheet = book.create_sheet(title)
        sheet.append(list(columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([row.get(column, "") or None for column in columns])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # a text, never a formula (openpyxl's guess for a leading "=")
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
