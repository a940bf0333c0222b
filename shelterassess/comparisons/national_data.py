"""The national view of a round as plain, already localized dataclasses, for the page and the PDF.

Agreed area scores per facility (with the agreed result's red flags), national means and
self-vs-peer agreement per indicator. The rows are filtered, sorted and paged in SQL
(:mod:`.national_queries`) from the stored area results; means are SQL ``AVG``/``COUNT`` and
agreement is computed from SQL pair counts, so no request loads every facility's scores.
In anonymised (workshop) mode facilities get codes
such as "F-01", and provinces with fewer than
:data:`~shelterassess.comparisons.anonymity.MIN_FACILITIES_PER_PROVINCE` facilities with a
result are merged into "Other provinces" (rows, filter options, caption).
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, replace

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from shelterassess.comparisons import agreement_store
from shelterassess.comparisons import national_queries as nq
from shelterassess.comparisons.anonymity import MIN_FACILITIES_PER_PROVINCE, named_from_counts, named_provinces
from shelterassess.comparisons.domain import Agreement, agreement_from_counts, low_agreement_indicators
from shelterassess.comparisons.report_data import AreaHead
from shelterassess.facilities.models import Facility
from shelterassess.i18n import localized
from shelterassess.rounds.models import Round
from shelterassess.web.pagination import Page, bounded_number, paginate

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

    def province_ids(self, params: NationalParams) -> tuple[int, ...] | None:
        """The provinces ``params`` filters on (for SQL): ``None`` for all of them."""
        if params.other_provinces:
            return tuple(pid for pid in self.names if not self.is_named(pid))
        return (params.province_id,) if params.province_id else None

    def selected(self, params: NationalParams) -> str:
        if params.other_provinces:
            return self.other_label
        return self.names.get(params.province_id, "") if params.province_id else ""


def provinces(facilities: list[Facility], with_result: list[int], anonymised: bool, language: str) -> Provinces:
    names = {f.province_id: localized(f.province, "name", language) for f in facilities}
    named = named_provinces({f.id: f.province_id for f in facilities}, with_result) if anonymised else None
    return Provinces(names, named, _("Other provinces"))


def round_provinces(session: Session, round_id: int, anonymised: bool, language: str) -> Provinces:
    """:func:`provinces` of the round's facilities, from one ``GROUP BY province`` statement."""
    stats = nq.province_stats(session, round_id)
    names = {row.id: localized(row, "name", language) for row in stats}
    named = named_from_counts({row.id: row.with_result for row in stats}) if anonymised else None
    return Provinces(names, named, _("Other provinces"))


# -- the table: which facilities, in which order (SQL) ------------------------------------

@dataclass(frozen=True)
class NationalTable:
    """The national table of a round once its parameters are checked: what the page, the PDF,
    the workshop pack and the exports read their rows from."""

    round_id: int
    params: NationalParams
    language: str
    areas: tuple[AreaHead, ...]
    #: area ids in score-sheet order (the columns), and area code -> id
    area_ids: tuple[int, ...]
    groups: Provinces
    filter: nq.TableFilter
    #: facility id -> anonymous code ("F-01"); empty unless anonymised
    codes: dict[int, str]
    #: (key, code) of the indicators in score-sheet order, for the red-flag codes
    indicators: tuple[tuple[str, str], ...]
    indicator_ids: tuple[int, ...]


def national_table(session: Session, round_: Round, params: NationalParams, language: str) -> NationalTable:
    """Three statements at most (provinces with their result counts; every facility id when anonymised)."""
    sheet_areas = round_.sheet.areas
    areas = tuple(AreaHead(a.key, a.code, localized(a, "title", language)) for a in sheet_areas)
    groups = round_provinces(session, round_.id, params.anonymised, language)
    params = _valid_params(groups.valid(params), areas)
    codes = anonymous_codes(round_.id, nq.facility_ids(session, round_.id)) if params.anonymised else {}
    return NationalTable(
        round_id=round_.id, params=params, language=language, areas=areas, area_ids=tuple(a.id for a in sheet_areas),
        groups=groups, filter=nq.TableFilter(round_.id, groups.province_ids(params)), codes=codes,
        indicators=tuple((ind.key, ind.code) for ind in round_.sheet.indicators),
        indicator_ids=tuple(ind.id for ind in round_.sheet.indicators),
    )


def _query(table: NationalTable):
    sort = table.params.sort
    if sort.startswith("area-"):
        position = [f"area-{a.code}" for a in table.areas].index(sort)
        return nq.table_select(table.filter, "area", table.params.descending, table.language, table.area_ids[position])
    return nq.table_select(table.filter, sort, table.params.descending, table.language)


def _anonymised_order(heads: list, table: NationalTable) -> list:
    """Anonymised rows sort on their anonymous code (and "Other provinces"), which SQL does not
    know: the plain columns of every matching row are sorted here (by value, empty last, then code)."""
    sort = table.params.sort

    def value(head):
        if sort == "facility":
            return table.codes[head.id]
        if sort == "province":
            return table.groups.label(head.province_id)
        return head.sort_value

    by_code = sorted(heads, key=lambda h: table.codes[h.id])
    valued = [h for h in by_code if value(h) is not None]
    valued.sort(key=value, reverse=table.params.descending)
    return valued + [h for h in by_code if value(h) is None]


def _heads(session: Session, table: NationalTable, page_number: int | None, page_size: int) -> tuple[list, Page | None]:
    """The plain columns of the rows shown, in order, and the page (``None``: every row)."""
    query = _query(table)
    if not table.params.anonymised:
        if page_number is None:
            return list(session.execute(query)), None
        page = paginate(session, query, {"page": str(page_number)}, size=page_size, scalars=False)
        return page.items, page
    heads = _anonymised_order(list(session.execute(query.order_by(None))), table)
    if page_number is None:
        return heads, None
    number = bounded_number(page_number, len(heads), page_size)
    shown = heads[(number - 1) * page_size: number * page_size]
    return shown, Page(items=shown, number=number, size=page_size, total=len(heads))


def _row(head, table: NationalTable, percentages: dict[int, float | None], flags: set[str]) -> NationalRow:
    anonymised = bool(table.codes)
    has_result = head.agreed_id is not None
    return NationalRow(
        facility_id=head.id, code=table.codes.get(head.id, head.code), name="" if anonymised else head.name,
        province=table.groups.label(head.province_id),
        percentages=tuple(percentages.get(area_id) for area_id in table.area_ids),
        overall=head.overall if has_result else None, has_result=has_result,
        red_flags=tuple(code for key, code in table.indicators if key in flags),
    )


def _rows(session: Session, table: NationalTable, heads: list, every: bool) -> list[NationalRow]:
    """Rows of ``heads`` with their stored area results and red flags (two statements)."""
    ids = table.filter.agreed_ids() if every else [h.agreed_id for h in heads if h.agreed_id is not None]
    percentages, flags = nq.area_percentages(session, ids), nq.red_flag_keys(session, ids)
    return [_row(h, table, percentages.get(h.agreed_id, {}), flags.get(h.agreed_id, set())) for h in heads]


def table_rows(session: Session, table: NationalTable) -> list[NationalRow]:
    """Every row of the table, in the table's order (exports, PDF): four statements."""
    heads, _page = _heads(session, table, None, 1)
    return _rows(session, table, heads, every=True)


# -- the summary ------------------------------------------------------------------------

def national_summary(session: Session, round_: Round, params: NationalParams, language: str,
                     kappa_min_pairs: int = 1, page_number: int | None = None,
                     page_size: int = 50) -> NationalSummary:
    """``kappa_min_pairs``: per-indicator kappa is shown only from this many pairs (``KAPPA_MIN_PAIRS``).

    With ``page_number``, ``rows`` holds only that page (bounded to the last one), filtered,
    sorted and paged in SQL (anonymised: sorted on the plain columns, see :func:`_anonymised_order`);
    means (SQL ``AVG``) and agreement (SQL pair counts, stored while still valid:
    :mod:`.agreement_store`) always cover every matching facility.
    The number of statements does not depend on the number of facilities.
    """
    table = national_table(session, round_, params, language)
    heads, page = _heads(session, table, page_number, page_size)
    rows = _rows(session, table, heads, every=page is None)
    if page is not None:
        page = replace(page, items=rows)
    stored = nq.area_means(session, table.filter)
    means = tuple(stored.get(area_id, (None, 0))[0] for area_id in table.area_ids)
    counts = agreement_store.agreement_counts(session, table.filter, list(table.indicator_ids))
    per_indicator = {ind.key: agreement_from_counts(counts.get(ind.key, {}), min_kappa_pairs=kappa_min_pairs)
                     for ind in round_.sheet.indicators}
    lines = {ind.key: IndicatorAgreement(ind.code, ind.key, localized(ind, "text", language), per_indicator[ind.key])
             for ind in round_.sheet.indicators}
    every_pair: Counter = Counter()
    for pair_counts in counts.values():
        every_pair.update(pair_counts)
    return NationalSummary(
        language=language, round_id=round_.id, round_name=round_.name, params=table.params,
        province_name=table.groups.selected(table.params), provinces=table.groups.options(), areas=table.areas,
        rows=tuple(rows), means=means, mean_counts=tuple(stored.get(area_id, (None, 0))[1] for area_id in table.area_ids),
        overall_agreement=agreement_from_counts(every_pair),
        indicators=tuple(lines.values()),
        low_agreement=tuple(lines[key] for key in low_agreement_indicators(per_indicator)),
        kappa_min_pairs=kappa_min_pairs, page=page,
    )


def _valid_params(params: NationalParams, areas: tuple[AreaHead, ...]) -> NationalParams:
    if params.sort in SORT_FIXED + tuple(f"area-{a.code}" for a in areas):
        return params
    return replace(params, sort="facility")
