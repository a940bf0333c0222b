"""The later sections of the workshop pack PDF: training needs, plan compliance (with a chart by
province), the allocation and the case-library lessons. A mixin of
:class:`~shelterassess.reports.renderers.workshop.WorkshopRenderer`, which provides ``table``,
``heading``, ``chart`` and ``first_width``."""
from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, TableStyle

from shelterassess.charts import area_bar_chart
from shelterassess.followups.report_data import DASH
from shelterassess.reports.fonts import REGULAR
from shelterassess.reports.renderers.components import BAND_BG
from shelterassess.reports.text import normalize
from shelterassess.web.templating import format_pct
from shelterassess.workshop import labels


#: The narrowest numeric column of the training table (a province's name wraps in it).
MIN_NUMERIC_COL = 16 * mm


def _signed(n: int) -> str:
    return f"{n:+d}" if n else "0"


class WorkshopSectionsMixin:
    # -- 5. training needs -----------------------------------------------------------------

    def training(self, d) -> list[Flowable]:
        t = d.training
        story = [*self.heading(d, "training")]
        if not t.rows:
            return story + [self.para(_("No capacity-building action in an accepted plan of this round."))]
        rows = [[labels.skill_label(r.skill), *(n or "" for n in r.by_province), r.total, r.answered]
                for r in t.rows]
        rows.append([_("Total"), *t.province_totals, t.total, t.answered])
        return story + self.column_tables(labels.training_heads(d), rows)

    def column_tables(self, heads: list[str], rows: list[list]) -> list[Flowable]:
        """A table of a label column and numeric columns (one per province, then totals); with more
        columns than fit across a page, several tables, each repeating the label column."""
        numeric = list(range(1, len(heads)))
        per_table = max(1, int((self.content_width - 60 * mm) // MIN_NUMERIC_COL))
        story: list[Flowable] = []
        for start in range(0, len(numeric), per_table):
            columns = [0, *numeric[start:start + per_table]]
            width = min(26 * mm, (self.content_width - 60 * mm) / (len(columns) - 1))
            if story:
                story.append(self.gap(3))
            story.append(self.table([heads[c] for c in columns], [[row[c] for c in columns] for row in rows],
                                    self.first_width(len(columns) - 1, width), bold_rows=1))
        return story

    # -- 6. plan compliance -------------------------------------------------------------------

    def compliance_chart(self, d) -> list[Flowable]:
        """One bar per province and the national total; with more provinces than one page holds, as
        several charts of the same title, each no taller than a page (a taller drawing cannot be laid out)."""
        labels_ = [normalize(g.name) for g in d.compliance.groups] + [normalize(_("National total"))]
        values = [g.totals.compliance_pct for g in d.compliance.groups] + [d.compliance.totals.compliance_pct]
        series_name, title = normalize(_("Compliance")), normalize(_("Plan compliance by province (%)"))

        def chart(start: int, stop: int):
            return area_bar_chart(labels_[start:stop], [(series_name, values[start:stop])], title=title,
                                  font_name=REGULAR, width=self.content_width * 0.7, na_label=DASH)

        per_chart = self.bars_per_page(chart(0, 1).height, chart(0, 2).height)
        return [KeepTogether([self.chart(chart(start, start + per_chart))])
                for start in range(0, len(labels_), per_chart)]

    def bars_per_page(self, one: float, two: float) -> int:
        """How many bars fit in one frame, from the heights of a chart of one bar and of two."""
        return max(1, 1 + int((self.content_height - 30 * mm - one) // (two - one)))  # room for a heading

    def figure_cells(self, f) -> list[str]:
        cost = labels.money(f.cost.rounded_vnd if f.cost.value is not None else None)
        return [format_pct(f.compliance_pct), f.implemented, f.partly, f.not_implemented, f.not_relevant,
                _signed(f.points_gained), labels.money(f.spent_vnd), cost]

    def compliance(self, d) -> list[Flowable]:
        c = d.compliance
        story = [*self.heading(d, "compliance")]
        if not c.groups:
            return story + [self.para(_("No submitted follow-up visit in this round yet."))]
        dates = not d.anonymised
        rows, bands, totals = [], [], []
        for g in c.groups:
            bands.append(len(rows) + 1)
            rows.append([g.name] + [""] * (8 + dates))
            for r in g.rows:
                name = r.facility_code if d.anonymised else f"{r.facility_code} – {r.facility_name}"
                visited = [format_date(r.visited_on) if r.visited_on else DASH] if dates else []
                rows.append([name, *visited, *self.figure_cells(r.figures)])
            totals.append(len(rows) + 1)
            rows.append([_("Province total: %(name)s", name=g.name), *([""] if dates else []),
                         *self.figure_cells(g.totals)])
        rows.append([_("National total"), *([""] if dates else []), *self.figure_cells(c.totals)])
        figures = [23 * mm] + [19 * mm] * 4 + [17 * mm] + [28 * mm] * 2
        widths = [24 * mm] * dates + figures
        widths.insert(0, self.content_width - sum(widths))
        table = self.table(labels.compliance_heads(d), rows, widths, bold_rows=1)
        table.setStyle(TableStyle([("SPAN", (0, r), (-1, r)) for r in bands]
                                  + [("BACKGROUND", (0, r), (-1, r), BAND_BG) for r in bands + totals]))
        note = _("Compliance: implemented 1, partly 0.5, not implemented 0; no longer relevant and dropped actions "
                 "left out. Points gained: new score minus agreed score, over the re-scored indicators (N/A on "
                 "either side not counted). Cost per point: cost estimates of the implemented and partly "
                 "implemented actions, in full, divided by the points gained on their indicators; \"–\" when no "
                 "point was gained or scores fell. Province and national rows pool their facilities' actions and "
                 "points.")
        return story + [*self.compliance_chart(d), self.gap(3), table, self.para(note, "muted")]

    # -- 7. the allocation ----------------------------------------------------------------------

    @staticmethod
    def per_point(value) -> str:
        return labels.money(value.rounded_vnd) if value is not None and value.value is not None else DASH

    def allocation(self, d) -> list[Flowable]:
        a = d.allocation
        story = [*self.heading(d, "allocation")]
        if not a.funding_rounds:
            return story + [self.para(_("No approved funding round for this round yet."))]
        rounds = [[f.name, labels.money(f.budget), labels.money(f.allocated)] for f in a.funding_rounds]
        story.append(self.table(labels.funding_round_heads(), rounds, self.first_width(2, 40 * mm)))
        story.append(self.gap(3))
        named = not d.anonymised
        rows = [[r.code, *([r.name] if named else []), r.province, *(labels.money(v) for v in r.amounts),
                 labels.money(r.total), self.per_point(r.per_point)] for r in a.rows]
        rows.append([_("Total"), *([""] if named else []), "", *(labels.money(v) for v in a.category_totals),
                     labels.money(a.total), self.per_point(a.national_per_point)])
        numeric = len(a.categories) + 2
        first = self.content_width - numeric * 28 * mm
        widths = [first * 0.25, first * 0.45, first * 0.30] if named else [first * 0.4, first * 0.6]
        note = _("VND per point gained: the amount allocated divided by the agreed-score points gained at the "
                 "plan's latest follow-up visit; \"–\" without a visit, when no point was gained or scores fell. "
                 "The total row pools the facilities with a visit.")
        return story + [self.table(labels.allocation_heads(d), rows, widths + [28 * mm] * numeric, bold_rows=1),
                        self.para(note, "muted")]

    # -- 8. lessons -------------------------------------------------------------------------------

    def lessons(self, d) -> list[Flowable]:
        story = [*self.heading(d, "lessons")]
        if not d.lessons:
            return story + [self.para(_("The case library links no lesson to these indicators."))]
        rows = [[f"{x.code} {x.text}", labels.listed_for(x.gap, x.red_flag), x.case_title, x.lesson]
                for x in d.lessons]
        rest = self.content_width - 28 * mm
        return story + [self.table(labels.lesson_heads(), rows, [rest * 0.25, 28 * mm, rest * 0.22, rest * 0.53])]
