"""A blank score sheet for one facility and round, to fill in by hand during a visit."""
from __future__ import annotations

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, TableStyle

from shelterassess.reports.data import BlankArea, BlankIndicator, BlankSheetReport
from shelterassess.reports.renderers.base import WARNING, BaseReport
from shelterassess.reports.renderers.components import (
    BAND_BG,
    RuledLines,
    TickBox,
    evidence_labels,
    evidence_text,
    grid_table,
    na_label,
    plain_table,
)
from shelterassess.scoresheets.models import EVIDENCE_SOURCES

BOX_COL = 7 * mm
LEVEL_COL = 9 * mm
CODE_COL = 20 * mm
BLANK_LINE = "_" * 40


def privacy_warning() -> str:
    return _("Do not write any resident's name or identifying details on this sheet.")


class BlankSheetRenderer(BaseReport):
    def title(self, data: BlankSheetReport) -> str:
        title = _("Score sheet for a visit")
        return f"{title}: {data.facility_code} – {data.round_name}"

    def story(self, data: BlankSheetReport) -> list[Flowable]:
        story = self.header(data)
        for area in data.areas:
            story += self.area(area)
        return story

    # -- header -------------------------------------------------------------------

    def header(self, data: BlankSheetReport) -> list[Flowable]:
        sheet = _("%(title)s, version %(version)d", title=data.sheet_title, version=data.sheet_version)
        facts = [
            (_("Facility"), f"{data.facility_code} – {data.facility_name}"),
            (_("Round"), data.round_name),
            (_("Score sheet"), sheet),
            *([(_("Check code (for typing the sheet in)"), data.check_code)] if data.check_code else []),
            (_("Date of visit"), BLANK_LINE),
            (_("Assessors' names (assessors, not residents)"), BLANK_LINE),
        ]
        rows = [[self.para(label, "cell_bold"), self.para(value, "cell")] for label, value in facts]
        return [
            self.para(_("Score sheet for a visit"), "title"),
            grid_table(rows, [55 * mm, self.content_width - 55 * mm], header=False),
            self.para(privacy_warning(), "warning"),
            self.para(_("For each indicator, tick the one level that best describes the facility, "
                        "or not applicable where that box is offered. Tick every evidence source you used."), "muted"),
            self.para(_("Critical indicator: a score at or below its red-flag level (0, or 1 where the indicator says so) is a red flag."), "muted"),
        ]

    # -- areas and indicators -----------------------------------------------------

    def area(self, area: BlankArea) -> list[Flowable]:
        heading = self.para(f"{area.code} {area.title}", "h1")
        blocks = [self.indicator_parts(ind) for ind in area.indicators]
        if not blocks:
            return [heading]
        # KeepTogether must not be nested (an inner one reports an infinite height),
        # so the area heading joins the first indicator's parts.
        first = KeepTogether([heading, *blocks[0]])
        return [CondPageBreak(25 * mm), first, *(KeepTogether(parts) for parts in blocks[1:])]

    def indicator_parts(self, ind: BlankIndicator) -> list[Flowable]:
        """One indicator's flowables; the caller keeps them on one page."""
        return [
            self.indicator_heading(ind),
            self.levels_table(ind),
            *self.evidence_rows(ind),
            self.notes_space(),
            Spacer(1, 5 * mm),
        ]

    def indicator_heading(self, ind: BlankIndicator) -> Flowable:
        text = [self.para(ind.text, "cell_bold")]
        if ind.critical:
            label = _("Critical indicator: red flag at 1 or below") if ind.red_flag_at else _("Critical indicator")
            text.append(self.para(label, "critical"))
        table = plain_table([[self.para(ind.code, "cell_bold"), text]],
                            [CODE_COL, self.content_width - CODE_COL], padding=3)
        commands = [("BACKGROUND", (0, 0), (-1, -1), BAND_BG)]
        if ind.critical:
            commands.append(("LINEBEFORE", (0, 0), (0, -1), 3, WARNING))
        table.setStyle(TableStyle(commands))
        return table

    def levels_table(self, ind: BlankIndicator) -> Flowable:
        rows = [[None, TickBox(), self.para(str(level.level), "cell_bold"), self.para(level.descriptor, "cell")]
                for level in ind.levels]
        if ind.na_allowed:
            # The N/A label ("Không áp dụng" in Vietnamese) is far wider than a level digit: it
            # spans the level and descriptor columns, so it wraps between words, never inside one.
            rows.append([None, TickBox(), self.label_value(na_label(), _("Not applicable at this facility"), "cell"),
                         None])
        width = self.content_width - CODE_COL - BOX_COL - LEVEL_COL
        table = plain_table(rows, [CODE_COL, BOX_COL, LEVEL_COL, width], padding=3)
        if ind.na_allowed:
            table.setStyle(TableStyle([("SPAN", (2, -1), (3, -1))]))
        return table

    def evidence_rows(self, ind: BlankIndicator) -> list[Flowable]:
        labels = evidence_labels()
        cells: list = []
        for key in EVIDENCE_SOURCES:
            cells += [TickBox(), self.para(labels[key], "cell")]
        item = (self.content_width - CODE_COL) / len(EVIDENCE_SOURCES)
        widths = [BOX_COL, item - BOX_COL] * len(EVIDENCE_SOURCES)
        title = _("Evidence used")
        if ind.suggested_evidence:
            suggested = _("suggested: %(sources)s", sources=evidence_text(ind.suggested_evidence))
            title = f"{title} ({suggested})"
        return [
            plain_table([[None, self.para(title, "cell_bold")]], [CODE_COL, self.content_width - CODE_COL]),
            plain_table([[None, *cells]], [CODE_COL, *widths]),
        ]

    def notes_space(self) -> Flowable:
        cell = [self.para(_("Notes"), "cell_bold"), RuledLines(3)]
        return plain_table([[None, cell]], [CODE_COL, self.content_width - CODE_COL])

    def styles(self):
        styles = super().styles()
        styles["critical"] = styles["cell_bold"].clone("critical", textColor=WARNING)
        return styles
