"""The change feed over HTTP: pages behind a position, and the same as server-sent events."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, cast

from flask import Response, current_app

from application.access import Principal
from application.feed import ChangeFeed, item_json, page_json
from web.api import ApiBlueprint, Json
from web.context import principal
from web.feed_schemas import FeedPageOut, FeedQuerySchema, StreamHeadersSchema, StreamQuerySchema

EXTENSION = "scoretrail.feed"
# Events sent per read of a stream; the client asks a reconnecting browser to wait this long.
STREAM_BATCH = 500
RETRY_MILLISECONDS = 1000

# One event of the stream, as its fields read (a `: ping` comment carries none).
SSE_EVENT = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "description": "the item's position"},
        "event": {"type": "string"},
        "data": {"type": "string", "description": "the feed item (FeedItemOut) as JSON"},
        "retry": {"type": "integer", "description": "milliseconds before a reconnect"},
    },
}

blp = ApiBlueprint(
    "feed", __name__, url_prefix="/api/v1", description="Change feed: every event, in order"
)


def feed() -> ChangeFeed:
    return cast(ChangeFeed, current_app.extensions[EXTENSION])


@blp.route("/events", methods=["GET"])
@blp.arguments(FeedQuerySchema(), location="query")
@blp.response(200, FeedPageOut)
def events(query: Json) -> Any:
    """Every event the caller may read after position `after`, in commit order; `wait`
    holds an empty answer until something commits (then `items` is empty and `next_after`
    is `after`)."""
    page = feed().page(principal(), **query)
    # items in the schema's shape, their data spliced in as stored: not walked by the schema
    return Response(page_json(page), mimetype="application/json")


@blp.route("/events/stream", methods=["GET"])
@blp.arguments(StreamQuerySchema(), location="query")
@blp.arguments(StreamHeadersSchema(), location="headers")
@blp.doc(
    responses={
        200: {
            "description": "Server-sent events: `id:` the position, `data:` the feed item; "
            "`: ping` comments keep an idle stream open; the stream ends after "
            "SCORETRAIL_STREAM_MAX_SECONDS and the client reconnects with Last-Event-ID.",
            "content": {"text/event-stream": {"schema": SSE_EVENT}},
        }
    }
)
def stream(query: Json, headers: Json) -> Any:
    """The feed as server-sent events, resuming after Last-Event-ID (or `after`)."""
    resume = headers["last_event_id"]
    after = resume if resume is not None else (query["after"] or 0)
    settings = current_app.config
    body = event_stream(
        feed(),
        principal(),
        after,
        float(settings["SCORETRAIL_STREAM_MAX_SECONDS"]),
        float(settings["SCORETRAIL_STREAM_HEARTBEAT_SECONDS"]),
    )
    headers_out = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return Response(body, mimetype="text/event-stream", headers=headers_out)


def event_stream(
    changes: ChangeFeed,
    caller: Principal,
    after: int,
    max_seconds: float,
    heartbeat: float,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[str]:
    """The stream's text: events as they commit, `: ping` after `heartbeat` seconds of
    silence, and the end after `max_seconds` (a server worker is never held for ever)."""
    deadline = clock() + max_seconds
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    while (remaining := deadline - clock()) > 0:
        page = changes.page(caller, after, STREAM_BATCH, wait=min(heartbeat, remaining))
        if not page["items"]:
            yield ": ping\n\n"
            continue
        for item in page["items"]:
            yield f"id: {item['position']}\ndata: {item_json(item)}\n\n"
        after = page["next_after"]
