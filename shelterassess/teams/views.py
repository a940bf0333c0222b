"""Peer teams: the national team forms them, assigns facilities and schedules visits;
members see their own teams and visits."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from shelterassess.assessments.forms import EmptyForm
from shelterassess.assessors import queries as assessor_queries
from shelterassess.auth import permissions as perm
from shelterassess.auth.models import User
from shelterassess.db import utcnow
from shelterassess.extensions import db
from shelterassess.facilities.models import Facility
from shelterassess.peer.models import PeerTeam, TeamAssignment
from shelterassess.rounds.models import Round, RoundStatus
from shelterassess.rounds.queries import all_rounds
from shelterassess.teams import domain, queries, services
from shelterassess.teams.domain import RuleResult
from shelterassess.teams.forms import AssignForm, TeamForm, VisitForm, WithdrawAssignmentForm
from shelterassess.teams.services import TeamRulesFailed
from shelterassess.web.access import get_or_404, require, visible_or_404
from shelterassess.web.pagination import paginate
from shelterassess.web.params import bounded_int

bp = Blueprint("teams", __name__, url_prefix="/teams")

RULE_MESSAGES = {
    "team_size": _l("A team needs %(min)d to %(max)d members; this one has %(count)d."),
    "lead_missing": _l("Choose the team lead."),
    "lead_not_member": _l("The team lead must be one of the members."),
    "member_without_facility": _l("%(person)s does not work at a facility; peer assessors come from shelters "
                                  "and reception centres."),
    "member_not_certified": _l("%(person)s is not a certified assessor."),
    "no_reception_centre_member": _l("No member works at a border reception centre."),
    "member_from_assessed_facility": _l("%(person)s works at %(facility)s, which this team assesses."),
    "reciprocal_assessment": _l("%(facility)s and %(assessed)s would assess each other in this round: this team has "
                                "a member from %(facility)s and assesses %(assessed)s, while team %(other_team)s has "
                                "a member from %(assessed)s and assesses %(facility)s."),
    "too_many_teams": _l("%(facility)s already has %(max)d teams in this round (%(teams)s)."),
    "repeated_team": _l("The same members assessed %(facility)s in the previous round (%(round)s)."),
    "already_assigned": _l("Team %(team)s is already assigned to %(facility)s."),
    "facility_inactive": _l("%(facility)s is not active."),
    "team_has_assessments": _l("Team %(team)s has started peer assessments, so it cannot be deleted."),
    "assignment_has_assessment": _l("Team %(team)s has started its peer assessment of %(facility)s, so the "
                                    "assignment cannot be removed."),
    "name_missing": _l("Enter a team name."),
    "name_taken": _l("A team called %(name)s exists already in %(round)s."),
    "round_closed": _l("The round %(round)s is closed; its teams and assignments can no longer change."),
    "assignment_withdrawn": _l("The assignment of team %(team)s to %(facility)s is withdrawn already."),
    "withdraw_reason_missing": _l("Say why the assignment is withdrawn (at least %(min)d characters)."),
    "result_finalised": _l("The agreed result of %(facility)s is finalised for this round. The national team must "
                           "reopen it before the facility's teams change."),
}

#: where each rule's message goes on the team form (others go to the top of the form)
TEAM_FIELDS = {"team_size": "members", "member_not_certified": "members", "member_without_facility": "members",
               "member_from_assessed_facility": "members", "lead_missing": "lead_id", "lead_not_member": "lead_id",
               "name_missing": "name", "name_taken": "name"}
ASSIGN_FIELDS = {"already_assigned": "facility_id", "facility_inactive": "facility_id", "too_many_teams": "facility_id"}


@bp.app_template_global()
def rule_message(result: RuleResult) -> str:
    template = RULE_MESSAGES.get(result.code)
    return str(template) % dict(result.message_params) if template is not None else result.code


@bp.app_template_global()
def has_peer_teams(user) -> bool:
    """For the "My teams" link: is this assessor on any team? (one query per request)"""
    if not perm.can_view_own_teams(user):
        return False
    if "has_peer_teams" not in g:
        try:
            g.has_peer_teams = queries.user_has_teams(db.session, user.id)
        except SQLAlchemyError:  # an error page after a failed transaction: no link rather than no page
            return False
    return g.has_peer_teams


def _today():
    return to_user_timezone(utcnow()).date()


# -- lists -------------------------------------------------------------------------

@bp.route("/")
@login_required
def index():
    require(perm.can_manage_teams(current_user))
    rounds = all_rounds(db.session)
    round_ = _selected_round(rounds, request.args.get("round", type=bounded_int))
    page = paginate(db.session, queries.teams_of_round_query(round_.id), request.args) if round_ else None
    teams = page.items if page else []
    findings = {}
    if teams:
        context = queries.round_context(db.session, round_)
        findings = {team_id: domain.check_team(plan, context)
                    for team_id, plan in queries.plans_of(db.session, teams).items()}
    return render_template("teams/index.html", rounds=rounds, round=round_, teams=teams, page=page, findings=findings,
                           form=EmptyForm())


def _selected_round(rounds: list[Round], round_id: int | None) -> Round | None:
    if round_id is not None:
        chosen = next((r for r in rounds if r.id == round_id), None)
        if chosen is None:
            abort(404)
        return chosen
    return next((r for r in rounds if r.is_open), rounds[0] if rounds else None)


@bp.route("/mine")
@login_required
def mine():
    require(perm.can_view_own_teams(current_user))
    teams = queries.teams_for_user(db.session, current_user)
    return render_template("teams/mine.html", teams=teams)


@bp.route("/visits")
@login_required
def visits():
    require(perm.can_view_visits(current_user))
    user = None if perm.can_manage_teams(current_user) else current_user
    schedule = queries.visit_schedule_pages(db.session, _today(), request.args, user)
    return render_template("teams/visits.html", schedule=schedule, today=_today())


@bp.route("/<int:team_id>")
@login_required
def detail(team_id: int):
    team = db.session.get(PeerTeam, team_id)
    visible_or_404(team, team is not None and perm.can_view_team(current_user, team))
    findings = []
    if perm.can_manage_teams(current_user):
        context = queries.round_context(db.session, team.round, exclude_team_id=team.id)
        findings = domain.check_team(queries.plan_of(db.session, team), context)
    started = queries.peer_assessments(db.session, [team.id])
    return render_template("teams/detail.html", team=team, findings=findings, started=started, form=EmptyForm())


# -- forming teams -------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(perm.can_manage_teams(current_user))
    form = TeamForm()
    _team_choices(form)
    if request.method == "GET":
        form.round_id.data = request.args.get("round", type=bounded_int)
    warnings: list[str] = []
    if form.validate_on_submit():
        round_ = get_or_404(Round, form.round_id.data)
        outcome = _save_team(form, lambda members, lead: services.create_team(
            db.session, round_, form.name.data, members, lead, confirm_warnings=form.confirm_warnings.data)[0])
        if isinstance(outcome, PeerTeam):
            flash(_("Team %(name)s created.", name=outcome.name), "success")
            return redirect(url_for(".index", round=outcome.round_id))
        warnings = outcome
    return render_template("teams/form.html", form=form, team=None, warnings=warnings)


@bp.route("/<int:team_id>/edit", methods=["GET", "POST"])
@login_required
def edit(team_id: int):
    require(perm.can_manage_teams(current_user))
    team = get_or_404(PeerTeam, team_id)
    form = TeamForm(data=None if request.method == "POST" else _team_data(team))
    del form.round_id
    _team_choices(form, team)
    warnings: list[str] = []
    if form.validate_on_submit():
        def update(members, lead):
            services.update_team(db.session, team, form.name.data, members, lead,
                                 confirm_warnings=form.confirm_warnings.data)
            return team

        outcome = _save_team(form, update)
        if isinstance(outcome, PeerTeam):
            flash(_("Team %(name)s saved.", name=team.name), "success")
            return redirect(url_for(".detail", team_id=team.id))
        warnings = outcome
    return render_template("teams/form.html", form=form, team=team, warnings=warnings)


def _team_data(team: PeerTeam) -> dict:
    return {"name": team.name, "members": sorted(team.member_ids), "lead_id": team.lead_id}


def _team_choices(form: TeamForm, team: PeerTeam | None = None) -> None:
    if "round_id" in form:
        form.round_id.choices = [(r.id, r.name) for r in all_rounds(db.session)
                                 if r.status != RoundStatus.CLOSED.value]
    people = {u.id: u for u in assessor_queries.certified_assessors(db.session)}
    for member in team.members if team else []:
        people.setdefault(member.user_id, member.user)
    labels = [(u.id, _person_label(u)) for u in people.values()]
    form.members.choices = labels
    form.lead_id.choices = [("", _("Choose the lead"))] + labels


def _person_label(user: User) -> str:
    return f"{user.display_name} ({user.facility.code})" if user.facility else user.display_name


def _save_team(form: TeamForm, save):
    """The saved team, or the warnings to confirm (errors are put on the form)."""
    ids = set(form.members.data or [])
    members = list(db.session.scalars(select(User).where(User.id.in_(ids)))) if ids else []
    lead = db.session.get(User, form.lead_id.data) if form.lead_id.data else None
    if len(members) != len(ids):
        form.members.errors.append(_("Choose people from the list."))
        return []
    try:
        team = save(members, lead)
    except TeamRulesFailed as failure:
        return _refused(form, failure, TEAM_FIELDS)
    db.session.commit()
    return team


def _refused(form, failure: TeamRulesFailed, fields: dict[str, str]) -> list[str]:
    """Roll back, put the errors on the form and return the warnings as messages."""
    db.session.rollback()
    for result in failure.errors:
        field = getattr(form, fields.get(result.code, ""), None)
        target = field.errors if field is not None else form.form_errors
        target.append(rule_message(result))
    form.confirm_warnings.data = False
    return [rule_message(w) for w in failure.warnings]


@bp.route("/<int:team_id>/delete", methods=["POST"])
@login_required
def delete(team_id: int):
    require(perm.can_manage_teams(current_user))
    team = get_or_404(PeerTeam, team_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    round_id, name = team.round_id, team.name
    if _apply(lambda: services.delete_team(db.session, team)):
        flash(_("Team %(name)s deleted.", name=name), "success")
        return redirect(url_for(".index", round=round_id))
    return redirect(url_for(".detail", team_id=team_id))


def _apply(action) -> bool:
    """Run a service; flash its refusal. True when done and committed."""
    try:
        action()
    except TeamRulesFailed as failure:
        db.session.rollback()
        for result in failure.results:
            flash(rule_message(result), "error")
        return False
    db.session.commit()
    return True


# -- assignments and visits ------------------------------------------------------------

@bp.route("/<int:team_id>/assign", methods=["GET", "POST"])
@login_required
def assign(team_id: int):
    require(perm.can_manage_teams(current_user))
    team = get_or_404(PeerTeam, team_id)
    form = AssignForm()
    assigned = {a.facility_id for a in team.assignments}
    form.facility_id.choices = [("", _("Choose a facility"))] + [
        (f.id, f"{f.code} · {f.name}") for f in queries.active_facilities(db.session) if f.id not in assigned]
    warnings: list[str] = []
    if form.validate_on_submit():
        facility = get_or_404(Facility, form.facility_id.data)
        try:
            services.assign(db.session, team, facility, form.planned_visit_on.data,
                            confirm_warnings=form.confirm_warnings.data)
        except TeamRulesFailed as failure:
            warnings = _refused(form, failure, ASSIGN_FIELDS)
        else:
            db.session.commit()
            flash(_("Team %(team)s assigned to %(facility)s.", team=team.name, facility=facility.code), "success")
            return redirect(url_for(".detail", team_id=team.id))
    return render_template("teams/assign.html", form=form, team=team, warnings=warnings)


@bp.route("/assignments/<int:assignment_id>/delete", methods=["POST"])
@login_required
def delete_assignment(assignment_id: int):
    require(perm.can_manage_teams(current_user))
    assignment = get_or_404(TeamAssignment, assignment_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    team_id, code = assignment.team_id, assignment.facility.code
    if _apply(lambda: services.unassign(db.session, assignment)):
        flash(_("Assignment to %(facility)s removed.", facility=code), "success")
    return redirect(url_for(".detail", team_id=team_id))


@bp.route("/assignments/<int:assignment_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw_assignment(assignment_id: int):
    require(perm.can_release_results(current_user))
    assignment = get_or_404(TeamAssignment, assignment_id)
    form = WithdrawAssignmentForm()
    if form.validate_on_submit():
        try:
            services.withdraw_assignment(db.session, current_user, assignment, form.reason.data)
        except TeamRulesFailed as failure:
            db.session.rollback()
            form.form_errors.extend(rule_message(r) for r in failure.results)
        else:
            db.session.commit()
            flash(_("Team %(team)s no longer assesses %(facility)s in this round. Its peer assessment will not be "
                    "part of the result.", team=assignment.team.name, facility=assignment.facility.code), "success")
            return redirect(url_for(".detail", team_id=assignment.team_id))
    return render_template("teams/withdraw.html", form=form, assignment=assignment)


@bp.route("/assignments/<int:assignment_id>/visit", methods=["GET", "POST"])
@login_required
def visit(assignment_id: int):
    require(perm.can_manage_teams(current_user))
    assignment = get_or_404(TeamAssignment, assignment_id)
    form = VisitForm(data=None if request.method == "POST" else {"planned_visit_on": assignment.planned_visit_on})
    if form.validate_on_submit():
        if _apply(lambda: services.set_visit_date(db.session, assignment, form.planned_visit_on.data)):
            flash(_("Visit date saved."), "success")
        return redirect(url_for(".detail", team_id=assignment.team_id))
    return render_template("teams/visit.html", form=form, assignment=assignment)
