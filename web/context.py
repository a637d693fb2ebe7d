"""Per-request access to the services and the caller's identity (no module-level state)."""

from __future__ import annotations

from typing import cast

from flask import current_app, g

from application.access import AccessControl, Principal
from application.records import RecordReports
from application.review import ReviewService
from application.service import EvaluationService
from application.sheets import SheetTransfer
from application.tokens import TokenService
from domain.evaluation import Actor


def service() -> EvaluationService:
    """The service built by create_app for this Flask app."""
    return cast(EvaluationService, current_app.extensions["scoretrail"])


def reviews() -> ReviewService:
    """Disputes and review notes."""
    return cast(ReviewService, current_app.extensions["scoretrail.review"])


def tokens() -> TokenService:
    """API tokens: issue, revoke, authenticate."""
    return cast(TokenService, current_app.extensions["scoretrail.tokens"])


def access() -> AccessControl:
    """The permission table and subject scopes."""
    return cast(AccessControl, current_app.extensions["scoretrail.access"])


def principal() -> Principal:
    """The authenticated caller of this request."""
    return cast(Principal, g.identity)


def sheets() -> SheetTransfer:
    """Sheet import and report export, built by create_app over the same service."""
    return cast(SheetTransfer, current_app.extensions["scoretrail.sheets"])


def actor() -> Actor:
    """The authenticated caller, with this request's correlation id."""
    identity = principal()
    return Actor(
        name=identity.name,
        role=identity.role,
        correlation_id=g.request_id,
        token_id=identity.token_id or "",
        subject=identity.subject or "",
    )


def records() -> RecordReports:
    """Reports for the record: the sheet with disputes, notes, findings and evidence."""
    return cast(RecordReports, current_app.extensions["scoretrail.records"])
