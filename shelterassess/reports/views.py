"""PDF downloads. The endpoint names ``assessment_pdf`` and ``blank_sheet`` are used by templates.

Each view loads and checks, builds the report data (:mod:`shelterassess.reports.data`),
renders it under the chosen language and serves the bytes inline.
"""
from __future__ import annotations

import re
from io import BytesIO

from flask import Blueprint, abort, request, send_file
from flask_babel import force_locale
from flask_login import current_user, login_required

from shelterassess.assessments import peer_queries
from shelterassess.assessments.models import Assessment, AssessmentKind
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

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def _language() -> str:
    """``?lang=vi|en`` when given and supported, else the current locale."""
    lang = request.args.get("lang")
    return lang if lang in supported_locales() else current_language()


def _filename(kind: str, facility_code: str, round_id: int) -> str:
    """ASCII only, e.g. ``self-assessment-SH-A-round3.pdf``."""
    code = _UNSAFE.sub("-", facility_code).strip("-") or "facility"
    return f"{kind}-{code}-round{round_id}.pdf"


def _pdf(data: bytes, filename: str):
    return send_file(BytesIO(data), mimetype="application/pdf", download_name=filename, as_attachment=False)


@bp.route("/assessments/<int:assessment_id>.pdf")
@login_required
def assessment_pdf(assessment_id: int):
    assessment = db.session.get(Assessment, assessment_id)
    allowed = assessment is not None and perm.can_view_assessment(current_user, assessment)
    visible_or_404(assessment, allowed)
    if assessment.kind != AssessmentKind.SELF.value:
        abort(404)  # only self-assessments have a PDF layout so far
    language = _language()
    with force_locale(language):
        pdf = SelfAssessmentRenderer().render(self_assessment_report(db.session, assessment, language))
    return _pdf(pdf, _filename("self-assessment", assessment.facility.code, assessment.round_id))


@bp.route("/facilities/<int:facility_id>/rounds/<int:round_id>/blank.pdf")
@login_required
def blank_sheet(facility_id: int, round_id: int):
    facility = db.session.get(Facility, facility_id)
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        abort(404)
    # 404, not 403, for another facility's sheet: do not reveal which facility ids exist.
    teams = peer_queries.assigned_teams(db.session, facility.id, round_.id) if facility is not None else []
    visible_or_404(facility, facility is not None and perm.can_print_blank_sheet(current_user, facility, teams))
    language = _language()
    with force_locale(language):
        pdf = BlankSheetRenderer().render(blank_sheet_report(db.session, facility, round_, language))
    return _pdf(pdf, _filename("score-sheet", facility.code, round_.id))
