"""The visit toolkit (pages and PDFs, ``?lang=vi|en`` and ``?part=`` for the PDFs) and escalated
concerns: recording one, the national team's list and steps (acknowledge, record an action,
close, reopen), more information from the person who recorded it."""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale, format_date, to_user_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from shelterassess.assessments.forms import EmptyForm
from shelterassess.auth import permissions as perm
from shelterassess.db import utcnow
from shelterassess.extensions import db
from shelterassess.facilities.models import Facility
from shelterassess.i18n import current_language, supported_locales
from shelterassess.peer.models import TeamAssignment
from shelterassess.reports.renderers.toolkit import ToolkitRenderer
from shelterassess.toolkit import content, labels, queries, report_data, services
from shelterassess.toolkit.forms import PRIVACY_HINT, EscalationForm, NoteForm
from shelterassess.toolkit.models import Escalation, EscalationStatus
from shelterassess.web.access import require, visible_or_404
from shelterassess.web.forms import BaseForm
from shelterassess.web.params import bounded_int

bp = Blueprint("toolkit", __name__, url_prefix="/toolkit")
bp.add_app_template_global(labels, "escalation_labels")

PAGE_PARTS = ("agenda", *content.PROTOCOLS)


def _today():
    return to_user_timezone(utcnow()).date()


def _language() -> str:
    """``?lang=vi|en`` when given and supported, else the current locale."""
    lang = request.args.get("lang")
    return lang if lang in supported_locales() else current_language()


def _part() -> str:
    part = request.args.get("part", "all")
    if part not in content.PARTS:
        abort(404)
    return part


def _pdf(data: bytes, filename: str):
    return send_file(BytesIO(data), mimetype="application/pdf", download_name=filename, as_attachment=False)


def _teams():
    return queries.user_teams(db.session, current_user) if current_user.facility_id is not None else []


def _require_toolkit():
    teams = _teams()
    require(perm.can_view_toolkit(current_user, teams))
    return teams


@bp.app_template_global()
def open_escalation_count() -> int:
    """Escalations not closed, for the national team's menu (one query per request)."""
    if not perm.can_manage_escalations(current_user):
        return 0
    if "open_escalation_count" not in g:
        try:
            counts = queries.escalation_counts(db.session)
        except SQLAlchemyError:  # an error page after a failed transaction: no badge rather than no page
            return 0
        g.open_escalation_count = counts["open"] + counts["acknowledged"]
    return g.open_escalation_count


@bp.app_template_global()
def escalations_for_dashboard():
    """(counts by status, the oldest escalations not closed) for the national team's home page."""
    if not perm.can_manage_escalations(current_user):
        return None
    return queries.escalation_counts(db.session), queries.escalations_needing_action(db.session)


# -- toolkit ------------------------------------------------------------------------------------

@bp.route("/")
@login_required
def index():
    _require_toolkit()
    national = perm.is_national(current_user)
    visits = queries.all_visits(db.session) if national else queries.visits_for(db.session, current_user)
    return render_template("toolkit/index.html", visits=visits, national=national,
                           protocols=[(name, report_data.protocol(name, current_language()).title)
                                      for name in content.PROTOCOLS],
                           agenda_title=report_data.agenda(current_language()).title,
                           can_record=_can_record_any(), visits_shown=queries.NATIONAL_VISITS_SHOWN)


def _visited():
    if perm.is_national(current_user) or current_user.facility_id is None:
        return []
    return [(facility.id, team) for facility, team in queries.visited_facilities(db.session, current_user)]


def _can_record_any() -> bool:
    return perm.can_record_escalation(current_user, None, _visited())


@bp.route("/protocols/<name>")
@login_required
def protocol(name: str):
    _require_toolkit()
    if name not in PAGE_PARTS:
        abort(404)
    report = report_data.generic_report(current_language(), name)
    return render_template("toolkit/protocol.html", report=report, name=name)


@bp.route("/protocols.pdf")
@login_required
def protocols_pdf():
    _require_toolkit()
    part = _part()
    if part == "checklist":
        abort(404)  # the checklist belongs to a visit (its round's score sheet)
    language = _language()
    with force_locale(language):
        pdf = ToolkitRenderer().render(report_data.generic_report(language, part))
    return _pdf(pdf, f"visit-protocols-{part}-{language}.pdf")


def _load_visit(assignment_id: int) -> TeamAssignment:
    assignment = db.session.get(TeamAssignment, assignment_id)
    return visible_or_404(assignment, assignment is not None and perm.can_view_visit_toolkit(current_user, assignment))


def _visit_report(assignment: TeamAssignment, language: str, part: str):
    areas = queries.checklists(assignment.team.round.sheet)
    planned = format_date(assignment.planned_visit_on, "medium") if assignment.planned_visit_on else ""
    return report_data.visit_report(assignment, areas, queries.documents_to_request(areas, language), language,
                                    planned, part)


@bp.route("/visits/<int:assignment_id>")
@login_required
def visit(assignment_id: int):
    assignment = _load_visit(assignment_id)
    report = _visit_report(assignment, current_language(), "all")
    return render_template("toolkit/visit.html", assignment=assignment, report=report)


@bp.route("/visits/<int:assignment_id>.pdf")
@login_required
def visit_pdf(assignment_id: int):
    assignment = _load_visit(assignment_id)
    part, language = _part(), _language()
    with force_locale(language):
        pdf = ToolkitRenderer().render(_visit_report(assignment, language, part))
    code = "".join(c if c.isalnum() or c in "-_" else "-" for c in assignment.facility.code).strip("-") or "facility"
    return _pdf(pdf, f"visit-pack-{code}-{part}-{language}.pdf")


# -- escalations --------------------------------------------------------------------------------

@bp.route("/escalations")
@login_required
def escalations():
    require(perm.can_list_escalations(current_user))
    national = perm.can_manage_escalations(current_user)
    status = request.args.get("status")
    if status not in {s.value for s in EscalationStatus}:
        status = None
    rows = queries.escalations(db.session, None if national else current_user, status)
    counts = queries.escalation_counts(db.session) if national else None
    return render_template("toolkit/escalations.html", escalations=rows, national=national, counts=counts,
                           status=status, can_record=_can_record_any())


def _facility_choices(form: EscalationForm):
    if perm.is_national(current_user):
        facilities = [(f, None) for f in queries.active_facilities(db.session)]
    else:
        facilities = queries.visited_facilities(db.session, current_user)
    form.facility_id.choices = [("", _("Choose a facility"))] + [(f.id, f"{f.code} · {f.name}") for f, _t in facilities]
    return {f.id: (f, t) for f, t in facilities}


@bp.route("/escalations/new", methods=["GET", "POST"])
@login_required
def new_escalation():
    visited = _visited()
    require(perm.can_record_escalation(current_user, None, visited))
    form = EscalationForm()
    choices = _facility_choices(form)
    if request.method == "GET":
        form.facility_id.data = request.args.get("facility", type=bounded_int)
        form.seen_on.data = _today()

    def record():
        facility, team = choices.get(form.facility_id.data, (None, None))
        if facility is None and perm.is_national(current_user) and form.facility_id.data:
            facility = db.session.get(Facility, form.facility_id.data)
        allowed = facility is not None and perm.can_record_escalation(current_user, facility, visited)
        return services.record_escalation(
            db.session, current_user, facility=facility, team=team, facility_allowed=allowed,
            category=form.category.data, seen_on=form.seen_on.data, today=_today(),
            description=form.description.data, immediate_action=form.immediate_action.data)

    if done := form.submit_to(record):
        flash(_("The concern is recorded. The national team sees it now; phone them too if anyone is in danger."),
              "success")
        return redirect(url_for(".escalation", escalation_id=done.result.id))
    return render_template("toolkit/escalation_form.html", form=form, privacy_hint=PRIVACY_HINT)


def _load_escalation(escalation_id: int) -> Escalation:
    escalation = db.session.get(Escalation, escalation_id)
    return visible_or_404(escalation, escalation is not None and perm.can_view_escalation(current_user, escalation))


def _note_forms(escalation: Escalation, failed: tuple[str, NoteForm] | None = None) -> dict[str, BaseForm]:
    forms: dict[str, BaseForm] = {name: NoteForm(prefix=name, formdata=None)
                                  for name in ("action", "information", "close", "reopen")}
    forms["acknowledge"] = EmptyForm(formdata=None)
    if failed:
        forms[failed[0]] = failed[1]
    titles = {"action": _("What did the national team do?"), "information": _("More information"),
              "close": _("Outcome: why the escalation can be closed"), "reopen": _("Why reopen it?")}
    for name, title in titles.items():
        forms[name].text.label.text = title
    return forms


@bp.route("/escalations/<int:escalation_id>")
@login_required
def escalation(escalation_id: int):
    item = _load_escalation(escalation_id)
    return render_template("toolkit/escalation.html", escalation=item, forms=_note_forms(item),
                           privacy_hint=PRIVACY_HINT)


def _step(escalation_id: int, name: str, allowed, action, done_message: str, with_text: bool = True):
    """Load and check, run one service step with the form's text, commit once. A refused step is
    flashed and nothing is saved; a form error re-renders the page with the typed text."""
    item = _load_escalation(escalation_id)
    require(allowed(current_user, item))
    form = NoteForm(prefix=name) if with_text else EmptyForm()
    try:
        committed = form.submit_to(lambda: action(item, form.text.data if with_text else None))
    except StaleDataError:
        db.session.rollback()
        flash(labels.stale_message(), "error")
        return redirect(url_for(".escalation", escalation_id=escalation_id))
    if committed:
        flash(done_message, "success")
        return redirect(url_for(".escalation", escalation_id=escalation_id))
    if not with_text or form.form_errors and not form.text.errors:
        for message in form.form_errors:
            flash(message, "error")
        if not form.form_errors:
            abort(400)
        return redirect(url_for(".escalation", escalation_id=escalation_id))
    db.session.refresh(item)
    return render_template("toolkit/escalation.html", escalation=item, forms=_note_forms(item, (name, form)),
                           privacy_hint=PRIVACY_HINT, focus=name)


def _national(user, escalation) -> bool:
    return perm.can_manage_escalations(user)


@bp.route("/escalations/<int:escalation_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(escalation_id: int):
    return _step(escalation_id, "acknowledge", _national,
                 lambda item, _text: services.acknowledge(db.session, current_user, item),
                 _("Acknowledged: the escalation is now with you."), with_text=False)


@bp.route("/escalations/<int:escalation_id>/actions", methods=["POST"])
@login_required
def record_action(escalation_id: int):
    return _step(escalation_id, "action", _national,
                 lambda item, text: services.record_action(db.session, current_user, item, text),
                 _("Action recorded."))


@bp.route("/escalations/<int:escalation_id>/information", methods=["POST"])
@login_required
def add_information(escalation_id: int):
    return _step(escalation_id, "information", perm.is_escalation_recorder,
                 lambda item, text: services.add_information(db.session, current_user, item, text),
                 _("Information added. The national team sees it."))


@bp.route("/escalations/<int:escalation_id>/close", methods=["POST"])
@login_required
def close(escalation_id: int):
    return _step(escalation_id, "close", _national,
                 lambda item, text: services.close(db.session, current_user, item, text), _("Escalation closed."))


@bp.route("/escalations/<int:escalation_id>/reopen", methods=["POST"])
@login_required
def reopen(escalation_id: int):
    return _step(escalation_id, "reopen", _national,
                 lambda item, text: services.reopen(db.session, current_user, item, text), _("Escalation reopened."))
