"""Probes for the process manager and the load balancer, outside /api/v1 and unauthenticated."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from application.health import readiness
from web.context import service

blp = Blueprint("health", __name__, description="Liveness and readiness probes")

# Endpoints that answer without credentials (the probes know none).
PUBLIC_ENDPOINTS = frozenset({"health.healthz", "health.readyz"})


class LivenessOut(Schema):
    status = fields.String(metadata={"example": "ok"})


class ReadinessOut(Schema):
    ready = fields.Boolean()
    store = fields.String(metadata={"enum": ["reachable", "unreachable"]})
    head = fields.Integer(metadata={"description": "last event's notification id"})
    position = fields.Integer(metadata={"description": "last notification id projected"})
    detail = fields.String()


@blp.route("/healthz", methods=["GET"])
@blp.response(200, LivenessOut)
def healthz() -> Any:
    """The process is up (the store is not consulted)."""
    return {"status": "ok"}


@blp.route("/readyz", methods=["GET"])
@blp.response(200, ReadinessOut)
@blp.alt_response(503, schema=ReadinessOut, description="Store unreachable or read models behind")
def readyz() -> Any:
    """The store answers and the read models have caught up with every event."""
    state = readiness(service())
    if not state["ready"]:
        return state, 503, {"Retry-After": "1"}
    return state
