"""Charts and number formats for comparisons, shared by the pages and the PDFs.

The chart functions return one ReportLab drawing: the page inlines it as SVG
(:func:`svg`), the PDF renderers draw it as it is.
"""
from __future__ import annotations

from flask_babel import format_decimal, gettext as _, ngettext

from shelterassess.charts import area_bar_chart, radar_chart, to_svg
from shelterassess.comparisons.domain import Agreement, KappaUndefined, round_half_up
from shelterassess.comparisons.national_data import NationalSummary
from shelterassess.comparisons.report_data import FacilityComparison, Trends, source_label
from shelterassess.reports.fonts import register_fonts


# -- charts (one drawing for the page and the PDF) ---------------------------------------

def _fonts(font_name: str) -> str:
    register_fonts()
    return font_name


def comparison_chart(data: FacilityComparison, font_name: str = "DejaVuSans"):
    """Radar of self vs each peer team vs agreed by area (a bar chart below 3 areas); None without scores."""
    series = []
    if data.has_self:
        series.append((_("Self-assessment"), [a.self_pct for a in data.areas]))
    series += [(team, [a.peer_pcts[i] for a in data.areas]) for i, team in enumerate(data.teams)]
    if data.has_agreed:
        series.append((_("Agreed"), [a.agreed_pct for a in data.areas]))
    if not series:
        return None
    labels = [f"{a.code}. {a.title}" for a in data.areas]
    title = _("Self vs peer vs agreed by area (%)")
    if len(labels) >= 3:
        return radar_chart(labels, series, title=title, font_name=_fonts(font_name), na_label=_("N/A"))
    return area_bar_chart(labels, series, title=title, font_name=_fonts(font_name), na_label=_("N/A"))


def national_chart(data: NationalSummary, font_name: str = "DejaVuSans"):
    return area_bar_chart([a.label for a in data.areas], [(_("National mean"), list(data.means))],
                          title=_("National mean of agreed results by area (%)"), font_name=_fonts(font_name),
                          na_label=_("no result"))


def trend_chart(data: Trends, font_name: str = "DejaVuSans"):
    """Scores by area and round; across score-sheet versions, the scores on comparable indicators."""
    if not data.rows:
        return None
    if data.cross_version is not None:
        cross = data.cross_version
        series = [(f"{r.round_name} ({source_label(r.source)}, v{r.version})", list(r.percentages)) for r in cross.rows]
        return area_bar_chart([a.label for a in cross.areas], series,
                              title=_("Score by area and round on comparable indicators (%)"),
                              font_name=_fonts(font_name), na_label=_("no comparable score"))
    series = [(f"{r.round_name} ({source_label(r.source)})", list(r.percentages)) for r in data.rows]
    return area_bar_chart([a.label for a in data.areas], series, title=_("Score by area and round (%)"),
                          font_name=_fonts(font_name), na_label=_("N/A"))


def svg(drawing, element_id: str) -> str:
    return "" if drawing is None else to_svg(drawing, element_id=element_id)


# -- display formatting shared by the pages and the PDFs -------------------------------

def format_kappa(value: float | None) -> str:
    """Weighted kappa with two decimals (half up), or an en dash when undefined."""
    return "–" if value is None else format_decimal(round_half_up(value, 2), format="0.00")


#: Footnote marks for an undefined or withheld kappa, one per reason (page and PDF).
KAPPA_MARKS = {KappaUndefined.SINGLE_LEVEL: "*", KappaUndefined.NO_PAIRS: "†", KappaUndefined.TOO_FEW_PAIRS: "‡"}


def kappa_note(a: Agreement) -> str:
    """Why the kappa of ``a`` is shown as "–" (empty when it is shown)."""
    reason = a.kappa_undefined_reason
    if a.kappa is not None or reason is None:
        return ""
    if reason == KappaUndefined.SINGLE_LEVEL:
        return _("undefined: both raters used the same single level")
    if reason == KappaUndefined.NO_PAIRS:
        return _("undefined: no pairs scored by both")
    return _("not shown: fewer than %(n)d pairs", n=a.kappa_min_pairs)


def kappa_mark(a: Agreement) -> str:
    return KAPPA_MARKS.get(a.kappa_undefined_reason, "") if a.kappa is None else ""


def kappa_text(a: Agreement) -> str:
    """The kappa for print: two decimals, or "–" with its footnote mark."""
    return format_kappa(a.kappa) if a.kappa is not None else f"–{kappa_mark(a)}"


def kappa_footnotes(agreements) -> list[tuple[str, str, str]]:
    """(reason, mark, text) for each reason among ``agreements`` with no kappa, in a fixed order."""
    seen = {a.kappa_undefined_reason: a for a in agreements if a.kappa is None and a.kappa_undefined_reason}
    return [(reason.value, KAPPA_MARKS[reason], kappa_note(seen[reason])) for reason in KAPPA_MARKS if reason in seen]


def kappa_footnote_lines(agreements) -> list[str]:
    """The footnotes as printed under the PDF tables: "* Weighted kappa undefined: …"."""
    label = _("Weighted kappa")
    return [f"{mark} {label} {note}" for _reason, mark, note in kappa_footnotes(agreements)]


def format_signed(value: int | None) -> str:
    """A score difference with its sign: "+2", "-1", "0"; an en dash when N/A."""
    return "–" if value is None else format_decimal(value, format="+0;-0") if value else "0"


def format_points(value: float | None) -> str:
    """A difference in percentage points with its sign, one decimal: "+16.7"."""
    if value is None:
        return "–"
    rounded = round_half_up(value, 1)
    return format_decimal(rounded, format="+#,##0.0;-#,##0.0") if rounded else format_decimal(0, format="0.0")


def pairs_label(a: Agreement) -> str:
    """"3 pairs, 1 excluded as N/A"."""
    pairs = ngettext("%(num)d pair", "%(num)d pairs", a.n)
    return _("%(pairs)s, %(m)d excluded as N/A", pairs=pairs, m=a.na_excluded)
