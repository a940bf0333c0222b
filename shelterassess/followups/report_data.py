"""One follow-up visit's results as plain, already localized dataclasses, shared by the results
page and the PDF. The figures come from :mod:`shelterassess.followups.domain`; this module
loads (through :mod:`.queries`), arranges and labels."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from shelterassess.assessments.domain import Answer
from shelterassess.followups import domain, queries
from shelterassess.followups.domain import Compliance, ComplianceUndefined, CostPerPoint, CostUndefined, NoChange
from shelterassess.followups.models import FollowUpVisit, VisitStatus
from shelterassess.i18n import localized

DASH = "–"


# -- labels (evaluated under the request's or the forced locale) ------------------------------

def outcome_label(outcome: str | None) -> str:
    return {
        domain.IMPLEMENTED: _("Implemented"), domain.PARTLY: _("Partly implemented"),
        domain.NOT_IMPLEMENTED: _("Not implemented"), domain.NOT_RELEVANT: _("No longer relevant"),
    }.get(outcome or "", _("not recorded"))


def category_label(category: str) -> str:
    return {"capacity_building": _("Capacity building"), "facilities_improvement": _("Facilities improvement"),
            "other": _("Other needs")}.get(category, category)


def format_vnd(amount: int | None) -> str:
    """Whole đồng with the locale's grouping: "14.000.000 ₫" / "14,000,000 ₫"; None -> "–"."""
    return DASH if amount is None else _("%(amount)s ₫", amount=format_decimal(amount, format="#,##0"))


def score_text(answer: Answer) -> str:
    if answer.not_applicable:
        return _("N/A")
    return DASH if answer.value is None else str(answer.value)


def change_text(change: int | None) -> str:
    return DASH if change is None else format_decimal(change, format="+0;-0") if change else "0"


def no_change_text(reason: NoChange | None) -> str:
    return {
        NoChange.NA_BEFORE: _("N/A in the agreed result: no change counted"),
        NoChange.NA_AFTER: _("N/A at the follow-up: no change counted"),
        NoChange.MISSING_BEFORE: _("no agreed score: no change counted"),
        NoChange.MISSING_AFTER: _("not re-scored yet"),
    }.get(reason, "") if reason else ""


def compliance_note(c: Compliance) -> str:
    if c.undefined_reason is ComplianceUndefined.NO_ACTIONS:
        return _("No compliance rate: every action of the plan was dropped.")
    if c.undefined_reason is ComplianceUndefined.ALL_NOT_RELEVANT:
        return _("No compliance rate: every remaining action was found no longer relevant.")
    if c.undefined_reason is ComplianceUndefined.NOT_RECORDED:
        return _("No compliance rate yet: no outcome is recorded.")
    return _("Implemented counts 1, partly implemented 0.5, not implemented 0; %(nr)d no longer relevant and "
             "%(dropped)d dropped left out.", nr=c.not_relevant, dropped=c.dropped)


def cost_note(cost: CostPerPoint) -> str:
    if cost.undefined_reason is CostUndefined.NOTHING_DONE:
        return _("No cost per point: no action was implemented or partly implemented.")
    if cost.undefined_reason is CostUndefined.NO_POINTS:
        return _("No cost per point: the indicators of the implemented and partly implemented actions gained no "
                 "point (same scores, or N/A).")
    if cost.undefined_reason is CostUndefined.SCORES_FELL:
        return ngettext("No cost per point: the indicators of the implemented and partly implemented actions lost "
                        "%(num)d point. A cost per point is not given when scores fell.",
                        "No cost per point: the indicators of the implemented and partly implemented actions lost "
                        "%(num)d points. A cost per point is not given when scores fell.", -cost.points)
    return ngettext("%(spent)s spent (cost estimates of the implemented and partly implemented actions, in full) for "
                    "%(num)d point gained on their indicators.",
                    "%(spent)s spent (cost estimates of the implemented and partly implemented actions, in full) for "
                    "%(num)d points gained on their indicators.", cost.points, spent=format_vnd(cost.spent_vnd))


# -- the report ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ActionLine:
    number: int
    description: str
    category: str
    cost_vnd: int
    outcome: str | None
    outcome_label: str
    note: str
    indicator_codes: tuple[str, ...]
    trainings: tuple[str, ...]
    drop_reason: str = ""


@dataclass(frozen=True)
class IndicatorLine:
    area_code: str
    code: str
    text: str
    before: str
    after: str
    change: int | None
    change_text: str
    note: str


@dataclass(frozen=True)
class AreaLine:
    code: str
    title: str
    before: float | None
    after: float | None
    difference: float | None
    rescored: int


@dataclass(frozen=True)
class FollowUpReport:
    language: str
    facility_code: str
    facility_name: str
    province: str
    round_name: str
    team_name: str
    planned_on: dt.date | None
    visited_on: dt.date | None
    submitted: bool
    compliance: Compliance
    compliance_note: str
    actions: tuple[ActionLine, ...]
    dropped: tuple[ActionLine, ...]
    indicators: tuple[IndicatorLine, ...]
    areas: tuple[AreaLine, ...]
    overall_before: float | None
    overall_after: float | None
    points_gained: int
    not_counted: int
    cost: CostPerPoint
    cost_note: str

    @property
    def compliance_pct(self) -> float | None:
        return self.compliance.percentage


def _float(value) -> float | None:
    return None if value is None else float(value)


def _action_line(row: queries.ActionRow, language: str) -> ActionLine:
    action, result = row.action, row.result
    outcome = result.outcome if result else None
    return ActionLine(row.number, action.description, category_label(action.category), action.cost_vnd, outcome,
                      outcome_label(outcome), result.note if result else "",
                      tuple(i.code for i in action.indicators),
                      tuple(f"{t.title} ({t.held_on.isoformat()})" for t in row.trainings), action.drop_reason)


def follow_up_report(session: Session, visit: FollowUpVisit, language: str) -> FollowUpReport:
    data = queries.visit_data(session, visit)
    plan = data.plan
    sheet = plan.round.sheet
    specs = queries.area_specs_by_key(sheet)
    before_all, after = queries.agreed_answers(session, plan), data.after()
    ba = domain.before_after(specs, before_all, after)
    findings = data.findings()
    comp = domain.compliance(findings)
    cost = domain.cost_per_point(findings, ba.changes())
    indicators = {r.indicator.key: r.indicator for r in data.indicators}
    areas = {a.key: a for a in sheet.areas}
    return FollowUpReport(
        language=language, facility_code=plan.facility.code, facility_name=plan.facility.name,
        province=localized(plan.facility.province, "name", language), round_name=plan.round.name,
        team_name=visit.team.name, planned_on=visit.planned_on, visited_on=visit.visited_on,
        submitted=visit.status == VisitStatus.SUBMITTED.value, compliance=comp, compliance_note=compliance_note(comp),
        actions=tuple(_action_line(r, language) for r in data.actions),
        dropped=tuple(_action_line(r, language) for r in data.dropped),
        indicators=tuple(
            IndicatorLine(areas[c.area_key].code, indicators[c.key].code, localized(indicators[c.key], "text", language),
                          score_text(c.before), score_text(c.after), c.change, change_text(c.change),
                          no_change_text(c.no_change_reason))
            for c in ba.indicators
        ),
        areas=tuple(AreaLine(areas[a.key].code, localized(areas[a.key], "title", language), _float(a.before),
                             _float(a.after), _float(a.difference), a.rescored) for a in ba.areas),
        overall_before=_float(ba.overall_before), overall_after=_float(ba.overall_after),
        points_gained=ba.points_gained, not_counted=ba.not_counted, cost=cost, cost_note=cost_note(cost),
    )
