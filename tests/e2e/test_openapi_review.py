"""The API description covers disputes, notes and tokens, and says how to authenticate."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api

NEW_OPERATIONS = [
    ("post", "/api/v1/evaluations/{evaluation_id}/disputes", "201"),
    ("get", "/api/v1/evaluations/{evaluation_id}/disputes", "200"),
    ("get", "/api/v1/evaluations/{evaluation_id}/disputes/{dispute_id}", "200"),
    ("post", "/api/v1/evaluations/{evaluation_id}/disputes/{dispute_id}/decision", "200"),
    ("post", "/api/v1/evaluations/{evaluation_id}/indicators/{code}/notes", "201"),
    ("post", "/api/v1/evaluations/{evaluation_id}/notes/{note_id}/resolution", "200"),
    ("get", "/api/v1/evaluations/{evaluation_id}/notes", "200"),
    ("get", "/api/v1/tokens", "200"),
    ("post", "/api/v1/tokens", "201"),
    ("post", "/api/v1/tokens/{name_or_id}/revocation", "200"),
]


@pytest.fixture
def spec(anonymous_api: Api) -> dict[str, Any]:
    return dict(anonymous_api.get("/openapi.json").json)


@pytest.mark.parametrize(("method", "path", "status"), NEW_OPERATIONS)
def test_the_new_operations_are_described(
    spec: dict[str, Any], method: str, path: str, status: str
) -> None:
    responses = spec["paths"][path][method]["responses"]
    assert status in responses


def test_every_operation_documents_401_and_403(spec: dict[str, Any]) -> None:
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            if path in ("/healthz", "/readyz"):  # probes need no token and say so
                assert operation["security"] == [], (method, path)
                assert "401" not in operation["responses"], (method, path)
                continue
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
    unauthenticated = spec["components"]["responses"]["Unauthenticated"]
    assert "WWW-Authenticate" in unauthenticated["headers"]
    assert unauthenticated["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    assert "Forbidden" in spec["components"]["responses"]


def test_the_dispute_and_decision_shapes_are_described(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert {"deduction_id", "indicator", "grounds", "evidence"} <= set(
        schemas["DisputeCreate"]["properties"]
    )
    assert schemas["Decision"]["properties"]["outcome"]["enum"] == [
        "upheld",
        "overturned",
        "amended",
    ]
    assert "dispute_id" in schemas["ScoreChangeOut"]["properties"]
