"""A facility's improvement plan, as a PDF to sign and post in the facility office: the
actions with their indicators, owners, dates and costs, the funding request per category,
and signature blocks for the facility manager and the peer team lead."""
from __future__ import annotations

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Table, TableStyle

from shelterassess.plans.report_data import ActionLine, PlanReport
from shelterassess.reports.renderers.base import MUTED, BaseReport
from shelterassess.reports.renderers.components import BAND_BG, grid_table, plain_table

DASH = "–"
OVERDUE_BG = colors.HexColor("#fbe3dc")


class PlanRenderer(BaseReport):
    pagesize = landscape(A4)
    margin = 15 * mm

    def title(self, data: PlanReport) -> str:
        return _("Improvement plan: %(facility)s, %(round)s", facility=data.facility_code, round=data.round_name)

    def story(self, data: PlanReport) -> list[Flowable]:
        return [*self.cover(data), *self.actions(data), *self.funding(data), *self.signatures(data)]

    def cover(self, d: PlanReport) -> list[Flowable]:
        facts = [
            (_("Facility"), f"{d.facility_code} – {d.facility_name}"),
            (_("Province"), d.province),
            (_("Round"), d.round_name),
            (_("Status"), d.status),
            (_("Drawn from the agreed result finalised on"), d.agreed_on or DASH),
        ]
        rows = [[self.para(label, "cell_bold"), self.para(value, "cell")] for label, value in facts]
        return [self.para(_("Improvement plan"), "title"),
                self.para(f"{d.facility_code} – {d.facility_name}", "subtitle"),
                grid_table(rows, [70 * mm, self.content_width - 70 * mm], header=False), self.gap(4)]

    # -- actions -----------------------------------------------------------------------

    def widths(self) -> list[float]:
        fixed = [10 * mm, 38 * mm, 24 * mm, 24 * mm, 30 * mm, 34 * mm, 22 * mm]
        return [fixed[0], self.content_width - sum(fixed), *fixed[1:]]

    def actions(self, d: PlanReport) -> list[Flowable]:
        heads = ["#", _("Action and indicators"), _("Responsible"), _("Start"), _("Due"), _("Cost estimate"),
                 _("Funding category"), _("Status")]
        rows: list[list] = [[self.para(h, "cell_bold") for h in heads]]
        overdue_rows, dropped_rows = [], []
        for index, line in enumerate(d.actions, start=1):
            rows.append(self.action_row(line))
            if line.overdue:
                overdue_rows.append(index)
            if line.dropped:
                dropped_rows.append(index)
        story: list[Flowable] = [self.para(_("Actions"), "h1")]
        if not d.actions:
            return story + [self.para(_("The plan has no action yet."))]
        table = grid_table(rows, self.widths())
        table.setStyle(TableStyle([("BACKGROUND", (0, r), (-1, r), OVERDUE_BG) for r in overdue_rows]
                                  + [("BACKGROUND", (0, r), (-1, r), BAND_BG) for r in dropped_rows]))
        return story + [table]

    def action_row(self, line: ActionLine) -> list:
        what: list[Flowable] = [self.para(line.description, "cell")]
        what += [self.para(f"• {text}", "indicator") for text in line.indicators]
        if line.dropped and line.drop_reason:
            what.append(self.para(_("Dropped: %(reason)s", reason=line.drop_reason), "indicator"))
        status = line.status + (f" ({_('overdue')})" if line.overdue else "")
        cells = [line.responsible or DASH, line.start or DASH, line.due or DASH, line.cost, line.category, status]
        return [self.para(line.number, "cell"), what, *[self.para(c, "cell") for c in cells]]

    # -- money and signatures ---------------------------------------------------------

    def funding(self, d: PlanReport) -> list[Flowable]:
        rows = [[self.para(_("Funding category"), "cell_bold"), self.para(_("Requested"), "cell_bold")]]
        rows += [[self.para(label, "cell"), self.para(money, "cell_right")] for label, money in d.totals]
        rows.append([self.para(_("Total"), "cell_bold"), self.para(d.total, "cell_bold_right")])
        return [CondPageBreak(45 * mm), self.para(_("Funding request"), "h1"),
                self.para(_("The sum of the cost estimates of the actions that are not dropped, in đồng."), "muted"),
                grid_table(rows, [80 * mm, 50 * mm])]

    def signatures(self, d: PlanReport) -> list[Flowable]:
        leads = ", ".join(d.team_leads) or DASH
        blocks = [self.signature_block(_("For the facility: the facility manager"), ""),
                  self.signature_block(_("For the peer team: the team lead"), leads)]
        half = self.content_width / 2
        table = plain_table([blocks], [half, half], padding=6)
        return [KeepTogether([self.gap(6), self.para(_("Agreed and signed"), "h1"), table])]

    def signature_block(self, heading: str, names: str) -> Table:
        lines = [[self.para(heading, "cell_bold")]]
        if names:
            lines.append([self.para(names, "cell")])
        lines += [[self.para(f"{label}: " + "_" * 40, "cell")] for label in (_("Name"), _("Signature"), _("Date"))]
        table = Table(lines, colWidths=[self.content_width / 2 - 14 * mm], rowHeights=[None] * len(lines))
        table.setStyle(TableStyle([("TOPPADDING", (0, 1), (-1, -1), 7), ("TEXTCOLOR", (0, 0), (-1, -1), MUTED)]))
        return table

    def styles(self):
        styles = super().styles()
        styles["indicator"] = styles["cell"].clone("indicator", fontSize=7.5, leading=9.5, textColor=MUTED,
                                                   leftIndent=6)
        styles["cell_right"] = styles["cell"].clone("cell_right", alignment=2)
        styles["cell_bold_right"] = styles["cell_bold"].clone("cell_bold_right", alignment=2)
        return styles
