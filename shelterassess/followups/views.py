"""Follow-up visits: the list, scheduling (national team), the visit form (team members fill, the
lead submits), reopening (national team), results and their PDF, the national compliance table."""
from __future__ import annotations

import re
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user, login_required

from shelterassess.auth import permissions as perm
from shelterassess.comparisons.display import format_points
from shelterassess.db import utcnow
from shelterassess.errors import StaleData, ValidationFailed
from shelterassess.extensions import db
from shelterassess.followups import queries, services
from shelterassess.followups.forms import (
    OUTCOME_LABELS,
    ReopenVisitForm,
    ScheduleForm,
    SubmitVisitForm,
    visit_form_class,
    visit_form_data,
    visit_inputs,
)
from shelterassess.followups.models import FollowUpVisit
from shelterassess.followups.national_data import compliance_table, table_page
from shelterassess.followups.report_data import follow_up_report, format_vnd, outcome_label
from shelterassess.i18n import current_language, supported_locales
from shelterassess.peer.models import PeerTeam
from shelterassess.plans.models import ImprovementPlan
from shelterassess.reports.renderers.follow_up import FollowUpRenderer
from shelterassess.rounds.models import Round
from shelterassess.rounds.queries import all_rounds
from shelterassess.teams.services import TeamRulesFailed
from shelterassess.teams.views import rule_message
from shelterassess.web.access import get_or_404, require, visible_or_404
from shelterassess.web.params import bounded_int

bp = Blueprint("followups", __name__, url_prefix="/follow-ups")

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@bp.context_processor
def _helpers():
    return {"fmt_vnd": format_vnd, "outcome_label": outcome_label, "fmt_points": format_points}


def _today():
    return to_user_timezone(utcnow()).date()


def _visit(visit_id: int, allowed) -> FollowUpVisit:
    """The visit, or 404 when it does not exist or ``allowed(user, visit)`` says no."""
    visit = db.session.get(FollowUpVisit, visit_id)
    return visible_or_404(visit, visit is not None and allowed(current_user, visit))


# -- lists and scheduling --------------------------------------------------------------

@bp.route("/")
@login_required
def index():
    require(perm.can_view_follow_ups(current_user))
    national = perm.can_manage_follow_ups(current_user)
    lists = queries.visit_list_pages(db.session, _today(), request.args, None if national else current_user,
                                     with_plans=national)
    return render_template("followups/index.html", lists=lists, plans=lists.plans, today=_today())


@bp.route("/plans/<int:plan_id>/schedule", methods=["GET", "POST"])
@login_required
def schedule(plan_id: int):
    require(perm.can_manage_follow_ups(current_user))
    plan = get_or_404(ImprovementPlan, plan_id)
    teams = queries.candidate_teams(db.session, plan)
    form = ScheduleForm()
    assessed = queries.assessing_team_ids(db.session, plan)
    form.team_id.choices = [(0, _("Choose a team"))] + [(t.id, _team_label(t, t.id in assessed)) for t in teams]
    if request.method == "GET" and assessed:
        form.team_id.data = next(t.id for t in teams if t.id in assessed)
    team = db.session.get(PeerTeam, form.team_id.data) if form.team_id.data else None

    def schedule_it():
        try:
            return services.schedule_visit(db.session, current_user, plan, team, form.planned_on.data, _today())
        except TeamRulesFailed as failure:  # rule codes -> messages on the team field
            raise ValidationFailed([("team_id", rule_message(r)) for r in failure.results])

    if done := form.submit_to(schedule_it):
        flash(_("Follow-up visit of %(facility)s scheduled with %(team)s.", facility=plan.facility.code,
                team=done.result.team.name), "success")
        return redirect(url_for(".visit", visit_id=done.result.id))
    return render_template("followups/schedule.html", form=form, plan=plan,
                           live=queries.live_actions(plan)), 422 if form.errors or form.form_errors else 200


def _team_label(team: PeerTeam, assessed: bool) -> str:
    label = f"{team.name} · {team.round.name}"
    return _("%(team)s (assessed this facility)", team=label) if assessed else label


# -- the visit form ---------------------------------------------------------------------------

@bp.route("/<int:visit_id>", methods=["GET", "POST"])
@login_required
def visit(visit_id: int):
    found = _visit(visit_id, perm.can_view_follow_up_visit)
    editable = perm.can_edit_follow_up_visit(current_user, found)
    data = queries.visit_data(db.session, found)
    form_class = visit_form_class(data)
    form = form_class() if request.method == "POST" else form_class(data=visit_form_data(data))
    conflicts: list[str] = []
    if request.method == "POST" and not editable:
        # A team member whose visit was submitted since the page was opened:
        # nothing is saved, and what they typed is shown again so that they can copy it.
        require(perm.is_team_member(current_user, found.team) and not perm.is_national(current_user))
        flash(_("This visit was submitted in the meantime: nothing was saved. What you typed is still shown "
                "below."), "error")
        return _visit_page(found, data, form, False, [], SubmitVisitForm(formdata=None)), 409
    if request.method == "POST":
        if form.validate_on_submit():
            outcome = _save(found, form)
            if outcome is None:
                flash(_("Saved."), "success")
                return redirect(url_for(".visit", visit_id=found.id, saved=1))
            conflicts = outcome
            data = queries.visit_data(db.session, found)
            _take_current_versions(form, data)
    return _visit_page(found, data, form, editable, conflicts, SubmitVisitForm(formdata=None, data={
        "visited_on": found.visited_on or min(found.planned_on or _today(), _today())}))


def _save(found: FollowUpVisit, form) -> list[str] | None:
    """None when saved; else the labels changed by someone else (empty on a refused input)."""
    try:
        services.save_results(db.session, current_user, found, *visit_inputs(request.form))
    except ValidationFailed as failure:
        db.session.rollback()
        form.populate_errors(failure)
        return []
    except StaleData as stale:
        db.session.rollback()
        flash(_stale_message(stale.what), "warning")
        return stale.what or [_("the visit")]
    db.session.commit()
    return None


def _stale_message(what: list[str]) -> str:
    if not what:
        return _("Someone else saved this visit at the same moment. Nothing of yours was saved; your answers are "
                 "still in the form. Save again to keep them.")
    return _("Someone else changed %(items)s since you opened this page. Your answers are still in the form; "
             "their saved answers are shown under each item. Save again to keep yours.", items=", ".join(what))


def _take_current_versions(form, data: queries.VisitData) -> None:
    """The next save deliberately replaces the other copy."""
    for row in data.actions:
        if row.result is not None:
            form[f"aversion-{row.action.id}"].data = str(row.result.version)
    for row in data.indicators:
        if row.score is not None:
            form[f"version-{row.indicator.id}"].data = str(row.score.version)


def _visit_page(found: FollowUpVisit, data: queries.VisitData, form, editable: bool, conflicts: list[str],
                submit_form: SubmitVisitForm):
    return render_template(
        "followups/visit.html", visit=found, data=data, form=form, editable=editable, conflicts=conflicts,
        submit_form=submit_form, outcome_labels=OUTCOME_LABELS, note_max=services.NOTE_MAX_LENGTH,
        events=found.assessment.events if found.assessment else [],
    )


@bp.route("/<int:visit_id>/submit", methods=["POST"])
@login_required
def submit(visit_id: int):
    found = _visit(visit_id, perm.can_view_follow_up_visit)
    require(perm.can_submit_follow_up_visit(current_user, found))
    submit_form = SubmitVisitForm()
    try:
        done = submit_form.submit_to(lambda: services.submit_visit(db.session, current_user, found,
                                                                   submit_form.visited_on.data, _today()))
    except StaleData:
        db.session.rollback()
        flash(_("A team member saved results while you were submitting. Check them, then submit again."), "warning")
        return redirect(url_for(".visit", visit_id=found.id))
    if done:
        flash(_("The follow-up visit has been submitted. It is now read-only."), "success")
        return redirect(url_for(".results", visit_id=found.id))
    data = queries.visit_data(db.session, found)
    form = visit_form_class(data)(formdata=None, data=visit_form_data(data))
    return _visit_page(found, data, form, True, [], submit_form), 422


@bp.route("/<int:visit_id>/reopen", methods=["GET", "POST"])
@login_required
def reopen(visit_id: int):
    require(perm.can_manage_follow_ups(current_user))
    found = _visit(visit_id, perm.can_view_follow_up_visit)
    require(perm.can_reopen_follow_up_visit(current_user, found))
    form = ReopenVisitForm()
    try:
        done = form.submit_to(lambda: services.reopen_visit(db.session, current_user, found, form.reason.data))
    except StaleData:
        db.session.rollback()
        abort(409)
    if done:
        flash(_("The follow-up visit is open again. The team lead submits it again when the results are corrected."),
              "success")
        return redirect(url_for(".visit", visit_id=found.id))
    return render_template("followups/reopen.html", form=form, visit=found)


# -- results ---------------------------------------------------------------------------------

@bp.route("/<int:visit_id>/results")
@login_required
def results(visit_id: int):
    found = _visit(visit_id, perm.can_view_follow_up_results)
    report = follow_up_report(db.session, found, current_language())
    return render_template("followups/results.html", visit=found, report=report)


@bp.route("/<int:visit_id>.pdf")
@login_required
def results_pdf(visit_id: int):
    found = _visit(visit_id, perm.can_view_follow_up_results)
    language = request.args.get("lang")
    language = language if language in supported_locales() else current_language()
    with force_locale(language):
        pdf = FollowUpRenderer().render(follow_up_report(db.session, found, language))
    code = _UNSAFE.sub("-", found.plan.facility.code).strip("-") or "facility"
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=False,
                     download_name=f"follow-up-{code}-visit{found.id}.pdf")


@bp.route("/compliance")
@login_required
def compliance():
    require(perm.can_manage_follow_ups(current_user))
    rounds = all_rounds(db.session)
    round_id = request.args.get("round", type=bounded_int)
    if round_id:
        round_ = get_or_404(Round, round_id)
    else:  # the newest round with a submitted follow-up, else the newest round
        with_visits = queries.rounds_with_submitted_visits(db.session)
        round_ = next((r for r in rounds if r.id in with_visits), rounds[0] if rounds else None)
    table = compliance_table(db.session, round_.id, current_language()) if round_ else None
    page, groups = table_page(table, request.args) if table else (None, ())
    return render_template("followups/compliance.html", rounds=rounds, round=round_, table=table, page=page,
                           groups=groups)
