"""The JSON API, ``/api/v1``: thin adapters over the same queries, services and permission
predicates as the pages, so the API refuses what the pages refuse.

Scope: facilities (a facility's own staff and managers see only their facility; the national team
and administrators all), rounds, score-sheet versions, self, peer and agreed assessments (read, by
the pages' blind and release rules), and saving the
answers of one area of a draft self-assessment (optimistic locking by score version, as the area
page does). Another facility's objects are 404, never 403, so their existence is not revealed.
"""
from __future__ import annotations

from flask import Blueprint, request
from flask_babel import force_locale
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from shelterassess.api import inputs, visibility
from shelterassess.api import serializers as out
from shelterassess.api.auth import authenticate, current_token
from shelterassess.api.errors import error_response, handle_exception, handle_http_error
from shelterassess.assessments import queries as assessment_queries
from shelterassess.assessments import services as assessment_services
from shelterassess.assessments.area_form import could_edit_as_draft, read_only_message
from shelterassess.assessments.models import Assessment, AssessmentKind, AssessmentStatus
from shelterassess.audit import services as audit
from shelterassess.auth import permissions as perm
from shelterassess.errors import StaleData, ValidationFailed
from shelterassess.extensions import db
from shelterassess.facilities.models import Facility
from shelterassess.rounds.models import Round
from shelterassess.scoresheets import queries as sheet_queries
from shelterassess.scoresheets.models import Area, ScoreSheetVersion
from shelterassess.web.access import require, visible_or_404
from shelterassess.web.identifying import find_identifying_details
from shelterassess.web.pagination import paginate
from shelterassess.web.params import bounded_int, int_or_none

bp = Blueprint("api", __name__, url_prefix="/api/v1")
#: The ``kind`` filter of the assessment list.
KINDS = tuple(k.value for k in (AssessmentKind.SELF, AssessmentKind.PEER, AssessmentKind.AGREED))
#: Ids in paths: a larger number matches no route (404), so it never reaches an INTEGER column.
ID = f"int(max={inputs.MAX_INT})"
bp.before_request(authenticate)
bp.register_error_handler(HTTPException, handle_http_error)
bp.register_error_handler(Exception, handle_exception)


def _user():
    from flask_login import current_user

    return current_user._get_current_object()


def can_view_facility_by_api(user, facility: Facility) -> bool:
    """The API's facility scope: the facility's own staff and managers, the national team and
    administrators (the users who may see its address and phone on the pages)."""
    return perm.can_view_facility(user, facility) and perm.can_view_facility_contact(user, facility)


@bp.get("/openapi.json")
def openapi():
    from shelterassess.api.openapi import document

    return document(request.host_url.rstrip("/"), _note_max())


@bp.get("/facilities")
def facilities():
    user = _user()
    require(perm.can_list_facilities(user))
    query = select(Facility).order_by(Facility.code, Facility.id)
    if not (perm.is_national(user) or perm.is_admin(user)):
        query = query.where(Facility.id == (user.facility_id or 0))
    page = paginate(db.session, query, request.args)
    return out.page([out.facility(f, can_view_facility_by_api(user, f)) for f in page.items], page)


@bp.get(f"/facilities/<{ID}:facility_id>")
def facility(facility_id: int):
    user = _user()
    found = db.session.get(Facility, facility_id)
    found = visible_or_404(found, found is not None and can_view_facility_by_api(user, found))
    return out.facility(found, True)


@bp.get("/rounds")
def rounds():
    require(perm.can_view_rounds(_user()))
    page = paginate(db.session, select(Round).order_by(Round.created_at.desc(), Round.id.desc()), request.args)
    return out.page([out.round_(r) for r in page.items], page)


@bp.get(f"/rounds/<{ID}:round_id>")
def round_detail(round_id: int):
    require(perm.can_view_rounds(_user()))
    return out.round_(visible_or_404(db.session.get(Round, round_id), True))


@bp.get("/score-sheets")
def score_sheets():
    require(perm.can_view_scoresheets(_user()))
    query = select(ScoreSheetVersion).order_by(ScoreSheetVersion.key, ScoreSheetVersion.version.desc(),
                                               ScoreSheetVersion.id)
    page = paginate(db.session, query, request.args)
    return out.page([out.sheet_summary(s) for s in page.items], page)


@bp.get(f"/score-sheets/<{ID}:sheet_id>")
def score_sheet(sheet_id: int):
    require(perm.can_view_scoresheets(_user()))
    return out.sheet(visible_or_404(sheet_queries.sheet_with_content(db.session, sheet_id), True))


@bp.get("/assessments")
def assessments():
    """Assessments of one ``kind`` (default ``self``). Self: the national team sees every
    facility's, a facility's staff and managers their own facility's. Peer and agreed: those the
    pages show the caller (see :mod:`shelterassess.api.visibility`), filtered in SQL. Others
    (administrators) are refused, as on the pages."""
    user = _user()
    own_facility = user.facility_id if perm.is_facility_member(user, user.facility_id) else None
    require(perm.can_view_all_assessments(user) or own_facility is not None)
    kind = request.args.get("kind") or AssessmentKind.SELF.value
    if kind not in KINDS:
        return error_response(400, "kind must be one of: self, peer, agreed.")
    status = request.args.get("status")
    status = status if status in {s.value for s in AssessmentStatus} else None
    if kind == AssessmentKind.SELF.value:
        query = visibility.restrict_self(
            assessment_queries.national_self_assessments_query(round_id=_id_arg("round"), status=status),
            user, own_facility)
    else:
        query = visibility.restrict(visibility.kind_query(kind, _id_arg("round"), status), user, kind, own_facility)
    facility_id = _id_arg("facility")
    if facility_id:
        query = query.where(Assessment.facility_id == facility_id)
    page = paginate(db.session, query, request.args)
    return out.page([out.assessment_summary(a) for a in page.items], page)


def _id_arg(name: str) -> int | None:
    """An id filter from the query string: None when absent or not an integer; beyond the id
    columns' range it can match nothing (-1), and is never sent to the database as it is."""
    value = request.args.get(name, type=bounded_int)
    return -1 if value is not None and value > inputs.MAX_INT else value


def _load_assessment(assessment_id: int, self_only: bool = False) -> Assessment:
    """An assessment the caller may see (by the pages' rules, blind and release rules included),
    else 404; with ``self_only`` (writes), only a self-assessment: peer and agreed are 404."""
    found = db.session.get(Assessment, assessment_id)
    visible = (found is not None and (found.kind == AssessmentKind.SELF.value or not self_only)
               and visibility.can_view(db.session, _user(), found))
    return visible_or_404(found, visible)


@bp.get(f"/assessments/<{ID}:assessment_id>")
def assessment(assessment_id: int):
    found = _load_assessment(assessment_id)
    scores = assessment_queries.scores_by_indicator(db.session, found)
    return out.assessment(found, scores, perm.can_edit_assessment(_user(), found))


@bp.put(f"/assessments/<{ID}:assessment_id>/areas/<{ID}:area_id>")
def save_area(assessment_id: int, area_id: int):
    """Save the answers of some or all indicators of one area; each carries the score version it
    was read at. 200 with the area's scores; 409 when someone else changed one of them since (the
    current answers come back) or the assessment became read-only; 422 when an answer is invalid."""
    user = _user()
    found = _load_assessment(assessment_id, self_only=True)  # peer and agreed: written on the pages only
    area = db.session.get(Area, area_id)
    visible_or_404(area, area is not None and area.sheet_id == found.round.sheet_id)
    with force_locale("en"):
        if not perm.can_edit_assessment(user, found):
            require(could_edit_as_draft(user, found))
            return _read_only(found)
        body = request.get_json()
        items, confirmed, errors = inputs.parse_area_body(body, _note_max())
        errors += _not_in_area(body, items, area)
        if not errors and not confirmed:
            errors += _identifying(items)
        if errors:
            return _invalid(errors)
        return _save(user, found, area, items)


def _note_max() -> int:
    """The service's limit (the pages' too): the one that refuses."""
    return assessment_services.NOTE_MAX_LENGTH


def _save(user, found: Assessment, area: Area, items: list):
    try:
        assessment_services.save_area(db.session, user, found, area, items)
    except ValidationFailed as failure:
        db.session.rollback()
        found = db.session.get(Assessment, found.id)
        if not perm.can_edit_assessment(user, found):  # submitted or closed meanwhile
            return _read_only(found)
        index = {item.indicator_id: i for i, item in enumerate(items)}
        return _invalid([(_field_name(name, index), message) for name, message in failure.reasons])
    except StaleData as stale:
        db.session.rollback()
        scores = assessment_queries.scores_by_indicator(db.session, found)
        conflicts = [out.score(scores[i.indicator_id]) for i in items
                     if scores[i.indicator_id].indicator.code in stale.what]
        return error_response(409, "Someone else changed these answers since you read them. Read the "
                                   "assessment again, then send your answers with the new versions.",
                              reason="stale", conflicts=conflicts)
    audit.record(db.session, "update", obj=found, detail=f"api_token={current_token().id}")
    db.session.commit()
    scores = assessment_queries.scores_by_indicator(db.session, found)
    return {"assessment_id": found.id, "area_id": area.id,
            "scores": [out.score(scores[i.id]) for i in area.indicators if i.id in scores]}


def _read_only(found: Assessment):
    return error_response(409, read_only_message(found), reason="read_only", conflicts=[])


def _invalid(errors: list[tuple[str, str]]):
    return error_response(422, fields=[{"field": name, "message": message} for name, message in errors])


def _not_in_area(body, items: list, area: Area) -> list[tuple[str, str]]:
    ids = {i.id for i in area.indicators}
    positions = {}
    if isinstance(body, dict) and isinstance(body.get("answers"), list):
        positions = {a.get("indicator_id"): n for n, a in enumerate(body["answers"]) if isinstance(a, dict)
                     and isinstance(a.get("indicator_id"), int)}
    return [(f"answers[{positions.get(item.indicator_id, 0)}].indicator_id", "Not an indicator of this area.")
            for item in items if item.indicator_id not in ids]


def _identifying(items: list) -> list[tuple[str, str]]:
    """Notes that seem to identify a person are refused unless ``confirm_identifying`` is true
    (the area page asks for the same confirmation)."""
    errors = []
    for n, item in enumerate(items):
        findings = find_identifying_details(item.note)
        if findings:
            kinds = ", ".join(sorted({f.kind for f in findings}))
            errors.append((f"answers[{n}].note", f"The note seems to contain identifying details ({kinds}). Remove "
                                                 "them, or send confirm_identifying: true if it identifies no "
                                                 "resident or client."))
    return errors


def _field_name(service_field: str | None, index: dict[int, int]) -> str:
    """The service's form field ("score-12", "evidence-12", "note-12") as the API's ("answers[0].value")."""
    if not service_field or "-" not in service_field:
        return "answers"
    kind, _sep, ident = service_field.partition("-")
    number = int_or_none(ident)
    position = index.get(number) if number is not None else None
    name = {"score": "value"}.get(kind, kind)
    return f"answers[{position}].{name}" if position is not None else "answers"
