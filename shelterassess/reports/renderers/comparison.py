"""One facility's comparison in one round (self vs peer vs agreed), as a PDF."""
from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether

from shelterassess.comparisons import display
from shelterassess.comparisons.report_data import AgreementLine, FacilityComparison, ScoredLine
from shelterassess.reports.fonts import REGULAR
from shelterassess.reports.renderers.base import BaseReport
from shelterassess.reports.renderers.components import grid_table, na_label
from shelterassess.reports.text import normalize
from shelterassess.web.templating import format_pct

DASH = "–"
NUM_COL = 17 * mm


class ComparisonRenderer(BaseReport):
    def title(self, data: FacilityComparison) -> str:
        """The same (translated) heading as the page; it is the PDF's metadata title."""
        return _("Self vs peer vs agreed: %(facility)s, %(round)s", facility=data.facility_code,
                 round=data.round_name)

    def story(self, data: FacilityComparison) -> list[Flowable]:
        return [
            *self.cover(data),
            *self.agreed_highlights(data),
            *self.chart(data),
            *self.area_table(data),
            *self.flagged(data),
            *self.agreement(data),
            *self.indicator_table(data),
        ]

    # -- sections -------------------------------------------------------------------

    def cover(self, d: FacilityComparison) -> list[Flowable]:
        story: list[Flowable] = [
            self.para(_("Comparison report: self vs peer vs agreed"), "title"),
            self.para(f"{d.facility_code} – {d.facility_name}", "subtitle"),
            self.label_value(_("Round"), d.round_name),
            self.label_value(_("Peer teams"), ", ".join(d.teams) or DASH),
            self.label_value(_("Results released to the facility"), _("Yes") if d.released else _("Not yet")),
        ]
        notes = []
        if not d.has_self:
            notes.append(_("The self-assessment is not submitted yet."))
        if not d.has_peer:
            notes.append(_("No peer assessment is submitted yet."))
        if d.pending_teams:
            notes.append(_("Still scoring: %(teams)s.", teams=", ".join(d.pending_teams)))
        if not d.has_agreed:
            notes.append(_("The agreed result is not finalised yet."))
        story += [self.para(note, "muted") for note in notes]
        return story

    def agreed_highlights(self, d: FacilityComparison) -> list[Flowable]:
        """The finalised agreed result's red flags and lowest indicators."""
        if not d.has_agreed:
            return []
        story: list[Flowable] = [self.para(_("Red flags of the agreed result: critical indicators at or below their red-flag level"), "h1")]
        if d.agreed_red_flags:
            story += [self.para(f"{r.code} {r.text}", "warning") for r in d.agreed_red_flags]
        else:
            story.append(self.para(_("No critical indicator of the agreed result is at or below its red-flag level.")))
        return story + [CondPageBreak(30 * mm), self.para(_("Lowest indicators of the agreed result"), "h1"),
                        self.scored_table(d.agreed_lowest)]

    def scored_table(self, lines: tuple[ScoredLine, ...]) -> Flowable:
        rows = [[self.para(_("Indicator"), "cell_bold"), self.para(_("Agreed"), "cell_bold")]]
        red_flag = _("red flag")
        for line in lines:
            flag = f" ({red_flag})" if line.red_flag else ""
            style = "cell_bold" if line.red_flag else "cell"
            rows.append([self.para(f"{line.code} {line.text}{flag}", style), self.para(line.value, style)])
        return grid_table(rows, self.widths(1))

    def chart(self, d: FacilityComparison) -> list[Flowable]:
        """The same chart as the page, with NFC labels."""
        normalized = replace(d, areas=tuple(replace(a, title=normalize(a.title)) for a in d.areas),
                             teams=tuple(normalize(t) for t in d.teams))
        drawing = display.comparison_chart(normalized, font_name=REGULAR)
        if drawing is None:
            return []
        drawing.initialFontName = REGULAR  # else renderPDF starts every drawing in Helvetica
        return [self.gap(4), drawing]

    def area_table(self, d: FacilityComparison) -> list[Flowable]:
        heads = [_("Area"), _("Self"), *d.teams, _("Agreed"), *[_("Self minus %(team)s", team=t) for t in d.teams]]
        rows = [[self.para(h, "cell_bold") for h in heads]]
        for a in d.areas:
            values = [format_pct(a.self_pct), *[format_pct(p) for p in a.peer_pcts], format_pct(a.agreed_pct),
                      *[display.format_points(x) for x in a.differences]]
            rows.append([self.para(f"{a.code}. {a.title}", "cell"), *[self.para(v, "cell") for v in values]])
        return [CondPageBreak(40 * mm), self.para(_("Scores by area (%)"), "h1"),
                self.para(_("Differences are in percentage points: self minus peer."), "muted"),
                grid_table(rows, self.widths(len(heads) - 1))]

    def flagged(self, d: FacilityComparison) -> list[Flowable]:
        story: list[Flowable] = [
            CondPageBreak(40 * mm), self.para(_("Flagged gaps"), "h1"),
            self.para(_("Difference = the self-assessment score minus the peer team's score. A positive difference "
                        "means the facility rated itself higher than the peer team (over-rating); a negative one means "
                        "lower (under-rating). Differences of 2 points or more are flagged."), "muted"),
        ]
        if not d.flagged:
            return story + [self.para(_("No indicator differs by 2 points or more."))]
        heads = [_("Indicator"), _("Peer team"), _("Self"), _("Peer"), _("Difference"), _("What it means")]
        rows = [[self.para(h, "cell_bold") for h in heads]] + [
            [self.para(f"{g.code} {g.text}", "cell"), self.para(g.team, "cell"), self.para(g.self_score, "cell"),
             self.para(g.peer_score, "cell"), self.para(display.format_signed(g.difference), "cell_bold"),
             self.para(g.explanation, "cell")]
            for g in d.flagged
        ]
        rest = self.content_width - 50 * mm - 2 * 16 * mm - 20 * mm
        return story + [grid_table(rows, [50 * mm, rest * 0.35, 16 * mm, 16 * mm, 20 * mm, rest * 0.65])]

    def agreement(self, d: FacilityComparison) -> list[Flowable]:
        story: list[Flowable] = [
            CondPageBreak(40 * mm), self.para(_("Rater agreement"), "h1"),
            self.para(_("Exact agreement: share of indicators both raters scored the same. Within one point: share "
                        "that differ by at most 1. Weighted kappa (quadratic): agreement beyond chance, from below 0 "
                        "(worse than chance) to 1 (perfect). Indicators either rater marked N/A are left out and "
                        "counted."), "muted"),
        ]
        if not d.agreements:
            return story + [self.para(_("Agreement needs a submitted self-assessment and peer assessment, or two peer "
                                        "assessments."))]
        return story + [self.agreement_table(line) for line in d.agreements] + [
            self.para(note, "muted") for note in display.kappa_footnote_lines(d.all_agreements)]

    def agreement_table(self, line: AgreementLine) -> Flowable:
        heads = [_("Scope"), _("Exact agreement"), _("Within one point"), _("Weighted kappa"), _("Pairs compared")]
        rows = [[self.para(h, "cell_bold") for h in heads]]
        for i, (scope, a) in enumerate([(_("All indicators"), line.overall), *line.areas]):
            style = "cell_bold" if i == 0 else "cell"
            rows.append([self.para(scope, style), self.para(format_pct(a.exact_pct), style),
                         self.para(format_pct(a.within_one_pct), style),
                         self.para(display.kappa_text(a), style),
                         self.para(display.pairs_label(a), style)])
        rest = self.content_width - 3 * 26 * mm
        table = grid_table(rows, [rest * 0.58, 26 * mm, 26 * mm, 26 * mm, rest * 0.42])
        return KeepTogether([self.para(line.label, "h2"), table])

    def indicator_table(self, d: FacilityComparison) -> list[Flowable]:
        heads = [_("Indicator"), _("Self"), *d.teams, _("Agreed"), *[_("Self minus %(team)s", team=t) for t in d.teams]]
        rows = [[self.para(h, "cell_bold") for h in heads]]
        for i in d.indicators:
            text = f"{i.code} {i.text}" + (f" ({_('gap of 2 or more')})" if i.flagged else "")
            values = [self.score(i.self_score, d.has_self), *[self.score(p, True) for p in i.peer_scores],
                      self.score(i.agreed, d.has_agreed), *[display.format_signed(x) for x in i.differences]]
            style = "cell_bold" if i.flagged else "cell"
            rows.append([self.para(text, style), *[self.para(v, style) for v in values]])
        return [CondPageBreak(40 * mm), self.para(_("Scores by indicator"), "h1"),
                grid_table(rows, self.widths(len(heads) - 1))]

    # -- helpers ----------------------------------------------------------------------

    def widths(self, numeric_columns: int) -> list[float]:
        return [self.content_width - numeric_columns * NUM_COL] + [NUM_COL] * numeric_columns

    @staticmethod
    def score(value: int | None, present: bool) -> str:
        if not present:
            return DASH
        return na_label() if value is None else str(value)
