"""The filled self-assessment of one facility in one round, as a PDF."""
from __future__ import annotations

from dataclasses import replace

from flask_babel import format_datetime, gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, HRFlowable, KeepTogether, PageBreak, TableStyle

from shelterassess.assessments.results import AreaRow, IndicatorRow, Results, area_chart
from shelterassess.reports.data import SelfAssessmentReport
from shelterassess.reports.fonts import BOLD, REGULAR
from shelterassess.reports.renderers.base import RULE, TEXT, BaseReport
from shelterassess.reports.renderers.components import (
    evidence_labels,
    evidence_text,
    grid_table,
    na_label,
    plain_table,
    status_label,
)
from shelterassess.reports.renderers.flowables import label_line
from shelterassess.reports.text import normalize
from shelterassess.web.templating import format_pct

DASH = "–"
#: An indicator's heading row (code, text, score) is bold: its plain-text cells are drawn in this font.
HEAD_TEXT = TableStyle([("FONTNAME", (0, 0), (-1, -1), BOLD), ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                        ("LEADING", (0, 0), (-1, -1), 10.5), ("TEXTCOLOR", (0, 0), (-1, -1), TEXT)])


def score_text(row: IndicatorRow) -> str:
    if row.not_applicable:
        return na_label()
    if row.value is None:
        return _("not answered")
    return f"{row.value}/3"


class SelfAssessmentRenderer(BaseReport):
    def title(self, data: SelfAssessmentReport) -> str:
        r = data.results
        title = _("Self-assessment report")
        return f"{title}: {r.facility_code} – {r.round_name}"

    def story(self, data: SelfAssessmentReport) -> list[Flowable]:
        r = data.results
        labels = self.detail_labels()
        return [
            *self.cover(r),
            *self.chart(r),
            *self.area_table(r),
            *self.red_flags(r),
            *self.lowest(r),
            PageBreak(),
            self.para(_("Answers by area"), "title"),
            *[flowable for area in r.areas for flowable in self.area_details(area, labels)],
        ]

    # -- summary ------------------------------------------------------------------

    def cover(self, r: Results) -> list[Flowable]:
        story: list[Flowable] = [
            self.para(_("Self-assessment report"), "title"),
            self.para(f"{r.facility_code} – {r.facility_name}", "subtitle"),
            self.facts_table(r),
        ]
        if r.status != "submitted":
            story.append(self.para(_("This assessment is a draft; its results may still change."), "warning"))
        return story

    def facts(self, r: Results) -> list[tuple[str, str]]:
        submitted_at = format_datetime(r.submitted_at, "medium") if r.submitted_at else DASH
        return [
            (_("Facility"), f"{r.facility_code} – {r.facility_name}"),
            (_("Round"), r.round_name),
            (_("Score sheet"), _("%(title)s, version %(version)d", title=r.sheet_title, version=r.sheet_version)),
            (_("Status"), status_label(r.status)),
            (_("Submitted by"), r.submitted_by or DASH),
            (_("Submitted at"), submitted_at),
            (_("Overall score"), format_pct(r.overall_percentage)),
            (_("Completeness"), _("%(answered)d of %(total)d indicators answered", answered=r.answered, total=r.total)),
            (_("Red flags"), str(len(r.red_flags))),
        ]

    def facts_table(self, r: Results) -> Flowable:
        rows = [[self.para(label, "cell_bold"), self.para(value, "cell")] for label, value in self.facts(r)]
        table = grid_table(rows, [45 * mm, self.content_width - 45 * mm], header=False)
        return table

    def chart(self, r: Results) -> list[Flowable]:
        """The same area chart as the results page (:func:`area_chart`), with NFC labels."""
        areas = [replace(a, title=normalize(a.title)) for a in r.areas]
        drawing = area_chart(replace(r, areas=areas), font_name=REGULAR)
        drawing.initialFontName = REGULAR  # else renderPDF starts every drawing in Helvetica
        return [self.gap(5), drawing]

    def area_table(self, r: Results) -> list[Flowable]:
        header = [self.para(h, "cell_bold") for h in (_("Area"), _("Score"), _("Answered"))]
        rows = [header] + [
            [self.para(f"{a.code} {a.title}", "cell"), self.cell(format_pct(a.percentage), 27 * mm),
             self.cell(f"{a.answered}/{a.total}", 28 * mm)]
            for a in r.areas
        ]
        rows.append([self.para(_("Overall"), "cell_bold"), self.para(format_pct(r.overall_percentage), "cell_bold"),
                     self.para(f"{r.answered}/{r.total}", "cell_bold")])
        width = self.content_width
        return [self.para(_("Scores by area"), "h1"),
                grid_table(rows, [width - 55 * mm, 27 * mm, 28 * mm], plain_text=True)]

    def red_flags(self, r: Results) -> list[Flowable]:
        story: list[Flowable] = [CondPageBreak(30 * mm), self.para(_("Red flags"), "h1"),
                                 self.para(_("Critical indicators at or below their red-flag level."), "muted")]
        if not r.red_flags:
            return story + [self.para(_("No red flags."))]
        return story + [self.indicator_table(r.red_flags)]

    def lowest(self, r: Results) -> list[Flowable]:
        story: list[Flowable] = [CondPageBreak(30 * mm), self.para(_("Lowest-scoring indicators"), "h1")]
        if not r.lowest:
            return story + [self.para(_("No scored indicators yet."))]
        return story + [self.indicator_table(r.lowest)]

    def indicator_table(self, rows_in: list[IndicatorRow]) -> Flowable:
        header = [self.para(h, "cell_bold") for h in (_("Code"), _("Indicator"), _("Score"))]
        rows = [header] + [
            [self.cell(row.code, 20 * mm), self.para(row.text, "cell"), self.cell(score_text(row), 25 * mm)]
            for row in rows_in
        ]
        return grid_table(rows, [20 * mm, self.content_width - 45 * mm, 25 * mm], plain_text=True)

    # -- details ------------------------------------------------------------------

    def detail_labels(self) -> dict[str, object]:
        """The labels of every indicator's details, translated once per report (not per indicator)."""
        return {"level": _("Level chosen"), "evidence": _("Evidence used"), "note": _("Note"),
                "red_flag": _("Red flag"), "sources": evidence_labels()}

    def area_details(self, area: AreaRow, labels: dict[str, object] | None = None) -> list[Flowable]:
        labels = labels or self.detail_labels()
        heading = f"{area.code} {area.title}"
        summary = _("Score %(score)s · %(answered)d of %(total)d answered",
                    score=format_pct(area.percentage), answered=area.answered, total=area.total)
        story: list[Flowable] = [CondPageBreak(40 * mm), self.para(heading, "h1"), self.para(summary, "muted")]
        return story + [self.indicator_block(row, labels) for row in area.indicators]

    def indicator_block(self, row: IndicatorRow, labels: dict[str, object]) -> Flowable:
        """Code, text and score (plain text when they fit on one line), then the details; kept together."""
        score_cell: Flowable | str | list = self.cell(score_text(row), 30 * mm, "cell_bold", padding=2)
        if row.red_flag:
            score_cell = [self.para(score_text(row), "cell_bold"), self.para(labels["red_flag"], "warning_inline")]
        head = plain_table([[self.cell(row.code, 20 * mm, "cell_bold", padding=2), self.para(row.text, "cell_bold"),
                             score_cell]], [20 * mm, self.content_width - 50 * mm, 30 * mm])
        head.setStyle(HEAD_TEXT)  # the font of the plain-text cells: as "cell_bold"
        parts: list[Flowable] = [head]
        if row.descriptor and not row.not_applicable:
            parts.append(self.detail(labels["level"], row.descriptor))
        if row.evidence:
            parts.append(self.detail(labels["evidence"], evidence_text(row.evidence, labels["sources"])))
        if row.note:
            parts.append(self.detail(labels["note"], row.note))
        parts.append(HRFlowable(width="100%", thickness=0.4, color=RULE, spaceBefore=3, spaceAfter=3))
        return KeepTogether(parts)

    def detail(self, label: str, value: str) -> Flowable:
        """An indented paragraph (not a table cell, so a long note can break across pages); one that
        fits on one line is drawn as such (:class:`LabelLine`, the same text at the same place)."""
        line = label_line(normalize(label), normalize(value), self.style["detail"], BOLD, self.content_width)
        return line or self.label_value(label, value, "detail")

    def styles(self):
        styles = super().styles()
        styles["warning_inline"] = styles["warning"].clone(
            "warning_inline", borderWidth=0, borderPadding=0, spaceBefore=1, spaceAfter=0, fontSize=8, leading=10)
        styles["detail"] = styles["cell"].clone("detail", leftIndent=20 * mm + 2, spaceAfter=2)
        return styles
