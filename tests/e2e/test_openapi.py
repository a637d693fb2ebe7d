"""The OpenAPI document describes every endpoint the app serves."""

from __future__ import annotations

import re

from flask import Flask

from tests.conftest import Api


def test_openapi_covers_every_api_route(app: Flask, api: Api) -> None:
    spec = api.get("/api/v1/openapi.json").json
    documented = {
        (path, method.upper())
        for path, operations in spec["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.endswith("openapi.json"):
            continue
        if rule.endpoint.startswith("apidocs."):  # the page that browses the document
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods or ():
            if method in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                served.add((path, method))
    assert served, "no routes found"
    assert served <= documented
    assert "Problem" in spec["components"]["schemas"]


def test_error_responses_are_documented_as_problems_and_no_library_error_schema_leaks(
    api: Api,
) -> None:
    spec = api.get("/api/v1/openapi.json").json
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    responses = spec["components"]["responses"]
    assert responses["UNPROCESSABLE_ENTITY"] == {
        "description": "Unprocessable Entity",
        "content": problem,
    }
    assert responses["DEFAULT_ERROR"] == {"description": "A problem", "content": problem}
    assert "Error" not in spec["components"]["schemas"]
