"""Improvement plans: the plans a person sees, the national overview of a round, one plan
(page and PDF), drafting it from the finalised agreed result, and its workflow (share, accept
or return, start, close, reopen). Changing actions and reporting progress: :mod:`.views_actions`."""
from __future__ import annotations

import re
from io import BytesIO
from types import SimpleNamespace
from typing import Callable, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale, gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user, login_required

from shelterassess.assessments import peer_queries
from shelterassess.assessments.forms import EmptyForm
from shelterassess.auth import permissions as perm
from shelterassess.cases import queries as case_queries
from shelterassess.db import utcnow
from shelterassess.extensions import db
from shelterassess.facilities.models import Facility
from shelterassess.i18n import current_language, localized, pick, supported_locales
from shelterassess.plans import display, domain, labels, queries, report_data, services
from shelterassess.plans.forms import OverviewFilterForm, ReopenPlanForm, ReturnForm
from shelterassess.plans.models import ImprovementPlan, PlanAction
from shelterassess.reports.renderers.plan import PlanRenderer
from shelterassess.rounds.models import Round
from shelterassess.web.access import get_or_404, require, visible_or_404
from shelterassess.web.forms import BaseForm, Committed, commit_or_refuse_stale
from shelterassess.web.pagination import paginate
from shelterassess.web.params import int_or_none

bp = Blueprint("plans", __name__, url_prefix="/plans")
T = TypeVar("T")


# -- helpers shared with views_actions -------------------------------------------------------

# Templates (and macros imported without context) read labels and vocabularies from these globals.
bp.add_app_template_global(labels, "plan_labels")
bp.add_app_template_global(domain, "plan_domain")
bp.add_app_template_filter(labels.vnd, "vnd")


def today():
    return to_user_timezone(utcnow()).date()


def stale_message() -> str:
    return _("Someone else changed this plan at the same moment. Nothing was saved: check the page and try again.")


def lead_peer_for(facility_id: int, round_id: int):
    if current_user.facility_id is None:
        return None  # only facility staff and managers sit on peer teams
    return queries.lead_peer(db.session, current_user.id, facility_id, round_id)


def load_plan(plan_id: int):
    """The plan and the user's led peer assessment of its facility, or 404 (no existence leak)."""
    plan = db.session.get(ImprovementPlan, plan_id)
    lead = lead_peer_for(plan.facility_id, plan.round_id) if plan is not None else None
    visible_or_404(plan, plan is not None and perm.can_view_plan(current_user, plan, lead))
    return plan, lead


def load_action(action_id: int):
    action = db.session.get(PlanAction, action_id)
    if action is None:
        abort(404)
    plan, lead = load_plan(action.plan_id)
    return action, plan, lead


def could_edit_as_draft(plan: ImprovementPlan, lead) -> bool:
    """Whether the user could edit the plan were it a draft (an author whose plan moved on)."""
    return perm.can_edit_plan(current_user, SimpleNamespace(facility_id=plan.facility_id, round_id=plan.round_id,
                                                            status=domain.DRAFT), lead)


def commit_or_refuse(action: Callable[[], T]) -> Committed[T] | None:
    return commit_or_refuse_stale(action, stale_message)


def submit_or_refuse(form: BaseForm, action: Callable[[], T]) -> Committed[T] | None:
    return form.submit_or_refuse_stale(action, stale_message)


def plan_url(plan_id: int, action_id: int | None = None) -> str:
    """The plan page, at the action (on the page of actions holding it)."""
    plan = db.session.get(ImprovementPlan, plan_id) if action_id else None
    pages = queries.page_of_action(plan, action_id) if plan is not None else {}
    return url_for("plans.plan", plan_id=plan_id, **pages, _anchor=f"action-{action_id}" if action_id else None)


# -- lists --------------------------------------------------------------------------------------

@bp.route("/")
@login_required
def index():
    require(perm.can_view_plans(current_user))
    national = perm.is_national(current_user)
    page = paginate(db.session, queries.rounds_with_plans_query(), request.args, scalars=False) if national else None
    return render_template(
        "plans/index.html", page=page,
        rounds=[(r, int(n or 0)) for r, n in page.items] if page else [],
        own=queries.facility_plans(db.session, current_user.facility_id) if current_user.facility_id else [],
        leads=[] if national else queries.lead_rows(db.session, current_user.id),
    )


@bp.route("/rounds/<int:round_id>")
@login_required
def overview(round_id: int):
    require(perm.can_view_plans_overview(current_user))
    round_ = get_or_404(Round, round_id)
    form = OverviewFilterForm(request.args)
    form.fill_choices(queries.plan_provinces(db.session, round_), localized)
    province = form.province.data or ""
    filters = queries.OverviewFilter(province_id=int_or_none(province),
                                     status=form.status.data if form.status.data in domain.PLAN_STATUSES else None)
    data = queries.overview(db.session, round_, filters, today(), request.args)
    return render_template("plans/overview.html", data=data, form=form, filtered=filters != queries.OverviewFilter())


# -- one facility's plan ------------------------------------------------------------------------

@bp.route("/facilities/<int:facility_id>/rounds/<int:round_id>")
@login_required
def facility_plan(facility_id: int, round_id: int):
    """The entry from the results pages: the plan when there is one to see, else what can be done."""
    facility, round_ = get_or_404(Facility, facility_id), get_or_404(Round, round_id)
    lead = lead_peer_for(facility.id, round_.id)
    plan = queries.plan_for(db.session, facility.id, round_.id)
    if plan is not None and perm.can_view_plan(current_user, plan, lead):
        return redirect(url_for(".plan", plan_id=plan.id))
    can_draft = perm.can_draft_plan(current_user, facility, round_, lead)
    visible_or_404(facility, can_draft or perm.is_facility_member(current_user, facility.id))
    return render_template("plans/facility.html", facility=facility, round_=round_, can_draft=can_draft,
                           agreed=peer_queries.official_result(db.session, facility.id, round_.id))


@bp.route("/facilities/<int:facility_id>/rounds/<int:round_id>/create", methods=["POST"])
@login_required
def create(facility_id: int, round_id: int):
    facility, round_ = get_or_404(Facility, facility_id), get_or_404(Round, round_id)
    lead = lead_peer_for(facility.id, round_.id)
    can_draft = perm.can_draft_plan(current_user, facility, round_, lead)
    visible_or_404(facility, can_draft or perm.is_facility_member(current_user, facility.id))
    require(can_draft)
    if not EmptyForm().validate_on_submit():
        abort(400)
    done = commit_or_refuse(lambda: services.create_plan(db.session, current_user, facility, round_))
    if not done:
        return redirect(url_for(".facility_plan", facility_id=facility.id, round_id=round_.id))
    flash(_("The plan is drafted with one proposed action per weak indicator. Edit, merge, drop or add actions, "
            "then share it with the facility."), "success")
    return redirect(url_for(".plan", plan_id=done.result.id))


@bp.route("/<int:plan_id>")
@login_required
def plan(plan_id: int):
    plan, lead = load_plan(plan_id)
    page = queries.plan_page(db.session, plan, today(), request.args)
    own = peer_queries.own_peer(db.session, current_user.id, plan.facility_id, plan.round_id)
    can_see_results = perm.can_view_peer_results(current_user, plan.facility, plan.round, own, plan.agreed)
    return render_template("plans/plan.html", page=page, plan=plan, lead_peer=lead, today=today(),
                           history=display.history(page.events, page.numbers), can_see_results=can_see_results,
                           action_history=display.by_action(page.latest, page.numbers),
                           case_titles={c.slug: pick(c.title) for c in case_queries.all_cases()},
                           practice_titles={p.id: localized(p, "title")
                                            for p in queries.published_practices(db.session)})


_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@bp.route("/<int:plan_id>.pdf")
@login_required
def plan_pdf(plan_id: int):
    plan, _lead = load_plan(plan_id)
    language = request.args.get("lang")
    language = language if language in supported_locales() else current_language()
    with force_locale(language):
        pdf = PlanRenderer().render(report_data.plan_report(db.session, plan, language, today()))
    code = _UNSAFE.sub("-", plan.facility.code).strip("-") or "facility"
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=False,
                     download_name=f"improvement-plan-{code}-round{plan.round_id}-{language}.pdf")


# -- workflow -----------------------------------------------------------------------------------

def _transition(plan_id: int, allowed: Callable, service: Callable, message: str):
    plan, lead = load_plan(plan_id)
    require(allowed(plan, lead))
    if not EmptyForm().validate_on_submit():
        abort(400)
    if commit_or_refuse(lambda: service(db.session, current_user, plan)):
        flash(message, "success")
    return redirect(url_for(".plan", plan_id=plan.id))


@bp.route("/<int:plan_id>/share", methods=["POST"])
@login_required
def share(plan_id: int):
    return _transition(plan_id, lambda p, lead: perm.can_edit_plan(current_user, p, lead), services.share,
                       _("The plan is shared with the facility. Its manager accepts it or returns it with comments."))


@bp.route("/<int:plan_id>/accept", methods=["POST"])
@login_required
def accept(plan_id: int):
    return _transition(plan_id, lambda p, lead: perm.can_decide_plan(current_user, p), services.accept,
                       _("You accepted the plan. From now on it changes only through a reopen by the national "
                         "team; you report progress on each action."))


@bp.route("/<int:plan_id>/start", methods=["POST"])
@login_required
def start(plan_id: int):
    return _transition(plan_id, lambda p, lead: perm.can_start_plan(current_user, p), services.start,
                       _("The plan is in progress."))


@bp.route("/<int:plan_id>/close", methods=["POST"])
@login_required
def close(plan_id: int):
    return _transition(plan_id, lambda p, lead: perm.can_close_plan(current_user, p), services.close,
                       _("The plan is closed."))


@bp.route("/<int:plan_id>/return", methods=["GET", "POST"])
@login_required
def return_(plan_id: int):
    plan, _lead = load_plan(plan_id)
    require(perm.can_decide_plan(current_user, plan))
    form = ReturnForm()
    if submit_or_refuse(form, lambda: services.return_plan(db.session, current_user, plan, form.comment.data or "")):
        flash(_("The plan went back to the team with your comments."), "success")
        return redirect(url_for(".plan", plan_id=plan.id))
    return render_template("plans/return.html", form=form, plan=plan)


@bp.route("/<int:plan_id>/reopen", methods=["GET", "POST"])
@login_required
def reopen(plan_id: int):
    plan, _lead = load_plan(plan_id)
    require(perm.can_reopen_plan(current_user, plan))
    form = ReopenPlanForm()
    if submit_or_refuse(form, lambda: services.reopen(db.session, current_user, plan, form.reason.data or "")):
        flash(_("The plan is a draft again. The facility sees it again once it is shared."), "success")
        return redirect(url_for(".plan", plan_id=plan.id))
    return render_template("plans/reopen.html", form=form, plan=plan)


from shelterassess.plans import exports as _exports  # noqa: E402,F401  (CSV/XLSX downloads, on bp)
