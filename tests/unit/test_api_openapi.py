"""The OpenAPI document of /api/v1 (shelterassess/api/openapi.py) as a value: valid OpenAPI 3.1,
strict object schemas, every error documented. Pure: no app."""
from openapi_spec_validator import validate

from shelterassess.api.errors import ERRORS
from shelterassess.api.openapi import document


def _objects(node):
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


def test_the_document_is_valid_openapi_3_1():
    doc = document("http://127.0.0.1:5000")
    validate(doc)
    assert doc["openapi"] == "3.1.0"


def test_every_object_schema_forbids_unnamed_properties():
    objects = list(_objects(document("")["components"]["schemas"]))
    assert len(objects) > 15
    assert all(o["additionalProperties"] is False for o in objects)


def test_every_error_status_has_a_response_and_every_operation_answers_401_but_the_document():
    doc = document("")
    assert set(doc["components"]["responses"]) == {str(s) for s in ERRORS}
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert "200" in codes and "500" in codes, (method, path)
            assert ("401" in codes) == (path != "/api/v1/openapi.json"), (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
