"""The served OpenAPI document describes every answer: a schema-driven fuzzer checks it."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from application.tokens import TokenService
from tests.conftest import bearer

pytestmark = pytest.mark.fuzz

# Examples per operation and caller: ~35 operations × 2 callers × 8 take well under a minute.
EXAMPLES = int(os.environ.get("SCORETRAIL_FUZZ_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def fuzz(app: Flask, headers: dict[str, str]) -> list[str]:
    """Run every operation of the served document; one line per operation that failed."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,  # the same cases on every run: CI does not flicker
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        # schemathesis groups its findings in a BaseExceptionGroup; report every operation
        except (Exception, BaseExceptionGroup) as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    return failures


@pytest.mark.parametrize("role", ["evaluator", "admin"])
def test_the_served_document_describes_every_answer(
    app: Flask, tokens: TokenService, role: str
) -> None:
    _, secret = tokens.create(f"fuzz-{role}", role)
    failures = fuzz(app, bearer(secret))
    assert not failures, "\n\n".join(failures)
