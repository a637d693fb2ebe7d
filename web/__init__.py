"""ScoreTrail web layer: the Flask app factory is the one composition root."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Flask, Response, g, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from adapters.bootstrap import (
    build_audit,
    build_components,
    build_evidence,
    build_records,
    build_review_service,
    build_self_evaluation,
    build_session_service,
    build_sheets,
    build_token_service,
)
from adapters.feed_wiring import build_feed
from adapters.webhook_wiring import build_webhooks
from application.access import AccessControl
from application.idempotency import IdempotentRequests
from application.moments import zone_named
from web import (
    auth,
    feed_api,
    form_api,
    health,
    hostile_input,
    problems,
    review_api,
    target_api,
    token_api,
    ui,
    webhook_api,
)
from web.api import blp
from web.audit_api import blp as audit_blp
from web.evidence_api import allow_evidence_sized_bodies
from web.evidence_api import blp as evidence_blp
from web.idempotency import EXTENSION as IDEMPOTENCY
from web.idempotency import ScoreTrailFlask
from web.logs import AccessLog, configure_logging
from web.openapi import PROBLEM_REF, HeadersPlugin, ProblemResponses
from web.settings import (
    chain_secret,
    evidence_limits,
    load_settings,
    pdf_pool,
    store_tuning,
    webhook_settings,
)
from web.sheets import blp as sheets_blp

REQUEST_ID = re.compile(r"[\x21-\x7e]{1,128}")


class ProblemApi(Api):
    """flask-smorest Api whose HTTP errors are problem+json."""

    def handle_http_exception(self, error: HTTPException) -> Response:  # type: ignore[override]
        return problems.http_problem(error)

    # flask-smorest's default responses name this body; ProblemResponses makes them problems
    ERROR_SCHEMA = PROBLEM_REF


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app, its service and its store from settings (env < config)."""
    settings = load_settings(config)
    secret = chain_secret(settings)  # refuses production without a secret, before anything opens
    zone = zone_named(settings["SCORETRAIL_TIMEZONE"])  # unknown: the start fails, not a request
    app = ScoreTrailFlask(__name__)
    app.config.update(settings)
    app.config.update(
        MAX_CONTENT_LENGTH=settings["SCORETRAIL_MAX_BODY_BYTES"],
        API_TITLE="ScoreTrail",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    configure_logging(settings["SCORETRAIL_LOG_LEVEL"], settings["SCORETRAIL_LOG_FORMAT"])

    components = build_components(
        settings["SCORETRAIL_DATABASE_URL"], store_tuning(settings), secret
    )
    service = components.service
    service.conflict_retries = settings["SCORETRAIL_CONFLICT_RETRIES"]
    reviews = build_review_service(service)
    app.extensions["scoretrail"] = service
    app.extensions["scoretrail.review"] = reviews
    app.extensions["scoretrail.tokens"] = tokens = build_token_service(
        service, settings["SCORETRAIL_TOKEN_CACHE_SECONDS"]
    )
    app.extensions["scoretrail.sessions"] = build_session_service(service, tokens)
    app.extensions["scoretrail.access"] = AccessControl(reviews.queries.subject_of)
    evidence = build_evidence(
        service,
        settings["SCORETRAIL_DATABASE_URL"],
        settings["SCORETRAIL_EVIDENCE_DIR"] or None,
        evidence_limits(settings),
    )
    app.extensions["scoretrail.evidence"] = evidence
    audit = app.extensions["scoretrail_audit"] = build_audit(service, evidence)
    sheets = app.extensions["scoretrail.sheets"] = build_sheets(service)
    sheets.zone = zone
    # PDF layout runs in this app's own worker processes, started on the first PDF
    pdf = app.extensions["scoretrail.pdf"] = pdf_pool(settings)
    app.extensions["scoretrail.records"] = build_records(audit, sheets, zone, evidence, pdf)
    app.extensions[target_api.EXTENSION] = build_self_evaluation(service)
    app.extensions[IDEMPOTENCY] = IdempotentRequests(
        components.keys,
        service.unit_of_work.transaction,
        settings["SCORETRAIL_CONFLICT_RETRIES"],
    )
    app.extensions[feed_api.EXTENSION], announcer = build_feed(
        service,
        settings["SCORETRAIL_FEED_POLL_SECONDS"],
        settings["SCORETRAIL_FEED_MAX_WAIT_SECONDS"],
    )
    app.extensions["scoretrail.feed_announcer"] = announcer
    app.extensions[webhook_api.EXTENSION], app.extensions[webhook_api.DELIVERY] = build_webhooks(
        service, app.extensions[feed_api.EXTENSION], webhook_settings(settings)
    )
    app.wsgi_app = AccessLog(app.wsgi_app)  # type: ignore[method-assign]

    api = ProblemApi(
        app,
        spec_kwargs={
            "extra_plugins": [auth.BearerAuthPlugin(), HeadersPlugin(), ProblemResponses()]
        },
    )
    api.spec.components.schema("Problem", schema=problems_schema())
    for name, schema in compact_schemas().items():
        api.spec.components.schema(name, schema=schema)
    api.register_blueprint(blp)
    api.register_blueprint(review_api.blp)
    api.register_blueprint(target_api.blp)
    api.register_blueprint(form_api.blp)
    api.register_blueprint(token_api.blp)
    api.register_blueprint(audit_blp)
    api.register_blueprint(sheets_blp)
    api.register_blueprint(evidence_blp)
    api.register_blueprint(health.blp)
    api.register_blueprint(feed_api.blp)
    api.register_blueprint(webhook_api.blp)
    problems.register(app)
    ui.install(app)  # pages under /ui and the API browser at /api/v1/docs

    @app.before_request
    def identify() -> None:
        incoming = request.headers.get("X-Request-ID", "").strip()[:128]
        # echoed in headers, logs and problems: visible ASCII only, else a fresh id
        g.request_id = incoming if REQUEST_ID.fullmatch(incoming) else str(uuid.uuid4())

    auth.install(app)  # after the request id is set: problems carry it
    # before the first check that reads a body: the evidence route's own limit must hold
    # before the form is parsed under the general one
    app.before_request(allow_evidence_sized_bodies)
    hostile_input.install(app)  # after authentication: strangers learn nothing of the shapes

    @app.after_request
    def stamp(response: Response) -> Response:
        response.headers["X-Request-ID"] = getattr(g, "request_id", "")
        return response

    return app


def compact_schemas() -> dict[str, Any]:
    """The compact write answers the OpenAPI document describes beside the documents."""
    from web.response_schemas import DeductionChangesOut, EvaluationChangesOut, WithdrawalChangesOut

    return {
        "EvaluationChangesOut": EvaluationChangesOut,
        "DeductionChangesOut": DeductionChangesOut,
        "WithdrawalChangesOut": WithdrawalChangesOut,
    }


def problems_schema() -> Any:
    from web.response_schemas import ProblemOut

    return ProblemOut
