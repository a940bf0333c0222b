"""The national workshop pack of a round as a PDF: participation, national results by area (with
the areas chart), rater agreement, the most common gaps and red flags, training needs, plan
compliance (with a chart by province), the allocation and the case-library lessons.

Landscape, like the national summary, whose agreed-results table it reuses. The data
(:mod:`shelterassess.workshop.report_data`) is already anonymised when asked for; the workbook
(:mod:`shelterassess.workshop.xlsx`) prints the same tables with the same headings
(:mod:`shelterassess.workshop.labels`).
"""
from __future__ import annotations

from dataclasses import replace

from flask_babel import format_date
from flask_babel import gettext as _
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Table

from shelterassess.charts import area_bar_chart
from shelterassess.comparisons import display
from shelterassess.reports.fonts import REGULAR
from shelterassess.reports.renderers.components import grid_table
from shelterassess.reports.renderers.national import NationalRenderer
from shelterassess.reports.renderers.workshop_sections import WorkshopSectionsMixin
from shelterassess.reports.text import normalize
from shelterassess.web.templating import format_pct
from shelterassess.workshop import labels
from shelterassess.workshop.report_data import WorkshopPack

NUM = 24 * mm


class WorkshopRenderer(WorkshopSectionsMixin, NationalRenderer):
    def title(self, data: WorkshopPack) -> str:
        return _("National workshop pack: %(round)s", round=data.round_name)

    def story(self, data: WorkshopPack) -> list[Flowable]:
        return [*self.cover(data), *self.participation(data), *self.results(data), *self.agreement_section(data),
                *self.gaps(data), *self.training(data), *self.compliance(data), *self.allocation(data),
                *self.lessons(data)]

    # -- helpers ------------------------------------------------------------------------

    def styles(self) -> dict[str, ParagraphStyle]:
        found = super().styles()
        found["head"] = ParagraphStyle("head", found["cell_bold"], fontSize=7.5, leading=9)
        return found

    def table(self, heads: list[str], rows: list[list[object]], widths: list[float], bold_rows: int = 0):
        """A grid table of text cells; the last ``bold_rows`` rows (totals) in bold."""
        body = [[self.para(h, "head") for h in heads]]
        for i, row in enumerate(rows):
            style = "cell_bold" if i >= len(rows) - bold_rows else "cell"
            body.append([self.para(cell, style) for cell in row])
        return grid_table(body, widths)

    def rows_may_break(self, table: Table) -> Table:
        """Let the table break a row over pages when one is taller than a page (a common red flag
        lists hundreds of facilities), which no page could hold; other tables keep rows whole."""
        table.wrap(self.content_width, self.content_height)
        if max(table._rowHeights, default=0) > self.content_height:
            table.splitInRow = 1
        return table

    def first_width(self, numeric: int, width: float = NUM) -> list[float]:
        return [self.content_width - numeric * width] + [width] * numeric

    def heading(self, pack: WorkshopPack, key: str) -> list[Flowable]:
        section = next(s for s in labels.sections(pack) if s.key == key)
        return [CondPageBreak(50 * mm), self.para(section.title, "h1"), self.para(section.about, "muted")]

    def chart(self, drawing) -> Flowable:
        """The drawing in DejaVu Sans, scaled down when taller than a page (nine areas × three series
        are): a flowable taller than the frame cannot be laid out at all."""
        drawing.initialFontName = REGULAR  # else renderPDF starts every drawing in Helvetica
        room = self.content_height - 1
        if drawing.height > room:
            factor = room / drawing.height
            drawing.scale(factor, factor)
            drawing.width, drawing.height = drawing.width * factor, drawing.height * factor
        return drawing

    # -- cover ----------------------------------------------------------------------------

    def cover(self, d: WorkshopPack) -> list[Flowable]:
        story: list[Flowable] = [
            self.para(_("National workshop pack"), "title"),
            self.para(d.round_name, "subtitle"),
            self.label_value(_("Prepared on"), format_date(d.generated_on, "long")),
        ]
        if d.anonymised:
            story.append(self.para(labels.anonymised_note(d), "warning"))
        story.append(self.para(_("Contents"), "h2"))
        story += [self.para(f"{i}. {s.title}: {s.about}") for i, s in enumerate(labels.sections(d), start=1)]
        return story

    # -- 1. participation -----------------------------------------------------------------

    def participation(self, d: WorkshopPack) -> list[Flowable]:
        rows = [[r.province, r.facilities, r.taking_part, r.self_submitted, r.peer_submitted, r.agreed, r.released]
                for r in (*d.participation, d.participation_total)]
        return [*self.heading(d, "participation"),
                self.table(labels.participation_heads(), rows, self.first_width(6, 28 * mm), bold_rows=1)]

    # -- 2. results by area -----------------------------------------------------------------

    def areas_chart(self, d: WorkshopPack):
        series = [(_("Self-assessment"), [a.self_mean for a in d.areas]),
                  (_("Peer assessment"), [a.peer_mean for a in d.areas]),
                  (_("Agreed result"), [a.agreed_mean for a in d.areas])]
        return self.chart(area_bar_chart([normalize(a.label) for a in d.areas],
                                         [(normalize(name), values) for name, values in series],
                                         title=normalize(_("National means by area (%)")), font_name=REGULAR,
                                         width=self.content_width * 0.8, na_label=normalize(_("no result"))))

    def results(self, d: WorkshopPack) -> list[Flowable]:
        rows = [[a.label, format_pct(a.self_mean), a.self_n, format_pct(a.peer_mean), a.peer_n,
                 format_pct(a.agreed_mean), a.agreed_n] for a in (*d.areas, d.overall)]
        national = replace(d.national, areas=tuple(replace(a, title=normalize(a.title)) for a in d.national.areas))
        return [*self.heading(d, "results"), KeepTogether([self.areas_chart(d)]), self.gap(3),
                self.table(labels.means_heads(), rows, self.first_width(6, 26 * mm), bold_rows=1),
                self.para(_("Means over the facilities with a submitted assessment of each kind; a facility assessed "
                            "by several peer teams counts once, with the mean of its teams. The agreed means are "
                            "those of the national comparison page."), "muted"),
                *self.results_table(national)]

    # -- 3. rater agreement -------------------------------------------------------------------

    def agreement_section(self, d: WorkshopPack) -> list[Flowable]:
        o = d.national.overall_agreement
        low = d.national.low_agreement
        rows = [[_("All indicators"), *self.agreement_cells(o)]]
        rows += [[f"{i.code} {i.text}", *self.agreement_cells(i.agreement)] for i in low]
        story = [*self.heading(d, "agreement"),
                 self.table(labels.agreement_heads(), rows, self.first_width(5, 26 * mm)),
                 self.para(_("Low agreement: these indicators need clearer descriptors or training"), "h2"),
                 self.para(labels.low_agreement_rule(d), "muted")]
        if not low:
            story.append(self.para(_("No indicator has low agreement.")))
        notes = display.kappa_footnote_lines([o, *(i.agreement for i in low)])
        return story + [self.para(note, "muted") for note in notes]

    @staticmethod
    def agreement_cells(a) -> list[str]:
        return [format_pct(a.exact_pct), format_pct(a.within_one_pct), display.kappa_text(a), str(a.n),
                str(a.na_excluded)]

    # -- 4. gaps and red flags ------------------------------------------------------------------

    def gaps(self, d: WorkshopPack) -> list[Flowable]:
        story = [*self.heading(d, "gaps"),
                 self.para(_("Most common gaps (self-assessment vs peer assessment)"), "h2")]
        if d.gaps:
            rows = [[f"{g.code} {g.text}", g.pairs, g.flagged, g.self_higher, g.self_lower] for g in d.gaps]
            story.append(self.table(labels.gap_heads(), rows, self.first_width(4, 30 * mm)))
        else:
            story.append(self.para(_("No gap of %(n)d points or more.", n=d.gap_threshold)))
        story.append(self.para(_("Most common red flags in the agreed results"), "h2"))
        if d.red_flags:
            rows = [[f"{f.code} {f.text}", f.facilities, ", ".join(f.facility_codes)] for f in d.red_flags]
            widths = [self.content_width - 30 * mm - 80 * mm, 30 * mm, 80 * mm]
            story.append(self.rows_may_break(self.table(labels.red_flag_heads(), rows, widths)))
        else:
            story.append(self.para(_("No agreed result has a red flag.")))
        story.append(self.para(_("Red flags: critical indicators at or below their red-flag level in the agreed result."), "muted"))
        return story

