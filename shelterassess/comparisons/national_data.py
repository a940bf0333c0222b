"""The national view of a round as plain, already localized dataclasses, for the page and the PDF.

Agreed area scores per facility (with the agreed result's red flags), national means and
self-vs-peer agreement per indicator. In anonymised (workshop) mode facilities get codes
such as "F-01", and provinces with fewer than
:data:`~shelterassess.comparisons.anonymity.MIN_FACILITIES_PER_PROVINCE` facilities with a
result are merged into "Other provinces" (rows, filter options, caption).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from shelterassess.assessments.models import Assessment
from shelterassess.comparisons import queries
from shelterassess.comparisons.anonymity import MIN_FACILITIES_PER_PROVINCE, named_provinces
from shelterassess.comparisons.domain import Agreement, agreement, low_agreement_indicators
from shelterassess.comparisons.report_data import AreaHead, red_flag_keys
from shelterassess.facilities.models import Facility
from shelterassess.i18n import localized
from shelterassess.rounds.models import Round
from shelterassess.web.pagination import Page, bounded_number

SORT_FIXED = ("facility", "province", "overall", "red-flags")
#: The ``province`` filter value of the "Other provinces" group (anonymised mode).
OTHER_PROVINCES = "other"


@dataclass(frozen=True)
class NationalParams:
    province_id: int | None = None
    sort: str = "facility"
    descending: bool = False
    anonymised: bool = False
    #: Anonymised mode: show the "Other provinces" group (the provinces too small to be named).
    other_provinces: bool = False

    @property
    def province_value(self) -> str | None:
        """The ``province`` filter value: a province id, ``"other"``, or ``None`` (all provinces)."""
        if self.other_provinces:
            return OTHER_PROVINCES
        return str(self.province_id) if self.province_id else None


@dataclass(frozen=True)
class NationalRow:
    facility_id: int
    #: the facility code, or an anonymous code such as "F-01"
    code: str
    #: the facility name; empty when anonymised
    name: str
    #: the province name; "Other provinces" for a small province when anonymised
    province: str
    percentages: tuple[float | None, ...]
    overall: float | None
    has_result: bool
    #: indicator codes of the agreed result's red flags (critical indicators at or below their red-flag level)
    red_flags: tuple[str, ...] = ()


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
    #: filter options: (value, label); in anonymised mode small provinces are one "other" option
    provinces: tuple[tuple[str, str], ...]
    areas: tuple[AreaHead, ...]
    rows: tuple[NationalRow, ...]
    means: tuple[float | None, ...]
    mean_counts: tuple[int, ...]
    overall_agreement: Agreement
    indicators: tuple[IndicatorAgreement, ...]
    low_agreement: tuple[IndicatorAgreement, ...]
    kappa_min_pairs: int = 1
    min_facilities_per_province: int = MIN_FACILITIES_PER_PROVINCE
    #: the page of ``rows`` shown (the web page); ``None`` when ``rows`` holds every row (PDF, workshop pack)
    page: Page | None = None

    @property
    def sort_keys(self) -> tuple[str, ...]:
        return SORT_FIXED + tuple(f"area-{a.code}" for a in self.areas)


def anonymous_codes(round_id: int, facility_ids: list[int]) -> dict[int, str]:
    """facility id -> "F-01", "F-02", …: stable within a round, in an order unrelated to names or codes."""
    def shuffle_key(facility_id: int) -> str:
        return hashlib.sha256(f"shelterassess-round-{round_id}-facility-{facility_id}".encode()).hexdigest()

    ordered = sorted(facility_ids, key=shuffle_key)
    width = max(2, len(str(len(ordered))))
    return {fid: f"F-{i:0{width}d}" for i, fid in enumerate(ordered, start=1)}


# -- provinces: named, or merged into "Other provinces" when anonymised ---------------------

@dataclass(frozen=True)
class Provinces:
    names: dict[int, str]
    #: provinces that may be named; ``None`` when every province may be (not anonymised)
    named: frozenset[int] | None
    other_label: str

    def is_named(self, province_id: int) -> bool:
        return self.named is None or province_id in self.named

    def label(self, province_id: int) -> str:
        return self.names.get(province_id, "") if self.is_named(province_id) else self.other_label

    def options(self) -> tuple[tuple[str, str], ...]:
        shown = sorted(((str(pid), name) for pid, name in self.names.items() if self.is_named(pid)),
                       key=lambda option: option[1])
        if any(not self.is_named(pid) for pid in self.names):
            shown.append((OTHER_PROVINCES, self.other_label))
        return tuple(shown)

    def valid(self, params: NationalParams) -> NationalParams:
        """A small province asked for by id becomes the "other" group; "other" means nothing unless anonymised."""
        if self.named is None:
            return replace(params, other_provinces=False)
        if params.province_id and not self.is_named(params.province_id):
            return replace(params, province_id=None, other_provinces=True)
        return params

    def matches(self, province_id: int, params: NationalParams) -> bool:
        if params.other_provinces:
            return not self.is_named(province_id)
        return not params.province_id or province_id == params.province_id

    def selected(self, params: NationalParams) -> str:
        if params.other_provinces:
            return self.other_label
        return self.names.get(params.province_id, "") if params.province_id else ""


def provinces(facilities: list[Facility], with_result: list[int], anonymised: bool, language: str) -> Provinces:
    names = {f.province_id: localized(f.province, "name", language) for f in facilities}
    named = named_provinces({f.id: f.province_id for f in facilities}, with_result) if anonymised else None
    return Provinces(names, named, _("Other provinces"))


# -- the summary ------------------------------------------------------------------------

def national_summary(session: Session, round_: Round, params: NationalParams, language: str,
                     kappa_min_pairs: int = 1, page_number: int | None = None,
                     page_size: int = 50) -> NationalSummary:
    """``kappa_min_pairs``: per-indicator kappa is shown only from this many pairs (``KAPPA_MIN_PAIRS``).

    With ``page_number``, ``rows`` holds only that page (bounded to the last one) and red-flag
    codes are read for its facilities only; means and agreement always cover every matching
    facility. The number of queries does not depend on the number of facilities.
    """
    areas = tuple(AreaHead(a.key, a.code, localized(a, "title", language)) for a in round_.sheet.areas)
    every = queries.round_facilities(session, round_.id)
    agreed = queries.agreed_results(session, round_.id)
    groups = provinces(every, list(agreed), params.anonymised, language)
    params = _valid_params(groups.valid(params), areas)
    facilities = [f for f in every if groups.matches(f.province_id, params)]
    codes = anonymous_codes(round_.id, [f.id for f in every]) if params.anonymised else {}
    area_positions = {a.id: i for i, a in enumerate(round_.sheet.areas)}
    # Red-flag codes need every score of an agreed result: all of them only when sorting by them.
    all_flags = page_number is None or params.sort == "red-flags"
    flags = _red_flags(session, round_, agreed if all_flags else {})
    rows = [_national_row(f, agreed.get(f.id), area_positions, codes, groups.label(f.province_id),
                          flags.get(f.id, ())) for f in facilities]
    means, counts = _means(rows, len(areas))
    rows = sort_rows(rows, params, areas)
    page = None
    if page_number is not None:
        number = bounded_number(page_number, len(rows), page_size)
        shown = rows[(number - 1) * page_size: number * page_size]
        if not all_flags:
            page_flags = _red_flags(session, round_, {r.facility_id: agreed[r.facility_id]
                                                      for r in shown if r.facility_id in agreed})
            shown = [replace(r, red_flags=page_flags.get(r.facility_id, ())) for r in shown]
        page = Page(items=shown, number=number, size=page_size, total=len(rows))
        rows = shown
    pairs = queries.national_pairs(session, round_.id, [f.id for f in facilities])
    per_indicator = {ind.key: agreement(pairs.get(ind.key, []), min_kappa_pairs=kappa_min_pairs)
                     for ind in round_.sheet.indicators}
    lines = {ind.key: IndicatorAgreement(ind.code, ind.key, localized(ind, "text", language), per_indicator[ind.key])
             for ind in round_.sheet.indicators}
    return NationalSummary(
        language=language, round_id=round_.id, round_name=round_.name, params=params,
        province_name=groups.selected(params), provinces=groups.options(), areas=areas,
        rows=tuple(rows), means=means, mean_counts=counts,
        overall_agreement=agreement(p for ps in pairs.values() for p in ps),
        indicators=tuple(lines.values()),
        low_agreement=tuple(lines[key] for key in low_agreement_indicators(per_indicator)),
        kappa_min_pairs=kappa_min_pairs, page=page,
    )


def _red_flags(session: Session, round_: Round, agreed: dict[int, Assessment]) -> dict[int, tuple[str, ...]]:
    """facility id -> codes of its agreed result's red flags, in score-sheet order."""
    maps = queries.score_maps(session, [a.id for a in agreed.values()])
    codes = {ind.key: ind.code for ind in round_.sheet.indicators}
    return {fid: tuple(codes[k] for k in red_flag_keys(round_.sheet, maps[a.id])) for fid, a in agreed.items()}


def _national_row(facility: Facility, agreed: Assessment | None, positions: dict[int, int], codes: dict[int, str],
                  province: str, red_flags: tuple[str, ...]) -> NationalRow:
    percentages: list[float | None] = [None] * len(positions)
    for result in agreed.area_results if agreed else []:
        if result.area_id in positions:
            percentages[positions[result.area_id]] = result.percentage
    anonymised = bool(codes)
    return NationalRow(
        facility_id=facility.id, code=codes.get(facility.id, facility.code), name="" if anonymised else facility.name,
        province=province, percentages=tuple(percentages),
        overall=agreed.overall_percentage if agreed else None, has_result=agreed is not None, red_flags=red_flags,
    )


def _valid_params(params: NationalParams, areas: tuple[AreaHead, ...]) -> NationalParams:
    if params.sort in SORT_FIXED + tuple(f"area-{a.code}" for a in areas):
        return params
    return replace(params, sort="facility")


def _sort_value(row: NationalRow, sort: str, areas: tuple[AreaHead, ...]):
    if sort == "facility":
        return row.code
    if sort == "province":
        return row.province
    if sort == "overall":
        return row.overall
    if sort == "red-flags":
        return len(row.red_flags) if row.has_result else None
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
