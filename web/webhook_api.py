"""Webhook receivers over HTTP, for admins: register, list, remove, read the delivery log."""

from __future__ import annotations

from typing import Any, cast

from flask import Flask, current_app, request

from application.delivery import DeliveryRunner
from application.webhooks import Webhooks
from web.api import ApiBlueprint, Json
from web.context import principal
from web.webhook_schemas import (
    DeliveryListOut,
    DeliveryQuerySchema,
    WebhookCreateSchema,
    WebhookListOut,
    WebhookOut,
)

EXTENSION = "scoretrail.webhooks"
DELIVERY = "scoretrail.delivery"

blp = ApiBlueprint(
    "webhooks", __name__, url_prefix="/api/v1", description="Signed webhooks (admin)"
)


def webhooks() -> Webhooks:
    return cast(Webhooks, current_app.extensions[EXTENSION])


@blp.route("/webhooks", methods=["POST"])
@blp.arguments(WebhookCreateSchema)
@blp.response(201, WebhookOut)
def register_webhook(body: Json) -> Any:
    """Register a receiver: every event committed from now on is posted to it, signed."""
    return webhooks().register(**body, by=principal().name, served_at=request.host)


@blp.route("/webhooks", methods=["GET"])
@blp.response(200, WebhookListOut)
def list_webhooks() -> Any:
    """Every receiver (secrets are never shown)."""
    return {"items": webhooks().all()}


@blp.route("/webhooks/<uuid:webhook_id>", methods=["DELETE"])
@blp.response(204)
def delete_webhook(webhook_id: Any) -> Any:
    """Remove a receiver and its delivery log; nothing more is posted to it."""
    webhooks().remove(str(webhook_id))
    return ""


@blp.route("/webhooks/<uuid:webhook_id>/deliveries", methods=["GET"])
@blp.arguments(DeliveryQuerySchema(), location="query")
@blp.response(200, DeliveryListOut)
def list_deliveries(query: Json, webhook_id: Any) -> Any:
    """The latest delivery attempts, newest first: positions, status, time, response code."""
    return {"items": webhooks().deliveries(str(webhook_id), **query)}


def start_delivery(app: Flask) -> None:
    """Run the app's delivery worker in a background thread, if the settings say so."""
    if app.config["SCORETRAIL_WEBHOOK_DELIVERY"]:
        cast(DeliveryRunner, app.extensions[DELIVERY]).start()
