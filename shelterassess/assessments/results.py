"""The results of one assessment as plain data, for the results page and the PDF."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from shelterassess.assessments import queries
from shelterassess.assessments.domain import is_red_flag
from shelterassess.assessments.models import Assessment
from shelterassess.i18n import localized


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    key: str
    text: str
    critical: bool
    value: int | None
    not_applicable: bool
    evidence: list[str]
    note: str
    descriptor: str
    red_flag_at: int = 0

    @property
    def red_flag(self) -> bool:
        return is_red_flag(self.critical, self.red_flag_at, self.value)


@dataclass(frozen=True)
class AreaRow:
    code: str
    title: str
    percentage: float | None
    answered: int
    applicable: int
    total: int
    indicators: list[IndicatorRow] = field(default_factory=list)


@dataclass(frozen=True)
class Results:
    facility_code: str
    facility_name: str
    round_name: str
    sheet_title: str
    sheet_version: int
    status: str
    submitted_at: object
    submitted_by: str
    overall_percentage: float | None
    answered: int
    total: int
    areas: list[AreaRow]
    red_flags: list[IndicatorRow]
    lowest: list[IndicatorRow]


def build_results(session: Session, assessment: Assessment, language: str | None = None, lowest: int = 10) -> Results:
    scores = queries.scores_by_indicator(session, assessment)
    score = queries.compute_score(session, assessment, scores, lowest=lowest)
    by_area = {int(a.key): a for a in score.areas}
    rows: dict[int, IndicatorRow] = {}
    areas = []
    for area in assessment.round.sheet.areas:
        indicators = []
        for ind in area.indicators:
            s = scores[ind.id]
            level = next((lv for lv in ind.levels if lv.level == s.value), None)
            rows[ind.id] = row = IndicatorRow(
                code=ind.code, key=ind.key, text=localized(ind, "text", language), critical=ind.critical,
                value=s.value, not_applicable=s.not_applicable, evidence=s.evidence_list, note=s.note,
                descriptor=localized(level, "descriptor", language) if level else "", red_flag_at=ind.red_flag_at,
            )
            indicators.append(row)
        a = by_area[area.id]
        areas.append(AreaRow(area.code, localized(area, "title", language), a.percentage, a.answered, a.applicable,
                             a.total, indicators))
    return Results(
        facility_code=assessment.facility.code, facility_name=assessment.facility.name,
        round_name=assessment.round.name, sheet_title=localized(assessment.round.sheet, "title", language),
        sheet_version=assessment.round.sheet.version, status=assessment.status,
        submitted_at=assessment.submitted_at,
        submitted_by=assessment.submitted_by.display_name if assessment.submitted_by else "",
        overall_percentage=score.overall_percentage, answered=score.answered, total=score.total, areas=areas,
        red_flags=[rows[int(k)] for k in score.red_flags],
        lowest=[rows[int(s.key)] for s in score.lowest],
    )


def area_chart(results: Results, font_name: str = "DejaVuSans"):
    """The area bar chart as a ReportLab drawing, shared by the page (SVG) and the PDF."""
    from flask_babel import gettext as _

    from shelterassess.charts import area_bar_chart
    from shelterassess.reports.fonts import register_fonts

    register_fonts()
    return area_bar_chart(
        labels=[f"{a.code}. {a.title}" for a in results.areas],
        series=[(_("Self-assessment"), [a.percentage for a in results.areas])],
        title=_("Score by area (%)"),
        font_name=font_name,
        na_label=_("N/A"),
    )


def area_chart_svg(results: Results) -> str:
    from flask_babel import gettext as _

    from shelterassess.charts import to_svg

    return to_svg(area_chart(results), title=_("Score by area (%)"))
