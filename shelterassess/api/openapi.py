"""The OpenAPI 3.1 description of ``/api/v1``, built as a dict and served at ``/api/v1/openapi.json``.

It is the contract: every route, parameter, request and response body and error of
:mod:`shelterassess.api.views`. Object schemas forbid properties they do not name
(``additionalProperties: false``), so a field added to a serializer but not here fails the
schemathesis run (tests/web/test_api_schemathesis.py); the document itself is checked with
openapi-spec-validator (tests/web/test_api.py).
"""
from __future__ import annotations

from typing import Any

from shelterassess.api.errors import ERRORS
from shelterassess.api.inputs import MAX_ANSWERS, MAX_INT
from shelterassess.scoresheets.models import EVIDENCE_SOURCES

VERSION = "1.0.0"
JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict[str, Any], required: list[str] | None = None, description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties,
                              "required": list(properties) if required is None else required,
                              "additionalProperties": False}
    if description:
        schema["description"] = description
    return schema


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


ID = {"type": "integer", "minimum": 1}
TEXT = {"type": "string"}
TIME = {"type": "string", "format": "date-time"}
TIME_OR_NULL = _nullable("string", format="date-time")
PERCENT = _nullable("number", minimum=0, maximum=100)


def _schemas(note_max: int) -> dict[str, Any]:
    score = _obj({
        "indicator_id": ID, "code": TEXT, "value": _nullable("integer", minimum=0, maximum=3),
        "not_applicable": {"type": "boolean"},
        "evidence": {"type": "array", "items": {"enum": list(EVIDENCE_SOURCES)}},
        "note": TEXT, "version": {**ID, "description": "Send it back when saving (optimistic locking)."},
        "updated_at": TIME_OR_NULL,
    }, description="One indicator's answer. value null and not_applicable false: not answered yet.")
    return {
        "Error": _obj({"status": {"type": "integer"}, "error": TEXT, "message": TEXT},
                      description="Every refusal. Messages are English, for programs."),
        "FieldError": _obj({"field": {**TEXT, "description": "e.g. answers[0].value"}, "message": TEXT}),
        "ValidationError": _obj({"status": {"const": 422}, "error": TEXT, "message": TEXT,
                                 "fields": {"type": "array", "items": _ref("FieldError")}}),
        "ConflictError": _obj({
            "status": {"const": 409}, "error": TEXT, "message": TEXT,
            "reason": {"enum": ["stale", "read_only"],
                       "description": "stale: someone else saved these indicators since you read them; "
                                      "read_only: the assessment was submitted or its round closed."},
            "conflicts": {"type": "array", "items": _ref("Score"),
                          "description": "The current saved answers of the indicators in conflict (stale)."},
        }),
        "Province": _obj({"code": TEXT, "name_vi": TEXT, "name_en": TEXT}),
        "Facility": _obj({
            "id": ID, "code": TEXT, "name": TEXT, "type": {"enum": ["shelter", "reception_centre"]},
            "active": {"type": "boolean"}, "capacity": {"type": "integer"}, "province": _ref("Province"),
            "address": _nullable("string"), "phone": _nullable("string"),
        }),
        "Round": _obj({"id": ID, "name": TEXT, "status": {"enum": ["planned", "open", "closed"]}, "sheet_id": ID,
                       "opened_at": TIME_OR_NULL, "closed_at": TIME_OR_NULL}),
        "SheetSummary": _obj(_sheet_summary_properties()),
        "Level": _obj({"level": {"type": "integer", "minimum": 0, "maximum": 3}, "descriptor_vi": TEXT,
                       "descriptor_en": TEXT}),
        "Indicator": _obj({
            "id": ID, "code": TEXT, "key": TEXT, "position": {"type": "integer"}, "text_vi": TEXT, "text_en": TEXT,
            "guidance_vi": TEXT, "guidance_en": TEXT, "na_allowed": {"type": "boolean"},
            "critical": {"type": "boolean"}, "red_flag_at": {"type": "integer", "minimum": 0, "maximum": 3},
            "evidence": {"type": "array", "items": {"enum": list(EVIDENCE_SOURCES)}},
            "levels": {"type": "array", "items": _ref("Level")},
        }),
        "Area": _obj({"id": ID, "code": TEXT, "key": TEXT, "position": {"type": "integer"}, "title_vi": TEXT,
                      "title_en": TEXT, "indicators": {"type": "array", "items": _ref("Indicator")}}),
        "Sheet": _obj({**_sheet_summary_properties(), "description_vi": TEXT, "description_en": TEXT,
                       "areas": {"type": "array", "items": _ref("Area")}}),
        "AssessmentSummary": _obj(_assessment_summary_properties()),
        "Score": score,
        "AreaResult": _obj({"area_id": ID, "code": TEXT, "percentage": PERCENT,
                            "applicable": {"type": "integer", "minimum": 0}, "total": {"type": "integer", "minimum": 0}},
                           description="Stored when the assessment was submitted."),
        "Assessment": _obj({
            **_assessment_summary_properties(),
            "editable": {"type": "boolean", "description": "Whether you may save answers now."},
            "scores": {"type": "array", "items": _ref("Score")},
            "area_results": {"type": "array", "items": _ref("AreaResult"),
                             "description": "Empty while the assessment is a draft."},
        }),
        "Answer": _obj({
            "indicator_id": {**ID, "maximum": MAX_INT},
            "value": _nullable("integer", minimum=0, maximum=3),
            "not_applicable": {"type": "boolean", "description": "N/A, where the indicator allows it (value null)."},
            "evidence": {"type": "array", "uniqueItems": True, "items": {"enum": list(EVIDENCE_SOURCES)}},
            "note": {"type": "string", "maxLength": note_max},
            "version": {**ID, "maximum": MAX_INT, "description": "The score's version as you read it."},
        }),
        "AreaAnswers": _obj({
            "answers": {"type": "array", "minItems": 1, "maxItems": MAX_ANSWERS, "items": _ref("Answer")},
            "confirm_identifying": {"type": "boolean", "default": False,
                                    "description": "Confirm that notes flagged as identifying identify no "
                                                   "resident or client (as the box on the area page)."},
        }, required=["answers"]),
        "SaveResult": _obj({"assessment_id": ID, "area_id": ID, "scores": {"type": "array", "items": _ref("Score")}},
                           description="The area's answers after the save, with their new versions."),
        **{f"{name}Page": _page(name) for name in ("Facility", "Round", "SheetSummary", "AssessmentSummary")},
    }


def _sheet_summary_properties() -> dict[str, Any]:
    return {"id": ID, "key": TEXT, "version": {"type": "integer"}, "status": {"enum": ["draft", "published"]},
            "title_vi": TEXT, "title_en": TEXT, "published_at": TIME_OR_NULL}


def _assessment_summary_properties() -> dict[str, Any]:
    team = {"oneOf": [{"type": "null"}, _obj({"id": ID, "name": TEXT})],
            "description": "The assessing team of a peer assessment; null for self and agreed."}
    return {"id": ID, "kind": {"enum": ["self", "peer", "agreed"]}, "status": {"enum": ["draft", "submitted"]},
            "facility_id": ID, "round_id": ID, "sheet_id": ID, "submitted_at": TIME_OR_NULL,
            "overall_percentage": PERCENT, "red_flag_count": {"type": "integer", "minimum": 0},
            "updated_at": TIME_OR_NULL, "team": team}


def _page(item: str) -> dict[str, Any]:
    return _obj({"items": {"type": "array", "items": _ref(item)}, "page": {"type": "integer", "minimum": 1},
                 "per_page": {"type": "integer", "minimum": 1}, "total": {"type": "integer", "minimum": 0},
                 "pages": {"type": "integer", "minimum": 1}})


def _error_responses() -> dict[str, Any]:
    responses = {}
    for status, (code, message) in ERRORS.items():
        schema = {422: "ValidationError", 409: "ConflictError"}.get(status, "Error")
        headers = {}
        if status == 401:
            headers["WWW-Authenticate"] = {"schema": TEXT, "description": "Bearer"}
        if status in (429, 503):
            headers["Retry-After"] = {"schema": {"type": "integer"}, "description": "Seconds to wait."}
        response: dict[str, Any] = {"description": f"{code}: {message}", "content": {JSON: {"schema": _ref(schema)}}}
        if headers:
            response["headers"] = headers
        responses[str(status)] = response
    return responses


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(s): {"$ref": f"#/components/responses/{s}"} for s in statuses}


#: Errors any authenticated request can get.
COMMON = (400, 401, 429, 500, 503)
PAGE = {"name": "page", "in": "query", "required": False,
        "description": "Page number (1 when absent or not a positive integer; past the last page: the last page).",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INT}}


def _path_id(name: str, what: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": f"The {what}'s id.",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INT}}


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {"200": {"description": description, "content": {JSON: {"schema": _ref(schema)}}}}


def _get(op_id: str, tag: str, summary: str, schema: str, params: list | None = None,
         errors: tuple[int, ...] = (403,)) -> dict[str, Any]:
    return {"get": {"operationId": op_id, "tags": [tag], "summary": summary, "parameters": params or [],
                    "responses": {**_ok(schema, summary), **_errors(*COMMON, *errors)}}}


def _paths() -> dict[str, Any]:
    query_int = [{"name": name, "in": "query", "required": False, "description": text,
                  "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INT}}
                 for name, text in (("round", "Only this round's."), ("facility", "Only this facility's."))]
    status = {"name": "status", "in": "query", "required": False, "description": "Only drafts or submitted ones.",
              "schema": {"enum": ["draft", "submitted"]}}
    kind = {"name": "kind", "in": "query", "required": False,
            "description": "Which assessments: self (the default), peer or agreed. Peer and agreed ones are "
                           "listed only as the pages show them (blind until submission or release); another "
                           "value is 400.",
            "schema": {"enum": ["self", "peer", "agreed"], "default": "self"}}
    return {
        "/api/v1/openapi.json": {"get": {
            "operationId": "openapi", "tags": ["meta"], "summary": "This description (no token needed).",
            "security": [], "responses": {"200": {"description": "The OpenAPI document.",
                                                  "content": {JSON: {"schema": {"type": "object"}}}},
                                          **_errors(400, 500)}}},
        "/api/v1/facilities": _get(
            "listFacilities", "facilities", "Facilities you may see: your own (facility staff and managers) or "
            "all (national team, administrators).", "FacilityPage", [PAGE]),
        "/api/v1/facilities/{facility_id}": _get(
            "getFacility", "facilities", "One facility (404 unless it is in your scope).", "Facility",
            [_path_id("facility_id", "facility")], (403, 404)),
        "/api/v1/rounds": _get("listRounds", "rounds", "Assessment rounds, newest first (not administrators).",
                               "RoundPage", [PAGE]),
        "/api/v1/rounds/{round_id}": _get("getRound", "rounds", "One round.", "Round",
                                          [_path_id("round_id", "round")], (403, 404)),
        "/api/v1/score-sheets": _get("listScoreSheets", "score sheets", "Score-sheet versions.", "SheetSummaryPage",
                                     [PAGE]),
        "/api/v1/score-sheets/{sheet_id}": _get(
            "getScoreSheet", "score sheets", "One score-sheet version with its areas, indicators and levels.",
            "Sheet", [_path_id("sheet_id", "score-sheet version")], (403, 404)),
        "/api/v1/assessments": _get(
            "listAssessments", "assessments", "Assessments of one kind. Self: all (national team) or your "
            "facility's (facility staff and managers). Peer and agreed: those the pages show you. Administrators "
            "get 403.", "AssessmentSummaryPage", [PAGE, *query_int, status, kind]),
        "/api/v1/assessments/{assessment_id}": _get(
            "getAssessment", "assessments", "One self, peer or agreed assessment you may see (404 otherwise, "
            "as on the pages) with every score and its stored area results.",
            "Assessment", [_path_id("assessment_id", "assessment")], (403, 404)),
        "/api/v1/assessments/{assessment_id}/areas/{area_id}": {"put": {
            "operationId": "saveArea", "tags": ["assessments"],
            "summary": "Save answers of one area of a draft self-assessment (facility staff and managers).",
            "description": "Each answer replaces the indicator's saved answer, if its version is still the one "
                           "you send; indicators you leave out are unchanged. All or nothing.",
            "parameters": [_path_id("assessment_id", "assessment"), _path_id("area_id", "area")],
            "requestBody": {"required": True, "content": {JSON: {"schema": _ref("AreaAnswers")}}},
            "responses": {**_ok("SaveResult", "Saved."), **_errors(*COMMON, 403, 404, 409, 413, 415, 422)},
        }},
    }


def document(server_url: str, note_max: int = 2000) -> dict[str, Any]:
    """The whole OpenAPI document, with ``server_url`` (scheme and host) as its server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ShelterAssess API", "version": VERSION,
            "description": "Read facilities, rounds, score sheets and self, peer and agreed assessments; save a "
                           "draft area of a self-assessment. "
                           "Authenticate with a personal token from your account page: "
                           "'Authorization: Bearer sa_…'. See docs/api.md.",
        },
        "servers": [{"url": server_url or "/"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": name} for name in ("meta", "facilities", "rounds", "score sheets", "assessments")],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A personal API token (sa_…)."}},
            "schemas": _schemas(note_max),
            "responses": _error_responses(),
        },
    }
