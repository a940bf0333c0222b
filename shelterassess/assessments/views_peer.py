"""Peer scoring pages: a team's assignments, blind scoring area by area, submission,
reconciliation into agreed scores, results side by side, and release by the national team."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from flask_login import current_user, login_required
from wtforms import DateField, HiddenField, SelectField
from wtforms.validators import DataRequired, Length

from shelterassess.assessments import area_form, peer_queries, peer_services, queries, release_queries, services
from shelterassess.assessments.forms import NA, EVIDENCE_LABELS, EmptyForm, score_value
from shelterassess.assessments.models import Assessment, AssessmentKind
from shelterassess.assessments.reconciliation import REASON_MAX_LENGTH
from shelterassess.assessments.results import build_results
from shelterassess.auth import permissions as perm
from shelterassess.comparisons import queries as comparison_queries
from shelterassess.db import utcnow
from shelterassess.errors import StaleData, ValidationFailed
from shelterassess.extensions import db
from shelterassess.facilities.models import Facility
from shelterassess.peer.models import TeamAssignment
from shelterassess.rounds.models import Round
from shelterassess.web.access import get_or_404, require, visible_or_404
from shelterassess.web.forms import BaseForm, NoteField, commit_or_flash
from shelterassess.web.pagination import paginate
from shelterassess.web.params import int_or_none

bp = Blueprint("peer", __name__, url_prefix="/peer")


# -- forms ---------------------------------------------------------------------------

class ReconcileFormBase(BaseForm):
    def agreed_inputs(self, indicators) -> list[peer_services.AgreedInput]:
        items = []
        for ind in indicators:
            raw = (self[f"agreed-{ind.id}"].data or "").strip()
            version = self[f"version-{ind.id}"].data
            items.append(peer_services.AgreedInput(
                indicator_id=ind.id,
                value=score_value(raw),
                not_applicable=raw == NA,
                reason=(self[f"reason-{ind.id}"].data or "").strip(),
                version=int_or_none(version),
            ))
        return items


def reconcile_form_class(indicators):
    """Fields agreed-<id>, reason-<id>, version-<id> for every indicator of the sheet."""
    attrs = {}
    for ind in indicators:
        choices = ([("", _l("Not agreed yet"))] + [(str(v), str(v)) for v in range(4)]
                   + ([(NA, _l("N/A"))] if ind.na_allowed else []))
        attrs[f"agreed-{ind.id}"] = SelectField(_l("Agreed score for %(code)s", code=ind.code), choices=choices,
                                                validate_choice=False)
        attrs[f"reason-{ind.id}"] = NoteField(_l("Reason for %(code)s", code=ind.code),
                                              validators=[Length(max=REASON_MAX_LENGTH * 2)])
        attrs[f"version-{ind.id}"] = HiddenField()
    return type("ReconcileForm", (ReconcileFormBase,), attrs)


def reconcile_form_data(data: peer_queries.ReconciliationData) -> dict:
    values = {}
    for row in data.rows:
        current = row.current
        values[f"agreed-{row.indicator.id}"] = (NA if current.not_applicable else
                                                (str(current.value) if current.value is not None else ""))
        values[f"reason-{row.indicator.id}"] = current.reason
        # A new agreed assessment starts every score at version 1.
        values[f"version-{row.indicator.id}"] = str(row.agreed_score.version if row.agreed_score else 1)
    return values


class SubmitPeerForm(BaseForm):
    visited_on = DateField(_l("Day of the team's visit"), validators=[DataRequired()],
                           description=_l("The day the team actually visited the facility."))
    visit_note = NoteField(_l("Note on the visit date"), validators=[Length(max=peer_services.VISIT_NOTE_MAX)],
                           description=_l("Needed when the visit was not on the planned day: say why."))


class ReopenAgreedForm(BaseForm):
    reason = NoteField(_l("Why is the agreed result reopened?"), validators=[DataRequired(), Length(min=5, max=1000)],
                       description=_l("Recorded with your name. If the result was released, the facility no "
                                          "longer sees it until it is finalised and released again."))


# -- loading -------------------------------------------------------------------------

def _own_peer(facility_id: int, round_id: int) -> Assessment | None:
    return peer_queries.own_peer(db.session, current_user.id, facility_id, round_id)


def _result(facility_id: int, round_id: int) -> Assessment | None:
    """The facility's agreed assessment of the round (draft or finalised), if any."""
    return peer_queries.find_agreed(db.session, facility_id, round_id)


def _load_peer(assessment_id: int) -> tuple[Assessment, Assessment | None]:
    """The peer assessment and the user's own team's peer assessment of the same facility and round."""
    peer = db.session.get(Assessment, assessment_id)
    if peer is None or peer.kind != AssessmentKind.PEER.value:
        abort(404)
    own = _own_peer(peer.facility_id, peer.round_id)
    visible_or_404(peer, perm.can_view_peer_assessment(current_user, peer, own,
                                                       _result(peer.facility_id, peer.round_id)))
    return peer, own


def _facility_round(facility_id: int, round_id: int) -> tuple[Facility, Round]:
    return get_or_404(Facility, facility_id), get_or_404(Round, round_id)


def _lead_peer(facility: Facility, round_: Round) -> Assessment | None:
    """The peer assessment of the team the user leads for this facility and round."""
    team = peer_queries.led_team(db.session, current_user.id, facility.id, round_.id)
    return peer_queries.find_peer(db.session, team.id, facility.id, round_.id) if team else None


# -- assignments and peer scoring -----------------------------------------------------

@bp.route("/")
@login_required
def index():
    require(perm.can_view_peer_pages(current_user))
    if perm.is_national(current_user):
        query, rounds = peer_queries.national_assignments_query(), peer_queries.released_rounds(db.session)
    else:
        query, rounds = peer_queries.user_assignments_query(current_user.id), []
    page = paginate(db.session, query, request.args)
    rows = peer_queries.assignment_rows(db.session, page.items)
    counts = release_queries.release_counts(db.session, [r.id for r in rounds])
    return render_template("peer/index.html", rows=rows, page=page, rounds=rounds, release_counts=counts)


@bp.route("/assignments/<int:assignment_id>/start", methods=["POST"])
@login_required
def start(assignment_id: int):
    assignment = db.session.get(TeamAssignment, assignment_id)
    visible_or_404(assignment, assignment is not None and perm.can_view_team(current_user, assignment.team))
    require(perm.can_start_peer_assessment(current_user, assignment))
    if not EmptyForm().validate_on_submit():
        abort(400)
    started = commit_or_flash(lambda: peer_services.start_peer_assessment(db.session, current_user, assignment))
    if not started:
        return redirect(url_for(".index"))
    return redirect(url_for(".overview", assessment_id=started.result.id))


@bp.route("/assessments/<int:assessment_id>")
@login_required
def overview(assessment_id: int):
    peer, own = _load_peer(assessment_id)
    return _overview_page(peer, own, _submit_form(peer))


def _submit_form(peer: Assessment, formdata: bool = False) -> SubmitPeerForm:
    if formdata:
        return SubmitPeerForm()
    planned = peer.assignment.planned_visit_on if peer.assignment else None
    return SubmitPeerForm(formdata=None, data={"visited_on": planned if planned and planned <= _today() else _today()})


def _today():
    return to_user_timezone(utcnow()).date()


def _overview_page(peer: Assessment, own: Assessment | None, submit_form: SubmitPeerForm):
    result = queries.compute_score(db.session, peer)
    agreed = _result(peer.facility_id, peer.round_id)
    others = [p for p in peer_queries.peers_for(db.session, peer.facility_id, peer.round_id)
              if p.id != peer.id and perm.can_view_peer_assessment(current_user, p, own, agreed)]
    self_ = queries.find_self_assessment(db.session, peer.facility_id, peer.round_id)
    return render_template(
        "peer/overview.html", assessment=peer, result=result, progress={int(a.key): a for a in result.areas},
        others=others, submit_form=submit_form,
        can_see_self=self_ is not None and perm.can_view_self_as_peer(current_user, self_, own),
        can_see_reconciliation=perm.can_view_reconciliation(current_user, _lead_peer(peer.facility, peer.round)),
        can_see_results=perm.can_view_peer_results(current_user, peer.facility, peer.round, own, agreed),
        own_submitted=own is not None and own.is_submitted,
    )


@bp.route("/assessments/<int:assessment_id>/areas/<int:area_id>", methods=["GET", "POST"])
@login_required
def fill_area(assessment_id: int, area_id: int):
    peer, _own = _load_peer(assessment_id)
    area = area_form.load_area(peer, area_id)
    page = area_form.fill_area(peer, area, editable=perm.can_edit_peer_assessment(current_user, peer),
                               blueprint=bp.name)
    if page.redirect_to:
        return redirect(page.redirect_to)
    return render_template("peer/area.html", **page.context)


@bp.route("/assessments/<int:assessment_id>/submit", methods=["POST"])
@login_required
def submit(assessment_id: int):
    peer, own = _load_peer(assessment_id)
    require(perm.can_submit_peer_assessment(current_user, peer))
    form = _submit_form(peer, formdata=True)
    visit = lambda: peer_services.VisitInput(form.visited_on.data, form.visit_note.data or "", _today())  # noqa: E731
    if not form.submit_to(lambda: peer_services.submit_peer_assessment(db.session, current_user, peer, visit())):
        return _overview_page(peer, own, form), 422 if form.errors or form.form_errors else 200
    flash(_("The peer assessment has been submitted. It is now read-only, and your team can see the "
            "facility's self-assessment."), "success")
    return redirect(url_for(".overview", assessment_id=peer.id))


@bp.route("/assessments/<int:assessment_id>/self-assessment")
@login_required
def self_assessment(assessment_id: int):
    """The facility's self-assessment, for the team once its own peer assessment is submitted."""
    peer, own = _load_peer(assessment_id)
    self_ = queries.find_self_assessment(db.session, peer.facility_id, peer.round_id)
    visible_or_404(self_, self_ is not None and perm.can_view_self_as_peer(current_user, self_, own))
    return render_template("peer/self_assessment.html", assessment=peer, self_assessment=self_,
                           data=build_results(db.session, self_), evidence_labels=EVIDENCE_LABELS)


# -- reconciliation ---------------------------------------------------------------------

@bp.route("/reconcile/<int:facility_id>/<int:round_id>", methods=["GET", "POST"])
@login_required
def reconcile(facility_id: int, round_id: int):
    facility, round_ = _facility_round(facility_id, round_id)
    lead_peer = _lead_peer(facility, round_)
    visible_or_404(facility, perm.can_view_reconciliation(current_user, lead_peer))
    data = peer_queries.reconciliation_data(db.session, facility, round_)
    editable = data.available and perm.can_edit_reconciliation(current_user, lead_peer, data.agreed)
    if request.method == "GET" and data.pending_teams and editable:
        flash(_("Not every team has submitted (%(teams)s): you can save drafts, but finalising waits for them or "
                "for the national team to withdraw their assignment.",
                teams=", ".join(t.name for t in data.pending_teams)), "warning")
    form_class = reconcile_form_class(round_.sheet.indicators)
    form = form_class() if request.method == "POST" else form_class(data=reconcile_form_data(data))
    conflicts: list[str] = []
    if request.method == "POST":
        require(editable)
        if form.validate_on_submit() and area_form.posted_in_full(form, [
                f"{field}-{ind.id}" for ind in round_.sheet.indicators for field in ("agreed", "reason", "version")]):
            try:
                peer_services.save_agreed(db.session, current_user, facility, round_,
                                          form.agreed_inputs(round_.sheet.indicators))
            except ValidationFailed as failure:
                db.session.rollback()
                form.populate_errors(failure)
            except StaleData as stale:
                db.session.rollback()
                flash(area_form.stale_message(stale.what), "warning")
                conflicts = stale.what
                data = peer_queries.reconciliation_data(db.session, facility, round_)
                for row in data.rows:  # the next save deliberately replaces the other copy
                    if row.agreed_score is not None:
                        form[f"version-{row.indicator.id}"].data = str(row.agreed_score.version)
            else:
                db.session.commit()
                flash(_("The agreed scores were saved as a draft."), "success")
                return redirect(url_for(".reconcile", facility_id=facility.id, round_id=round_.id, saved=1))
    return render_template("peer/reconcile.html", data=data, form=form, editable=editable, conflicts=conflicts,
                           can_reopen=perm.can_reopen_agreed(current_user, data.agreed))


@bp.route("/reconcile/<int:facility_id>/<int:round_id>/finalise", methods=["POST"])
@login_required
def finalise(facility_id: int, round_id: int):
    facility, round_ = _facility_round(facility_id, round_id)
    lead_peer = _lead_peer(facility, round_)
    visible_or_404(facility, perm.can_view_reconciliation(current_user, lead_peer))
    agreed = peer_queries.find_agreed(db.session, facility.id, round_.id)
    require(perm.can_edit_reconciliation(current_user, lead_peer, agreed))
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not commit_or_flash(lambda: peer_services.finalise_agreed(db.session, current_user, facility, round_)):
        return redirect(url_for(".reconcile", facility_id=facility.id, round_id=round_.id))
    flash(_("The agreed assessment has been finalised. It is the facility's official result for this round."),
          "success")
    return redirect(url_for(".results", facility_id=facility.id, round_id=round_.id))


# -- results and release ------------------------------------------------------------------

@bp.route("/results/<int:facility_id>/<int:round_id>")
@login_required
def results(facility_id: int, round_id: int):
    facility, round_ = _facility_round(facility_id, round_id)
    own = _own_peer(facility.id, round_.id)
    visible_or_404(facility, perm.can_view_peer_results(current_user, facility, round_, own,
                                                        _result(facility.id, round_.id)))
    context = comparison_queries.comparison_context(db.session, facility.id, round_.id)
    data = peer_queries.peer_results(db.session, facility, round_)
    return render_template("peer/results.html", data=data,
                           agreed_results=build_results(db.session, data.agreed) if data.agreed else None,
                           can_compare=perm.can_view_comparison(current_user, facility, round_, context))


@bp.route("/reconcile/<int:facility_id>/<int:round_id>/reopen", methods=["GET", "POST"])
@login_required
def reopen_agreed(facility_id: int, round_id: int):
    """The national team sends a finalised agreed result back to reconciliation (recorded, with a reason);
    only then can the self and peer assessments it was reconciled from be reopened."""
    facility, round_ = _facility_round(facility_id, round_id)
    require(perm.can_release_results(current_user))
    agreed = _result(facility.id, round_.id)
    visible_or_404(agreed, perm.can_reopen_agreed(current_user, agreed))
    form = ReopenAgreedForm()
    if form.submit_to(lambda: services.reopen(db.session, current_user, agreed, form.reason.data)):
        flash(_("The agreed result of %(facility)s is back in reconciliation. The facility does not see it until it "
                "is finalised and released again.", facility=facility.code), "success")
        return redirect(url_for(".reconcile", facility_id=facility.id, round_id=round_.id))
    return render_template("peer/reopen_agreed.html", form=form, agreed=agreed)
