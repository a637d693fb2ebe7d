"""Versions as entity tags: ETag on evaluations, If-Match on the writes that change them."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, request

from application.errors import StaleVersion

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


def with_etag(
    result: dict[str, Any], status: int | None = None, headers: dict[str, str] | None = None
) -> Any:
    """The response to a view, carrying the evaluation's version as ETag.

    `result` is the evaluation document, or a result holding it under `evaluation`. The
    application already shaped it of JSON primitives, exactly as the view's response schema
    describes it (tests/e2e/test_document_responses.py checks that a dump changes nothing),
    so it is encoded once, here, instead of being walked by the schema first.
    """
    evaluation = result.get("evaluation", result)
    response = current_app.json.response(result)
    if status is not None:
        response.status_code = status
    response.headers.update({**(headers or {}), "ETag": etag(int(evaluation["version"]))})
    return response
