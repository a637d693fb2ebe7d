"""The one place that maps errors to application/problem+json responses."""

from __future__ import annotations

import logging
import re
from typing import Any

from eventsourcing.persistence import IntegrityError, OperationalError
from flask import Flask, Response, g, json
from werkzeug.exceptions import HTTPException

from application.errors import (
    ApplicationError,
    ConcurrentChange,
    EvaluationNotFound,
    Forbidden,
    SheetRejected,
    StaleVersion,
    TokenRefused,
    Unauthenticated,
    UnknownToken,
    VersionNotFound,
)
from application.idempotency import IdempotencyKeyReused
from domain.errors import DomainError, InvalidValue, NotFound, NotPermitted
from web.problem_language import localise

log = logging.getLogger("scoretrail.web")

PROBLEM_JSON = "application/problem+json"


def slug(name: str) -> str:
    """CamelCase class name → kebab-case problem type."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem(
    status: int,
    title: str,
    detail: str,
    kind: str,
    errors: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"urn:scoretrail:problem:{kind}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    if extra:
        body.update(extra)
    request_id = getattr(g, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    body = localise(body)  # Chinese unless the caller asks for English
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def status_of(error: DomainError | ApplicationError) -> int:
    if isinstance(getattr(error, "status", None), int):  # an error that names its own status
        return int(error.status)  # type: ignore[union-attr]
    if isinstance(error, Unauthenticated):
        return 401
    if isinstance(error, Forbidden | NotPermitted):
        return 403
    if isinstance(error, NotFound | EvaluationNotFound | VersionNotFound | UnknownToken):
        return 404
    if isinstance(error, InvalidValue | TokenRefused | SheetRejected | IdempotencyKeyReused):
        return 422
    if isinstance(error, StaleVersion):
        return 412
    return 409


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Nested marshmallow messages → {"indicators.0.weight": ["…"]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten(value, name))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = list(messages)
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            flat.update(flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat


def register(app: Flask) -> None:
    """Install the handlers; flask-smorest's HTTP handler is replaced by `http_problem`."""

    @app.errorhandler(DomainError)
    def domain_problem(error: DomainError) -> Response:
        values = {k: v for k, v in error.values.items() if k != "problems"}
        extra: dict[str, Any] = {"values": values} if values else {}
        if getattr(error, "problems", None):
            extra["problems"] = error.problems  # type: ignore[attr-defined]
        return problem(
            status_of(error), error.title, error.detail, slug(type(error).__name__), extra=extra
        )

    @app.errorhandler(ApplicationError)
    def application_problem(error: ApplicationError) -> Response:
        values = {k: v for k, v in error.values.items() if k != "challenge"}
        challenge = error.values.get("challenge")
        retry_after = error.values.get("retry_after")
        headers = {"WWW-Authenticate": challenge} if challenge else {}  # 401: how (RFC 6750)
        if retry_after is not None:  # 429 and 503: when to ask again
            headers["Retry-After"] = str(retry_after)
        return problem(
            status_of(error),
            error.title,
            error.detail,
            slug(type(error).__name__),
            extra={"values": values} if values else None,
            headers=headers,
        )

    @app.errorhandler(SheetRejected)
    def sheet_problem(error: SheetRejected) -> Response:
        # `rows` pins each problem to sheet, row and column; `errors` keeps the field → messages
        # shape of every other validation problem, here all under the upload's field, "file".
        return problem(
            422,
            error.title,
            error.detail,
            "sheet-rejected",
            errors={"file": [describe_row(row) for row in error.rows]},
            extra={"rows": error.rows},
        )

    @app.errorhandler(IntegrityError)
    def integrity_problem(error: IntegrityError) -> Response:
        return problem(
            409,
            ConcurrentChange.title,
            "another change was saved first; nothing of this request was recorded",
            "concurrent-change",
        )

    @app.errorhandler(OperationalError)
    def busy_problem(error: OperationalError) -> Response:
        log.warning("store unavailable: %s", error)
        return problem(
            503,
            "Store busy",
            "the store is busy or unreachable; nothing was recorded, retry shortly",
            "store-busy",
            headers={"Retry-After": "1"},
        )

    @app.errorhandler(Exception)
    def unexpected_problem(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return http_problem(error)
        log.exception("unhandled error")
        return problem(
            500, "Internal error", "an unexpected error occurred; it has been logged", "internal"
        )


def describe_row(row: dict[str, Any]) -> str:
    """One sheet problem as text: "评分表, row 3, column D: message"."""
    where = [
        part
        for part in (
            row.get("sheet"),
            f"row {row['row']}" if row.get("row") is not None else None,
            f"column {row['column']}" if row.get("column") else None,
        )
        if part
    ]
    return f"{', '.join(where)}: {row['message']}" if where else str(row["message"])


def http_problem(error: HTTPException) -> Response:
    """Werkzeug/webargs HTTP errors as problems; validation messages become `errors`."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    errors = None
    if messages is not None:
        # webargs nests messages by location ("json", "query"): the field names are enough
        if isinstance(messages, dict) and set(messages) <= {"json", "query", "form", "files"}:
            merged: dict[str, Any] = {}
            for part in messages.values():
                merged.update(part if isinstance(part, dict) else {"_schema": part})
            messages = merged
        errors = flatten(messages)
    titles = {
        400: "Malformed request",
        401: "Authentication required",
        403: "Forbidden",
        413: "Request body too large",
        415: "Unsupported media type",
        422: "Validation failed",
    }
    detail = data.get("message") or error.description or error.name
    if status == 422:
        detail = "the request is well formed but some fields are invalid"
    if status == 500:
        detail = "an unexpected error occurred; it has been logged"
    headers = dict(data.get("headers") or {})
    return problem(
        status,
        titles.get(status, error.name),
        str(detail),
        slug(error.name.replace(" ", "")),
        errors=errors,
        headers=headers,
    )
