"""The national summary of a round (agreed results, national means, rater agreement), as a PDF.

Landscape, so the facilities × areas table fits. In anonymised mode the data already
carries codes such as "F-01" instead of names and facility codes, and small provinces
merged into "Other provinces" (:mod:`shelterassess.comparisons.national_data`).
"""
from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether

from shelterassess.comparisons import display
from shelterassess.comparisons.national_data import NationalRow, NationalSummary
from shelterassess.reports.fonts import REGULAR
from shelterassess.reports.renderers.base import BaseReport
from shelterassess.reports.renderers.components import grid_table, paged_grid_table
from shelterassess.reports.text import normalize
from shelterassess.web.templating import format_pct

DASH = "–"
NUM_COL = 17 * mm
FLAGS_COL = 30 * mm


class NationalRenderer(BaseReport):
    pagesize = landscape(A4)

    def title(self, data: NationalSummary) -> str:
        """The same (translated) heading as the page; it is the PDF's metadata title."""
        return _("National comparison: %(round)s", round=data.round_name)

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
                                     "within this round; names, facility codes, types, capacities and visit dates "
                                     "are hidden. Provinces with fewer than %(n)d facilities with a result are shown "
                                     "together as “Other provinces”.", n=d.min_facilities_per_province), "warning"))
        return story

    def results_table(self, d: NationalSummary) -> list[Flowable]:
        """One row per facility, thousands of rows: a :func:`paged_grid_table` (header on every page,
        linear layout) whose short cells (scores, "0" red flags, most provinces) are plain text."""
        heads = [_("Facility"), _("Province"), *[a.code for a in d.areas], _("Overall"), _("Red flags")]
        no_result = normalize(_("no agreed result"))
        numeric = len(d.areas) + 1
        rest = self.content_width - numeric * NUM_COL - FLAGS_COL
        widths = [rest * 0.62, rest * 0.38] + [NUM_COL] * numeric + [FLAGS_COL]
        body = [self.result_cells(r, d.params.anonymised, no_result, widths) for r in d.rows]
        # The spanned cells keep a table's default leading (12 pt), which sets the row's height as
        # it always has (the page breaks fall where they did).
        spans = [("SPAN", 2, -1), ("LEADING", 2, -1, 12)]

        def row_commands(i: int) -> list[tuple]:
            return [] if d.rows[i].has_result else spans

        table = paged_grid_table([self.para(h, "cell_bold") for h in heads], body, widths, row_commands)
        key = "; ".join(f"{a.code} = {a.title}" for a in d.areas)
        return [self.para(_("Agreed area scores (%)"), "h1"), self.para(key, "muted"),
                self.para(_("Red flags: critical indicators at or below their red-flag level in the agreed result."), "muted"), table]

    def result_cells(self, r: NationalRow, anonymised: bool, no_result: str, widths: list[float]) -> list:
        """Facility (a paragraph: names wrap), province (plain text when it fits), scores and red flags."""
        label = r.code if anonymised else f"{r.code} – {r.name}"
        cells: list = [self.para(label, "cell"), self.cell(r.province, widths[1])]
        if not r.has_result:
            return cells + [no_result] + [""] * (len(widths) - 3)
        cells += [normalize(format_pct(v)) for v in (*r.percentages, r.overall)]
        cells.append(self.para(self.red_flags(r.red_flags), "cell_bold") if r.red_flags else "0")
        return cells

    @staticmethod
    def red_flags(codes: tuple[str, ...]) -> str:
        """"0", or "2 (B1, D4)"."""
        return f"{len(codes)} ({', '.join(codes)})" if codes else "0"

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
                        kappa=display.kappa_text(o), pairs=display.pairs_label(o))),
            self.para(_("Low agreement: these indicators need clearer descriptors or training"), "h2"),
            self.para(_("Listed when at least %(n)d pairs were scored and the weighted kappa is below %(kappa)s (or, "
                        "when kappa is not shown, exact agreement is below %(exact)s). Worst first.",
                        n=3, kappa=display.format_kappa(0.4), exact=format_pct(50)) + " "
                      + _("An indicator's weighted kappa is shown only from %(n)d pairs scored by both.",
                          n=d.kappa_min_pairs), "muted"),
        ]
        if d.low_agreement:
            story += [self.para(f"{i.code} {i.text}: " + _("weighted kappa %(kappa)s, exact agreement %(exact)s",
                                kappa=display.kappa_text(i.agreement), exact=format_pct(i.agreement.exact_pct)))
                      for i in d.low_agreement]
        else:
            story.append(self.para(_("No indicator has low agreement.")))
        heads = [_("Indicator"), _("Exact agreement"), _("Within one point"), _("Weighted kappa"), _("Pairs compared")]
        rows = [[self.para(h, "cell_bold") for h in heads]] + [
            [self.para(f"{i.code} {i.text}", "cell"), self.para(format_pct(i.agreement.exact_pct), "cell"),
             self.para(format_pct(i.agreement.within_one_pct), "cell"),
             self.para(display.kappa_text(i.agreement), "cell"),
             self.para(display.pairs_label(i.agreement), "cell")]
            for i in d.indicators
        ]
        widths = [self.content_width - 3 * 25 * mm - 50 * mm, 25 * mm, 25 * mm, 25 * mm, 50 * mm]
        notes = display.kappa_footnote_lines([o, *(i.agreement for i in d.indicators)])
        return story + [self.gap(3), grid_table(rows, widths), *[self.para(note, "muted") for note in notes]]
