"""Property-based run of the API against its own OpenAPI document (issue 13's "done when").

The app is served for real on 127.0.0.1 (tests/served.py) over the demo data (``seed-demo``), and
schemathesis generates requests for every operation of ``/api/v1/openapi.json``: once with ids it
makes up (mostly 404s) and once with the ids of real objects (a draft self-assessment its caller
may edit, its first area, its facility, round and score sheet), as a facility manager and as the
national team. Every response must be documented (status code, content type) and match its
schema, and none may be a 5xx. Bounded and derandomised: the same examples every run.
"""
from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from shelterassess.api import services as tokens
from shelterassess.assessments.models import Assessment
from shelterassess.auth.models import User
from shelterassess.cli.seed import DEMO_DOMAIN, seed_demo
from shelterassess.extensions import db
from shelterassess.facilities.services import load_reference_data
from tests.conftest import PASSWORD
from tests.served import serving

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: Examples per operation with real ids (half as many with made-up ids, and for the second role).
EXAMPLES = 25


def _demo_world():
    load_reference_data(db.session)
    seed_demo(db.session, PASSWORD)
    db.session.commit()
    manager = db.session.scalar(select(User).where(User.email == f"manager.sh-qni@{DEMO_DOMAIN}"))
    national = db.session.scalar(select(User).where(User.email == f"national@{DEMO_DOMAIN}"))
    draft = db.session.scalar(select(Assessment).where(Assessment.facility_id == manager.facility_id,
                                                       Assessment.kind == "self", Assessment.status == "draft"))
    assert draft is not None and draft.round.is_open
    area = draft.round.sheet.areas[0]
    ids = {"assessment_id": draft.id, "area_id": area.id, "facility_id": draft.facility_id,
           "round_id": draft.round_id, "sheet_id": draft.round.sheet_id,
           "indicator_ids": [i.id for i in area.indicators]}
    bearer = {}
    for user in (manager, national):
        _row, token = tokens.create_token(db.session, user, "schemathesis", 30)
        bearer[user.role] = {"Authorization": f"Bearer {token}"}
    db.session.commit()
    return ids, bearer


def _run(operation, base: str, headers: dict, path_parameters: dict | None, examples: int) -> int:
    """Run ``examples`` generated cases of one operation; the number of requests sent."""
    wanted = {p.name for p in operation.path_parameters} if path_parameters else set()
    fixed = {k: v for k, v in (path_parameters or {}).items() if k in wanted} or None  # only the path's own
    sent = [0]

    @given(case=operation.as_strategy(path_parameters=fixed))
    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        sent[0] += 1
        case.call_and_validate(base_url=base, headers=headers, checks=CHECKS, timeout=30)

    check()
    return sent[0]


def _answers_strategy(indicator_ids: list[int]):
    """Bodies schemathesis would rarely make by chance: answers to the real indicators of the
    area, with small versions (so saves succeed, go stale or are refused as invalid)."""
    from hypothesis import strategies as st

    from shelterassess.scoresheets.models import EVIDENCE_SOURCES

    scored = st.integers(0, 3).map(lambda v: (v, False))
    value = st.one_of(scored, scored, scored, st.just((None, True)), st.just((None, False)))  # N/A: not everywhere
    answer = st.tuples(st.sampled_from(indicator_ids), value, st.integers(1, 3),
                       st.lists(st.sampled_from(EVIDENCE_SOURCES), unique=True),
                       st.one_of(st.just(""), st.text(max_size=40))).map(
        lambda t: {"indicator_id": t[0], "value": t[1][0], "not_applicable": t[1][1], "version": t[2],
                   "evidence": t[3], "note": t[4]})
    return st.fixed_dictionaries({"answers": st.lists(answer, min_size=1, max_size=len(indicator_ids),
                                                      unique_by=lambda a: a["indicator_id"])},
                                 optional={"confirm_identifying": st.booleans()})


def _run_saves(operation, base: str, headers: dict, ids: dict, examples: int) -> list[int]:
    """Saves of generated answers to the draft's first area; the status codes, in order."""
    statuses: list[int] = []

    @given(body=_answers_strategy(ids["indicator_ids"]))
    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(body):
        case = operation.Case(path_parameters={"assessment_id": ids["assessment_id"], "area_id": ids["area_id"]},
                              body=body, media_type="application/json")
        statuses.append(case.call_and_validate(base_url=base, headers=headers, checks=CHECKS, timeout=30).status_code)

    check()
    return statuses


def test_every_operation_conforms_to_the_openapi_document(app_ctx, app):
    seeding = time.monotonic()
    ids, bearer = _demo_world()
    started, sent = time.monotonic(), 0
    print(f"demo data: {started - seeding:.1f} s")
    with serving(app) as base:
        schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        # schemathesis leaves out the operation serving the schema itself (tests/web/test_api.py checks it)
        assert {op.definition.raw["operationId"] for op in operations} == {
            "listFacilities", "getFacility", "listRounds", "getRound", "listScoreSheets",
            "getScoreSheet", "listAssessments", "getAssessment", "saveArea"}
        for operation in operations:  # the facility manager: everything, made-up and real ids
            if operation.path_parameters:
                sent += _run(operation, base, bearer["facility_manager"], None, EXAMPLES // 2)
            sent += _run(operation, base, bearer["facility_manager"], ids, EXAMPLES)
        save = schema["/api/v1/assessments/{assessment_id}/areas/{area_id}"]["PUT"]
        statuses = _run_saves(save, base, bearer["facility_manager"], ids, EXAMPLES)
        sent += len(statuses)
        assert {200, 409, 422} <= set(statuses), statuses  # saved, stale and invalid answers were all tried
        for operation in operations:  # the national team (sees more, saves nothing): real ids
            sent += _run(operation, base, bearer["national_team"], ids, EXAMPLES // 2)
    elapsed = time.monotonic() - started
    print(f"schemathesis: {sent} requests over {len(operations)} operations in {elapsed:.1f} s")
    assert sent >= len(operations) * 2


def test_a_request_without_token_is_documented_too(app_ctx, app):
    """The 401 answer itself conforms (schemathesis above always sends a token)."""
    with serving(app) as base:
        schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
        operation = schema["/api/v1/facilities"]["GET"]
        case = operation.Case(query={})
        response = case.call(base_url=base)
        assert response.status_code == 401
        case.validate_response(response, checks=CHECKS)


def test_the_run_fails_on_an_undocumented_field_or_a_server_error(world, app, monkeypatch):
    """The harness can fail: a serializer that adds a field the document does not name, or a view
    that crashes, is caught (the server runs in this process, so the patch reaches it)."""
    from shelterassess.api import serializers

    _row, token = tokens.create_token(db.session, world.staff_a, "schemathesis", 30)
    db.session.commit()
    original = serializers.facility
    monkeypatch.setattr(serializers, "facility", lambda f, visible: {**original(f, visible), "secret": 1})
    with serving(app) as base:
        schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
        operation = schema["/api/v1/facilities"]["GET"]
        with pytest.raises(FailureGroup) as found:
            _run(operation, base, {"Authorization": f"Bearer {token}"}, None, 3)
        assert [type(e).__name__ for e in found.value.exceptions] == ["JsonSchemaError"]
        monkeypatch.setattr(serializers, "facility", lambda f, visible: 1 / 0)
        with pytest.raises(FailureGroup) as found:
            _run(operation, base, {"Authorization": f"Bearer {token}"}, None, 3)
        assert any("Server error" in str(e) for e in found.value.exceptions), found.value.exceptions
