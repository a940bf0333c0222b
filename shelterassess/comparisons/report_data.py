"""Comparison data as plain, already localized dataclasses, shared by the pages and the PDFs.

The statistics come from :mod:`shelterassess.comparisons.domain`; this module only loads
(through :mod:`.queries`), arranges and labels. The chart functions at the end draw the
same ReportLab drawing for the page (as SVG) and the PDF.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import combinations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from shelterassess.assessments.domain import Answer, AreaSpec, lowest_indicators, red_flags, spec_of
from shelterassess.assessments.models import Assessment, AssessmentKind
from shelterassess.comparisons import queries
from shelterassess.comparisons.cross_version import CrossVersion, Result, compare
from shelterassess.comparisons.domain import (
    Agreement,
    Score,
    agreement,
    area_comparison,
    indicator_gaps,
)
from shelterassess.facilities.models import Facility
from shelterassess.i18n import localized
from shelterassess.rounds.models import Round

#: Gaps of this size or more (self minus peer, in points) are flagged.
GAP_THRESHOLD = 2
#: How many of the agreed result's lowest indicators are listed (as on the self-assessment results page).
LOWEST_SHOWN = 10


@dataclass(frozen=True)
class AreaHead:
    key: str
    code: str
    title: str

    @property
    def label(self) -> str:
        return f"{self.code}. {self.title}"


# -- one facility in one round --------------------------------------------------------

@dataclass(frozen=True)
class IndicatorLine:
    area_code: str
    code: str
    text: str
    self_score: Score
    peer_scores: tuple[Score, ...]
    agreed: Score
    #: self minus peer, one per team (None when either is N/A or missing)
    differences: tuple[int | None, ...]
    flagged: bool


@dataclass(frozen=True)
class AreaLine:
    code: str
    title: str
    self_pct: float | None
    peer_pcts: tuple[float | None, ...]
    agreed_pct: float | None
    #: self minus peer in percentage points, one per team
    differences: tuple[float | None, ...]


@dataclass(frozen=True)
class FlaggedGap:
    code: str
    text: str
    team: str
    self_score: int
    peer_score: int
    difference: int
    explanation: str


@dataclass(frozen=True)
class AgreementLine:
    label: str
    overall: Agreement
    areas: tuple[tuple[str, Agreement], ...]

    @property
    def all(self) -> tuple[Agreement, ...]:
        return (self.overall, *(a for _scope, a in self.areas))


@dataclass(frozen=True)
class ScoredLine:
    """One scored indicator of the agreed result (for its red flags and lowest indicators)."""

    code: str
    text: str
    value: int
    red_flag: bool


@dataclass(frozen=True)
class FacilityComparison:
    language: str
    facility_code: str
    facility_name: str
    round_name: str
    released: bool
    has_self: bool
    has_agreed: bool
    #: Teams with a submitted peer assessment (one column each), and assigned teams still scoring.
    teams: tuple[str, ...]
    pending_teams: tuple[str, ...]
    areas: tuple[AreaLine, ...]
    indicators: tuple[IndicatorLine, ...]
    flagged: tuple[FlaggedGap, ...]
    agreements: tuple[AgreementLine, ...]
    #: The finalised agreed result's red flags (critical indicators at or below their red-flag level)
    #: and lowest indicators.
    agreed_red_flags: tuple[ScoredLine, ...] = ()
    agreed_lowest: tuple[ScoredLine, ...] = ()

    @property
    def has_peer(self) -> bool:
        return bool(self.teams)

    @property
    def all_agreements(self) -> tuple[Agreement, ...]:
        return tuple(a for line in self.agreements for a in line.all)


# -- red flags and lowest indicators of a score map (rules: assessments.domain) --------

def _specs(sheet) -> list[AreaSpec]:
    """The sheet as the scoring rules see it, keyed by indicator key (as score maps are)."""
    return [AreaSpec(area.key, [spec_of(ind) for ind in area.indicators])
            for area in sheet.areas]


def _answers(score_map: Mapping[str, Score]) -> dict[str, Answer]:
    return {key: Answer(value) for key, value in score_map.items()}


def red_flag_keys(sheet, score_map: Mapping[str, Score]) -> list[str]:
    """Keys of the critical indicators scored at or below their red-flag level, in score-sheet order."""
    return red_flags(_specs(sheet), _answers(score_map))


def agreed_highlights(sheet, score_map: Mapping[str, Score], language: str,
                      limit: int = LOWEST_SHOWN) -> tuple[tuple[ScoredLine, ...], tuple[ScoredLine, ...]]:
    """(red flags, lowest ``limit`` indicators) of one score map, as display lines."""
    flags = set(red_flag_keys(sheet, score_map))
    indicators = {ind.key: ind for ind in sheet.indicators}

    def line(key: str) -> ScoredLine:
        ind = indicators[key]
        return ScoredLine(ind.code, localized(ind, "text", language), score_map[key], key in flags)

    lowest = lowest_indicators(_specs(sheet), _answers(score_map), limit)
    return (tuple(line(k) for k in red_flag_keys(sheet, score_map)), tuple(line(s.key) for s in lowest))


def gap_explanation(difference: int, team: str) -> str:
    if difference > 0:
        return _("The facility rated itself %(n)d points higher than %(team)s: possible over-rating.",
                 n=difference, team=team)
    return _("The facility rated itself %(n)d points lower than %(team)s: possible under-rating.",
             n=-difference, team=team)


def facility_comparison(session: Session, facility: Facility, round_: Round, raters: queries.Raters,
                        language: str) -> FacilityComparison:
    own, agreed = raters.submitted_self, raters.submitted_agreed
    peers = raters.submitted_peers
    maps = queries.score_maps(session, [a.id for a in (own, agreed, *(t.peer for t in peers)) if a is not None])
    self_map = maps[own.id] if own else {}
    agreed_map = maps[agreed.id] if agreed else {}
    peer_maps = [maps[t.peer.id] for t in peers]
    team_names = tuple(t.team.name for t in peers)
    sheet_areas = round_.sheet.areas
    area_keys = {area.code: [ind.key for ind in area.indicators] for area in sheet_areas}
    gaps = [{g.key: g for g in indicator_gaps(self_map, p, GAP_THRESHOLD)} for p in peer_maps]
    flags, lowest = agreed_highlights(round_.sheet, agreed_map, language) if agreed else ((), ())
    return FacilityComparison(
        language=language, facility_code=facility.code, facility_name=facility.name, round_name=round_.name,
        released=agreed is not None and agreed.is_released, has_self=own is not None, has_agreed=agreed is not None,
        teams=team_names, pending_teams=tuple(t.team.name for t in raters.teams if not t.submitted),
        areas=_area_lines(sheet_areas, area_keys, self_map, peer_maps, agreed_map, language),
        indicators=tuple(
            IndicatorLine(area.code, ind.code, localized(ind, "text", language), self_map.get(ind.key),
                          tuple(p.get(ind.key) for p in peer_maps), agreed_map.get(ind.key),
                          tuple(g[ind.key].difference if ind.key in g else None for g in gaps),
                          any(ind.key in g and g[ind.key].flagged for g in gaps))
            for area in sheet_areas for ind in area.indicators
        ),
        flagged=_flagged(round_, gaps, team_names, language),
        agreements=_agreements(sheet_areas, area_keys, self_map if own else None, peer_maps, team_names, language),
        agreed_red_flags=flags, agreed_lowest=lowest,
    )


def _area_lines(sheet_areas, area_keys, self_map, peer_maps, agreed_map, language) -> tuple[AreaLine, ...]:
    sets = {"self": self_map, "agreed": agreed_map, **{f"peer{i}": p for i, p in enumerate(peer_maps)}}
    compared = {c.area_key: c.percentages for c in area_comparison(area_keys, sets)}
    lines = []
    for area in sheet_areas:
        pct = compared[area.code]
        peer_pcts = tuple(pct[f"peer{i}"] for i in range(len(peer_maps)))
        diffs = tuple(None if pct["self"] is None or p is None else pct["self"] - p for p in peer_pcts)
        lines.append(AreaLine(area.code, localized(area, "title", language), pct["self"], peer_pcts,
                              pct["agreed"], diffs))
    return tuple(lines)


def _flagged(round_: Round, gaps, team_names, language) -> tuple[FlaggedGap, ...]:
    indicators = {ind.key: ind for ind in round_.sheet.indicators}
    order = {key: i for i, key in enumerate(indicators)}
    items = [
        (gap, team) for team, by_key in zip(team_names, gaps) for gap in by_key.values() if gap.flagged
    ]
    items.sort(key=lambda item: (-abs(item[0].difference), order.get(item[0].key, 0)))
    return tuple(
        FlaggedGap(indicators[g.key].code, localized(indicators[g.key], "text", language), team, g.self_score,
                   g.peer_score, g.difference, gap_explanation(g.difference, team))
        for g, team in items if g.key in indicators
    )


def _agreements(sheet_areas, area_keys, self_map, peer_maps, team_names, language) -> tuple[AgreementLine, ...]:
    raters: list[tuple[str, Mapping[str, Score]]] = [(name, m) for name, m in zip(team_names, peer_maps)]
    pairs_of_raters = []
    if self_map is not None:
        pairs_of_raters += [(_("Self-assessment"), self_map, name, m) for name, m in raters]
    pairs_of_raters += [(a, ma, b, mb) for (a, ma), (b, mb) in combinations(raters, 2)]
    all_keys = [k for keys in area_keys.values() for k in keys]
    lines = []
    for a, ma, b, mb in pairs_of_raters:
        per_area = tuple(
            (f"{area.code}. {localized(area, 'title', language)}",
             agreement((ma.get(k), mb.get(k)) for k in area_keys[area.code]))
            for area in sheet_areas
        )
        lines.append(AgreementLine(_("%(a)s vs %(b)s", a=a, b=b), agreement((ma.get(k), mb.get(k)) for k in all_keys),
                                   per_area))
    return tuple(lines)


# -- trends of one facility across rounds ------------------------------------------------

@dataclass(frozen=True)
class TrendRow:
    round_name: str
    #: "agreed", "self" or "follow_up" (a follow-up visit of the round's plan: only the areas it re-scored)
    source: str
    percentages: tuple[float | None, ...]
    overall: float | None
    visited_on: dt.date | None = None  # follow-up rows only
    version: int | None = None  # of the round's score sheet


@dataclass(frozen=True)
class VersionTable:
    """The rows of the rounds that used one score-sheet version, under that version's areas."""

    version: int
    sheet_id: int
    areas: tuple[AreaHead, ...]
    rows: tuple[TrendRow, ...]


@dataclass(frozen=True)
class Trends:
    language: str
    facility_code: str
    facility_name: str
    areas: tuple[AreaHead, ...]
    rows: tuple[TrendRow, ...]
    #: One table per score-sheet version used, oldest first.
    tables: tuple[VersionTable, ...] = ()
    #: The rows re-scored through the crosswalk, when the rounds used more than one version.
    cross_version: CrossVersion | None = None

    @property
    def mixed(self) -> bool:
        return self.cross_version is not None


def source_label(source: str) -> str:
    if source == AssessmentKind.FOLLOW_UP.value:
        return _("Follow-up")
    return _("Agreed result") if source == AssessmentKind.AGREED.value else _("Self-assessment")


@dataclass(frozen=True)
class _Entry:
    """One trend row before it is laid out: its stored area results and what it was scored on."""

    round_name: str
    source: str
    sheet: object
    by_area: dict[str, float | None]
    overall: float | None
    assessment_ids: tuple[int, ...]  # a follow-up: (agreed, follow-up), scores carried in that order
    visited_on: dt.date | None = None


def facility_trends(session: Session, facility: Facility, show_agreed: Callable[[Assessment], bool],
                    language: str) -> Trends:
    """Per round: the agreed result when there is one and ``show_agreed(agreed)``, else the submitted
    self-assessment; after an agreed result, the follow-up visits of its plan. Rounds on different
    score-sheet versions are also compared through the crosswalk (:mod:`.cross_version`)."""
    entries = _trend_entries(session, facility, show_agreed)
    areas: dict[str, AreaHead] = {}
    for e in reversed(entries):  # the latest sheet's order and titles first
        for area in e.sheet.areas:
            if area.key in e.by_area:
                areas.setdefault(area.key, AreaHead(area.key, area.code, localized(area, "title", language)))
    rows = tuple(_trend_row(e, list(areas)) for e in entries)
    sheets = list({e.sheet.id: e.sheet for e in entries}.values())
    tables = tuple(
        VersionTable(sheet.version, sheet.id,
                     tuple(AreaHead(a.key, a.code, localized(a, "title", language)) for a in sheet.areas),
                     tuple(_trend_row(e, [a.key for a in sheet.areas]) for e in entries if e.sheet.id == sheet.id))
        for sheet in sorted(sheets, key=lambda s: (s.key, s.version))
    )
    cross = _cross_version(session, entries, language) if len(sheets) > 1 else None
    return Trends(language, facility.code, facility.name, tuple(areas.values()), rows, tables, cross)


def _trend_entries(session: Session, facility: Facility, show_agreed: Callable[[Assessment], bool]) -> list[_Entry]:
    chosen: dict[int, Assessment] = {}
    for a in queries.facility_results(session, facility.id):  # oldest round first
        current = chosen.get(a.round_id)
        if a.kind == AssessmentKind.AGREED.value and show_agreed(a):
            chosen[a.round_id] = a
        elif a.kind == AssessmentKind.SELF.value and (current is None or current.kind != AssessmentKind.AGREED.value):
            chosen[a.round_id] = a
    entries = []
    follow_ups = _follow_ups_by_round(session, facility.id)
    for a in chosen.values():
        sheet = a.round.sheet
        entries.append(_Entry(a.round.name, a.kind, sheet, {r.area.key: r.percentage for r in a.area_results},
                              a.overall_percentage, (a.id,)))
        if a.kind != AssessmentKind.AGREED.value:
            continue  # a follow-up carries agreed scores forward: shown only where the agreed result is
        for visit in follow_ups.get(a.round_id, ()):  # after the round they belong to
            entries.append(_Entry(a.round.name, AssessmentKind.FOLLOW_UP.value, sheet,
                                  {r.area.key: r.percentage for r in visit.assessment.area_results},
                                  visit.assessment.overall_percentage, (a.id, visit.assessment.id), visit.visited_on))
    return entries


def _trend_row(entry: _Entry, area_keys: list[str]) -> TrendRow:
    return TrendRow(entry.round_name, entry.source, tuple(entry.by_area.get(k) for k in area_keys), entry.overall,
                    entry.visited_on, entry.sheet.version)


def _cross_version(session: Session, entries: list[_Entry], language: str) -> CrossVersion:
    maps = queries.score_maps(session, sorted({i for e in entries for i in e.assessment_ids}))
    results = []
    for e in entries:
        scores: dict[str, int | None] = {}
        for aid in e.assessment_ids:  # a follow-up's re-scored indicators replace the agreed scores
            scores.update({k: v for k, v in maps[aid].items() if v is not None or aid == e.assessment_ids[0]})
        results.append(Result(e.round_name, e.source, e.sheet, scores, e.visited_on))
    return compare(session, results, language)


def _follow_ups_by_round(session: Session, facility_id: int) -> dict[int, list]:
    """round id -> the facility's submitted follow-up visits of that round's plan, oldest first."""
    from shelterassess.followups.queries import submitted_visits_of_facility

    found: dict[int, list] = {}
    for visit in submitted_visits_of_facility(session, facility_id):
        found.setdefault(visit.plan.round_id, []).append(visit)
    return found
