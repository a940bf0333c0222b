"""Comparison pages: one facility (self vs peer vs agreed), the national view of a round, trends; PDFs.

Access rules are the predicates in :mod:`shelterassess.auth.permissions`; what they need
beyond the objects (which assigned teams have submitted) is computed here from the queries.
"""
from __future__ import annotations

import re
from io import BytesIO

from flask import Blueprint, current_app, render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import force_locale
from flask_login import current_user, login_required

from shelterassess.assessments import release_queries
from shelterassess.auth import permissions as perm
from shelterassess.comparisons import display, national_export, queries
from shelterassess.comparisons.national_data import (
    OTHER_PROVINCES,
    NationalParams,
    national_summary,
    national_table,
    table_rows,
)
from shelterassess.comparisons.report_data import facility_comparison, facility_trends
from shelterassess.extensions import db
from shelterassess.facilities.models import Facility
from shelterassess.i18n import current_language, supported_locales
from shelterassess.reports.renderers.comparison import ComparisonRenderer
from shelterassess.reports.renderers.national import NationalRenderer
from shelterassess.rounds import queries as round_queries
from shelterassess.rounds.models import Round
from shelterassess.web.access import get_or_404, require, visible_or_404
from shelterassess.web.downloads import csv_response, xlsx_response
from shelterassess.web.pagination import page_size, requested_page
from shelterassess.web.params import int_or_none

bp = Blueprint("comparisons", __name__, url_prefix="/comparisons")

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@bp.context_processor
def _formats():
    return {
        "fmt_kappa": display.format_kappa, "fmt_signed": display.format_signed,
        "fmt_points": display.format_points, "pairs_label": display.pairs_label,
        "kappa_note": display.kappa_note, "kappa_mark": display.kappa_mark,
        "kappa_footnotes": display.kappa_footnotes,
    }


def _language() -> str:
    """``?lang=vi|en`` for PDFs when given and supported, else the current locale."""
    lang = request.args.get("lang")
    return lang if lang in supported_locales() else current_language()


def _pdf(data: bytes, filename: str):
    return send_file(BytesIO(data), mimetype="application/pdf", download_name=filename, as_attachment=False)


@bp.route("/")
@login_required
def index():
    require(perm.can_view_national_comparison(current_user))
    rounds = round_queries.all_rounds(db.session)
    return render_template("comparisons/index.html", rounds=rounds,
                           release_counts=release_queries.release_counts(db.session, [r.id for r in rounds]))


# -- one facility in one round -------------------------------------------------------

def _facility_round(facility_id: int, round_id: int):
    round_ = get_or_404(Round, round_id)
    facility = db.session.get(Facility, facility_id)
    raters = queries.raters(db.session, facility_id, round_id) if facility else None
    allowed = facility is not None and perm.can_view_comparison(current_user, facility, round_, raters.context)
    visible_or_404(facility, allowed)
    return facility, round_, raters


@bp.route("/facilities/<int:facility_id>/rounds/<int:round_id>")
@login_required
def facility(facility_id: int, round_id: int):
    facility, round_, raters = _facility_round(facility_id, round_id)
    data = facility_comparison(db.session, facility, round_, raters, current_language())
    chart = display.svg(display.comparison_chart(data), "comparison-chart")
    return render_template("comparisons/facility.html", data=data, facility=facility, round=round_, chart=chart)


@bp.route("/facilities/<int:facility_id>/rounds/<int:round_id>.pdf")
@login_required
def facility_pdf(facility_id: int, round_id: int):
    facility, round_, raters = _facility_round(facility_id, round_id)
    language = _language()
    with force_locale(language):
        pdf = ComparisonRenderer().render(facility_comparison(db.session, facility, round_, raters, language))
    code = _UNSAFE.sub("-", facility.code).strip("-") or "facility"
    return _pdf(pdf, f"comparison-{code}-round{round_.id}.pdf")


# -- national view of a round -----------------------------------------------------------

def _national_params() -> NationalParams:
    province = request.args.get("province", "")
    return NationalParams(
        province_id=int_or_none(province),
        sort=request.args.get("sort", "facility"),
        descending=request.args.get("order") == "desc",
        anonymised=request.args.get("anonymised") == "1",
        other_provinces=province == OTHER_PROVINCES,
    )


def _national_summary(round_: Round, params: NationalParams, language: str, paginated: bool = False):
    """The whole table (PDF), or with ``paginated`` the page asked for by ``?page=`` (web page)."""
    return national_summary(db.session, round_, params, language,
                            kappa_min_pairs=current_app.config["KAPPA_MIN_PAIRS"],
                            page_number=requested_page(request.args) if paginated else None,
                            page_size=page_size())


@bp.route("/rounds/<int:round_id>/national")
@login_required
def national(round_id: int):
    require(perm.can_view_national_comparison(current_user))
    round_ = get_or_404(Round, round_id)
    data = _national_summary(round_, _national_params(), current_language(), paginated=True)
    chart = display.svg(display.national_chart(data), "national-chart")
    return render_template("comparisons/national.html", data=data, round=round_, chart=chart)


@bp.route("/rounds/<int:round_id>/national.pdf")
@login_required
def national_pdf(round_id: int):
    require(perm.can_view_national_comparison(current_user))
    round_ = get_or_404(Round, round_id)
    params = _national_params()
    language = _language()
    with force_locale(language):
        pdf = NationalRenderer().render(_national_summary(round_, params, language))
    return _pdf(pdf, _export_name(round_.id, params, "pdf"))


def _export_name(round_id: int, params: NationalParams, extension: str) -> str:
    suffix = "-anonymised" if params.anonymised else ""
    return f"national-round{round_id}{suffix}.{extension}"


@bp.route("/rounds/<int:round_id>/national.csv")
@login_required
def national_csv(round_id: int):
    """Every row of the page's filter and sort, streamed: the rows are read and written while
    the file is sent (the audit hook has recorded the download by then)."""
    require(perm.can_view_national_comparison(current_user))
    get_or_404(Round, round_id)
    params, language = _national_params(), current_language()

    def lines():
        table = national_table(db.session, db.session.get(Round, round_id), params, language)
        yield from national_export.csv_stream(table, table_rows(db.session, table))

    return csv_response(lines(), _export_name(round_id, params, "csv"))


@bp.route("/rounds/<int:round_id>/national.xlsx")
@login_required
def national_xlsx(round_id: int):
    """Written row by row (openpyxl write-only) into a temporary file, whose bytes are sent."""
    require(perm.can_view_national_comparison(current_user))
    round_ = get_or_404(Round, round_id)
    params = _national_params()
    table = national_table(db.session, round_, params, current_language())
    rows = table_rows(db.session, table)
    return xlsx_response(lambda handle: national_export.write_xlsx(handle, table, rows, _("National comparison")),
                         _export_name(round_id, params, "xlsx"))


# -- trends of one facility ---------------------------------------------------------------

@bp.route("/facilities/<int:facility_id>/trends")
@login_required
def trends(facility_id: int):
    facility = db.session.get(Facility, facility_id)
    visible_or_404(facility, facility is not None and perm.can_view_trends(current_user, facility))
    data = facility_trends(db.session, facility, lambda a: perm.can_view_agreed_result(current_user, facility, a.round, a),
                           current_language())
    chart = display.svg(display.trend_chart(data), "trend-chart")
    return render_template("comparisons/trends.html", data=data, facility=facility, chart=chart)


from shelterassess.comparisons import agreement_export as _agreement  # noqa: E402,F401  (its downloads, on bp)
