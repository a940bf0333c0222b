"""PDF downloads. The endpoint names ``assessment_pdf`` and ``blank_sheet`` are used by templates."""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, request, send_file
from flask_babel import force_locale
from flask_login import current_user, login_required

from shelterassess.assessments.models import Assessment
from shelterassess.auth import permissions as perm
from shelterassess.extensions import db
from shelterassess.facilities.models import Facility
from shelterassess.i18n import current_language, supported_locales
from shelterassess.reports.data import blank_sheet_report, self_assessment_report
from shelterassess.reports.renderers.blank_sheet import BlankSheetRenderer
from shelterassess.reports.renderers.self_assessment import SelfAssessmentRenderer
from shelterassess.rounds.models import Round
from shelterassess.web.access import visible_or_404

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _language() -> str:
    lang = request.args.get("lang")
    return lang if lang in supported_locales() else current_language()


def _pdf(data: bytes, filename: str):
    return send_file(BytesIO(data), mimetype="application/pdf", download_name=filename, as_attachment=False)


@bp.route("/assessments/<int:assessment_id>.pdf")
@login_required
def assessment_pdf(assessment_id: int):
    assessment = db.session.get(Assessment, assessment_id)
    visible_or_404(assessment, assessment is not None and perm.can_view_assessment(current_user, assessment))
    language = _language()
    with force_locale(language):
        pdf = SelfAssessmentRenderer().render(self_assessment_report(db.session, assessment, language))
    return _pdf(pdf, f"self-assessment-{assessment.facility.code}-round{assessment.round_id}.pdf")


@bp.route("/facilities/<int:facility_id>/rounds/<int:round_id>/blank.pdf")
@login_required
def blank_sheet(facility_id: int, round_id: int):
    facility = db.session.get(Facility, facility_id)
    round_ = db.session.get(Round, round_id)
    if facility is None or round_ is None:
        abort(404)
    visible_or_404(facility, perm.can_print_blank_sheet(current_user, facility))
    language = _language()
    with force_locale(language):
        pdf = BlankSheetRenderer().render(blank_sheet_report(db.session, facility, round_, language))
    return _pdf(pdf, f"score-sheet-{facility.code}-round{round_.id}.pdf")
