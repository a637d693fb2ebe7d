"""Shapes of the webhook endpoints: registration, receivers, delivery attempts."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class WebhookCreateSchema(Schema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    secret = fields.String(
        required=True,
        validate=validate.Length(min=16, max=200),
        metadata={"description": "keys the HMAC-SHA256 signature of every delivery"},
    )
    types = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        load_default=None,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "event types to deliver (absent: all)"},
    )


class WebhookOut(Schema):
    id = fields.String()
    url = fields.String()
    types = fields.List(fields.String(), allow_none=True)
    created_at = fields.String()


class WebhookListOut(Schema):
    items = fields.List(fields.Nested(WebhookOut))


class DeliveryOut(Schema):
    first_position = fields.Integer()
    position = fields.Integer(metadata={"description": "the last position of the batch"})
    status = fields.String(metadata={"description": "delivered or failed"})
    time = fields.String()
    response_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)


class DeliveryListOut(Schema):
    items = fields.List(fields.Nested(DeliveryOut))


class DeliveryQuerySchema(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
