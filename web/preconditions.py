"""Versions as entity tags (ETag, If-Match, If-None-Match)."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, request

from application.errors import StaleVersion
from application.ports import StoredDocument

# A strong tag: the version identifies the evaluation's state, and one version always
# renders the same document. W/"7" and a bare 7 are accepted in If-Match too, because
# proxies weaken tags (e.g. when they compress) and people type them by hand.
TAG = re.compile(r'^(?:W/)?"?(\d{1,18})"?$')


def etag(version: int) -> str:
    """The ETag header value for a version."""
    return f'"{version}"'


def if_match() -> dict[str, Any]:
    """Keyword arguments for a service write: `expected_version` when If-Match names one.

    Absent or `*` asks for no version. A tag that is not a version can never match (412).
    """
    header = request.headers.get("If-Match")
    if header is None:
        return {}
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    if tags == ["*"]:
        return {}
    versions = {int(m.group(1)) for m in map(TAG.match, tags) if m}
    if len(versions) != 1 or len(tags) != 1:
        raise StaleVersion(
            "If-Match must name exactly one version of the evaluation, as its ETag gave it",
            if_match=header,
        )
    return {"expected_version": versions.pop()}


def not_modified(version: int) -> bool:
    """Whether a GET's If-None-Match already names this version (`*` names any)."""
    header = request.headers.get("If-None-Match")
    if header is None or request.method not in ("GET", "HEAD"):
        return False
    tags = {t.strip() for t in header.split(",")}
    return "*" in tags or etag(version) in tags or f"W/{etag(version)}" in tags


def with_etag(
    result: dict[str, Any] | StoredDocument,
    status: int | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """The response to a view, carrying the evaluation's version as ETag.

    `result` is the evaluation document, a result holding it (or the changes) under
    `evaluation` (see web.answers), or a document the read model stored as JSON text, sent
    as it is. The
    application already shaped the others of JSON primitives, exactly as the view's response
    schema describes them (tests/e2e/test_document_responses.py checks that a dump changes
    nothing), so they are encoded once, here, instead of being walked by the schema first.
    A GET whose If-None-Match names the version answers 304, unless the document carries an
    integrity problem (a client must see that).
    """
    if isinstance(result, StoredDocument):  # its problem, if any, was dealt with before
        version, vouched = result.version, True
    else:
        version = int(result.get("evaluation", result)["version"])
        vouched = "integrity_problem" not in result
    response: Any
    if vouched and not_modified(version):
        response = current_app.response_class(status=304)
    elif isinstance(result, StoredDocument):
        response = current_app.response_class(result.text, mimetype="application/json")
    else:
        response = current_app.json.response(result)
    if status is not None and response.status_code != 304:
        response.status_code = status
    response.headers.update({**(headers or {}), "ETag": etag(version)})
    return response
