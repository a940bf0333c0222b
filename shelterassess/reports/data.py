"""Report data: plain, already localized dataclasses built from the models.

Renderers in :mod:`shelterassess.reports.renderers` lay these out and never touch
the database; tests build the dataclasses by hand.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from shelterassess.assessments.models import Assessment
from shelterassess.assessments.results import Results, build_results
from shelterassess.facilities.models import Facility
from shelterassess.i18n import localized
from shelterassess.paper.domain import check_code, display_code
from shelterassess.rounds.models import Round
from shelterassess.scoresheets import queries as sheet_queries
from shelterassess.scoresheets.models import Area, Indicator, ScoreSheetVersion

#: Lowest-scoring indicators listed in the self-assessment report.
LOWEST_COUNT = 10


# -- filled self-assessment ----------------------------------------------------

@dataclass(frozen=True)
class SelfAssessmentReport:
    language: str
    results: Results


def self_assessment_report(session: Session, assessment: Assessment, language: str) -> SelfAssessmentReport:
    return SelfAssessmentReport(language, build_results(session, assessment, language, lowest=LOWEST_COUNT))


# -- blank score sheet for paper use -------------------------------------------

@dataclass(frozen=True)
class BlankLevel:
    level: int
    descriptor: str


@dataclass(frozen=True)
class BlankIndicator:
    code: str
    text: str
    critical: bool
    na_allowed: bool
    #: Evidence sources the score sheet suggests (keys of EVIDENCE_SOURCES).
    suggested_evidence: tuple[str, ...]
    levels: tuple[BlankLevel, ...]
    #: A critical indicator's red-flag level (a flag at a score <= this).
    red_flag_at: int = 0


@dataclass(frozen=True)
class BlankArea:
    code: str
    title: str
    indicators: tuple[BlankIndicator, ...]


@dataclass(frozen=True)
class BlankSheetReport:
    language: str
    facility_code: str
    facility_name: str
    round_id: int
    round_name: str
    sheet_title: str
    sheet_version: int
    areas: tuple[BlankArea, ...]
    #: The paper round trip's check code of this facility, round and sheet version (printed as ``K7Q-4MZ``).
    check_code: str = ""


def blank_sheet_report(session: Session, facility: Facility, round_: Round, language: str) -> BlankSheetReport:
    sheet = sheet_queries.sheet_with_content(session, round_.sheet_id) or round_.sheet
    return BlankSheetReport(
        language=language, facility_code=facility.code, facility_name=facility.name,
        round_id=round_.id, round_name=round_.name,
        sheet_title=localized(sheet, "title", language), sheet_version=sheet.version,
        areas=_blank_areas(sheet, language),
        check_code=display_code(check_code(facility.id, round_.id, round_.sheet_id)),
    )


def _blank_areas(sheet: ScoreSheetVersion, language: str) -> tuple[BlankArea, ...]:
    return tuple(
        BlankArea(area.code, localized(area, "title", language), _blank_indicators(area, language))
        for area in sheet.areas
    )


def _blank_indicators(area: Area, language: str) -> tuple[BlankIndicator, ...]:
    return tuple(_blank_indicator(ind, language) for ind in area.indicators)


def _blank_indicator(ind: Indicator, language: str) -> BlankIndicator:
    return BlankIndicator(
        code=ind.code, text=localized(ind, "text", language), critical=ind.critical, na_allowed=ind.na_allowed,
        suggested_evidence=tuple(ind.evidence_list),
        levels=tuple(BlankLevel(lv.level, localized(lv, "descriptor", language)) for lv in ind.levels),
        red_flag_at=ind.red_flag_at,
    )
