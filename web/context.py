"""Per-request access to the service and the caller's identity (no module-level state)."""

from __future__ import annotations

from typing import cast

from flask import current_app, g

from application.service import EvaluationService
from application.sheets import SheetTransfer
from domain.evaluation import Actor


def service() -> EvaluationService:
    """The service built by create_app for this Flask app."""
    return cast(EvaluationService, current_app.extensions["scoretrail"])


def sheets() -> SheetTransfer:
    """Sheet import and report export, built by create_app over the same service."""
    return cast(SheetTransfer, current_app.extensions["scoretrail.sheets"])


def actor() -> Actor:
    """The authenticated caller, with this request's correlation id."""
    identity = g.identity
    return Actor(name=identity.name, role=identity.role, correlation_id=g.request_id)
