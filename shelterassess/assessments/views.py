"""Self-assessment pages: start, fill area by area, submit, reopen, results."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shelterassess.assessments import area_form, queries, services
from shelterassess.assessments.forms import EVIDENCE_LABELS, EmptyForm, ReopenForm, StartForm
from shelterassess.assessments.models import Assessment, AssessmentKind, AssessmentStatus
from shelterassess.assessments.results import area_chart_svg, build_results
from shelterassess.auth import permissions as perm
from shelterassess.comparisons import queries as comparison_queries
from shelterassess.extensions import db
from shelterassess.rounds import queries as round_queries
from shelterassess.rounds.models import Round
from shelterassess.web.forms import commit_or_flash
from shelterassess.web.access import get_or_404, require, visible_or_404
from shelterassess.web.pagination import paginate
from shelterassess.web.params import bounded_int

bp = Blueprint("assessments", __name__, url_prefix="/assessments")


def _load(assessment_id: int) -> Assessment:
    assessment = db.session.get(Assessment, assessment_id)
    return visible_or_404(assessment, assessment is not None and perm.can_view_assessment(current_user, assessment))


@bp.route("/")
@login_required
def national():
    require(perm.can_view_all_assessments(current_user))
    round_id = request.args.get("round", type=bounded_int)
    status = request.args.get("status") if request.args.get("status") in {s.value for s in AssessmentStatus} else None
    page = paginate(db.session, queries.national_self_assessments_query(round_id=round_id, status=status),
                    request.args)
    rows = queries.progress_rows(db.session, page.items)
    return render_template("assessments/national.html", rows=rows, page=page,
                           rounds=round_queries.all_rounds(db.session), round_id=round_id, status=status)


@bp.route("/start", methods=["POST"])
@login_required
def start():
    form = StartForm()
    form.round_id.choices = [(r.id, r.name) for r in round_queries.open_rounds(db.session)]
    facility = current_user.facility
    if not form.validate_on_submit() or facility is None:
        abort(400)
    round_ = get_or_404(Round, form.round_id.data)
    require(perm.can_start_self_assessment(current_user, facility, round_))
    done = commit_or_flash(lambda: services.start_assessment(db.session, current_user, facility, round_))
    if not done:  # the round closed meanwhile: its message is flashed
        return redirect(url_for("main.dashboard"))
    return redirect(url_for(".overview", assessment_id=done.result.id))


@bp.route("/<int:assessment_id>")
@login_required
def overview(assessment_id: int):
    assessment = _load(assessment_id)
    result = queries.compute_score(db.session, assessment)
    progress = {int(a.key): a for a in result.areas}
    context = comparison_queries.comparison_context(db.session, assessment.facility_id, assessment.round_id)
    agreed = queries.find_assessment(db.session, assessment.facility_id, assessment.round_id, AssessmentKind.AGREED)
    return render_template("assessments/overview.html", assessment=assessment, result=result, progress=progress,
                           form=EmptyForm(), agreed=agreed, can_compare=perm.can_view_comparison(
                               current_user, assessment.facility, assessment.round, context))


@bp.route("/<int:assessment_id>/areas/<int:area_id>", methods=["GET", "POST"])
@login_required
def fill_area(assessment_id: int, area_id: int):
    assessment = _load(assessment_id)
    area = area_form.load_area(assessment, area_id)
    page = area_form.fill_area(assessment, area, editable=perm.can_edit_assessment(current_user, assessment),
                               blueprint=bp.name)
    if page.redirect_to:
        return redirect(page.redirect_to)
    return render_template("assessments/area.html", **page.context)


@bp.route("/<int:assessment_id>/submit", methods=["POST"])
@login_required
def submit(assessment_id: int):
    assessment = _load(assessment_id)
    require(perm.can_submit_assessment(current_user, assessment))
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not commit_or_flash(lambda: services.submit(db.session, current_user, assessment)):
        return redirect(url_for(".overview", assessment_id=assessment.id))
    flash(_("The self-assessment has been submitted. It is now read-only."), "success")
    return redirect(url_for(".results", assessment_id=assessment.id))


@bp.route("/<int:assessment_id>/reopen", methods=["GET", "POST"])
@login_required
def reopen(assessment_id: int):
    assessment = _load(assessment_id)
    require(perm.can_reopen_assessment(current_user, assessment))
    form = ReopenForm()
    if form.submit_to(lambda: services.reopen(db.session, current_user, assessment, form.reason.data)):
        flash(_("The assessment has been reopened. The facility can edit it again."), "success")
        return redirect(url_for(".overview", assessment_id=assessment.id))
    return render_template("assessments/reopen.html", assessment=assessment, form=form)


@bp.route("/<int:assessment_id>/results")
@login_required
def results(assessment_id: int):
    assessment = _load(assessment_id)
    data = build_results(db.session, assessment)
    chart = area_chart_svg(data)
    return render_template("assessments/results.html", assessment=assessment, data=data, chart=chart,
                           evidence_labels=EVIDENCE_LABELS)


from shelterassess.assessments import exports as _exports  # noqa: E402,F401  (CSV/XLSX downloads, on bp)
