"""Every improvement action of the national plans as CSV and XLSX, for the national team.

``/plans/actions.csv|.xlsx`` (``?round=<id>``: one round's plans; otherwise every round), with
the permission of the national plans pages (:func:`~shelterassess.auth.permissions.can_view_plans_overview`).
One row per action (dropped ones included, with their status): round, facility code and name,
province, plan status, action number, description, the areas and indicators it addresses,
action status, who is responsible, start and due dates, cost in whole đồng, budget category,
skill. Text is neutralised (:mod:`shelterassess.exports`). The CSV is streamed; three queries
whatever the number of actions. Registered on the plans blueprint (imported at the end of its views).
"""
from __future__ import annotations

from collections.abc import Iterator

from flask import request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from shelterassess.auth import permissions as perm
from shelterassess.exports import csv_lines, write_xlsx
from shelterassess.extensions import db
from shelterassess.facilities.models import Facility, Province
from shelterassess.i18n import current_language
from shelterassess.plans import labels
from shelterassess.plans.models import ImprovementPlan, PlanAction, Skill, plan_action_indicator
from shelterassess.plans.views import bp
from shelterassess.rounds.models import Round
from shelterassess.scoresheets.models import Area, Indicator
from shelterassess.web.access import require
from shelterassess.web.downloads import csv_response, xlsx_response
from shelterassess.web.params import bounded_int


def header() -> list[str]:
    return [_("Round"), _("Facility code"), _("Facility name"), _("Province"), _("Plan status"), _("No."),
            _("Action"), _("Areas"), _("Indicators"), _("Action status"), _("Responsible"), _("Start"), _("Due"),
            _("Cost (VND)"), _("Funding category"), _("Skill")]


def actions_query(round_id: int | None) -> Select:
    query = (
        select(PlanAction.id, Round.name, Facility.code, Facility.name, Province.name_vi, Province.name_en,
               ImprovementPlan.status, PlanAction.position, PlanAction.description, PlanAction.status,
               PlanAction.responsible_role, PlanAction.responsible_name, PlanAction.start_on, PlanAction.due_on,
               PlanAction.cost_vnd, PlanAction.category, Skill.name_vi, Skill.name_en)
        .join(ImprovementPlan, PlanAction.plan_id == ImprovementPlan.id)
        .join(Facility, ImprovementPlan.facility_id == Facility.id)
        .join(Province, Facility.province_id == Province.id)
        .join(Round, ImprovementPlan.round_id == Round.id)
        .outerjoin(Skill, PlanAction.skill_id == Skill.id)
        .order_by(Round.name.desc(), Facility.code, PlanAction.position, PlanAction.id)
    )
    return query.where(ImprovementPlan.round_id == round_id) if round_id else query


def addressed(session: Session, action_ids: Select) -> dict[int, tuple[list[str], list[str]]]:
    """action id -> (area codes, indicator codes) it addresses, in sheet order (one query)."""
    out: dict[int, tuple[list[str], list[str]]] = {}
    rows = session.execute(
        select(plan_action_indicator.c.action_id, Area.code, Indicator.code)
        .join(Indicator, plan_action_indicator.c.indicator_id == Indicator.id)
        .join(Area, Indicator.area_id == Area.id)
        .where(plan_action_indicator.c.action_id.in_(action_ids))
        .order_by(Area.position, Indicator.position))
    for action_id, area, indicator in rows:
        areas, indicators = out.setdefault(action_id, ([], []))
        if area not in areas:
            areas.append(area)
        indicators.append(indicator)
    return out


def _pick(vi: str | None, en: str | None, vietnamese: bool) -> str:
    return ((vi if vietnamese else en) or vi or en) or ""


def rows(session: Session, round_id: int | None) -> Iterator[list]:
    """The export's rows, read while they are written."""
    query = actions_query(round_id)
    links = addressed(session, query.with_only_columns(PlanAction.id).order_by(None))
    vietnamese = current_language() == "vi"
    for (aid, round_name, code, name, province_vi, province_en, plan_status, position, description, status,
         role, person, start_on, due_on, cost, category, skill_vi, skill_en) in session.execute(
            query.execution_options(yield_per=500)):
        areas, indicators = links.get(aid, ([], []))
        responsible = ", ".join(p for p in (labels.label(labels.ROLE, role) if role else "", person) if p)
        skill = _pick(skill_vi, skill_en, vietnamese) if (skill_vi or skill_en) else ""
        yield [round_name, code, name, _pick(province_vi, province_en, vietnamese),
               labels.label(labels.PLAN_STATUS, plan_status), position, description, ", ".join(areas),
               ", ".join(indicators), labels.label(labels.ACTION_STATUS, status), responsible, start_on, due_on,
               cost, labels.label(labels.CATEGORY, category), skill]


def _round_id() -> int | None:
    return request.args.get("round", type=bounded_int)


def _name(round_id: int | None, extension: str) -> str:
    return f"plan-actions{f'-round{round_id}' if round_id else ''}.{extension}"


@bp.route("/actions.csv")
@login_required
def actions_csv():
    require(perm.can_view_plans_overview(current_user))
    round_id = _round_id()
    return csv_response(csv_lines(header(), rows(db.session, round_id)), _name(round_id, "csv"))


@bp.route("/actions.xlsx")
@login_required
def actions_xlsx():
    require(perm.can_view_plans_overview(current_user))
    round_id = _round_id()
    return xlsx_response(lambda handle: write_xlsx(handle, _("Plan actions"), header(), rows(db.session, round_id)),
                         _name(round_id, "xlsx"))
