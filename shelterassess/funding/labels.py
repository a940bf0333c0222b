"""Translated words of the funding package, shared by services (messages), pages, exports and the
letter. Lazy strings: translated when shown, in the language of the page or of the PDF."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from shelterassess.assessments.domain import round_half_up_decimal
from shelterassess.funding import domain
from shelterassess.plans.changes import parse_change_lines
from shelterassess.plans.domain import Problem
from shelterassess.plans.labels import CATEGORY, label, vnd  # noqa: F401 (re-exported for templates)

STATUS = {
    domain.DRAFT: _l("Draft"),
    domain.APPROVED: _l("Approved"),
    domain.REOPENED: _l("Reopened"),
}

EVENT = {
    "created": _l("Funding round created"),
    "parameters": _l("Parameters changed"),
    "proposal": _l("Proposal computed from the agreed results and accepted plans"),
    "recomputed": _l("Proposal recomputed with new parameters"),
    "scenario_added": _l("Scenario added"),
    "scenario_deleted": _l("Scenario deleted"),
    "scenario_adopted": _l("Scenario adopted"),
    "adjusted": _l("Amount adjusted"),
    "adjustment_cleared": _l("Adjustment cleared by a new proposal"),
    "added_by_hand": _l("Facility without a finalised result added by hand"),
    "approved": _l("Allocation approved"),
    "reopened": _l("Allocation reopened"),
}

#: Field names of the history lines (``FundingEvent.detail``).
FIELD = {
    "name": _l("Name"),
    "budget_vnd": _l("Total budget"),
    "rounding_unit_vnd": _l("Rounding unit"),
    "red_flag_weight": _l("Weight of a red flag"),
    "use_capacity": _l("Scaled by capacity"),
    "envelope_capacity_building_vnd": _l("Envelope: capacity building"),
    "envelope_facilities_improvement_vnd": _l("Envelope: facilities improvement"),
    "envelope_other_vnd": _l("Envelope: other needs"),
    "amount_vnd": _l("Amount"),
    "facilities": _l("Facilities weighed"),
    "apart": _l("Listed apart (no finalised result)"),
    "requested_vnd": _l("Requested"),
    "proposed_vnd": _l("Proposed"),
    "scenario": _l("Scenario"),
}

PROBLEM = {
    "amount_missing": _l("Enter an amount in đồng."),
    "amount_not_a_number": _l("Enter a whole number of đồng, in digits only (for example 500000000 or "
                              "500.000.000)."),
    "amount_negative": _l("The amount cannot be negative."),
    "amount_decimal": _l("Amounts are whole đồng, without decimals. Dots, commas or spaces may only separate groups "
                         "of three digits."),
    "amount_too_large": _l("The amount is above the limit of %(max)s đồng. Check the number of zeros."),
    "budget_zero": _l("The budget must be more than 0 đồng."),
    "unit_range": _l("The rounding unit must be at least 1 đồng and not more than the budget."),
    "envelopes_above_budget": _l("The envelopes add up to %(total)s, more than the budget of %(budget)s."),
    "red_flag_weight_range": _l("The weight of a red flag is a whole number from 0 to %(max)d."),
    "name_missing": _l("Give the funding round a name."),
    "name_taken": _l("Another funding round already has this name."),
    "too_long": _l("This text is longer than %(max)d characters."),
    "round_unknown": _l("Choose an assessment round from the list."),
    "reason_missing": _l("Give the reason (at least %(min)d characters)."),
    "above_request": _l("This is more than the facility requested in this category (%(request)s): an amount above "
                        "the request would fund no costed action. Raise the cost estimate in the plan instead."),
    "above_budget": _l("This would put the allocation %(over)s above the budget of %(budget)s. Lower another amount "
                       "first."),
    "above_envelope": _l("This would put the category %(over)s above its envelope of %(envelope)s. Lower another "
                         "amount in the category first."),
}

YES_NO = {True: _l("Yes"), False: _l("No")}
APPLICATION = _l("the application")

PER_POINT_UNDEFINED = {
    domain.PerPointUndefined.NO_VISIT: _l("no follow-up visit submitted yet"),
    domain.PerPointUndefined.NO_POINTS: _l("gained no point at follow-up"),
    domain.PerPointUndefined.SCORES_FELL: _l("scores fell at follow-up: not given when scores fell"),
}

_MONEY_PARAMS = ("total", "budget", "request", "over", "envelope")


def problem_message(problem: Problem) -> str:
    params = dict(problem.param_dict)
    for name in _MONEY_PARAMS:
        if name in params:
            params[name] = vnd(int(params[name]))
    if problem.code == "amount_too_large":
        params["max"] = format_decimal(domain.MAX_BUDGET_VND)
    if problem.code == "red_flag_weight_range":
        params["max"] = domain.MAX_RED_FLAG_WEIGHT
    template = PROBLEM.get(problem.code)
    return str(template) % params if template is not None else problem.code


def weight(value: Fraction | None) -> str:
    """A need weight for display: two decimals, rounded half-up once."""
    return "–" if value is None else format_decimal(round_half_up_decimal(value, 2), format="#,##0.00")


def weight_decimal(value: Fraction | None, digits: int = 4) -> Decimal | None:
    """A need weight for exports: ``digits`` decimals, rounded half-up."""
    return None if value is None else round_half_up_decimal(value, digits)


def percent_tenths(value: int | None) -> str:
    return "–" if value is None else format_decimal(Decimal(value).scaleb(-1), format="0.0")


# -- the history -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HistoryRow:
    at: dt.datetime
    who: str
    what: str
    about: str  # "SH-A · Capacity building", or ""
    lines: list[tuple[str, str, str]] = field(default_factory=list)
    reason: str = ""


def _value(name: str, value: str) -> str:
    if value in ("true", "false"):
        return str(YES_NO[value == "true"])
    if name.endswith("_vnd") and value.isascii() and value.isdigit():  # not "²", which int() refuses
        return vnd(int(value))
    return value


def history(events) -> list[HistoryRow]:
    """Newest first, translated."""
    rows = []
    for event in reversed(events):
        about = " · ".join(x for x in (event.facility.code if event.facility else "",
                                       label(CATEGORY, event.category) if event.category else "") if x)
        lines = [(label(FIELD, name), _value(name, old), _value(name, new))
                 for name, old, new in parse_change_lines(event.detail)]
        rows.append(HistoryRow(event.at, event.user.display_name if event.user else str(APPLICATION),
                               label(EVENT, event.action), about, lines, event.reason))
    return rows


def categories_label(categories) -> str:
    return ", ".join(label(CATEGORY, c) for c in categories)


def vnd_floor(value: Fraction) -> str:
    """An exact amount of đồng, rounded down to the đồng, with the locale's grouping and symbol."""
    return vnd(int(value))


def signed_vnd(value: int) -> str:
    """A difference: "+1.000.000 ₫", "−1.000.000 ₫", or "0 ₫"."""
    if value > 0:
        return "+" + vnd(value)
    return "−" + vnd(-value) if value < 0 else vnd(0)
