"""Comparison data as plain, already localized dataclasses, shared by the pages and the PDFs.

The statistics come from :mod:`shelterassess.comparisons.domain`; this module only loads
(through :mod:`.queries`), arranges and labels. The chart functions at the end draw the
same ReportLab drawing for the page (as SVG) and the PDF.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import combinations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from shelterassess.assessments.models import Assessment, AssessmentKind
from shelterassess.comparisons import queries
from shelterassess.comparisons.domain import (
    Agreement,
    Score,
    agreement,
    area_comparison,
    indicator_gaps,
    low_agreement_indicators,
)
from shelterassess.facilities.models import Facility
from shelterassess.i18n import localized
from shelterassess.rounds.models import Round

#: Gaps of this size or more (self minus peer, in points) are flagged.
GAP_THRESHOLD = 2


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

    @property
    def has_peer(self) -> bool:
        return bool(self.teams)


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
    return FacilityComparison(
        language=language, facility_code=facility.code, facility_name=facility.name, round_name=round_.name,
        released=round_.results_released_at is not None, has_self=own is not None, has_agreed=agreed is not None,
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


# -- the national view of a round ------------------------------------------------------

SORT_FIXED = ("facility", "province", "overall")


@dataclass(frozen=True)
class NationalParams:
    province_id: int | None = None
    sort: str = "facility"
    descending: bool = False
    anonymised: bool = False


@dataclass(frozen=True)
class NationalRow:
    facility_id: int
    #: the facility code, or an anonymous code such as "F-01"
    code: str
    #: the facility name; empty when anonymised
    name: str
    province: str
    percentages: tuple[float | None, ...]
    overall: float | None
    has_result: bool


@dataclass(frozen=True)
class IndicatorAgreement:
    code: str
    key: str
    text: str
    agreement: Agreement


@dataclass(frozen=True)
class NationalSummary:
    language: str
    round_id: int
    round_name: str
    params: NationalParams
    province_name: str
    provinces: tuple[tuple[int, str], ...]
    areas: tuple[AreaHead, ...]
    rows: tuple[NationalRow, ...]
    means: tuple[float | None, ...]
    mean_counts: tuple[int, ...]
    overall_agreement: Agreement
    indicators: tuple[IndicatorAgreement, ...]
    low_agreement: tuple[IndicatorAgreement, ...]

    @property
    def sort_keys(self) -> tuple[str, ...]:
        fixed = ("facility", "overall") if self.params.anonymised else SORT_FIXED
        return fixed + tuple(f"area-{a.code}" for a in self.areas)


def anonymous_codes(round_id: int, facility_ids: list[int]) -> dict[int, str]:
    """facility id -> "F-01", "F-02", …: stable within a round, in an order unrelated to names or codes."""
    def shuffle_key(facility_id: int) -> str:
        return hashlib.sha256(f"shelterassess-round-{round_id}-facility-{facility_id}".encode()).hexdigest()

    ordered = sorted(facility_ids, key=shuffle_key)
    width = max(2, len(str(len(ordered))))
    return {fid: f"F-{i:0{width}d}" for i, fid in enumerate(ordered, start=1)}


def national_summary(session: Session, round_: Round, params: NationalParams, language: str) -> NationalSummary:
    areas = tuple(AreaHead(a.key, a.code, localized(a, "title", language)) for a in round_.sheet.areas)
    facilities = queries.round_facilities(session, round_.id)
    codes = anonymous_codes(round_.id, [f.id for f in facilities]) if params.anonymised else {}
    provinces = sorted({(f.province_id, localized(f.province, "name", language)) for f in facilities},
                       key=lambda p: p[1])
    province_name = next((name for pid, name in provinces if pid == params.province_id), "")
    if params.province_id:
        facilities = [f for f in facilities if f.province_id == params.province_id]
    agreed = queries.agreed_results(session, round_.id)
    area_positions = {a.id: i for i, a in enumerate(round_.sheet.areas)}
    rows = [_national_row(f, agreed.get(f.id), area_positions, codes, language) for f in facilities]
    params = _valid_params(params, areas)
    means, counts = _means(rows, len(areas))
    pairs = queries.national_pairs(session, round_.id, [f.id for f in facilities])
    per_indicator = {ind.key: agreement(pairs.get(ind.key, [])) for ind in round_.sheet.indicators}
    lines = {ind.key: IndicatorAgreement(ind.code, ind.key, localized(ind, "text", language), per_indicator[ind.key])
             for ind in round_.sheet.indicators}
    return NationalSummary(
        language=language, round_id=round_.id, round_name=round_.name, params=params, province_name=province_name,
        provinces=tuple(provinces), areas=areas, rows=tuple(sort_rows(rows, params, areas)), means=means,
        mean_counts=counts, overall_agreement=agreement(p for ps in pairs.values() for p in ps),
        indicators=tuple(lines.values()),
        low_agreement=tuple(lines[key] for key in low_agreement_indicators(per_indicator)),
    )


def _national_row(facility: Facility, agreed: Assessment | None, positions: dict[int, int], codes: dict[int, str],
                  language: str) -> NationalRow:
    percentages: list[float | None] = [None] * len(positions)
    for result in agreed.area_results if agreed else []:
        if result.area_id in positions:
            percentages[positions[result.area_id]] = result.percentage
    anonymised = bool(codes)
    return NationalRow(
        facility_id=facility.id, code=codes.get(facility.id, facility.code), name="" if anonymised else facility.name,
        province=localized(facility.province, "name", language), percentages=tuple(percentages),
        overall=agreed.overall_percentage if agreed else None, has_result=agreed is not None,
    )


def _valid_params(params: NationalParams, areas: tuple[AreaHead, ...]) -> NationalParams:
    allowed = (("facility", "overall") if params.anonymised else SORT_FIXED) + tuple(f"area-{a.code}" for a in areas)
    if params.sort in allowed:
        return params
    return NationalParams(params.province_id, "facility", params.descending, params.anonymised)


def _sort_value(row: NationalRow, sort: str, areas: tuple[AreaHead, ...]):
    if sort == "facility":
        return row.code
    if sort == "province":
        return row.province
    if sort == "overall":
        return row.overall
    index = [f"area-{a.code}" for a in areas].index(sort)
    return row.percentages[index]


def sort_rows(rows: list[NationalRow], params: NationalParams, areas: tuple[AreaHead, ...]) -> list[NationalRow]:
    """Sorted by the chosen column (then code); rows without a value always come last."""
    by_code = sorted(rows, key=lambda r: r.code)
    valued = [r for r in by_code if _sort_value(r, params.sort, areas) is not None]
    empty = [r for r in by_code if _sort_value(r, params.sort, areas) is None]
    valued.sort(key=lambda r: _sort_value(r, params.sort, areas), reverse=params.descending)
    return valued + empty


def _means(rows: list[NationalRow], n_areas: int) -> tuple[tuple[float | None, ...], tuple[int, ...]]:
    means, counts = [], []
    for i in range(n_areas):
        values = [r.percentages[i] for r in rows if r.percentages[i] is not None]
        means.append(sum(values) / len(values) if values else None)
        counts.append(len(values))
    return tuple(means), tuple(counts)


# -- trends of one facility across rounds ------------------------------------------------

@dataclass(frozen=True)
class TrendRow:
    round_name: str
    #: "agreed" or "self"
    source: str
    percentages: tuple[float | None, ...]
    overall: float | None


@dataclass(frozen=True)
class Trends:
    language: str
    facility_code: str
    facility_name: str
    areas: tuple[AreaHead, ...]
    rows: tuple[TrendRow, ...]


def source_label(source: str) -> str:
    return _("Agreed result") if source == AssessmentKind.AGREED.value else _("Self-assessment")


def facility_trends(session: Session, facility: Facility, show_agreed: Callable[[Round], bool],
                    language: str) -> Trends:
    """Per round: the agreed result when there is one and ``show_agreed(round)``, else the submitted self-assessment."""
    chosen: dict[int, Assessment] = {}
    for a in queries.facility_results(session, facility.id):  # oldest round first
        current = chosen.get(a.round_id)
        if a.kind == AssessmentKind.AGREED.value and show_agreed(a.round):
            chosen[a.round_id] = a
        elif a.kind == AssessmentKind.SELF.value and (current is None or current.kind != AssessmentKind.AGREED.value):
            chosen[a.round_id] = a
    areas: dict[str, AreaHead] = {}
    for a in reversed(list(chosen.values())):  # the latest sheet's order and titles first
        for r in a.area_results:
            areas.setdefault(r.area.key, AreaHead(r.area.key, r.area.code, localized(r.area, "title", language)))
    rows = []
    for a in chosen.values():
        by_key = {r.area.key: r.percentage for r in a.area_results}
        rows.append(TrendRow(a.round.name, a.kind, tuple(by_key.get(k) for k in areas), a.overall_percentage))
    return Trends(language, facility.code, facility.name, tuple(areas.values()), tuple(rows))
