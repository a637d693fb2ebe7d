"""Shapes of the change feed: its query, its page, its items."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from application.feed import MAX_LIMIT, MAX_WAIT_SECONDS
from web.response_schemas import EventOut


class FeedQuerySchema(Schema):
    after = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=2**63 - 1),
        metadata={"description": "the last position the client has (0: from the start)"},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_LIMIT))
    wait = fields.Float(
        load_default=0,
        validate=validate.Range(min=0, max=MAX_WAIT_SECONDS),
        metadata={"description": "seconds to hold an empty answer until something commits"},
    )


class StreamQuerySchema(Schema):
    after = fields.Integer(
        load_default=None,
        validate=validate.Range(min=0, max=2**63 - 1),
        metadata={"description": "resume after this position (the Last-Event-ID header wins)"},
    )


class FeedItemOut(EventOut):
    position = fields.Integer(metadata={"description": "strictly increasing, never reused"})
    evaluation_id = fields.String()

    class Meta:
        ordered = True
        fields = (
            "position",
            "evaluation_id",
            "version",
            "type",
            "recorded_at",
            "actor",
            "role",
            "correlation_id",
            "indicator",
            "reason",
            "cause",
            "data",
        )


class FeedPageOut(Schema):
    items = fields.List(fields.Nested(FeedItemOut))
    next_after = fields.Integer(metadata={"description": "the `after` of the next request"})


class StreamHeadersSchema(Schema):
    last_event_id = fields.Integer(
        data_key="Last-Event-ID",
        load_default=None,
        validate=validate.Range(min=0, max=2**63 - 1),
        metadata={"description": "the id of the last event received: resume after it"},
    )
