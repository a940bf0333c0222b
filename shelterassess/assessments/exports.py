"""CSV and XLSX downloads of assessment results: the national list of every facility's results
(self, peer or agreed: ``?kind=``) and one self-assessment's results page.

National list (``/assessments/export.csv|.xlsx``, the page's permission and its ``round`` and
``status`` filters, every row rather than one page): facility code and name, province, round,
team (peer results only), status, each area's stored percentage, overall, red flags (submitted
assessments only, as on the page). One facility's results (``/assessments/<id>/results.csv|.xlsx``,
exactly who may see the page, 404 otherwise): one row per indicator with its area and the area's
score, then the overall score. Percentages are rounded half-up to one decimal as the pages show
them; text is neutralised (:mod:`shelterassess.exports`). Registered on the assessments blueprint
(imported at the end of :mod:`shelterassess.assessments.views`).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from flask import request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from shelterassess.assessments.domain import round_half_up_decimal
from shelterassess.assessments.models import Assessment, AssessmentKind, AssessmentStatus, AreaResult
from shelterassess.assessments.results import Results, build_results
from shelterassess.assessments.views import _load, bp
from shelterassess.auth import permissions as perm
from shelterassess.exports import csv_lines, write_xlsx
from shelterassess.extensions import db
from shelterassess.facilities.models import Facility, Province
from shelterassess.i18n import current_language
from shelterassess.peer.models import PeerTeam
from shelterassess.rounds.models import Round
from shelterassess.scoresheets.models import Area
from shelterassess.web.access import require
from shelterassess.web.downloads import csv_response, xlsx_response
from shelterassess.web.params import bounded_int

KINDS = (AssessmentKind.SELF.value, AssessmentKind.PEER.value, AssessmentKind.AGREED.value)
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def pct(value: float | None) -> Decimal | None:
    """A stored percentage as the pages show it: half-up to one decimal (``None``: empty cell)."""
    return None if value is None else round_half_up_decimal(value, 1)


def status_label(status: str) -> str:
    return _("Submitted") if status == AssessmentStatus.SUBMITTED.value else _("Draft")


# -- the national list ------------------------------------------------------------------------

def _filters() -> tuple[str, int | None, str | None]:
    """(kind, round id, status) from the query string, read as the page reads them (bad values: no filter)."""
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else AssessmentKind.SELF.value
    status = request.args.get("status") if request.args.get("status") in {s.value for s in AssessmentStatus} else None
    return kind, request.args.get("round", type=bounded_int), status


def national_query(kind: str, round_id: int | None, status: str | None) -> Select:
    """One row per assessment of ``kind``, ordered as the page (newest round first, then facility code)."""
    query = (
        select(Assessment.id, Facility.code, Facility.name, Province.name_vi, Province.name_en, Round.name,
               PeerTeam.name, Assessment.status, Assessment.overall_percentage, Assessment.red_flag_count)
        .join(Facility, Assessment.facility_id == Facility.id)
        .join(Province, Facility.province_id == Province.id)
        .join(Round, Assessment.round_id == Round.id)
        .outerjoin(PeerTeam, Assessment.team_id == PeerTeam.id)
        .where(Assessment.kind == kind)
        .order_by(Round.name.desc(), Facility.code, PeerTeam.name, Assessment.id)
    )
    if round_id:
        query = query.where(Assessment.round_id == round_id)
    if status:
        query = query.where(Assessment.status == status)
    return query


def area_columns(session: Session, round_id: int | None) -> list[tuple[str, str]]:
    """(area code, header) of the areas of the rounds' score sheets, in sheet order (one query)."""
    language = current_language()
    title = Area.title_vi if language == "vi" else Area.title_en
    query = (select(Area.code, func.min(Area.position), func.min(title))
             .join(Round, Round.sheet_id == Area.sheet_id)
             .group_by(Area.code).order_by(func.min(Area.position), Area.code))
    if round_id:
        query = query.where(Round.id == round_id)
    return [(code, f"{code}. {name} (%)" if round_id else f"{code} (%)") for code, _pos, name in session.execute(query)]


def area_percentages(session: Session, ids: Select) -> dict[int, dict[str, float | None]]:
    """assessment id -> {area code: stored percentage} for the assessments of ``ids`` (one query)."""
    out: dict[int, dict[str, float | None]] = {}
    rows = session.execute(select(AreaResult.assessment_id, Area.code, AreaResult.percentage)
                           .join(Area, AreaResult.area_id == Area.id).where(AreaResult.assessment_id.in_(ids)))
    for assessment_id, code, percentage in rows:
        out.setdefault(assessment_id, {})[code] = percentage
    return out


def national_header(kind: str, areas: list[tuple[str, str]]) -> list[str]:
    team = [_("Team")] if kind == AssessmentKind.PEER.value else []
    return [_("Facility code"), _("Facility name"), _("Province"), _("Round"), *team, _("Status"),
            *(head for _code, head in areas), _("Overall (%)"), _("Red flags")]


def national_rows(session: Session, kind: str, round_id: int | None, status: str | None,
                  areas: list[tuple[str, str]]) -> Iterator[list]:
    """The export's rows, read from the database while they are written (two queries)."""
    query = national_query(kind, round_id, status)
    by_area = area_percentages(session, query.with_only_columns(Assessment.id).order_by(None))
    vietnamese = current_language() == "vi"
    for (aid, code, name, province_vi, province_en, round_name, team, state, overall,
         flags) in session.execute(query.execution_options(yield_per=500)):
        province = (province_vi if vietnamese else province_en) or province_vi or province_en
        mine = by_area.get(aid, {})
        submitted = state == AssessmentStatus.SUBMITTED.value
        yield [code, name, province, round_name, *([team] if kind == AssessmentKind.PEER.value else []),
               status_label(state), *(pct(mine.get(c)) for c, _head in areas), pct(overall),
               flags if submitted else None]


def _title(kind: str) -> str:
    return {AssessmentKind.PEER.value: _("Peer results"), AssessmentKind.AGREED.value: _("Agreed results")}.get(
        kind, _("Self-assessment results"))


def _national_name(kind: str, round_id: int | None, extension: str) -> str:
    return f"assessments-{kind}{f'-round{round_id}' if round_id else ''}.{extension}"


@bp.route("/export.csv")
@login_required
def national_csv():
    """Every row of the page's filters, streamed (rows read while the file is sent)."""
    require(perm.can_view_all_assessments(current_user))
    kind, round_id, status = _filters()

    def lines():
        areas = area_columns(db.session, round_id)
        yield from csv_lines(national_header(kind, areas), national_rows(db.session, kind, round_id, status, areas))

    return csv_response(lines(), _national_name(kind, round_id, "csv"))


@bp.route("/export.xlsx")
@login_required
def national_xlsx():
    require(perm.can_view_all_assessments(current_user))
    kind, round_id, status = _filters()
    areas = area_columns(db.session, round_id)
    return xlsx_response(lambda handle: write_xlsx(handle, _title(kind), national_header(kind, areas),
                                                   national_rows(db.session, kind, round_id, status, areas)),
                         _national_name(kind, round_id, "xlsx"))


# -- one self-assessment's results --------------------------------------------------------------

def results_header() -> list[str]:
    return [_("Area code"), _("Area"), _("Area score (%)"), _("Indicator code"), _("Indicator"), _("Score"),
            _("N/A"), _("Red flag"), _("Note")]


def results_rows(data: Results) -> Iterator[list]:
    """One row per indicator (its area and the area's score repeated), then the overall score."""
    for area in data.areas:
        for ind in area.indicators:
            yield [area.code, area.title, pct(area.percentage), ind.code, ind.text, ind.value,
                   _("Yes") if ind.not_applicable else "", _("Yes") if ind.red_flag else "", ind.note]
    yield ["", _("Overall score"), pct(data.overall_percentage), "", "", None, "", "", ""]


def _results_name(assessment: Assessment, extension: str) -> str:
    code = _UNSAFE.sub("-", assessment.facility.code).strip("-") or "facility"
    return f"results-{code}-round{assessment.round_id}.{extension}"


@bp.route("/<int:assessment_id>/results.csv")
@login_required
def results_csv(assessment_id: int):
    assessment = _load(assessment_id)
    data = build_results(db.session, assessment)
    return csv_response(csv_lines(results_header(), results_rows(data)), _results_name(assessment, "csv"))


@bp.route("/<int:assessment_id>/results.xlsx")
@login_required
def results_xlsx(assessment_id: int):
    assessment = _load(assessment_id)
    data = build_results(db.session, assessment)
    return xlsx_response(lambda handle: write_xlsx(handle, _("Results"), results_header(), results_rows(data)),
                         _results_name(assessment, "xlsx"))
