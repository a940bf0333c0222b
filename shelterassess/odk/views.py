"""ODK pages: download a published score-sheet version as an XLSForm; import a submission of
that form (ODK Central or KoboToolbox export) into a draft self-assessment, or into a peer team's
draft peer assessment (tablets on the visit), after a preview.

One route for both kinds, decided by the assessment: who may edit it may import
(:mod:`shelterassess.odk.permissions`); the national team gets a 403; anyone who cannot see it
(another facility, another team, the visited facility's own staff for a peer assessment) a 404."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from shelterassess.assessments import queries as assessment_queries
from shelterassess.assessments.area_form import read_only_message
from shelterassess.assessments.forms import EVIDENCE_LABELS, EmptyForm
from shelterassess.assessments.models import Assessment, AssessmentKind
from shelterassess.assessments.services import NOTE_MAX_LENGTH
from shelterassess.auth import permissions as perm
from shelterassess.errors import StaleData, ValidationFailed
from shelterassess.extensions import db
from shelterassess.odk import permissions as odk_perm
from shelterassess.odk import services
from shelterassess.odk.domain import FormError, build_xlsform, display_team_code, form_id, team_code
from shelterassess.odk.messages import problem_message
from shelterassess.odk.submissions import FileRefused, Problem, choose_submission, parse_submissions, read_rows
from shelterassess.odk.xlsx import xlsform_bytes
from shelterassess.scoresheets import queries as sheet_queries
from shelterassess.web.access import require, visible_or_404
from shelterassess.web.forms import CONFIRM_IDENTIFYING, identifying_digest, identifying_message
from shelterassess.web.identifying import find_identifying_details

bp = Blueprint("odk", __name__)

#: The largest export read (the app refuses any request over MAX_CONTENT_LENGTH before this).
MAX_FILE_BYTES = 1024 * 1024


@bp.route("/scoresheets/<int:sheet_id>/xlsform.xlsx")
@login_required
def export_xlsform(sheet_id: int):
    """The XLSForm of a published version, for ODK Central or KoboToolbox (docs/odk.md)."""
    require(perm.can_view_scoresheets(current_user))
    sheet = sheet_queries.sheet_with_content(db.session, sheet_id)
    sheet = visible_or_404(sheet, sheet is not None)
    if not sheet.is_published:
        flash(_("Only a published version can be downloaded as an XLSForm."), "error")
        return redirect(url_for("scoresheets.detail", sheet_id=sheet.id))
    text = services.sheet_text(db.session, sheet)
    try:
        body = xlsform_bytes(build_xlsform(text))
    except FormError:
        flash(_("This version's keys cannot be used as XLSForm field names."), "error")
        return redirect(url_for("scoresheets.detail", sheet_id=sheet.id))
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{form_id(text)}.xlsx"'})


def _load(assessment_id: int) -> Assessment:
    assessment = db.session.get(Assessment, assessment_id)
    return visible_or_404(assessment, assessment is not None and odk_perm.can_view_for_import(current_user, assessment))


def overview_url(assessment: Assessment) -> str:
    """The assessment's own overview page (the peer pages for a peer assessment)."""
    endpoint = "peer.overview" if assessment.kind == AssessmentKind.PEER.value else "assessments.overview"
    return url_for(endpoint, assessment_id=assessment.id)


def expected_team_code(assessment: Assessment) -> str:
    """The team code a peer assessment's rows must carry ("" for a self-assessment)."""
    if assessment.kind != AssessmentKind.PEER.value or assessment.team_id is None:
        return ""
    return team_code(assessment.team_id, assessment.round_id)


def _page(assessment: Assessment, editable: bool) -> dict:
    """What both the upload and the preview pages show of the assessment."""
    code = expected_team_code(assessment)
    return dict(assessment=assessment, is_peer=assessment.kind == AssessmentKind.PEER.value,
                team_code=display_team_code(code) if code else "",
                back_url=overview_url(assessment), max_kb=MAX_FILE_BYTES // 1024,
                read_only_notice=None if editable else read_only_message(assessment))


@bp.route("/assessments/<int:assessment_id>/odk-import", methods=["GET", "POST"])
@login_required
def import_submission(assessment_id: int):
    """Upload an export, see what it would write, confirm."""
    assessment = _load(assessment_id)
    editable = odk_perm.can_import(current_user, assessment)
    require(editable or odk_perm.could_import(current_user, assessment))
    page = dict(_page(assessment, editable), form=EmptyForm(), problems=[])
    if request.method == "GET" or not editable:
        return render_template("odk/import.html", **page)
    if not EmptyForm().validate_on_submit():
        page["problems"] = [_("The form has expired. Upload the file again.")]
        return render_template("odk/import.html", **page)
    if "payload" in request.form:
        return _confirm(assessment, page)
    return _preview(assessment, page)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    """A body over the app's MAX_CONTENT_LENGTH (refused before the view runs): the import page
    says so, for whoever may import into the assessment; anyone else gets the plain 413."""
    assessment = db.session.get(Assessment, (request.view_args or {}).get("assessment_id", 0))
    if request.endpoint != "odk.import_submission" or assessment is None \
            or not odk_perm.can_import(current_user, assessment):
        return error
    return render_template("odk/import.html", **_page(assessment, True),  # no form: the body is unread
                           problems=[problem_message(Problem("too_large", params={"kb": MAX_FILE_BYTES // 1024}))]), 413


def _preview(assessment: Assessment, page: dict):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        page["problems"] = [_("Choose the CSV or JSON file exported from ODK Central or KoboToolbox.")]
        return render_template("odk/import.html", **page)
    try:
        data = upload.stream.read(MAX_FILE_BYTES + 1)
    finally:
        upload.close()
    sheet = services.sheet_text(db.session, assessment.round.sheet)
    try:
        if len(data) > MAX_FILE_BYTES:
            raise FileRefused(Problem("too_large", params={"kb": MAX_FILE_BYTES // 1024}))
        submissions = parse_submissions(sheet, read_rows(data, upload.filename), NOTE_MAX_LENGTH)
    except FileRefused as refused:
        page["problems"] = [problem_message(refused.problem)]
        return render_template("odk/import.html", **page)
    chosen, refused_rows = choose_submission(sheet, submissions, assessment.facility.code, assessment.round_id,
                                             assessment.kind, expected_team_code(assessment))
    page["refused"] = [problem_message(p) for p in refused_rows]
    if chosen is None:
        page["problems"] = page.pop("refused") or [problem_message(Problem("empty"))]
        return render_template("odk/import.html", **page)
    page["row_problems"] = [problem_message(p) for p in chosen.problems]
    return _render_preview(assessment, page, chosen.answers, chosen.instance_id, chosen.submitted_at)


def _render_preview(assessment: Assessment, page: dict, answers: dict, instance_id: str, submitted_at: str = "",
                    status: int = 200):
    scores = assessment_queries.scores_by_indicator(db.session, assessment)
    notes = [a.note for a in answers.values() if a.note and find_identifying_details(a.note)]
    page.update(
        answers=answers, scores={s.indicator.key: s for s in scores.values()}, instance_id=instance_id,
        submitted_at=submitted_at, evidence_labels=EVIDENCE_LABELS,
        flagged={key: identifying_message(find_identifying_details(a.note)) for key, a in answers.items()
                 if a.note and find_identifying_details(a.note)},
        digest=identifying_digest(notes) if notes else "", confirm_field=CONFIRM_IDENTIFYING,
        payload=services.payload(db.session, assessment, answers, instance_id, current_app.secret_key,
                                 current_user.id),
        given=sum(1 for a in answers.values() if a.given))
    return render_template("odk/preview.html", **page), status


def _confirm(assessment: Assessment, page: dict):
    sheet = services.sheet_text(db.session, assessment.round.sheet)
    try:
        answers, versions, instance_id = services.read_payload(
            request.form["payload"], assessment, sheet, current_app.secret_key, current_user.id, NOTE_MAX_LENGTH)
    except services.PayloadRefused:
        page["problems"] = [_("This preview can no longer be confirmed: it is more than an hour old, or the page "
                              "was changed. Upload the file again.")]
        return render_template("odk/import.html", **page)
    except ValidationFailed as failure:
        page["problems"] = [message for _field, message in failure.reasons]
        return render_template("odk/import.html", **page)
    notes = [a.note for a in answers.values() if a.note and find_identifying_details(a.note)]
    if notes and request.form.get(CONFIRM_IDENTIFYING) != identifying_digest(notes):
        page["identify_warning"] = _("Some notes seem to identify a person. Correct them in ODK and export again, or tick "
                                  "the box to confirm they identify no resident or client.")
        return _render_preview(assessment, page, answers, instance_id)
    try:
        written = services.import_answers(db.session, current_user, assessment, answers, versions)
    except ValidationFailed as failure:
        db.session.rollback()
        page["problems"] = [message for _field, message in failure.reasons]
        return render_template("odk/import.html", **page)
    except StaleData as stale:
        db.session.rollback()
        flash(_("Someone else changed %(codes)s since the preview. Nothing was imported: upload the file again "
                "to see what it would change now.", codes=", ".join(stale.what)), "warning")
        return redirect(url_for(".import_submission", assessment_id=assessment.id))
    db.session.commit()
    flash(ngettext("%(num)d answer was imported from the ODK submission. Check it, then submit as usual.",
                   "%(num)d answers were imported from the ODK submission. Check them, then submit as usual.",
                   written), "success")
    return redirect(overview_url(assessment))
