"""A facility's allocation letter (PDF, Vietnamese or English): the amounts by category, the actions
they fund, the reasons, how the need was weighed, and a signature block for the national team and
the facility manager."""
from __future__ import annotations

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Table, TableStyle

from shelterassess.funding.report_data import DASH, AllocationLetter, CategoryLine
from shelterassess.reports.renderers.base import MUTED, BaseReport
from shelterassess.reports.renderers.components import grid_table, plain_table

MONEY_COL = 34 * mm


class AllocationLetterRenderer(BaseReport):
    def title(self, data: AllocationLetter) -> str:
        return _("Allocation letter: %(facility)s, %(funding)s", facility=data.facility_code,
                 funding=data.funding_round_name)

    def story(self, data: AllocationLetter) -> list[Flowable]:
        return [*self.cover(data), *self.amounts(data), *self.actions(data), *self.signatures(data)]

    def cover(self, d: AllocationLetter) -> list[Flowable]:
        facts = [
            (_("Facility"), f"{d.facility_code} – {d.facility_name}"),
            (_("Province"), d.province),
            (_("Funding round"), d.funding_round_name),
            (_("Assessment round"), d.round_name),
            (_("Status"), d.status),
            (_("Approved on"), d.approved_on),
        ]
        rows = [[self.para(label, "cell_bold"), self.para(value, "cell")] for label, value in facts]
        story: list[Flowable] = [
            self.para(_("Allocation letter"), "title"),
            self.para(f"{d.facility_code} – {d.facility_name}", "subtitle"),
            grid_table(rows, [45 * mm, self.content_width - 45 * mm], header=False), self.gap(3),
            self.para(_("The national team has allocated to your facility the amounts below from the improvement "
                        "budget of %(budget)s, for the actions of your accepted improvement plan.", budget=d.budget)),
        ]
        if not d.approved:
            story.append(self.para(_("Not approved: these amounts may still change."), "warning"))
        return story

    def amounts(self, d: AllocationLetter) -> list[Flowable]:
        heads = [_("Funding category"), _("Requested"), _("Allocated"), _("Covers"), _("Reason")]
        rows: list[list] = [[self.para(h, "cell_bold") for h in heads]]
        for line in d.lines:
            rows.append([self.para(line.label, "cell"), self.para(line.requested, "cell_right"),
                         self.para(line.allocated, "cell_bold_right"), self.para(line.coverage, "cell"),
                         self.para(line.reason or DASH, "cell")])
        rows.append([self.para(_("Total"), "cell_bold"), self.para(d.total_requested, "cell_bold_right"),
                     self.para(d.total_allocated, "cell_bold_right"), self.para("", "cell"), self.para("", "cell")])
        widths = [40 * mm, MONEY_COL, MONEY_COL, 26 * mm]
        return [self.para(_("Amounts by category"), "h1"),
                grid_table(rows, [*widths, self.content_width - sum(widths)]),
                self.gap(2), self.para(_("How your need was weighed"), "h2"), self.para(d.how, "muted")]

    def actions(self, d: AllocationLetter) -> list[Flowable]:
        story: list[Flowable] = [self.para(_("Actions funded"), "h1")]
        funded = [line for line in d.lines if line.actions]
        if not funded:
            return story + [self.para(_("No action is funded in this funding round."))]
        for line in funded:
            story += [self.para(f"{line.label}: {line.allocated}", "h2"), self.action_table(line)]
        return story

    def action_table(self, line: CategoryLine) -> Table:
        heads = ["#", _("Action"), _("Cost estimate"), _("Status")]
        rows: list[list] = [[self.para(h, "cell_bold") for h in heads]]
        rows += [[self.para(a.number, "cell"), self.para(a.description, "cell"), self.para(a.cost, "cell_right"),
                  self.para(a.status, "cell")] for a in line.actions]
        widths = [10 * mm, MONEY_COL, 28 * mm]
        return grid_table(rows, [widths[0], self.content_width - sum(widths), *widths[1:]])

    def signatures(self, d: AllocationLetter) -> list[Flowable]:
        blocks = [self.signature_block(_("For the national team"), d.approved_by),
                  self.signature_block(_("Received for the facility: the facility manager"), "")]
        half = self.content_width / 2
        return [KeepTogether([self.gap(6), self.para(_("Signatures"), "h1"),
                              plain_table([blocks], [half, half], padding=6)])]

    def signature_block(self, heading: str, name: str) -> Table:
        lines = [[self.para(heading, "cell_bold")]]
        if name:
            lines.append([self.para(name, "cell")])
        lines += [[self.para(f"{label}: " + "_" * 34, "cell")] for label in (_("Name"), _("Signature"), _("Date"))]
        table = Table(lines, colWidths=[self.content_width / 2 - 14 * mm])
        table.setStyle(TableStyle([("TOPPADDING", (0, 1), (-1, -1), 7), ("TEXTCOLOR", (0, 0), (-1, -1), MUTED)]))
        return table

    def styles(self):
        styles = super().styles()
        styles["cell_right"] = styles["cell"].clone("cell_right", alignment=2)
        styles["cell_bold_right"] = styles["cell_bold"].clone("cell_bold_right", alignment=2)
        return styles
