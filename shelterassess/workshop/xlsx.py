"""The national workshop pack as an XLSX workbook (openpyxl): one sheet per table of the PDF,
with the same headings (:mod:`.labels`), a header row, frozen panes and column widths.

Figures are numeric cells, not text: counts and đồng as integers, percentages rounded half-up
to one decimal and kappa to two, exactly as the pages and the PDF show them (so a figure in the
workbook equals the one on the page). An undefined figure is "–", as on the pages, with its
reason in a note column where there is one. Text that reaches a cell (names, skills, indicator
texts, round names) is neutralised when it starts with = + - @ (or a tab or carriage return), so
a spreadsheet never runs it as a formula.
"""
from __future__ import annotations

import re
from copy import copy
from dataclasses import dataclass
from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from shelterassess.comparisons import display
from shelterassess.comparisons.domain import round_half_up
from shelterassess.exports import spreadsheet_text
from shelterassess.workshop import labels
from shelterassess.workshop.report_data import WorkshopPack

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DASH = "–"
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
HEADER_FILL = PatternFill("solid", fgColor="E8EEF4")
BOLD = Font(bold=True)
MAX_WIDTH = 60
RIGHT = Alignment(horizontal="right")


def safe_text(value: str) -> str:
    """Text a spreadsheet will not run and can hold (:func:`shelterassess.exports.spreadsheet_text`)."""
    return spreadsheet_text(value)


@dataclass(frozen=True)
class Num:
    """A numeric cell with its number format; ``None`` prints "–" (undefined)."""

    value: int | float | None
    format: str = "0"


def pct(value: float | None) -> Num:
    return Num(None if value is None else round_half_up(value, 1), "0.0")


def vnd(value: int | None) -> Num:
    return Num(value, "#,##0")


def kappa(value: float | None) -> Num:
    return Num(None if value is None else round_half_up(value, 2), "0.00")


def count(value: int) -> Num:
    return Num(value, "0")


Row = list[object]


class DashStyle:
    """The right alignment of the "–" cells of one sheet: set once through openpyxl's
    ``alignment`` and then copied. Setting an ``Alignment`` on a cell hashes it into the
    workbook's style list every time: 110,000 dashes took about 3 s of a 10,000-facility pack."""

    def __init__(self) -> None:
        self._style = None

    def apply(self, cell) -> None:
        if self._style is None:
            cell.alignment = RIGHT
            self._style = copy(cell._style)
        else:
            cell._style = copy(self._style)


def write_cell(ws: Worksheet, row: int, column: int, value: object, dash: DashStyle | None = None):
    cell = ws.cell(row=row, column=column)
    if isinstance(value, Num):
        if value.value is None:
            cell.value = DASH
            (dash or DashStyle()).apply(cell)
        else:
            cell.value, cell.number_format = value.value, value.format
    elif isinstance(value, bool):
        cell.value = value
    elif isinstance(value, (int, float)):
        cell.value = value
    elif value is None:
        cell.value = None
    else:
        cell.value = safe_text(str(value))
        cell.data_type = "s"
    return cell


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique sheet title: at most 31 characters, none of []:*?/\\."""
    base = _SHEET_UNSAFE.sub(" ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def add_sheet(wb: Workbook, title: str, heads: list[str], rows: list[Row], bold_rows: int = 0,
              frozen_columns: int = 1) -> Worksheet:
    """One table: header row (bold, shaded), rows, the last ``bold_rows`` in bold; header and first
    ``frozen_columns`` columns frozen; widths from the content."""
    taken = {ws.title.lower() for ws in wb.worksheets}
    ws = wb.create_sheet(sheet_title(title, taken))
    for column, head in enumerate(heads, start=1):
        cell = write_cell(ws, 1, column, head)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    dash = DashStyle()
    for r, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = write_cell(ws, r, column, value, dash)
            if r > len(rows) + 1 - bold_rows:
                cell.font = BOLD
    ws.freeze_panes = ws.cell(row=2, column=frozen_columns + 1).coordinate
    _widths(ws, heads, rows)
    return ws


def _text_width(value: object) -> int:
    if isinstance(value, Num):
        return 12
    return max((len(line) for line in str(value or "").splitlines()), default=0)


def _widths(ws: Worksheet, heads: list[str], rows: list[Row]) -> None:
    for column, head in enumerate(heads, start=1):
        longest = max([min(len(head), 24)] + [_text_width(row[column - 1]) for row in rows if len(row) >= column])
        ws.column_dimensions[get_column_letter(column)].width = min(MAX_WIDTH, max(10, longest + 2))


# -- the sheets ---------------------------------------------------------------------------

def about_sheet(wb: Workbook, d: WorkshopPack) -> None:
    rows: list[Row] = [[_("Round"), d.round_name], [_("Prepared on"), d.generated_on.isoformat()],
                       [_("Anonymised"), _("yes") if d.anonymised else _("no")]]
    if d.anonymised:
        rows.append(["", labels.anonymised_note(d)])
    rows += [[s.title, s.about] for s in labels.sections(d)]
    ws = add_sheet(wb, _("Contents"), [_("National workshop pack"), ""], rows)
    ws.column_dimensions["B"].width = 100
    for row in ws.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")


def participation_sheet(wb: Workbook, d: WorkshopPack) -> None:
    rows = [[r.province, *(count(n) for n in (r.facilities, r.taking_part, r.self_submitted, r.peer_submitted,
                                              r.agreed, r.released))]
            for r in (*d.participation, d.participation_total)]
    add_sheet(wb, _("Participation"), labels.participation_heads(), rows, bold_rows=1)


def means_sheet(wb: Workbook, d: WorkshopPack) -> None:
    rows = [[a.label, pct(a.self_mean), count(a.self_n), pct(a.peer_mean), count(a.peer_n), pct(a.agreed_mean),
             count(a.agreed_n)] for a in (*d.areas, d.overall)]
    add_sheet(wb, _("National results by area"), labels.means_heads(), rows, bold_rows=1)


def facility_results_sheet(wb: Workbook, d: WorkshopPack) -> None:
    n = d.national
    names = [] if d.anonymised else [_("Name")]
    heads = [_("Facility"), *names, _("Province"), *(a.label for a in n.areas), _("Overall"), _("Red flags"),
             _("Red-flag indicators")]
    rows = []
    for r in n.rows:
        figures = ([pct(v) for v in r.percentages] + [pct(r.overall), count(len(r.red_flags))] if r.has_result
                   else [Num(None)] * (len(n.areas) + 2))
        rows.append([r.code, *([r.name] if names else []), r.province, *figures, ", ".join(r.red_flags)])
    add_sheet(wb, _("Agreed results by facility"), heads, rows)


def agreement_sheet(wb: Workbook, d: WorkshopPack) -> None:
    def cells(a) -> Row:
        return [pct(a.exact_pct), pct(a.within_one_pct), kappa(a.kappa), count(a.n), count(a.na_excluded),
                display.kappa_note(a)]

    rows = [[_("All indicators"), *cells(d.national.overall_agreement)]]
    rows += [[f"{i.code} {i.text}", *cells(i.agreement)] for i in d.national.low_agreement]
    ws = add_sheet(wb, _("Rater agreement"), [*labels.agreement_heads(), _("Note")], rows)
    ws.cell(row=len(rows) + 3, column=1, value=safe_text(labels.low_agreement_rule(d)))


def gap_sheets(wb: Workbook, d: WorkshopPack) -> None:
    add_sheet(wb, _("Most common gaps"), labels.gap_heads(),
              [[f"{g.code} {g.text}", count(g.pairs), count(g.flagged), count(g.self_higher), count(g.self_lower)]
               for g in d.gaps])
    add_sheet(wb, _("Red flags"), labels.red_flag_heads(),
              [[f"{f.code} {f.text}", count(f.facilities), ", ".join(f.facility_codes)] for f in d.red_flags])


def training_sheet(wb: Workbook, d: WorkshopPack) -> None:
    t = d.training
    rows = [[labels.skill_label(r.skill), *(count(n) for n in r.by_province), count(r.total), count(r.answered)]
            for r in t.rows]
    rows.append([_("Total"), *(count(n) for n in t.province_totals), count(t.total), count(t.answered)])
    add_sheet(wb, _("Training needs"), labels.training_heads(d), rows, bold_rows=1)


def _figures(f) -> Row:
    return [pct(f.compliance_pct), count(f.implemented), count(f.partly), count(f.not_implemented),
            count(f.not_relevant), count(f.points_gained), vnd(f.spent_vnd), vnd(f.cost.rounded_vnd)]


def compliance_sheet(wb: Workbook, d: WorkshopPack) -> None:
    """One row per facility, then its province's total; the national total last. Column A names the
    province, so the rows can be filtered by it."""
    c, dates = d.compliance, not d.anonymised
    heads = [_("Province"), *labels.compliance_heads(d)]
    if dates:
        heads.insert(2, _("Name"))
    rows: list[Row] = []
    for g in c.groups:
        for r in g.rows:
            named = [r.facility_name, r.visited_on.isoformat() if r.visited_on else DASH] if dates else []
            rows.append([g.name, r.facility_code, *named, *_figures(r.figures)])
        rows.append([g.name, _("Province total: %(name)s", name=g.name), *([""] * 2 if dates else []),
                     *_figures(g.totals)])
    rows.append([_("All provinces"), _("National total"), *([""] * 2 if dates else []), *_figures(c.totals)])
    add_sheet(wb, _("Plan compliance"), heads, rows, bold_rows=1, frozen_columns=2)


def allocation_sheet(wb: Workbook, d: WorkshopPack) -> None:
    a = d.allocation
    named = not d.anonymised

    def per_point(value) -> Num:
        return vnd(value.rounded_vnd if value is not None else None)

    rows: list[Row] = [[r.code, *([r.name] if named else []), r.province, *(vnd(v) for v in r.amounts),
                        vnd(r.total), per_point(r.per_point)] for r in a.rows]
    rows.append([_("Total"), *([""] if named else []), "", *(vnd(v) for v in a.category_totals), vnd(a.total),
                 per_point(a.national_per_point)])
    add_sheet(wb, _("Allocation"), labels.allocation_heads(d), rows, bold_rows=1)
    add_sheet(wb, _("Funding rounds"), labels.funding_round_heads(),
              [[f.name, vnd(f.budget), vnd(f.allocated)] for f in a.funding_rounds])


def lessons_sheet(wb: Workbook, d: WorkshopPack) -> None:
    rows = [[f"{x.code} {x.text}", labels.listed_for(x.gap, x.red_flag), x.case_title, x.lesson] for x in d.lessons]
    ws = add_sheet(wb, _("Lessons from the case library"), labels.lesson_heads(), rows)
    ws.column_dimensions["D"].width = 100
    for row in ws.iter_rows(min_row=2):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")


def workbook(d: WorkshopPack) -> Workbook:
    """The pack as a workbook (call under ``force_locale(d.language)``)."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = _("National workshop pack: %(round)s", round=d.round_name)
    wb.properties.creator = "ShelterAssess"
    wb.properties.language = d.language
    for build in (about_sheet, participation_sheet, means_sheet, facility_results_sheet, agreement_sheet,
                  gap_sheets, training_sheet, compliance_sheet, allocation_sheet, lessons_sheet):
        build(wb, d)
    return wb


def workbook_bytes(d: WorkshopPack) -> bytes:
    buffer = BytesIO()
    workbook(d).save(buffer)
    return buffer.getvalue()
