"""The pack's sections built from other pages' builders: the most common gaps and red flags,
training needs, plan compliance, the allocation and the case-library lessons.

Anonymised, a section shows the comparison pages' anonymous codes (never a facility's name,
code or visit date) and merges small provinces exactly as the comparison pages do: the
:class:`~shelterassess.comparisons.national_data.Provinces` of the round is passed in.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from shelterassess.cases import queries as case_queries
from shelterassess.comparisons import agreement_store
from shelterassess.comparisons.domain import indicator_gaps
from shelterassess.comparisons.national_data import NationalSummary, Provinces
from shelterassess.comparisons.national_queries import TableFilter
from shelterassess.facilities.models import Facility
from shelterassess.followups.national_data import ComplianceTable, FacilityRow, Figures, ProvinceGroup, compliance_table
from shelterassess.i18n import localized, pick
from shelterassess.rounds.models import Round
from shelterassess.training_needs import domain as needs_domain
from shelterassess.training_needs import queries as needs_queries
from shelterassess.workshop import allocation as allocation_data
from shelterassess.workshop.allocation import AllocationSection

#: The compliance section is the compliance page's table (regrouped and coded when anonymised).
ComplianceSection = ComplianceTable


# -- the most common gaps (self vs peer) and agreed red flags --------------------------

@dataclass(frozen=True)
class GapLine:
    code: str
    key: str
    text: str
    pairs: int  # self/peer pairs where both gave a score (N/A and missing left out)
    flagged: int  # of which |self - peer| >= the gap threshold
    self_higher: int  # flagged with the self-assessment higher (possible over-rating)
    self_lower: int


@dataclass(frozen=True)
class RedFlagLine:
    code: str
    key: str
    text: str
    facilities: int
    #: the facilities' codes (anonymous codes when anonymised)
    facility_codes: tuple[str, ...]


def common_gaps(session: Session, round_: Round, language: str, threshold: int) -> tuple[GapLine, ...]:
    """Indicators with a self-vs-peer gap of ``threshold`` points or more, most frequent first (then
    sheet order). Over the pairs of the national agreement figures (the round's facilities): each
    submitted peer assessment (not withdrawn) against the facility's submitted self-assessment,
    read as counts of (self, peer) values (:func:`comparisons.agreement_store.agreement_counts`,
    stored per round); the gap rule is the one of the facility comparison pages
    (:func:`comparisons.domain.indicator_gaps`), applied once per distinct pair of values."""
    indicators = round_.sheet.indicators
    counts = agreement_store.agreement_counts(session, TableFilter(round_.id), [ind.id for ind in indicators])
    lines = []
    for ind in indicators:
        compared = flagged = above = below = 0
        for (own, peer), n in counts.get(ind.key, {}).items():
            gap = indicator_gaps({ind.key: own}, {ind.key: peer}, threshold)[0]
            compared += n if gap.difference is not None else 0
            if gap.flagged:
                flagged, above, below = flagged + n, above + n * (gap.difference > 0), below + n * (gap.difference < 0)
        if flagged:
            lines.append(GapLine(ind.code, ind.key, localized(ind, "text", language), compared, flagged, above, below))
    order = {line.key: i for i, line in enumerate(lines)}
    return tuple(sorted(lines, key=lambda line: (-line.flagged, order[line.key])))


def common_red_flags(round_: Round, national: NationalSummary, language: str) -> tuple[RedFlagLine, ...]:
    """Critical indicators at or below their red-flag level in the agreed results: the red flags of the national page's rows,
    counted per indicator, most frequent first (then sheet order)."""
    counts = Counter(code for r in national.rows for code in r.red_flags)
    lines = [RedFlagLine(ind.code, ind.key, localized(ind, "text", language), counts[ind.code],
                         tuple(r.code for r in national.rows if ind.code in r.red_flags))
             for ind in round_.sheet.indicators if counts[ind.code]]
    order = {line.key: i for i, line in enumerate(lines)}
    return tuple(sorted(lines, key=lambda line: (-line.facilities, order[line.key])))


# -- training needs ----------------------------------------------------------------------

@dataclass(frozen=True)
class TrainingRow:
    skill: str  # localized name; empty for the actions that name no skill
    by_province: tuple[int, ...]
    total: int
    answered: int


@dataclass(frozen=True)
class TrainingSection:
    provinces: tuple[str, ...]
    rows: tuple[TrainingRow, ...]
    province_totals: tuple[int, ...]
    total: int
    answered: int


def province_label(groups: Provinces, province, language: str) -> str:
    """The province's name, or "Other provinces" when anonymised output may not name it."""
    return localized(province, "name", language) if groups.is_named(province.id) else groups.other_label


def training_needs(session: Session, round_id: int, groups: Provinces, language: str) -> TrainingSection:
    """The training needs page's table for the round's plans, with provinces merged when anonymised."""
    skills = needs_queries.all_skills(session)
    every = needs_queries.provinces(session)  # the page's province order (by code)
    label_of = {p.id: province_label(groups, p, language) for p in every}
    labels = list(dict.fromkeys(label_of[p.id] for p in every if groups.is_named(p.id)))
    labels.append(groups.other_label)
    counts = [needs_domain.NeedCount(c.skill_id, label_of.get(c.province_id, groups.other_label), c.actions, c.answered)
              for c in needs_queries.need_counts(session, round_id=round_id)]
    table = needs_domain.needs_table(counts, [s.id for s in skills], labels)
    names = {s.id: localized(s, "name", language) for s in skills}
    return TrainingSection(
        provinces=tuple(table.province_ids),
        rows=tuple(TrainingRow(names.get(r.skill_id, "") if r.skill_id else "", r.by_province, r.total, r.answered)
                   for r in table.rows),
        province_totals=table.province_totals, total=table.total, answered=table.answered,
    )


# -- plan compliance ---------------------------------------------------------------------

def compliance(session: Session, round_id: int, every: list[Facility], groups: Provinces, codes: dict[int, str],
               anonymised: bool, language: str) -> ComplianceSection:
    """The compliance page's table; anonymised: anonymous codes, no names or visit dates, small
    provinces merged (their totals pooled again, as the page pools a province's facilities)."""
    table = compliance_table(session, round_id, language)
    if not anonymised:
        return table
    by_code = {f.code: f for f in every}
    regrouped: dict[str, list[FacilityRow]] = {}
    for row in (r for g in table.groups for r in g.rows):
        facility = by_code.get(row.facility_code)
        label = province_label(groups, facility.province, language) if facility else groups.other_label
        coded = replace(row, facility_code=codes.get(facility.id, "–") if facility else "–", facility_name="",
                        visited_on=None)
        regrouped.setdefault(label, []).append(coded)
    order = sorted(regrouped, key=lambda label: (label == groups.other_label, label))
    merged = tuple(ProvinceGroup(label, tuple(sorted(regrouped[label], key=lambda r: r.facility_code)),
                                 sum((r.figures for r in regrouped[label]), Figures())) for label in order)
    return ComplianceTable(merged, table.totals, table.facilities)


# -- the allocation ------------------------------------------------------------------------

def allocation(session: Session, round_id: int, groups: Provinces, codes: dict[int, str], anonymised: bool,
               language: str) -> AllocationSection:
    return allocation_data.allocation_section(session, round_id, groups, codes, anonymised, language)


# -- case-library lessons for the most common gaps and red flags ----------------------------

@dataclass(frozen=True)
class LessonLine:
    code: str
    text: str
    gap: bool  # listed among the most common gaps
    red_flag: bool  # listed among the most common red flags
    case_slug: str
    case_title: str
    lesson: str


def lessons(gaps: tuple[GapLine, ...], flags: tuple[RedFlagLine, ...], language: str) -> tuple[LessonLine, ...]:
    """The lessons the case library links to the listed indicators: gaps first, then red flags."""
    gap_keys, flag_keys = {g.key for g in gaps}, {f.key for f in flags}
    indicators = {line.key: line for line in (*gaps, *flags)}
    found = []
    for key, line in indicators.items():
        for link in case_queries.links_for(key):
            case = case_queries.case_by_slug(link.case)
            if case is None:
                continue
            found.append(LessonLine(line.code, line.text, key in gap_keys, key in flag_keys, case.slug,
                                    pick(case.title, language), pick(link.lesson, language)))
    return tuple(found)
