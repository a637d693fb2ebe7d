"""Auditors' endpoints: diffs, explanations, findings, reported figures, chain verification."""

from __future__ import annotations

from typing import Any, cast

from flask import current_app

from application.audit import AuditService
from application.explanation_text import in_language
from web.api import EVALUATION, ApiBlueprint
from web.audit_schemas import (
    DiffOut,
    DiffQuerySchema,
    ExplanationOut,
    FindingsOut,
    ProofOut,
    ProofSchema,
    ReportedFigureSchema,
    VerificationOut,
)
from web.context import actor, service
from web.preconditions import if_match
from web.problem_language import requested_language
from web.response_schemas import DocumentOut
from web.schemas import AsOfQuerySchema
from web.target_schemas import FindingsQuerySchema

blp = ApiBlueprint(
    "audit", __name__, url_prefix="/api/v1", description="Auditors: diffs, explanations, proofs"
)

Json = dict[str, Any]


def audit() -> AuditService:
    """The auditors' service built by create_app for this Flask app."""
    return cast(AuditService, current_app.extensions["scoretrail_audit"])


@blp.route(EVALUATION + "/diff", methods=["GET"])
@blp.arguments(DiffQuerySchema, location="query")
@blp.response(200, DiffOut)
def diff(query: Json, evaluation_id: Any) -> Any:
    """What changed between two versions or times: scores, total, grade and the events."""
    return audit().diff(str(evaluation_id), query["start"], query["end"])


@blp.route(EVALUATION + "/indicators/<code>/explanation", methods=["GET"])
@blp.arguments(AsOfQuerySchema, location="query")
@blp.response(200, ExplanationOut)
def explanation(query: Json, evaluation_id: Any, code: str) -> Any:
    """How the indicator's score is made, step by step, each step citing its event version."""
    return in_language(audit().explanation(str(evaluation_id), code, **query), requested_language())


@blp.route(EVALUATION + "/findings", methods=["GET"])
@blp.arguments(FindingsQuerySchema, location="query")
@blp.response(200, FindingsOut)
def findings(query: Json, evaluation_id: Any) -> Any:
    """What does not add up: overrides, reported figures, sums, late data corrections, and
    targets overshot, final counts below mid-year ones, final values without evidence."""
    return audit().findings(str(evaluation_id), **query)


@blp.route(EVALUATION + "/reported-figures", methods=["POST"])
@blp.arguments(ReportedFigureSchema)
@blp.response(200, DocumentOut)
def record_reported_figure(body: Json, evaluation_id: Any) -> Any:
    """Keep a figure a report states (a score, a 得分率 or the total) to check it."""
    written = service().record_reported_figure(str(evaluation_id), **body, by=actor(), **if_match())
    return written.document()


@blp.route(EVALUATION + "/verification", methods=["GET"])
@blp.response(200, VerificationOut)
def verification(evaluation_id: Any) -> Any:
    """Recompute the event chain from the stored records; name the first one that breaks."""
    return audit().verification(str(evaluation_id))


@blp.route(EVALUATION + "/verification", methods=["POST"])
@blp.arguments(ProofSchema)
@blp.response(200, ProofOut)
def prove(body: Json, evaluation_id: Any) -> Any:
    """Prove the history up to `version` still hashes to a digest taken earlier."""
    return audit().prove(str(evaluation_id), **body)
