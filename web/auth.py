"""Bearer-token authentication, and the table saying which action each route performs."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from apispec import APISpec, BasePlugin
from flask import Flask, g, request

from application.access import Action, Principal
from application.errors import Unauthenticated
from web import health
from web.context import access, tokens

# Answer without a token: the API description (and health checks, should any be added).
PUBLIC_ENDPOINTS = (
    frozenset({"api-docs.openapi_json", "apidocs.swagger_ui", "apidocs.swagger_asset"})
    | health.PUBLIC_ENDPOINTS
)
# Pages sign in with a browser session instead (web.ui) and check the same permission table.
SESSION_BLUEPRINTS = frozenset({"ui"})
# The public probes, as the paths the OpenAPI document lists.
PUBLIC_PATHS = frozenset({"/healthz", "/readyz"})

A = Action
# Route (Flask endpoint) → the action it performs; who may act is PERMISSIONS' business.
ROUTE_ACTIONS: Mapping[str, Action] = MappingProxyType(
    {
        "evaluations.create_evaluation": A.CREATE,
        "evaluations.list_evaluations": A.READ,
        "evaluations.get_evaluation": A.READ,
        "evaluations.indicator_history": A.READ,
        "evaluations.list_deductions": A.READ,
        "evaluations.history": A.READ_TRAIL,
        "evaluations.define_framework": A.RECORD,
        "evaluations.record_data_entry": A.RECORD,
        "evaluations.record_deduction": A.RECORD,
        "evaluations.withdraw_deduction": A.RECORD,
        "evaluations.assess_checklist": A.RECORD,
        "evaluations.record_score": A.RECORD,
        "evaluations.record_survey": A.RECORD,
        "evaluations.submit": A.SUBMIT,
        "evaluations.finalize": A.TRANSITION,
        "evaluations.reopen": A.TRANSITION,
        "targets.record_target_value": A.RECORD,
        "targets.sign_off": A.SIGN,
        "targets.list_sign_offs": A.READ,
        "form.fill_form": A.RECORD,
        "form.record_funds": A.RECORD,
        "review.list_disputes": A.READ,
        "review.get_dispute": A.READ,
        "review.raise_dispute": A.DISPUTE,
        "review.decide_dispute": A.DECIDE,
        "review.list_notes": A.READ_TRAIL,
        "review.add_note": A.NOTE,
        "review.resolve_note": A.NOTE,
        "audit.diff": A.READ_TRAIL,
        "audit.explanation": A.READ,
        "audit.findings": A.READ_TRAIL,
        "audit.record_reported_figure": A.RECORD,
        "audit.verification": A.READ_TRAIL,
        "audit.prove": A.READ_TRAIL,  # a POST that only reads: proving a digest
        "sheets.import_evaluation": A.CREATE,
        "evidence.upload_evidence": A.ATTACH,
        "evidence.list_evidence": A.READ,
        "evidence.download_evidence": A.READ,
        "sheets.report": A.READ,
        "tokens.list_tokens": A.MANAGE_TOKENS,
        "tokens.create_token": A.MANAGE_TOKENS,
        "tokens.revoke_token": A.MANAGE_TOKENS,
        "feed.events": A.READ,  # narrowed to the caller's subject and trail permission
        "feed.stream": A.READ,
        "webhooks.register_webhook": A.MANAGE_WEBHOOKS,
        "webhooks.list_webhooks": A.MANAGE_WEBHOOKS,
        "webhooks.delete_webhook": A.MANAGE_WEBHOOKS,
        "webhooks.list_deliveries": A.MANAGE_WEBHOOKS,
    }
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REALM = 'Bearer realm="scoretrail"'


def action_for(endpoint: str, method: str) -> Action:
    """The route's action; a route missing from the table gets the narrowest general one.

    Reading an unlisted route takes READ_TRAIL and writing takes RECORD, so subject tokens
    are kept out until the route is classified (a test lists unclassified routes).
    """
    listed = ROUTE_ACTIONS.get(endpoint)
    if listed is not None:
        return listed
    return A.READ_TRAIL if method in SAFE_METHODS else A.RECORD


def principal_from(header: str | None) -> Principal:
    """The caller a `Authorization: Bearer …` header stands for, or Unauthenticated."""
    if not header:
        raise Unauthenticated(
            "this API needs a bearer token: send 'Authorization: Bearer <token>'",
            challenge=REALM,
        )
    scheme, _, secret = header.strip().partition(" ")
    principal = tokens().authenticate(secret.strip()) if scheme.lower() == "bearer" else None
    if principal is None:
        raise Unauthenticated(
            "the bearer token is malformed, unknown or revoked",
            challenge=f'{REALM}, error="invalid_token"',
        )
    return principal


def authenticate() -> None:
    """Before each request: who is calling, and may they do what this route does?"""
    if request.endpoint in PUBLIC_ENDPOINTS or request.blueprint in SESSION_BLUEPRINTS:
        return
    g.identity = principal = principal_from(request.headers.get("Authorization"))
    if request.endpoint is None:
        return  # no such route: routing answers 404 or 405
    evaluation_id = (request.view_args or {}).get("evaluation_id")
    access().authorize(
        principal,
        action_for(request.endpoint, request.method),
        None if evaluation_id is None else str(evaluation_id),
    )


def visible_filters(filters: dict[str, Any]) -> dict[str, Any] | None:
    """List filters narrowed to the caller's scope; None when nothing could match."""
    return access().scope_filters(g.identity, filters)


def install(app: Flask) -> None:
    """Check every request; register after the hook that sets the request id."""
    app.before_request(authenticate)


class BearerAuthPlugin(BasePlugin):
    """Document the bearer scheme and the 401/403 answers on every operation."""

    def init_spec(self, spec: APISpec) -> None:
        spec.components.security_scheme(
            "bearerAuth",
            {
                "type": "http",
                "scheme": "bearer",
                "description": "An API token from `scoretrail token create`; its role "
                "decides what the caller may do.",
            },
        )
        spec.options.setdefault("security", [{"bearerAuth": []}])
        problem = {"application/problem+json": {"schema": "Problem"}}
        spec.components.response(
            "Unauthenticated",
            {
                "description": "No token, or a malformed, unknown or revoked one.",
                "content": problem,
                "headers": {
                    "WWW-Authenticate": {
                        "description": 'Bearer realm="scoretrail"[, error="invalid_token"]',
                        "schema": {"type": "string"},
                    }
                },
            },
        )
        spec.components.response(
            "Forbidden",
            {"description": "The token's role does not allow this.", "content": problem},
        )

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        public = str(path or "") in PUBLIC_PATHS
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            if public:  # probes answer without a token
                operation["security"] = []
                continue
            responses.setdefault("401", "Unauthenticated")
            responses.setdefault("403", "Forbidden")
