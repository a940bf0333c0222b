"""One case of the case library, printed: facts, sections, key figures, linked indicators."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, ListFlowable, ListItem, SimpleDocTemplate

from shelterassess.cases.domain import Case, place_label
from shelterassess.reports.fonts import REGULAR
from shelterassess.reports.renderers.base import MUTED, RULE, BaseReport
from shelterassess.reports.renderers.components import grid_table
from shelterassess.reports.text import normalize


@dataclass(frozen=True)
class CaseReport:
    """A case with every text picked in one language (plain data for the renderer)."""

    language: str
    title: str
    facts: list[tuple[str, str]]
    summary: str
    sections: list[tuple[str, str, list[str]]]  # field name, heading, items
    key_figures: list[tuple[str, str]]
    applies: list[tuple[str, str, str]]  # indicator code, indicator text, lesson
    citation: str


def case_report(case: Case, language: str, applies: Sequence[tuple[str, str, str]],
                labels: Mapping[str, Mapping[str, str]], country_names: Sequence[str]) -> CaseReport:
    """Call under ``force_locale(language)``: the headings are interface strings."""
    def t(texts):
        return (texts or {}).get(language) or next(iter((texts or {"": ""}).values()))

    facts = [
        (_("Country or region"), place_label(t(case.country), country_names)),
        (_("Years"), t(case.years)),
        (_("Implemented by"), t(case.implementer)),
        (_("Funded by"), t(case.funder)),
        (_("Budget"), t(case.budget) if case.budget else _("Not stated in the source")),
        (_("Pillars"), ", ".join(t(labels.get(p)) for p in case.pillars)),
        (_("Themes"), ", ".join(t(labels.get(s)) for s in case.themes)),
    ]
    headings = {"objectives": _("Objectives"), "activities": _("What was done"), "results": _("Results"),
                "lessons": _("Lessons learned"), "recommendations": _("Recommendations")}
    sections = [(name, heading, list(getattr(case, name).get(language, ()))) for name, heading in headings.items()]
    return CaseReport(
        language=language, title=t(case.title), facts=facts, summary=t(case.summary), sections=sections,
        key_figures=[(f.value, t(f.label)) for f in case.key_figures], applies=list(applies),
        citation=t(case.citation),
    )


class CaseRenderer(BaseReport):
    def title(self, data: CaseReport) -> str:
        return data.title

    def story(self, data: CaseReport) -> list[Flowable]:
        width = self.content_width
        story: list[Flowable] = [
            self.para(_("Case library"), "subtitle"),
            self.para(data.title, "title"),
            grid_table([[self.para(k, "cell_bold"), self.para(v, "cell")] for k, v in data.facts],
                       [40 * mm, width - 40 * mm], header=False),
            self.para(_("Summary"), "h1"),
            self.para(data.summary),
        ]
        for name, heading, items in data.sections:
            story += [self.para(heading, "h1"), self.bullets(items)]
            if name == "results" and data.key_figures:
                story.append(self.figures(data.key_figures))
        if data.applies:
            story += [self.para(_("Applies to these indicators"), "h1"), self.applies(data.applies)]
        story += [self.para(_("Source"), "h1"), self.para(data.citation, "muted")]
        return story

    def bullets(self, items: Sequence[str]) -> ListFlowable:
        return ListFlowable([ListItem(self.para(item), leftIndent=10) for item in items], bulletType="bullet",
                            start="•", bulletFontName=REGULAR, leftIndent=10)

    def figures(self, figures: Sequence[tuple[str, str]]) -> Flowable:
        rows = [[self.para(_("Key figure"), "cell_bold"), self.para(_("What it counts"), "cell_bold")]]
        rows += [[self.para(value, "cell_bold"), self.para(label, "cell")] for value, label in figures]
        return KeepTogether([self.gap(2), grid_table(rows, [32 * mm, self.content_width - 32 * mm])])

    def applies(self, applies: Sequence[tuple[str, str, str]]) -> Flowable:
        rows = [[self.para(_("Indicator"), "cell_bold"), self.para(_("What this case teaches for it"), "cell_bold")]]
        rows += [[self.para(f"{code}. {text}", "cell"), self.para(lesson, "cell")] for code, text, lesson in applies]
        half = self.content_width / 2
        return grid_table(rows, [half, half])

    def on_page(self, canvas: Canvas, doc: SimpleDocTemplate) -> None:
        """Footer: where the case comes from on the left, the page number on the right."""
        width, _height = self.pagesize
        y = self.margin - 8 * mm
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(self.margin, y + 10, width - self.margin, y + 10)
        canvas.setFillColor(MUTED)
        canvas.setFont(REGULAR, 7.5)
        canvas.drawString(self.margin, y, normalize(_("ShelterAssess case library · summarised in our own words")))
        right = "%s · %s" % (_("Generated %(date)s", date=self.generated_label()), _("Page %(number)d", number=doc.page))
        canvas.drawRightString(width - self.margin, y, normalize(right))
        canvas.restoreState()
