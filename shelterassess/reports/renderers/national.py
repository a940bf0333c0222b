"""The national summary of a round (agreed results, national means, rater agreement), as a PDF.

Landscape, so the facilities × areas table fits. In anonymised mode the data already
carries codes such as "F-01" instead of names and facility codes, and no province.
"""
from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, TableStyle

from shelterassess.comparisons import display
from shelterassess.comparisons.report_data import NationalSummary
from shelterassess.reports.fonts import REGULAR
from shelterassess.reports.renderers.base import BaseReport
from shelterassess.reports.renderers.components import grid_table
from shelterassess.reports.text import normalize
from shelterassess.web.templating import format_pct

DASH = "–"
NUM_COL = 17 * mm


class NationalRenderer(BaseReport):
    pagesize = landscape(A4)

    def title(self, data: NationalSummary) -> str:
        return f"{_('National summary')}: {data.round_name}"

    def story(self, data: NationalSummary) -> list[Flowable]:
        return [*self.cover(data), *self.results_table(data), *self.means(data), *self.agreement(data)]

    def cover(self, d: NationalSummary) -> list[Flowable]:
        story: list[Flowable] = [
            self.para(_("National summary: agreed results and rater agreement"), "title"),
            self.para(d.round_name, "subtitle"),
            self.label_value(_("Province"), d.province_name or _("All provinces")),
        ]
        if d.params.anonymised:
            story.append(self.para(_("Anonymised for workshops: facilities are shown by a code that stays the same "
                                     "within this round; names, facility codes and provinces are hidden."), "warning"))
        return story

    def results_table(self, d: NationalSummary) -> list[Flowable]:
        anonymised = d.params.anonymised
        heads = [_("Facility")] + ([] if anonymised else [_("Province")]) + [a.code for a in d.areas] + [_("Overall")]
        rows = [[self.para(h, "cell_bold") for h in heads]]
        first_value = 1 if anonymised else 2
        spans = []
        for r in d.rows:
            label = r.code if anonymised else f"{r.code} – {r.name}"
            cells = [self.para(label, "cell")] + ([] if anonymised else [self.para(r.province, "cell")])
            if r.has_result:
                cells += [self.para(format_pct(v), "cell") for v in (*r.percentages, r.overall)]
            else:
                cells += [self.para(_("no agreed result"), "cell")] + [""] * len(d.areas)
                spans.append(("SPAN", (first_value, len(rows)), (-1, len(rows))))
            rows.append(cells)
        numeric = len(d.areas) + 1
        rest = self.content_width - numeric * NUM_COL
        widths = [rest] if anonymised else [rest * 0.62, rest * 0.38]
        table = grid_table(rows, widths + [NUM_COL] * numeric)
        table.setStyle(TableStyle(spans))
        key = "; ".join(f"{a.code} = {a.title}" for a in d.areas)
        return [self.para(_("Agreed area scores (%)"), "h1"), self.para(key, "muted"), table]

    def means(self, d: NationalSummary) -> list[Flowable]:
        areas = tuple(replace(a, title=normalize(a.title)) for a in d.areas)
        drawing = display.national_chart(replace(d, areas=areas), font_name=REGULAR)
        drawing.initialFontName = REGULAR  # else renderPDF starts every drawing in Helvetica
        heads = [_("Area"), _("Mean"), _("Facilities with a result")]
        rows = [[self.para(h, "cell_bold") for h in heads]] + [
            [self.para(a.label, "cell"), self.para(format_pct(m), "cell"), self.para(n, "cell")]
            for a, m, n in zip(d.areas, d.means, d.mean_counts)
        ]
        return [KeepTogether([self.para(_("National mean by area"), "h1"), drawing]), self.gap(3),
                grid_table(rows, [self.content_width - 70 * mm, 30 * mm, 40 * mm])]

    def agreement(self, d: NationalSummary) -> list[Flowable]:
        o = d.overall_agreement
        story: list[Flowable] = [
            CondPageBreak(60 * mm), self.para(_("Rater agreement by indicator (self vs peer)"), "h1"),
            self.para(_("All indicators: exact agreement %(exact)s, within one point %(within)s, weighted kappa "
                        "%(kappa)s (%(pairs)s).", exact=format_pct(o.exact_pct), within=format_pct(o.within_one_pct),
                        kappa=display.format_kappa(o.kappa), pairs=display.pairs_label(o))),
            self.para(_("Low agreement: these indicators need clearer descriptors or training"), "h2"),
            self.para(_("Listed when at least %(n)d pairs were scored and the weighted kappa is below %(kappa)s (or, "
                        "when kappa cannot be computed, exact agreement is below %(exact)s). Worst first.",
                        n=3, kappa=display.format_kappa(0.4), exact=format_pct(50)), "muted"),
        ]
        if d.low_agreement:
            story += [self.para(f"{i.code} {i.text}: " + _("weighted kappa %(kappa)s, exact agreement %(exact)s",
                                kappa=display.format_kappa(i.agreement.kappa), exact=format_pct(i.agreement.exact_pct)))
                      for i in d.low_agreement]
        else:
            story.append(self.para(_("No indicator has low agreement.")))
        heads = [_("Indicator"), _("Exact agreement"), _("Within one point"), _("Weighted kappa"), _("Pairs compared")]
        rows = [[self.para(h, "cell_bold") for h in heads]] + [
            [self.para(f"{i.code} {i.text}", "cell"), self.para(format_pct(i.agreement.exact_pct), "cell"),
             self.para(format_pct(i.agreement.within_one_pct), "cell"),
             self.para(display.format_kappa(i.agreement.kappa), "cell"),
             self.para(display.pairs_label(i.agreement), "cell")]
            for i in d.indicators
        ]
        widths = [self.content_width - 3 * 25 * mm - 50 * mm, 25 * mm, 25 * mm, 25 * mm, 50 * mm]
        return story + [self.gap(3), grid_table(rows, widths)]
