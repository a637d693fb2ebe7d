"""ScoreTrail web layer: the Flask app factory is the one composition root."""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

from flask import Flask, Response, g, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from adapters.bootstrap import build_components
from application.idempotency import IdempotentRequests
from web import health, problems
from web.api import blp
from web.idempotency import EXTENSION as IDEMPOTENCY
from web.idempotency import ScoreTrailFlask
from web.logs import AccessLog, configure_logging
from web.openapi import HeadersPlugin
from web.settings import load_settings, store_tuning


class Identity(NamedTuple):
    """The authenticated caller."""

    name: str
    role: str


class ProblemApi(Api):
    """flask-smorest Api whose HTTP errors are problem+json."""

    def handle_http_exception(self, error: HTTPException) -> Response:  # type: ignore[override]
        return problems.http_problem(error)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app, its service and its store from settings (env < config)."""
    settings = load_settings(config)
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

    components = build_components(settings["SCORETRAIL_DATABASE_URL"], store_tuning(settings))
    components.service.conflict_retries = settings["SCORETRAIL_CONFLICT_RETRIES"]
    app.extensions["scoretrail"] = components.service
    app.extensions[IDEMPOTENCY] = IdempotentRequests(
        components.keys,
        components.service.read_model.transaction,
        settings["SCORETRAIL_CONFLICT_RETRIES"],
    )
    app.wsgi_app = AccessLog(app.wsgi_app)  # type: ignore[method-assign]

    api = ProblemApi(app, spec_kwargs={"extra_plugins": [HeadersPlugin()]})
    api.spec.components.schema("Problem", schema=problems_schema())
    api.register_blueprint(blp)
    api.register_blueprint(health.blp)
    problems.register(app)

    @app.before_request
    def identify() -> None:
        incoming = request.headers.get("X-Request-ID", "").strip()
        g.request_id = incoming[:128] if incoming else str(uuid.uuid4())
        g.identity = Identity(
            app.config["SCORETRAIL_DEFAULT_ACTOR"], app.config["SCORETRAIL_DEFAULT_ROLE"]
        )

    @app.after_request
    def stamp(response: Response) -> Response:
        response.headers["X-Request-ID"] = getattr(g, "request_id", "")
        return response

    return app


def problems_schema() -> Any:
    from web.schemas import ProblemOut

    return ProblemOut
