"""The improvement plan as plain, already translated data for the PDF
(:class:`shelterassess.reports.renderers.plan.PlanRenderer`). Build it under
``force_locale(language)``: labels, dates and money are formatted here, in that language."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from shelterassess.assessments import peer_queries
from shelterassess.i18n import localized
from shelterassess.plans import domain, labels, queries
from shelterassess.plans.models import ImprovementPlan


@dataclass(frozen=True)
class ActionLine:
    number: int
    description: str
    indicators: tuple[str, ...]  # "B1 Files carry a code, not a name (0, red flag)"
    responsible: str
    start: str
    due: str
    cost: str
    category: str
    status: str
    dropped: bool
    overdue: bool
    drop_reason: str = ""


@dataclass(frozen=True)
class PlanReport:
    language: str
    facility_code: str
    facility_name: str
    province: str
    round_name: str
    status: str
    agreed_on: str
    actions: tuple[ActionLine, ...]
    totals: tuple[tuple[str, str], ...]  # (category label, money), then the total
    total: str
    team_leads: tuple[str, ...]


def _indicator_line(linked) -> str:
    ind, score = linked.indicator, linked.score
    if score is None or (score.value is None and not score.not_applicable):
        value = "–"
    else:
        value = str(score.value) if not score.not_applicable else _("N/A")
    flag = f", {_('red flag')}" if linked.red_flag else ""
    return f"{ind.code} {localized(ind, 'text')} ({value}{flag})"


def _responsible(action) -> str:
    role = labels.label(labels.ROLE, action.responsible_role) if action.responsible_role else ""
    return " – ".join(x for x in (role, action.responsible_name) if x)


def plan_report(session: Session, plan: ImprovementPlan, language: str, today: dt.date) -> PlanReport:
    page = queries.plan_page(session, plan, today)
    lines = tuple(ActionLine(
        number=row.number, description=row.action.description,
        indicators=tuple(_indicator_line(li) for li in row.indicators), responsible=_responsible(row.action),
        start=labels.day(row.action.start_on), due=labels.day(row.action.due_on), cost=labels.vnd(row.action.cost_vnd),
        category=labels.label(labels.CATEGORY, row.action.category)
        + (f" – {localized(row.action.skill, 'name')}" if row.action.skill else ""),
        status=labels.label(labels.ACTION_STATUS, row.action.status), dropped=row.dropped, overdue=row.overdue,
        drop_reason=row.action.drop_reason,
    ) for row in page.rows)
    teams = peer_queries.assigned_teams(session, plan.facility_id, plan.round_id)
    leads = tuple(f"{t.lead.display_name} ({t.name})" for t in teams)
    return PlanReport(
        language=language, facility_code=plan.facility.code, facility_name=plan.facility.name,
        province=localized(plan.facility.province, "name"), round_name=plan.round.name,
        status=labels.label(labels.PLAN_STATUS, plan.status),
        agreed_on=labels.day(plan.agreed.submitted_at.date()) if plan.agreed.submitted_at else "",
        actions=lines,
        totals=tuple((labels.label(labels.CATEGORY, c), labels.vnd(page.funding[c])) for c in domain.CATEGORIES),
        total=labels.vnd(page.total), team_leads=leads,
    )
