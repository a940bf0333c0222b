"""The pack's allocation section: the approved funding rounds of the assessment round, per
facility and category, with totals and đồng per point gained, read through
``funding.queries.approved_allocations_for_round``: the allocation tables of the allocation
page (:func:`funding.queries.allocation_table`), added up when a round has several approved
funding rounds.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from shelterassess.comparisons.national_data import Provinces
from shelterassess.facilities.models import Province
from shelterassess.funding import domain as funding_domain
from shelterassess.funding import queries as funding_queries
from shelterassess.i18n import localized
from shelterassess.plans.domain import CATEGORIES
from shelterassess.plans.labels import CATEGORY

@dataclass(frozen=True)
class AllocationRow:
    facility_id: int
    code: str  # facility code, or its anonymous code
    name: str  # empty when anonymised
    province: str
    amounts: tuple[int, ...]  # whole đồng per category, in :attr:`AllocationSection.categories` order
    total: int
    #: đồng allocated per agreed-score point gained at follow-up (the allocation page's figure)
    per_point: funding_domain.PerPoint | None = None


@dataclass(frozen=True)
class FundingRoundLine:
    name: str
    budget: int
    allocated: int


@dataclass(frozen=True)
class AllocationSection:
    #: (category value, localized label)
    categories: tuple[tuple[str, str], ...]
    #: the approved funding rounds of the assessment round, oldest approval first
    funding_rounds: tuple[FundingRoundLine, ...]
    rows: tuple[AllocationRow, ...]
    category_totals: tuple[int, ...]
    total: int
    national_per_point: funding_domain.PerPoint | None = None

    @property
    def budget(self) -> int:
        return sum(f.budget for f in self.funding_rounds)


def allocation_section(session: Session, round_id: int, groups: Provinces, codes: dict[int, str], anonymised: bool,
                       language: str) -> AllocationSection:
    """Every approved funding round of the round, added up per facility and category (with one
    approved funding round, the allocation page's figures; with several, their sums, and đồng per
    point on the sums). Anonymised: the comparison pages' codes, no names, small provinces merged."""
    tables = funding_queries.approved_allocations_for_round(session, round_id)
    categories = tuple((c, str(CATEGORY.get(c, c))) for c in CATEGORIES)
    amounts: dict[int, list[int]] = {}
    facts: dict[int, object] = {}
    for table in tables:
        for row in table.rows:  # the facilities weighed, and those added by hand
            amounts.setdefault(row.facility_id, [0] * len(CATEGORIES))
            facts[row.facility_id] = row
            for i, category in enumerate(CATEGORIES):
                line = row.line(category)
                amounts[row.facility_id][i] += line.amount_vnd if line else 0
    points = funding_queries.points_gained(session, round_id) if tables else {}
    rows = [_row(session, facts[fid], values, codes, groups, anonymised, language, points.get(fid))
            for fid, values in amounts.items()]
    rows.sort(key=lambda r: r.code)
    return AllocationSection(
        categories=categories,
        funding_rounds=tuple(FundingRoundLine(t.name, t.budget_vnd, t.allocated) for t in tables),
        rows=tuple(rows), category_totals=tuple(sum(r.amounts[i] for r in rows) for i in range(len(CATEGORIES))),
        total=sum(r.total for r in rows),
        national_per_point=funding_domain.national_money_per_point((r.total, points.get(r.facility_id))
                                                                   for r in rows) if rows else None,
    )


def _row(session: Session, fact, values: list[int], codes: dict[int, str], groups: Provinces, anonymised: bool,
         language: str, points: int | None) -> AllocationRow:
    """One facility's row. A facility not listed in the round (added by hand without an assessment,
    and inactive) has no anonymous code: it is shown as "–" when anonymised."""
    province = groups.label(fact.province_id) or _province_name(session, fact.province_id, language)
    total = sum(values)
    return AllocationRow(
        facility_id=fact.facility_id, code=codes.get(fact.facility_id, "–") if anonymised else fact.code,
        name="" if anonymised else fact.name, province=province, amounts=tuple(values), total=total,
        per_point=funding_domain.money_per_point(total, points),
    )


def _province_name(session: Session, province_id: int, language: str) -> str:
    province = session.get(Province, province_id)
    return localized(province, "name", language) if province else ""
