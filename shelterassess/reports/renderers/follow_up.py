"""One follow-up visit's results as a PDF: compliance, before/after by area and indicator, cost
per point, and what the visit found for each action."""
from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable

from shelterassess.comparisons.display import format_points
from shelterassess.followups.report_data import DASH, FollowUpReport, format_vnd
from shelterassess.reports.renderers.base import BaseReport
from shelterassess.reports.renderers.components import grid_table
from shelterassess.web.templating import format_pct

NUM_COL = 20 * mm


class FollowUpRenderer(BaseReport):
    def title(self, data: FollowUpReport) -> str:
        return _("Follow-up report: %(facility)s, %(round)s", facility=data.facility_code, round=data.round_name)

    def story(self, data: FollowUpReport) -> list[Flowable]:
        return [*self.cover(data), *self.summary(data), *self.area_table(data), *self.indicator_table(data),
                *self.action_table(data)]

    def cover(self, d: FollowUpReport) -> list[Flowable]:
        story: list[Flowable] = [
            self.para(_("Follow-up report"), "title"),
            self.para(f"{d.facility_code} – {d.facility_name} · {d.province}", "subtitle"),
            self.label_value(_("Round of the plan"), d.round_name),
            self.label_value(_("Team"), d.team_name),
            self.label_value(_("Day of the visit"), format_date(d.visited_on) if d.visited_on else DASH),
        ]
        if not d.submitted:
            story.append(self.para(_("Draft: the visit is not submitted yet; these figures may still change."),
                                   "warning"))
        return story

    def summary(self, d: FollowUpReport) -> list[Flowable]:
        cost = format_vnd(d.cost.rounded_vnd) if d.cost.value is not None else DASH
        rows = [
            [self.para(_("Compliance rate"), "cell_bold"), self.para(format_pct(d.compliance_pct), "cell_bold"),
             self.para(d.compliance_note, "cell")],
            [self.para(_("Points gained"), "cell_bold"), self.para(_signed(d.points_gained), "cell_bold"),
             self.para(_("%(n)d re-scored indicators not counted (N/A or not scored).", n=d.not_counted)
                       if d.not_counted else "", "cell")],
            [self.para(_("Cost per point gained"), "cell_bold"), self.para(cost, "cell_bold"),
             self.para(d.cost_note, "cell")],
            [self.para(_("Overall score"), "cell_bold"),
             self.para(f"{format_pct(d.overall_before)} → {format_pct(d.overall_after)}", "cell"),
             self.para(_("Agreed result of the round, then the same with the re-scored indicators at their "
                         "follow-up score."), "cell")],
        ]
        return [self.para(_("Summary"), "h1"), grid_table(rows, [45 * mm, 35 * mm, self.content_width - 80 * mm],
                                                           header=False)]

    def area_table(self, d: FollowUpReport) -> list[Flowable]:
        heads = [_("Area"), _("Before"), _("After"), _("Change (points)"), _("Re-scored")]
        rows = [[self.para(h, "cell_bold") for h in heads]] + [
            [self.para(f"{a.code}. {a.title}", "cell"), self.para(format_pct(a.before), "cell"),
             self.para(format_pct(a.after), "cell"), self.para(format_points(a.difference), "cell"),
             self.para(a.rescored, "cell")]
            for a in d.areas
        ]
        return [CondPageBreak(40 * mm), self.para(_("Before and after by area (%)"), "h1"),
                self.para(_("Before: the agreed result. After: the same area with the re-scored indicators at their "
                            "follow-up score (mean of the applicable scores / 3 × 100)."), "muted"),
                grid_table(rows, [self.content_width - 3 * NUM_COL - 24 * mm] + [NUM_COL] * 2 + [24 * mm, NUM_COL])]

    def indicator_table(self, d: FollowUpReport) -> list[Flowable]:
        heads = [_("Indicator"), _("Before"), _("After"), _("Change"), _("Note")]
        rows = [[self.para(h, "cell_bold") for h in heads]] + [
            [self.para(f"{i.code} {i.text}", "cell"), self.para(i.before, "cell"), self.para(i.after, "cell"),
             self.para(i.change_text, "cell_bold"), self.para(i.note, "cell")]
            for i in d.indicators
        ]
        rest = self.content_width - 2 * 18 * mm - 22 * mm
        return [CondPageBreak(40 * mm), self.para(_("Before and after by indicator"), "h1"),
                grid_table(rows, [rest * 0.62, 18 * mm, 18 * mm, 22 * mm, rest * 0.38])]

    def action_table(self, d: FollowUpReport) -> list[Flowable]:
        heads = [_("Action"), _("Indicators"), _("Cost estimate"), _("Found"), _("Note")]
        rows = [[self.para(h, "cell_bold") for h in heads]]
        for a in d.actions:
            rows.append([self.para(f"{a.number}. {a.description}", "cell"),
                         self.para(", ".join(a.indicator_codes), "cell"), self.para(format_vnd(a.cost_vnd), "cell"),
                         self.para(a.outcome_label, "cell_bold"), self.para(a.note, "cell")])
        for a in d.dropped:
            rows.append([self.para(f"{a.number}. {a.description}", "cell"),
                         self.para(", ".join(a.indicator_codes), "cell"), self.para(format_vnd(a.cost_vnd), "cell"),
                         self.para(_("Dropped"), "cell"), self.para(a.drop_reason, "cell")])
        rest = self.content_width - 22 * mm - 28 * mm - 34 * mm
        return [CondPageBreak(40 * mm), self.para(_("What the visit found for each action"), "h1"),
                grid_table(rows, [rest * 0.6, 22 * mm, 28 * mm, 34 * mm, rest * 0.4])]


def _signed(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)
