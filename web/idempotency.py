"""Idempotency-Key on POST: a retried request gets the first answer and records nothing new."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any, cast

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import BadRequest

from application.idempotency import IdempotentRequests, KeptResponse

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Headers that belong to the answer and are replayed with it (X-Request-ID is per request).
KEPT_HEADERS = ("Content-Type", "Location", "ETag", "Preference-Applied")
# Visible ASCII, as in the HTTP header draft's examples (UUIDs, ULIDs, random tokens).
KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
EXTENSION = "scoretrail.idempotency"


class ScoreTrailFlask(Flask):
    """Flask whose POST requests with an Idempotency-Key run at most once per key."""

    def dispatch_request(self) -> Any:
        if (
            request.method != "POST"
            or HEADER not in request.headers
            or request.routing_exception is not None
            or EXTENSION not in self.extensions
        ):
            return super().dispatch_request()
        return dispatch_once(lambda: super(ScoreTrailFlask, self).dispatch_request())


def caller() -> str:
    """Who sends the request (name and role): a key is only ever looked up for its caller."""
    identity = g.identity
    return json.dumps([identity.name, identity.role], ensure_ascii=False)


def fingerprint(who: str) -> str:
    """Hash of what makes a request the same request: method, path, query, caller, body."""
    digest = hashlib.sha256()
    head = [request.method, request.path, request.query_string.decode("latin-1"), who]
    digest.update(json.dumps(head, ensure_ascii=False).encode("utf-8"))
    digest.update(b"\n")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def dispatch_once(dispatch: Callable[[], Any]) -> Response:
    """Run the view inside the unit of work that also keeps the key, or replay its answer."""
    key = request.headers[HEADER].strip()
    if not KEY.match(key):
        raise BadRequest(f"{HEADER} must be 1 to 255 visible ASCII characters")
    who = caller()
    requests = cast(IdempotentRequests, current_app.extensions[EXTENSION])
    produced: dict[str, Response] = {}

    def handle() -> KeptResponse:
        response = current_app.make_response(dispatch())
        produced["response"] = response
        return KeptResponse(
            status=response.status_code,
            body=response.get_data(as_text=True),
            headers={h: response.headers[h] for h in KEPT_HEADERS if h in response.headers},
        )

    kept, replayed = requests.run(
        who, key, fingerprint(who), handle, may_retry="If-Match" not in request.headers
    )
    if not replayed:
        return produced["response"]
    response = current_app.response_class(kept.body, status=kept.status, headers=kept.headers)
    response.headers[REPLAYED_HEADER] = "true"
    return response
