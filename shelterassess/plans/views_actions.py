"""The actions of a plan: add and edit (a stale save shows both copies), merge, drop with a
reason, restore, reorder; and progress reports (a dated note, the action's status)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from shelterassess.assessments.forms import EmptyForm
from shelterassess.auth import permissions as perm
from shelterassess.cases import queries as case_queries
from shelterassess.errors import StaleData, ValidationFailed
from shelterassess.extensions import db
from shelterassess.i18n import localized, pick
from shelterassess.plans import action_services, display, domain, labels, queries, services
from shelterassess.plans.forms import ActionForm, DropForm, MergeForm, ProgressForm, action_form_data
from shelterassess.plans.models import ImprovementPlan, PlanAction
from shelterassess.plans.views import (
    commit_or_refuse,
    could_edit_as_draft,
    load_action,
    load_plan,
    plan_url,
    stale_message,
    submit_or_refuse,
    today,
)
from shelterassess.web.access import require
from shelterassess.web.params import int_or_none

bp = Blueprint("plan_actions", __name__, url_prefix="/plans")


def _editable_or_refused(plan: ImprovementPlan, lead) -> bool:
    """True when the user may change the plan's actions. An author whose plan moved on meanwhile
    (shared, accepted) gets the page back with what they typed and the reason; others get 403."""
    if perm.can_edit_plan(current_user, plan, lead):
        return True
    require(could_edit_as_draft(plan, lead))
    try:
        services.ensure_editable(plan)
    except ValidationFailed as failure:
        for _field, message in failure.reasons:
            flash(message, "error")
    return False


def _action_form(plan: ImprovementPlan, action: PlanAction | None = None) -> ActionForm:
    if request.method == "POST":
        form = ActionForm()
    elif action is not None:
        form = ActionForm(data=action_form_data(action))
    else:
        form = ActionForm(data={"cost": "0", "category": domain.OTHER})
    cases = [(c.slug, pick(c.title)) for c in case_queries.all_cases()]
    skills = queries.active_skills(db.session, action.skill_id if action else None)
    form.fill_choices(queries.sheet_indicators(plan), queries.agreed_scores(db.session, plan), skills, cases,
                      queries.published_practices(db.session), localized)
    return form


def _render_action_form(form: ActionForm, plan: ImprovementPlan, action: PlanAction | None, status: int = 200,
                        saved: PlanAction | None = None, editable: bool = True):
    versions = display.compare_versions(form, saved, queries.sheet_indicators(plan),
                                        queries.active_skills(db.session, saved.skill_id)) if saved is not None else []
    number = next((n for n, a in enumerate(plan.actions, start=1) if action and a.id == action.id), None)
    return render_template("plans/action_form.html", form=form, plan=plan, action=action, number=number,
                           versions=versions, editable=editable), status


@bp.route("/<int:plan_id>/actions/new", methods=["GET", "POST"])
@login_required
def new_action(plan_id: int):
    plan, lead = load_plan(plan_id)
    editable = _editable_or_refused(plan, lead)
    form = _action_form(plan)
    if editable and (done := submit_or_refuse(
            form, lambda: action_services.add_action(db.session, current_user, plan, form.to_input()))):
        flash(_("The action was added."), "success")
        return redirect(plan_url(plan.id, done.result.id))
    status = 409 if not editable else (422 if form.errors or form.form_errors else 200)
    return _render_action_form(form, plan, None, status, editable=editable)


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit_action(action_id: int):
    action, plan, lead = load_action(action_id)
    editable = _editable_or_refused(plan, lead)
    form = _action_form(plan, action)
    if not editable or request.method != "POST":
        return _render_action_form(form, plan, action, 200 if editable else 409, editable=editable)
    try:
        if form.submit_to(lambda: action_services.save_action(db.session, current_user, action, form.to_input())):
            flash(_("The action was saved."), "success")
            return redirect(plan_url(plan.id, action.id))
    except (StaleData, StaleDataError):
        return _refuse_stale(form, action_id)
    return _render_action_form(form, plan, action, 422 if form.errors or form.form_errors else 200)


def _refuse_stale(form: ActionForm, action_id: int):
    """Someone saved the action since the form was opened: show both copies; saving again keeps yours.
    When the action itself did not change (someone changed another part of the plan at the same
    moment), say so and keep the form as it is."""
    based_on = form.version.data
    db.session.rollback()
    saved = db.session.get(PlanAction, action_id)
    if saved is None:
        flash(_("This action no longer exists: it was merged into another one. What you typed is lost."), "error")
        abort(404)
    if based_on == str(saved.version):
        flash(stale_message(), "warning")
        return _render_action_form(form, saved.plan, saved, 409)
    form.version.data = str(saved.version)
    flash(_("Someone else saved this action after you opened it. Your changes are still in the form; the saved "
            "version is shown beside them. Save again to keep yours, or go back to keep theirs."), "warning")
    return _render_action_form(form, saved.plan, saved, 409, saved=saved)


@bp.route("/actions/<int:action_id>/drop", methods=["GET", "POST"])
@login_required
def drop_action(action_id: int):
    action, plan, lead = load_action(action_id)
    require(perm.can_edit_plan(current_user, plan, lead))
    form = DropForm() if request.method == "POST" else DropForm(data={"version": str(action.version)})
    if submit_or_refuse(form, lambda: action_services.drop_action(
            db.session, current_user, action, form.drop_reason.data or "", form.version_number)):
        flash(_("The action was dropped. It stays in the plan, without cost, and can be restored."), "success")
        return redirect(plan_url(plan.id, action.id))
    number = next(n for n, a in enumerate(plan.actions, start=1) if a.id == action.id)
    return render_template("plans/drop.html", form=form, plan=plan, action=action, number=number), (
        422 if form.errors or form.form_errors else 200)


def _button(action_id: int, service, message: str):
    action, plan, lead = load_action(action_id)
    require(perm.can_edit_plan(current_user, plan, lead))
    if not EmptyForm().validate_on_submit():
        abort(400)
    if commit_or_refuse(lambda: service(action)) and message:
        flash(message, "success")
    return redirect(plan_url(plan.id, action.id))


@bp.route("/actions/<int:action_id>/restore", methods=["POST"])
@login_required
def restore_action(action_id: int):
    return _button(action_id, lambda a: action_services.restore_action(db.session, current_user, a),
                   _("The action was restored."))


@bp.route("/actions/<int:action_id>/move", methods=["POST"])
@login_required
def move_action(action_id: int):
    offset = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if offset is None:
        abort(400)
    return _button(action_id, lambda a: action_services.move_action(db.session, current_user, a, offset), "")


@bp.route("/<int:plan_id>/merge", methods=["GET", "POST"])
@login_required
def merge(plan_id: int):
    plan, lead = load_plan(plan_id)
    require(perm.can_edit_plan(current_user, plan, lead))
    form = MergeForm()
    form.action_ids.choices = [(str(a.id), str(n)) for n, a in enumerate(plan.actions, start=1)]
    if done := submit_or_refuse(form, lambda: action_services.merge_actions(db.session, current_user, plan, form.ids)):
        flash(_("The actions were merged into one."), "success")
        return redirect(plan_url(plan.id, done.result.id))
    page = queries.plan_page(db.session, plan, today())
    return render_template("plans/merge.html", form=form, plan=plan, page=page), (
        422 if form.errors or form.form_errors else 200)


@bp.route("/actions/<int:action_id>/progress", methods=["GET", "POST"])
@login_required
def progress(action_id: int):
    action, plan, lead = load_action(action_id)
    require(perm.can_add_progress_note(current_user, plan, lead) or perm.can_set_action_status(current_user, plan))
    may_set_status = perm.can_set_action_status(current_user, plan)
    form = ProgressForm() if request.method == "POST" else ProgressForm(data={
        "status": action.status, "drop_reason": action.drop_reason, "noted_on": today(),
        "version": str(action.version)})
    form.fill_choices()
    item = lambda: services.ProgressInput(  # noqa: E731
        form.status.data if may_set_status else None, form.drop_reason.data or "", form.noted_on.data,
        form.note.data or "", today(), int_or_none(form.version.data))
    if submit_or_refuse(form, lambda: services.report_progress(db.session, current_user, action, item())):
        flash(_("Progress recorded."), "success")
        return redirect(plan_url(plan.id, action.id))
    number = next(n for n, a in enumerate(plan.actions, start=1) if a.id == action.id)
    status_label = labels.label(labels.ACTION_STATUS, action.status)
    return render_template("plans/progress.html", form=form, plan=plan, action=action, number=number,
                           may_set_status=may_set_status, status_label=status_label), (
        422 if form.errors or form.form_errors else 200)


from shelterassess.plans import views_history as _history  # noqa: E402,F401  (the history pages, on bp)
