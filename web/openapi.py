"""OpenAPI: problem answers and the headers every write and evaluation response carry."""

from __future__ import annotations

import http
from typing import Any

from apispec import BasePlugin

from web.problems import PROBLEM_JSON

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Any unique string (e.g. a UUID), 1-255 visible ASCII characters. A retry with the "
        "same key, caller and body gets the first successful answer back (with "
        "`Idempotent-Replayed: true`) and records nothing new; the same key with another "
        "request answers 422. Failed requests recorded nothing and are not kept."
    ),
    "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$", "maxLength": 255},
}

IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": (
        'The evaluation\'s ETag (its version, e.g. `"7"`). If the evaluation has moved on, '
        "the write answers 412 and records nothing. Without it, a write that races another "
        "change is run again on the fresh state (and validated again)."
    ),
    "schema": {"type": "string", "pattern": '^(\\*|(W/)?"?[0-9]{1,18}"?)$'},
}

PREFER = {
    "name": "Prefer",
    "in": "header",
    "required": False,
    "description": (
        "`return=minimal` (RFC 7240) asks for the compact answer instead of the whole "
        "document: the write's own fields and `evaluation: {id, version, status, total, "
        "grade, changed}`, `changed` listing the indicators whose figures moved. The answer "
        "then carries `Preference-Applied: return=minimal`."
    ),
    "schema": {"type": "string", "example": "return=minimal"},
}

PREFERENCE_APPLIED = {
    "description": "`return=minimal` when the compact answer was sent",
    "schema": {"type": "string", "enum": ["return=minimal"]},
}

# The writes that answer with the document, by the end of their rule, and the schema of their
# compact answer (registered by the app factory under these names).
COMPACT_ANSWERS = {
    "/evaluations": "EvaluationChangesOut",
    "/framework": "EvaluationChangesOut",
    "/data-entries": "EvaluationChangesOut",
    "/deductions": "DeductionChangesOut",
    "/withdrawal": "WithdrawalChangesOut",
    "/checklist": "EvaluationChangesOut",
    "/score": "EvaluationChangesOut",
    "/survey": "EvaluationChangesOut",
    "/submission": "EvaluationChangesOut",
    "/finalization": "EvaluationChangesOut",
    "/reopening": "EvaluationChangesOut",
}

ETAG = {
    "description": 'The evaluation\'s version as a strong entity tag, e.g. `"7"`',
    "schema": {"type": "string", "pattern": '^"[0-9]+"$'},
}


class HeadersPlugin(BasePlugin):
    """Adds Idempotency-Key and If-Match to writes, ETag to responses holding an evaluation,
    Prefer (and both shapes of the answer) to the writes that answer with the document."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        rule = str(getattr(kwargs.get("rule"), "rule", path or ""))
        on_evaluation = "<uuid:evaluation_id>" in rule
        for method, operation in (operations or {}).items():
            if method == "post":
                parameters = operation.setdefault("parameters", [])
                parameters.append(dict(IDEMPOTENCY_KEY))
                # a proof reads: it changes nothing, so no version to pin
                if on_evaluation and not rule.endswith("/verification"):
                    parameters.append(dict(IF_MATCH))
                    responses = operation.setdefault("responses", {})
                    responses.setdefault(
                        "412",
                        {
                            "description": "If-Match names an old version",
                            "content": {"application/problem+json": {"schema": "Problem"}},
                        },
                    )
            returns_evaluation = (method == "post" and "/evaluations" in rule) or (
                method == "get" and rule.endswith("<uuid:evaluation_id>")
            )
            compact = (
                COMPACT_ANSWERS.get("/" + rule.rsplit("/", 1)[-1]) if method == "post" else None
            )
            if compact is not None:
                operation.setdefault("parameters", []).append(dict(PREFER))
            if returns_evaluation:
                for status, response in (operation.get("responses") or {}).items():
                    if str(status) in ("200", "201") and isinstance(response, dict):
                        response.setdefault("headers", {})["ETag"] = dict(ETAG)
                        if compact is not None:
                            describe_both(response, compact)


def describe_both(response: dict[str, Any], compact: str) -> None:
    """A write's answer: the document (the default) or, preferred minimal, the compact one."""
    response["headers"]["Preference-Applied"] = dict(PREFERENCE_APPLIED)
    content = response.get("content", {}).get("application/json")
    if content is not None and "schema" in content:
        ref = {"$ref": f"#/components/schemas/{compact}"}
        content["schema"] = {"oneOf": [content["schema"], ref]}


# What the Api's default responses name as their body (its ERROR_SCHEMA): a reference the
# marshmallow plugin leaves as it is, for ProblemResponses to recognise and move.
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# How flask-smorest registers them: JSON bodies, described by the status's phrase, and the
# default error response by this description.
LIBRARY_DEFAULT = {"application/json": {"schema": PROBLEM_REF}}
DEFAULT_ERROR_DESCRIPTION = "Default error response"
STATUS_BY_PHRASE = {status.phrase: status for status in http.HTTPStatus}


class ProblemResponses(BasePlugin):
    """The Api's default responses, as ScoreTrail answers: every error status and the
    default error are application/problem+json with the Problem schema; the others carry no
    body schema (flask-smorest registers them all as JSON with its own error schema)."""

    def response_helper(self, response: dict[str, Any], **kwargs: Any) -> dict[str, Any] | None:
        if response.get("content") != LIBRARY_DEFAULT:
            return None  # a response of our own: as written
        problem = {"content": {PROBLEM_JSON: {"schema": "Problem"}}}
        description = str(response.get("description"))
        if description == DEFAULT_ERROR_DESCRIPTION:
            return {**problem, "description": "A problem"}
        status = STATUS_BY_PHRASE.get(description)
        return problem if status is None or status >= 400 else {"content": {}}
