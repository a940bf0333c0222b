"""The peer team's visit toolkit as a PDF: a visit's pack (the team's agenda with names, the
round's evidence checklist, the protocols and the confidentiality undertaking with the team's
names and signature lines) or the generic protocols. Every text comes from the report data
(:mod:`shelterassess.toolkit.report_data`), in the language chosen; each part starts on a new
page so it can be printed on its own."""
from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, Table, TableStyle

from shelterassess.reports.renderers.base import MUTED, BaseReport
from shelterassess.reports.renderers.components import BAND_BG, GRID, HEADER_BG, grid_table
from shelterassess.reports.text import para_text
from shelterassess.toolkit.report_data import Agenda, Checklist, Protocol, ToolkitReport, Undertaking

SCRIPT_BG = colors.HexColor("#f4f1e8")
TIME_WIDTH = 26 * mm  # "07:30–08:00" on one line


class ToolkitRenderer(BaseReport):
    def title(self, data: ToolkitReport) -> str:
        return f"{data.title}: {data.subtitle}" if data.facts else data.title

    def language(self, data: ToolkitReport) -> str:
        return data.language

    def styles(self):
        styles = super().styles()
        styles["bullet"] = styles["body"].clone("bullet", leftIndent=12, bulletIndent=2, spaceAfter=2)
        styles["cell_bullet"] = styles["cell"].clone("cell_bullet", leftIndent=9, bulletIndent=1, spaceAfter=1)
        styles["script"] = styles["body"].clone("script", backColor=SCRIPT_BG, borderPadding=5, borderColor=SCRIPT_BG,
                                                borderWidth=0.5, spaceBefore=4, spaceAfter=8, leftIndent=5,
                                                rightIndent=5)
        styles["tag"] = styles["cell"].clone("tag", fontSize=7.5, leading=9.5, textColor=MUTED)
        return styles

    def story(self, data: ToolkitReport) -> list[Flowable]:
        story = self.cover(data)
        parts = {"agenda": lambda: self.agenda(data.agenda, data),
                 "checklist": lambda: self.checklist(data.checklist, data),
                 "undertaking": lambda: self.undertaking(data.undertaking, data)}
        protocols = {p.key: p for p in data.protocols}
        for key in data.parts:
            story.append(PageBreak())
            story += parts[key]() if key in parts else self.protocol(protocols[key])
        if data.sources:
            story += self.sources(data)
        return story

    # -- helpers -------------------------------------------------------------------------

    def bullets(self, items, style: str = "bullet", numbered: bool = False) -> list[Flowable]:
        return [Paragraph(para_text(item), self.style[style], bulletText=f"{i}." if numbered else "•")
                for i, item in enumerate(items, start=1)]

    def activity_cell(self, row) -> list[Flowable]:
        return [self.para(row.activity, "cell_bold"), self.para(row.details, "tag")]

    def facts_table(self, facts) -> Table:
        rows = [[self.para(label, "cell_bold"), self.para(value, "cell")] for label, value in facts]
        return grid_table(rows, [45 * mm, self.content_width - 45 * mm], header=False)

    # -- parts ---------------------------------------------------------------------------

    def cover(self, d: ToolkitReport) -> list[Flowable]:
        story: list[Flowable] = [self.para(d.title, "title"), self.para(d.subtitle, "subtitle")]
        if d.facts:
            story += [self.facts_table(d.facts), self.gap(3)]
        story.append(self.para(d.warning, "warning"))
        story.append(self.para(d.labels["contents"], "h2"))
        story += self.bullets([title for _key, title in d.part_titles] + ([d.labels["sources"]] if d.sources else []),
                              numbered=True)
        if d.before:
            story += [self.para(d.before_heading, "h2"), *self.bullets(d.before)]
        return story

    def agenda(self, a: Agenda, d: ToolkitReport) -> list[Flowable]:
        lab = d.labels
        story: list[Flowable] = [self.para(a.title, "h1"), self.para(a.summary)]
        if a.members:
            rows = [[self.para(letter, "cell_bold"),
                     self.para(f"{name} ({lab['team_lead']})" if lead else name, "cell")]
                    for letter, name, lead in a.members]
            story += [self.para(lab["members"], "h2"), grid_table(rows, [10 * mm, self.content_width - 10 * mm],
                                                                  header=False)]
        for heading, roles in a.roles:
            rows = [[self.para(letter, "cell_bold"), self.para(text, "cell")] for letter, text in roles]
            story.append(KeepTogether([self.para(heading, "h2"),
                                       grid_table(rows, [10 * mm, self.content_width - 10 * mm], header=False)]))
        story.append(self.para(lab["time"] + " · " + lab["activity"], "h2"))
        if a.generic:
            head = [lab["time"], lab["activity"], *[lab["team_of"].format(n=n) for n in range(2, 6)]]
            rows = [[self.para(h, "cell_bold") for h in head]]
            for r in a.rows:
                rows.append([self.para(r.time, "cell"), self.activity_cell(r), *[self.para(x, "cell") for x in r.who_by_size]])
            fixed = 17 * mm
            widths = [TIME_WIDTH, self.content_width - TIME_WIDTH - 4 * fixed, fixed, fixed, fixed, fixed]
        else:
            rows = [[self.para(h, "cell_bold") for h in (lab["time"], lab["activity"], lab["who"])]]
            for r in a.rows:
                rows.append([self.para(r.time, "cell"), self.activity_cell(r), self.para(r.who, "cell")])
            widths = [TIME_WIDTH, self.content_width - TIME_WIDTH - 45 * mm, 45 * mm]
        story.append(grid_table(rows, widths))
        if a.notes:
            story += [self.para(lab["notes_heading"], "h2"), *self.bullets(a.notes)]
        return story

    def checklist(self, c: Checklist, d: ToolkitReport) -> list[Flowable]:
        lab = d.labels
        story: list[Flowable] = [self.para(c.title, "h1"), self.para(c.sheet, "muted"), self.para(c.summary),
                                 self.para(c.note, "warning" if c.generic else "muted"),
                                 self.para(c.pre_visit_heading, "h2"), self.para(c.pre_visit_note, "muted")]
        for group in c.documents:
            if group.heading:
                story.append(self.para(group.heading, "cell_bold"))
            story += self.bullets([f"{text} ({', '.join(codes)})" if codes else text
                                   for text, codes in group.documents])
        for area in c.areas:
            story += [CondPageBreak(30 * mm), self.para(f"{area.code}. {area.title}", "h2")]
            for row in area.rows:
                tags = [lab["critical"]] if row.critical else []
                if c.generic:
                    tags.append(lab["generic"])
                head = [Paragraph(f"<b>{para_text(row.code)}</b> {para_text(row.text)}", self.style["cell"])]
                if tags:
                    head.append(self.para(" · ".join(tags), "tag"))
                body: list[Flowable] = []
                if row.evidence:
                    body.append(self.label_value(lab["evidence"], row.evidence, "cell"))
                for kind_label, texts in row.lines:
                    body.append(self.para(kind_label, "cell_bold"))
                    body += self.bullets(texts, "cell_bullet")
                if row.guidance:
                    body += [self.para(lab["guidance"], "cell_bold"), self.para(row.guidance, "cell")]
                table = Table([[head], [body]], colWidths=[self.content_width])
                table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), BAND_BG),
                                           ("BOX", (0, 0), (-1, -1), 0.4, colors.HexColor("#b0b0b0")),
                                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
                story += [table, self.gap(2)]
        return story

    def protocol(self, p: Protocol) -> list[Flowable]:
        story: list[Flowable] = [self.para(p.title, "h1"), self.para(p.summary)]
        for s in p.sections:
            block: list[Flowable] = [self.para(s.heading, "h2")]
            if s.text:
                block.append(self.para(s.text))
            if s.script:
                block.append(self.para(s.script, "script"))
            block += self.bullets(s.items)
            story += [CondPageBreak(25 * mm), *block]
        return story

    def undertaking(self, u: Undertaking, d: ToolkitReport) -> list[Flowable]:
        line = "_" * 34
        facts = [(label, value or line) for label, value in u.facts] or [
            (d.labels["facility"], line), (d.labels["visit_date"], line), (d.labels["team"], line)]
        story: list[Flowable] = [self.para(u.title, "h1"), self.para(u.summary), self.facts_table(facts), self.gap(3),
                                 self.para(u.statement, "h2"), *self.bullets(u.clauses, numbered=True), self.gap(3)]
        rows = [[self.para(c, "cell_bold") for c in u.columns]]
        rows += [[self.para(name, "cell"), self.para(role, "cell"), self.para(works, "cell"), "", ""]
                 for name, role, works in u.signers]
        rows += [["", "", "", "", ""] for _ in range(u.blank_rows if u.signers else u.blank_rows + 5)]
        widths = [40 * mm, 30 * mm, self.content_width - 40 * mm - 30 * mm - 38 * mm - 22 * mm, 38 * mm, 22 * mm]
        table = Table(rows, colWidths=widths, rowHeights=[None] + [11 * mm] * (len(rows) - 1), repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, GRID), ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [table, self.gap(6), self.para(u.witness, "body"), self.para(line * 2, "body"), self.gap(4),
                  self.para(u.keeping, "muted")]
        return story

    def sources(self, d: ToolkitReport) -> list[Flowable]:
        story: list[Flowable] = [PageBreak(), self.para(d.labels["sources"], "h1"),
                                 self.para(d.labels["sources_note"], "muted")]
        for s in d.sources:
            story.append(KeepTogether([
                Paragraph(para_text(s.citation), self.style["bullet"], bulletText="•"),
                self.para(f"{d.labels['how_much_read']}: {s.read}", "small"),
                self.para(f"{d.labels['used_for']}: {s.used_for}", "small"), self.gap(1.5)]))
        return story
