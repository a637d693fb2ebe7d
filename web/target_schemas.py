"""Marshmallow schemas of target values, targets in documents, and sign-offs."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from domain.targets.rules import OUTCOMES, STAGES
from domain.targets.text import COMPARATORS
from web.response_schemas import DocumentOut, EvidenceOut
from web.schemas import AsOfQuerySchema, Evidence, Number, Strict

Text = fields.String


class TargetField(fields.Field):
    """A target as its printed text ("≥20场次") or as {comparator, value?, unit?, text?}."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            if not value.strip() or len(value) > 200:
                raise ValidationError("A printed target has 1 to 200 characters.")
            return value
        if isinstance(value, dict):
            return TargetDefinitionSchema().load(value)
        raise ValidationError("Give the printed text or an object with a comparator.")


class TargetDefinitionSchema(Strict):
    comparator = Text(load_default=None, validate=validate.OneOf(COMPARATORS))
    value = Number(load_default=None, allow_none=True)
    unit = Text(load_default=None, allow_none=True, validate=validate.Length(max=32))
    text = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    cumulative = fields.Boolean(load_default=None, allow_none=True)


class TargetValueSchema(Strict):
    stage = Text(required=True, validate=validate.OneOf(STAGES))
    value = Number(load_default=None, allow_none=True)
    outcome = Text(load_default=None, allow_none=True, validate=validate.OneOf(OUTCOMES))
    score = Number(load_default=None, allow_none=True)
    justification = Text(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    deviation_reason = Text(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    improvement = Text(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    source = Text(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    evidence = Evidence
    reason = Text(load_default=None, allow_none=True, validate=validate.Length(max=5000))

    @validates_schema
    def check_value_or_outcome(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("value") is not None and data.get("outcome") is not None:
            raise ValidationError("Give value (quantitative) or outcome (qualitative).", "value")
        if data.get("value") is None and data.get("outcome") is None:
            raise ValidationError("Give value (quantitative) or outcome (qualitative).", "value")


class SignOffCreateSchema(Strict):
    capacity = Text(required=True, validate=validate.Length(min=1, max=60))
    opinion = Text(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    title = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=100),
        metadata={"description": "职务/职称 of the signer", "example": "科长"},
    )
    organization = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=100),
        metadata={"description": "单位 of the signer", "example": "市财政局"},
    )
    phone = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=40),
        metadata={
            "description": "联系电话: digits, spaces, +, - and parentheses",
            "example": "0571-87001234",
        },
    )


class StageOut(Schema):
    value = Text(allow_none=True)
    outcome = Text(allow_none=True)
    score = Text(allow_none=True)
    justification = Text(allow_none=True)
    deviation_reason = Text(allow_none=True)
    improvement = Text(allow_none=True)
    source = Text(allow_none=True)
    evidence = fields.List(fields.Nested(EvidenceOut))
    version = fields.Integer()
    actor = Text()
    reason = Text(allow_none=True)
    corrections = fields.Integer()


class StagesOut(Schema):
    monitored = fields.Nested(StageOut, allow_none=True)
    final = fields.Nested(StageOut, allow_none=True)


class TargetOut(Schema):
    comparator = Text(metadata={"enum": list(COMPARATORS)})
    value = Text(allow_none=True, metadata={"example": "20"})
    unit = Text(allow_none=True, metadata={"example": "场次"})
    text = Text(metadata={"example": "≥20场次"})
    cumulative = fields.Boolean()
    read_from_text = fields.Boolean(
        metadata={"description": "comparator, value and unit were read from the printed text"}
    )
    monitored = Text(allow_none=True)
    monitored_outcome = Text(allow_none=True)
    final = Text(allow_none=True)
    outcome = Text(allow_none=True)
    met = fields.Boolean(allow_none=True)
    completion_rate = Text(allow_none=True, metadata={"example": "125.00"})
    deviation_reason = Text(allow_none=True)
    improvement = Text(allow_none=True)
    stages = fields.Nested(StagesOut)


class ChangeOut(Schema):
    version = fields.Integer()
    type = Text()
    indicator = Text(allow_none=True)


class SignOffOut(Schema):
    id = Text()
    actor = Text()
    role = Text()
    capacity = Text(metadata={"example": "评价组组长"})
    opinion = Text(allow_none=True)
    version = fields.Integer()
    head_digest = Text(allow_none=True)
    signed_at = Text()
    title = Text(allow_none=True, metadata={"description": "职务/职称", "example": "科长"})
    organization = Text(allow_none=True, metadata={"description": "单位"})
    phone = Text(allow_none=True, metadata={"description": "联系电话"})
    status = Text(metadata={"enum": ["current", "stale"]})
    changed_after = fields.List(fields.Nested(ChangeOut))
    changes_after = fields.Integer()


class SignOffCreatedOut(SignOffOut):
    evaluation = fields.Nested(DocumentOut)


class SignOffListOut(Schema):
    items = fields.List(fields.Nested(SignOffOut))
    required = fields.List(Text())
    missing = fields.List(Text())


def _margin(value: Any) -> None:
    if not 0 <= value <= 10:
        raise ValidationError("overshoot_margin lies between 0 and 10 (0.2 is 20 %).")


class FindingsQuerySchema(AsOfQuerySchema):
    overshoot_margin = Number(
        load_default=None,
        allow_none=True,
        validate=_margin,
        metadata={
            "description": "share beyond a target that counts as overshot (default 0.2)",
            "example": "0.2",
        },
    )
