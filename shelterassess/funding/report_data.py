"""One facility's allocation as plain, already translated data: the facility's page and its
allocation letter (:class:`shelterassess.reports.renderers.allocation_letter.AllocationLetterRenderer`)
print the same object, so they show the same figures. Build it under ``force_locale(language)``."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_date, gettext as _, ngettext
from sqlalchemy.orm import Session

from shelterassess.funding import labels, queries
from shelterassess.funding.models import FundingRound
from shelterassess.i18n import localized
from shelterassess.plans.domain import CATEGORIES
from shelterassess.plans.labels import ACTION_STATUS

DASH = "–"


@dataclass(frozen=True)
class FundedAction:
    number: int
    description: str
    cost: str
    status: str


@dataclass(frozen=True)
class CategoryLine:
    category: str  # the key
    label: str
    requested: str
    allocated: str
    coverage: str  # "in full", "60 % of the request", "nothing requested"
    reason: str
    adjusted: bool
    actions: tuple[FundedAction, ...]
    allocated_vnd: int


@dataclass(frozen=True)
class AllocationLetter:
    language: str
    funding_round_name: str
    round_name: str
    facility_code: str
    facility_name: str
    province: str
    status: str
    approved: bool
    approved_on: str
    approved_by: str
    budget: str
    lines: tuple[CategoryLine, ...]
    total_requested: str
    total_allocated: str
    total_allocated_vnd: int
    how: str  # how the need weight was reached (or why there is none)
    in_allocation: bool  # False: the facility is not part of the funding round


def _coverage(requested: int, allocated: int) -> str:
    if requested == 0:
        return _("nothing requested") if allocated == 0 else DASH
    if allocated >= requested:
        return _("the whole request")
    if allocated == 0:
        return _("nothing this time")
    percent = allocated * 100 // requested
    return _("%(percent)d %% of the request", percent=percent)


def how_reached(table: queries.AllocationTable, row: queries.FacilityRow | None) -> str:
    if row is None:
        return _("The facility is not part of this funding round: it had no assessment and no plan in the round.")
    if row.added_by_hand:
        return _("No finalised agreed result: added by hand by the national team. Reason: %(reason)s",
                 reason=row.added_reason)
    if not row.has_result:
        return _("No finalised agreed result: not weighed by the rule.")
    params = table.parameters
    text = _("Need weight %(weight)s = (100 − %(overall)s) + %(flags)s × %(per_flag)d",
             weight=labels.weight(row.weight), overall=labels.percent_tenths(row.overall_tenths),
             flags=ngettext("%(num)d red flag", "%(num)d red flags", row.red_flags), per_flag=params.red_flag_weight)
    if params.use_capacity:
        text += " " + _("× capacity %(capacity)d ÷ mean capacity %(mean)s", capacity=row.capacity,
                        mean=labels.weight(table.mean_capacity))
    return text + ". " + _("Funds are shared in proportion to need, never above a request (docs/allocation.md).")


def allocation_letter(session: Session, fround: FundingRound, facility, language: str) -> AllocationLetter:
    table = queries.allocation_table(session, fround, with_per_point=False)
    row = table.row(facility.id)
    fundable = row is not None and row.fundable
    actions = queries.funded_actions(session, fround.round_id, facility.id)
    lines = []
    for c in CATEGORIES:
        line = row.line(c) if row else None
        requested = line.request_vnd if line else 0
        allocated = line.amount_vnd if line and fundable else 0
        items = tuple(FundedAction(n, a.description, labels.vnd(a.cost_vnd), labels.label(ACTION_STATUS, a.status))
                      for n, a in actions[c]) if allocated else ()
        lines.append(CategoryLine(c, labels.label(labels.CATEGORY, c), labels.vnd(requested), labels.vnd(allocated),
                                  _coverage(requested, allocated), line.reason if line else "",
                                  bool(line and line.is_adjusted), items, allocated))
    total = sum(ln.allocated_vnd for ln in lines)
    return AllocationLetter(
        language=language, funding_round_name=fround.name, round_name=fround.round.name,
        facility_code=facility.code, facility_name=facility.name, province=localized(facility.province, "name"),
        status=labels.label(labels.STATUS, fround.status), approved=fround.is_approved,
        approved_on=format_date(fround.approved_at, "long") if fround.approved_at else DASH,
        approved_by=fround.approved_by.display_name if fround.approved_by else "",
        budget=labels.vnd(fround.budget_vnd), lines=tuple(lines),
        total_requested=labels.vnd(row.requested if row else 0), total_allocated=labels.vnd(total),
        total_allocated_vnd=total, how=how_reached(table, row), in_allocation=row is not None,
    )
