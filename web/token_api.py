"""API tokens over HTTP, for admins (the `scoretrail token` commands do the same)."""

from __future__ import annotations

from typing import Any

from web.api import ApiBlueprint, Json
from web.context import tokens
from web.review_schemas import TokenCreatedOut, TokenCreateSchema, TokenListOut

blp = ApiBlueprint("tokens", __name__, url_prefix="/api/v1", description="API tokens (admin)")


@blp.route("/tokens", methods=["GET"])
@blp.response(200, TokenListOut)
def list_tokens() -> Any:
    """Every token issued, revoked ones included; secrets are never shown again."""
    items = tokens().list_tokens()
    return {"items": items, "total": len(items)}


@blp.route("/tokens", methods=["POST"])
@blp.arguments(TokenCreateSchema)
@blp.response(201, TokenCreatedOut)
def create_token(body: Json) -> Any:
    """Issue a token; the response carries the secret, this once."""
    record, secret = tokens().create(**body)
    return {**record, "token": secret}


@blp.route("/tokens/<name_or_id>/revocation", methods=["POST"])
@blp.response(200, TokenListOut)
def revoke_token(name_or_id: str) -> Any:
    """Revoke the token with that id, or every active token with that name."""
    items = tokens().revoke(name_or_id)
    return {"items": items, "total": len(items)}
