"""Target values and sign-offs: thin handlers over the self-evaluation service."""

from __future__ import annotations

from typing import Any, cast

from flask import current_app

from application.self_evaluation import SelfEvaluationService
from web.api import EVALUATION, ApiBlueprint, Json
from web.context import actor
from web.preconditions import if_match, with_etag
from web.response_schemas import DocumentOut
from web.target_schemas import (
    SignOffCreatedOut,
    SignOffCreateSchema,
    SignOffListOut,
    TargetValueSchema,
)

EXTENSION = "scoretrail.self_evaluation"

blp = ApiBlueprint(
    "targets",
    __name__,
    url_prefix="/api/v1",
    description="Performance targets (绩效指标), their values, and sign-offs",
)


def self_evaluation() -> SelfEvaluationService:
    """The self-evaluation use cases built by create_app."""
    return cast(SelfEvaluationService, current_app.extensions[EXTENSION])


@blp.route(EVALUATION + "/indicators/<code>/target-values", methods=["POST"])
@blp.arguments(TargetValueSchema)
@blp.response(200, DocumentOut)
def record_target_value(body: Json, evaluation_id: Any, code: str) -> Any:
    """A monitored or final value (or qualitative outcome) of a target leaf."""
    document = self_evaluation().record_target_value(
        str(evaluation_id), code, **body, by=actor(), **if_match()
    )
    return with_etag(document)


@blp.route(EVALUATION + "/sign-offs", methods=["POST"])
@blp.arguments(SignOffCreateSchema)
@blp.response(201, SignOffCreatedOut)
def sign_off(body: Json, evaluation_id: Any) -> Any:
    """Sign the current version in a capacity (评价组组长, 部门负责人 …)."""
    return self_evaluation().sign_off(str(evaluation_id), **body, by=actor()), 201


@blp.route(EVALUATION + "/sign-offs", methods=["GET"])
@blp.response(200, SignOffListOut)
def list_sign_offs(evaluation_id: Any) -> Any:
    """Every sign-off, current or stale (changed after sign-off), and what is still missing."""
    return self_evaluation().sign_offs(str(evaluation_id))
