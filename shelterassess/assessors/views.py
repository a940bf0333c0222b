"""Assessors: training sessions, assessor records and certification (national team), calibration."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shelterassess.assessments.forms import EmptyForm
from shelterassess.assessors import queries, services
from shelterassess.assessors.forms import (
    AttendanceForm,
    CertifyForm,
    ParticipantForm,
    RevokeForm,
    TrainingForm,
    calibration_form_class,
)
from shelterassess.auth import permissions as perm
from shelterassess.auth.models import User
from shelterassess.extensions import db
from shelterassess.peer.models import CalibrationAttempt, TrainingSession
from shelterassess.web.forms import commit_or_flash
from shelterassess.web.access import get_or_404, require, visible_or_404
from shelterassess.web.pagination import paginate

bp = Blueprint("assessors", __name__, url_prefix="/assessors")


# -- assessor records and certification --------------------------------------------------------

@bp.route("/")
@login_required
def index():
    require(perm.can_manage_training(current_user))
    page = paginate(db.session, queries.assessor_records_query(), request.args)
    return render_template("assessors/index.html", records=queries.records_of(db.session, page.items), page=page,
                           labels=services.threshold_labels(), practice_case=queries.practice_case)


@bp.route("/<int:user_id>")
@login_required
def detail(user_id: int):
    found = db.session.get(User, user_id)
    # 404 for "not yours" as for "no such user": the answer must not reveal which ids exist.
    user = visible_or_404(found, found is not None and perm.can_view_assessor_record(current_user, found))
    return _detail_page(user, CertifyForm(formdata=None), RevokeForm(formdata=None))


def _detail_page(user: User, certify_form: CertifyForm, revoke_form: RevokeForm):
    history = queries.certifications(db.session, user.id)
    revokers = {c.id: queries.revoked_by(db.session, c) for c in history}
    record = queries.assessor_record(db.session, user)
    return render_template("assessors/detail.html", record=record, history=history, revokers=revokers,
                           missing=services.calibration_missing_message(record), labels=services.threshold_labels(),
                           practice_case=queries.practice_case, certify_form=certify_form, revoke_form=revoke_form)


@bp.route("/<int:user_id>/certify", methods=["POST"])
@login_required
def certify(user_id: int):
    require(perm.can_manage_training(current_user))
    user = get_or_404(User, user_id)
    form = CertifyForm()
    if form.submit_to(lambda: services.certify(db.session, current_user, user, *form.to_args())):
        flash(_("%(name)s is now a certified peer assessor.", name=user.display_name), "success")
        return redirect(url_for(".detail", user_id=user.id))
    return _detail_page(user, form, RevokeForm(formdata=None))


@bp.route("/<int:user_id>/revoke", methods=["POST"])
@login_required
def revoke(user_id: int):
    require(perm.can_manage_training(current_user))
    user = get_or_404(User, user_id)
    form = RevokeForm()
    if form.submit_to(lambda: services.revoke(db.session, current_user, user, form.reason.data)):
        flash(_("The certification of %(name)s has been revoked.", name=user.display_name), "success")
        return redirect(url_for(".detail", user_id=user.id))
    return _detail_page(user, CertifyForm(formdata=None), form)


# -- training sessions ----------------------------------------------------------------------------

@bp.route("/trainings")
@login_required
def trainings():
    require(perm.can_manage_training(current_user))
    return render_template("assessors/trainings.html", trainings=queries.all_trainings(db.session))


@bp.route("/trainings/new", methods=["GET", "POST"])
@login_required
def new_training():
    require(perm.can_manage_training(current_user))
    return _training_form(TrainingForm(), None)


@bp.route("/trainings/<int:training_id>/edit", methods=["GET", "POST"])
@login_required
def edit_training(training_id: int):
    require(perm.can_manage_training(current_user))
    training = get_or_404(TrainingSession, training_id)
    return _training_form(TrainingForm(obj=training), training)


def _training_form(form: TrainingForm, training: TrainingSession | None):
    if done := form.submit_to(lambda: services.save_training(db.session, form.to_input(), training)):
        flash(_("Training session saved."), "success")
        return redirect(url_for(".training", training_id=done.result.id))
    return render_template("assessors/training_form.html", form=form, training=training)


@bp.route("/trainings/<int:training_id>")
@login_required
def training(training_id: int):
    require(perm.can_manage_training(current_user))
    return _training_page(get_or_404(TrainingSession, training_id), ParticipantForm(formdata=None))


def _training_page(training: TrainingSession, participant_form: ParticipantForm):
    _participant_choices(participant_form, training)
    return render_template("assessors/training.html", training=training,
                           participants=queries.participants(db.session, training),
                           certified_ids=queries.certified_user_ids(db.session),
                           participant_form=participant_form, attendance_form=AttendanceForm(formdata=None))


def _participant_choices(form: ParticipantForm, training: TrainingSession) -> None:
    taken = {p.user_id for p in training.participants}
    form.user_id.choices = [(0, _("— choose a person —"))] + [
        (u.id, f"{u.facility.code} · {u.display_name} · {u.email}")
        for u in queries.eligible_participants(db.session, taken)
    ]


@bp.route("/trainings/<int:training_id>/participants", methods=["POST"])
@login_required
def add_participant(training_id: int):
    require(perm.can_manage_training(current_user))
    training = get_or_404(TrainingSession, training_id)
    form = ParticipantForm()
    _participant_choices(form, training)
    if form.submit_to(lambda: services.add_participant(db.session, training, get_or_404(User, form.user_id.data))):
        flash(_("Participant added."), "success")
        return redirect(url_for(".training", training_id=training.id))
    return _training_page(training, form)


@bp.route("/trainings/<int:training_id>/participants/<int:participant_id>/remove", methods=["POST"])
@login_required
def remove_participant(training_id: int, participant_id: int):
    require(perm.can_manage_training(current_user))
    training = get_or_404(TrainingSession, training_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if commit_or_flash(lambda: services.remove_participant(db.session, training, participant_id)):
        flash(_("Participant removed."), "success")
    return redirect(url_for(".training", training_id=training.id))


@bp.route("/trainings/<int:training_id>/attendance", methods=["POST"])
@login_required
def attendance(training_id: int):
    require(perm.can_manage_training(current_user))
    training = get_or_404(TrainingSession, training_id)
    form = AttendanceForm()
    if not form.validate_on_submit():
        abort(400)
    if commit_or_flash(lambda: services.record_attendance(db.session, training, set(form.attended.data or []))):
        flash(_("Attendance saved."), "success")
    return redirect(url_for(".training", training_id=training.id))


# -- calibration ----------------------------------------------------------------------------------

@bp.route("/calibration")
@login_required
def calibration():
    require(perm.can_calibrate(current_user))
    attempts = [(a, queries.outcome(a)) for a in queries.attempts_of(db.session, current_user.id)]
    return render_template("assessors/calibration.html", cases=queries.practice_cases(), attempts=attempts,
                           labels=services.threshold_labels(), practice_case=queries.practice_case)


@bp.route("/calibration/<slug>", methods=["GET", "POST"])
@login_required
def calibrate(slug: str):
    require(perm.can_calibrate(current_user))
    case = queries.practice_case(slug)
    if case is None:
        abort(404)
    sheet = queries.sheet_for(case)
    form = calibration_form_class(sheet)()
    if done := form.submit_to(lambda: services.submit_calibration(db.session, current_user, case, sheet,
                                                                  form.scores(sheet))):
        return redirect(url_for(".attempt", attempt_id=done.result.id))
    return render_template("assessors/calibrate.html", case=case, sheet=sheet, form=form)


@bp.route("/calibration/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    found = db.session.get(CalibrationAttempt, attempt_id)
    found = visible_or_404(found, found is not None and perm.can_view_calibration_attempt(current_user, found))
    outcome = queries.outcome(found)
    if outcome is None:
        abort(404)
    return render_template("assessors/result.html", attempt=found, case=queries.practice_case(found.practice_case),
                           outcome=outcome, labels=services.threshold_labels())
