"""Marshmallow schemas of disputes, review notes and API tokens."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from application.access import ROLES
from domain.disputes import OUTCOMES
from web.response_schemas import DocumentOut, EvidenceOut
from web.schemas import Evidence, Number, Strict

Text = fields.String


class DisputeCreateSchema(Strict):
    deduction_id = Text(load_default=None, allow_none=True, validate=validate.Length(max=64))
    indicator = Text(load_default=None, allow_none=True, validate=validate.Length(max=64))
    grounds = Text(required=True, validate=validate.Length(min=1, max=5000))
    evidence = Evidence

    @validates_schema
    def check_one_target(self, data: dict[str, Any], **_: Any) -> None:
        if bool(data.get("deduction_id")) == bool(data.get("indicator")):
            raise ValidationError("Give deduction_id or indicator, exactly one.", "deduction_id")


class DecisionSchema(Strict):
    outcome = Text(required=True, validate=validate.OneOf(OUTCOMES))
    points = Number(load_default=None, allow_none=True)
    reason = Text(required=True, validate=validate.Length(min=1, max=5000))
    confirm_worse = fields.Boolean(
        load_default=False,
        metadata={
            "description": "true to confirm an amendment that lowers the disputed score; "
            "without it such an amendment is refused (409)"
        },
    )

    @validates_schema
    def check_points(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("outcome") == "amended" and data.get("points") is None:
            raise ValidationError("An amended decision needs points.", "points")
        if data.get("outcome") != "amended" and data.get("points") is not None:
            raise ValidationError("Points go with an amended decision only.", "points")


class NoteCreateSchema(Strict):
    text = Text(required=True, validate=validate.Length(min=1, max=5000))


class NoteResolutionSchema(Strict):
    reason = Text(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class DisputeQuerySchema(Schema):
    status = Text(load_default=None, validate=validate.OneOf(("open", "decided")))


class NoteQuerySchema(Schema):
    status = Text(load_default=None, validate=validate.OneOf(("open", "resolved")))


class TokenCreateSchema(Strict):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    role = Text(required=True, validate=validate.OneOf(ROLES))
    subject = Text(load_default=None, allow_none=True, validate=validate.Length(max=500))
    another_role = fields.Boolean(
        load_default=False,
        metadata={
            "description": "issue it even though the name already holds a token with another "
            "role or subject (refused otherwise)"
        },
    )


# ------------------------------------------------------------------ responses
class DecisionOut(Schema):
    outcome = Text(metadata={"enum": list(OUTCOMES)})
    points = Text(allow_none=True, metadata={"description": "amended points or score"})
    previous_points = Text(
        allow_none=True,
        metadata={"description": "the deduction's points, or the leaf's score, before"},
    )
    reason = Text()
    decided_by = Text()
    decided_role = Text()
    decided_at = Text()
    version = fields.Integer()


class DisputeOut(Schema):
    id = Text()
    evaluation_id = Text()
    status = Text(metadata={"enum": ["open", "decided"]})
    target = Text(metadata={"enum": ["deduction", "indicator"]})
    indicator = Text()
    deduction_id = Text(allow_none=True)
    grounds = Text()
    evidence = fields.List(fields.Nested(EvidenceOut))
    raised_by = Text()
    raised_role = Text()
    raised_at = Text()
    version = fields.Integer(metadata={"description": "the version that raised it"})
    decision = fields.Nested(DecisionOut, allow_none=True)


class DisputeDecidedOut(DisputeOut):
    evaluation = fields.Nested(DocumentOut)


class DisputeListOut(Schema):
    items = fields.List(fields.Nested(DisputeOut))
    total = fields.Integer()


class ResolutionOut(Schema):
    reason = Text(allow_none=True)
    resolved_by = Text()
    resolved_role = Text()
    resolved_at = Text()
    version = fields.Integer()


class NoteOut(Schema):
    id = Text()
    evaluation_id = Text()
    indicator = Text()
    text = Text()
    status = Text(metadata={"enum": ["open", "resolved"]})
    author = Text()
    author_role = Text()
    created_at = Text()
    version = fields.Integer()
    resolution = fields.Nested(ResolutionOut, allow_none=True)


class NoteListOut(Schema):
    items = fields.List(fields.Nested(NoteOut))
    total = fields.Integer()


class TokenOut(Schema):
    id = Text()
    name = Text()
    role = Text(metadata={"enum": list(ROLES)})
    subject = Text(allow_none=True)
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class TokenCreatedOut(TokenOut):
    token = Text(metadata={"description": "the secret; shown this once, stored only hashed"})


class TokenListOut(Schema):
    items = fields.List(fields.Nested(TokenOut))
    total = fields.Integer()
