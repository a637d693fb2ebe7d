"""The self-evaluation form's header and funds block: thin handlers over the service."""

from __future__ import annotations

from typing import Any

from web.api import EVALUATION, ApiBlueprint, Json, written
from web.context import service
from web.form_schemas import FormUpdateSchema, FundsUpdateSchema
from web.response_schemas import DocumentOut

blp = ApiBlueprint(
    "form",
    __name__,
    url_prefix="/api/v1",
    description="The self-evaluation form's header, overall goal and funds block (项目资金)",
)


@blp.route(EVALUATION + "/form", methods=["POST"])
@blp.arguments(FormUpdateSchema)
@blp.response(200, DocumentOut)
def fill_form(body: Json, evaluation_id: Any) -> Any:
    """Fill or correct fields of the header and 年度总体目标 (a changed field needs a reason)."""
    reason = body.pop("reason", None)
    return written(service().fill_form, str(evaluation_id), body, reason=reason)


@blp.route(EVALUATION + "/funds", methods=["POST"])
@blp.arguments(FundsUpdateSchema)
@blp.response(200, DocumentOut)
def record_funds(body: Json, evaluation_id: Any) -> Any:
    """Record one source's row of the funds block, or correct it (with a reason)."""
    return written(service().record_funds, str(evaluation_id), **body)
