"""The funding round page's allocation table, one page of facilities at a time.

:func:`shelterassess.funding.queries.allocation_table` builds the whole table (the exports,
the letter and the workshop pack print every facility). The round page shows one page of it:
the facilities of the page are read with LIMIT/OFFSET, while everything computed over all the
facilities comes from the database in a fixed number of statements: the category totals and
the count of adjustments are SQL sums, and the need weights, the rule's groups and the
national amount per point are computed from narrow column queries (numbers only, no objects).
The facilities listed apart (no finalised result) page on their own (``?apart_page=2``), so that
neither list moves the other's page.
"""
from __future__ import annotations

from typing import Mapping

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from shelterassess.facilities.models import Facility
from shelterassess.funding import domain
from shelterassess.funding.models import AllocationLine, FundingFacility, FundingRound
from shelterassess.funding.queries import (
    AllocationTable, CategoryTotal, Parameters, facility_row, points_gained, rules,
)
from shelterassess.plans.domain import CATEGORIES
from shelterassess.web.pagination import Page, paginate
from shelterassess.web.section_pages import SectionPage, paginate_section

#: The query parameter of the page of facilities listed apart.
APART_PARAM = "apart_page"
_AMOUNT = func.coalesce(AllocationLine.adjusted_vnd, AllocationLine.proposed_vnd)


def _fundable(fround: FundingRound):
    """Weighed by the rule (a finalised result) or added by hand."""
    return (FundingFacility.funding_round_id == fround.id,
            or_(FundingFacility.overall_tenths.is_not(None), FundingFacility.added_by_hand.is_(True)))


def _rows_query(fround: FundingRound, fundable: bool) -> Select:
    query = select(FundingFacility).join(Facility, Facility.id == FundingFacility.facility_id)
    if fundable:
        query = query.where(*_fundable(fround))
    else:
        query = query.where(FundingFacility.funding_round_id == fround.id, FundingFacility.overall_tenths.is_(None),
                            FundingFacility.added_by_hand.is_(False))
    return query.order_by(Facility.code, FundingFacility.id)


def _need_inputs(session: Session, fround: FundingRound) -> list[domain.NeedInput]:
    rows = session.execute(
        select(Facility.code, FundingFacility.overall_tenths, FundingFacility.red_flags, FundingFacility.capacity)
        .join(Facility, Facility.id == FundingFacility.facility_id)
        .where(FundingFacility.funding_round_id == fround.id, FundingFacility.overall_tenths.is_not(None))
        .order_by(Facility.code))
    return [domain.NeedInput(code, tenths, flags, capacity) for code, tenths, flags, capacity in rows]


def _category_totals(session: Session, fround: FundingRound, params: Parameters) -> tuple[tuple[CategoryTotal, ...], int]:
    """Requested, proposed and allocated per category over every fundable facility, and the
    number of adjusted lines: summed by the database."""
    rows = session.execute(
        select(AllocationLine.category, func.sum(AllocationLine.request_vnd), func.sum(AllocationLine.proposed_vnd),
               func.sum(_AMOUNT), func.sum(case((AllocationLine.adjusted_vnd.is_not(None), 1), else_=0)))
        .join(FundingFacility, FundingFacility.id == AllocationLine.funding_facility_id)
        .where(*_fundable(fround)).group_by(AllocationLine.category))
    sums = {c: (int(r or 0), int(p or 0), int(a or 0), int(n or 0)) for c, r, p, a, n in rows}
    totals = tuple(CategoryTotal(c, params.envelopes.get(c), *sums.get(c, (0, 0, 0, 0))[:3]) for c in CATEGORIES)
    return totals, sum(s[3] for s in sums.values())


def _groups(session: Session, fround: FundingRound, params: Parameters, weight) -> tuple:
    """The rule's groups (amount per point of need weight), from every weighed facility's requests."""
    if not fround.proposal_at:
        return ()
    asked: dict[str, dict[str, int]] = {}
    for code, category, request in session.execute(
            select(Facility.code, AllocationLine.category, AllocationLine.request_vnd)
            .join(FundingFacility, FundingFacility.id == AllocationLine.funding_facility_id)
            .join(Facility, Facility.id == FundingFacility.facility_id)
            .where(FundingFacility.funding_round_id == fround.id, FundingFacility.overall_tenths.is_not(None))
            .order_by(Facility.code, AllocationLine.id)):
        asked.setdefault(code, {})[category] = request
    claims = [domain.Claim(code, weight[code], asked.get(code, {})) for code in weight]
    return domain.allocate(claims, rules(fround, params)).groups


def _allocated_by_facility(session: Session, fround: FundingRound) -> dict[int, int]:
    rows = session.execute(
        select(FundingFacility.facility_id, func.sum(_AMOUNT))
        .outerjoin(AllocationLine, AllocationLine.funding_facility_id == FundingFacility.id)
        .where(*_fundable(fround)).group_by(FundingFacility.facility_id))
    return {facility_id: int(total or 0) for facility_id, total in rows}


def allocation_page(session: Session, fround: FundingRound,
                    args: Mapping[str, str]) -> tuple[AllocationTable, Page, SectionPage]:
    """The allocation table with only the requested page of fundable facilities in ``rows`` and of
    those listed apart in ``apart`` (totals, weights, groups and the national amount per point
    cover them all), the page of fundable facilities (``?page=``) and the page listed apart
    (``?apart_page=``)."""
    params = Parameters.of(fround)
    inputs = _need_inputs(session, fround)
    weight = domain.need_weights(inputs, params.red_flag_weight, params.use_capacity)
    page = paginate(session, _rows_query(fround, fundable=True), args)
    points = points_gained(session, fround.round_id)
    rows = tuple(facility_row(ff, weight.get(ff.facility.code),
                               domain.money_per_point(sum(ln.amount_vnd for ln in ff.lines), points.get(ff.facility_id)))
                 for ff in page.items)
    apart_page = paginate_section(session, _rows_query(fround, fundable=False), args, APART_PARAM)
    apart = tuple(facility_row(ff, None, None) for ff in apart_page.items)
    categories, adjustments = _category_totals(session, fround, params)
    national = domain.national_money_per_point(
        (allocated, points.get(facility_id)) for facility_id, allocated in _allocated_by_facility(session, fround).items())
    table = AllocationTable(
        fround.id, fround.name, fround.round_id, fround.round.name, fround.status, fround.budget_vnd,
        fround.rounding_unit_vnd, params, fround.proposal_at, fround.approved_at, rows, apart, categories,
        _groups(session, fround, params, weight), national, adjustments, domain.mean_capacity(inputs))
    return table, page, apart_page
