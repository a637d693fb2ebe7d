"""Marshmallow request schemas: bodies and queries, checked at the edge."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from application.documents import DEDUCTION_VIEWS
from domain.errors import InvalidValue
from domain.methods import method_names
from domain.values import DECIMAL_TEXT, check_representable
from web.bounds import page_range, version_range
from web.moments import Moment

METHODS = method_names()
TARGET_KEYS = frozenset({"comparator", "value", "unit", "text", "cumulative"})


def check_target_shape(value: Any) -> None:
    """A target is its printed text or an object; the domain reads and checks the rest."""
    if isinstance(value, str) and 0 < len(value.strip()) <= 200:
        return
    if isinstance(value, dict) and set(value) <= TARGET_KEYS:
        return
    raise ValidationError(
        "Give the printed target (1 to 200 characters) or an object with "
        "comparator, value, unit, text and cumulative."
    )


class Number(fields.Decimal):
    """A JSON number or a decimal string, kept exact; booleans and NaN are refused."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_nan=False, **kwargs)
        # marshmallow's own decimal reading, through its public deserialize, with our messages
        self.decimal = fields.Decimal(allow_nan=False, error_messages=self.error_messages)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise self.make_error("invalid")
        if isinstance(value, str) and not DECIMAL_TEXT.fullmatch(value.strip()):
            raise self.make_error("invalid")  # "1_0", "１", " 1 2": Decimal would take them
        number = self.decimal.deserialize(value, attr, data)
        try:  # the domain's rule, applied at the edge too: imports and forms stay in step
            return check_representable(number, "the number", value)
        except InvalidValue as error:
            raise ValidationError(error.detail) from None


class Strict(Schema):
    """Unknown fields are an error, so a typo never passes silently."""

    class Meta:
        unknown = RAISE


class EvidenceSchema(Strict):
    id = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "an uploaded evidence file; the server fills in its sha256"},
    )
    title = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "required unless `id` cites a file (default: its name)"},
    )
    locator = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    sha256 = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^[0-9a-fA-F]{64}$", error="Must be 64 hexadecimal digits."),
    )

    @validates_schema
    def check_title_or_file(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("title") and not data.get("id"):
            raise ValidationError("Give a title, or the id of an uploaded file.", "title")


Evidence = fields.List(
    fields.Nested(EvidenceSchema), load_default=list, validate=validate.Length(max=100)
)


class GradeBandSchema(Strict):
    grade = fields.String(required=True, validate=validate.Length(min=1, max=16))
    min = Number(required=True)


class TargetRulesSchema(Strict):
    """A region's reading and scoring of targets; what is left out keeps the national rule."""

    bare_number = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf((">=", "=")),
        metadata={
            "description": 'a bare printed number ("10家"): `>=` a floor, a ceiling under '
            "成本指标 (national); `=` a value to hit exactly"
        },
    )
    bands = fields.Dict(
        keys=fields.String(validate=validate.OneOf(("achieved", "partial", "not_achieved"))),
        values=fields.List(Number(), validate=validate.Length(equal=2)),
        load_default=None,
        allow_none=True,
        metadata={
            "description": "share of the weight each qualitative outcome may score, [low, high]",
            "example": {"achieved": ["0.8", "1"], "partial": ["0.6", "0.8"]},
        },
    )
    overshoot_margin = Number(load_default=None, allow_none=True)
    deviation_required = fields.Boolean(load_default=None, allow_none=True)


class EvaluationCreateSchema(Strict):
    title = fields.String(required=True, validate=validate.Length(min=1, max=500))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=500))
    fiscal_year = fields.Integer(required=True, strict=True, validate=validate.Range(1900, 2999))
    kind = fields.String(required=True, validate=validate.Length(min=1, max=64))
    evaluator = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    total_weight = Number(load_default="100")
    grade_bands = fields.List(fields.Nested(GradeBandSchema), load_default=None, allow_none=True)
    required_sign_offs = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=20),
    )
    time_zone = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={
            "description": "IANA zone its dates and offset-less times are read in (default: "
            "SCORETRAIL_TIMEZONE)",
            "example": "Asia/Shanghai",
        },
    )
    target_rules = fields.Nested(
        TargetRulesSchema,
        load_default=None,
        allow_none=True,
        metadata={"description": "regional target rules (default: the national form's)"},
    )
    # the self-evaluation form's header and funds block (web.form_schemas)
    form = fields.Nested("FormFieldsSchema", load_default=None, allow_none=True)
    funds = fields.List(
        fields.Nested("FundsRowSchema"),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=20),
    )

    @validates_schema
    def check_unique_sources(self, data: dict[str, Any], **_: Any) -> None:
        names = [" ".join(str(r["source"]).split()) for r in data.get("funds") or []]
        if len(set(names)) != len(names):
            raise ValidationError("Each source is given once.", "funds")


class ChecklistItemSchema(Strict):
    text = fields.String(required=True)
    points = Number(required=True)


class ChoiceSchema(Strict):
    label = fields.String(required=True)
    weight = Number(required=True)


class IndicatorDefinitionSchema(Strict):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=500))
    parent = fields.String(load_default=None, allow_none=True)
    weight = Number(required=True)
    method = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(METHODS))
    explanation = fields.String(load_default=None, allow_none=True)
    criteria = fields.String(load_default=None, allow_none=True)
    items = fields.List(fields.Nested(ChecklistItemSchema), load_default=list)
    numerator = fields.String(load_default=None, allow_none=True)
    denominator = fields.String(load_default=None, allow_none=True)
    cap = Number(load_default="1", allow_none=True)
    choices = fields.List(fields.Nested(ChoiceSchema), load_default=list)
    target = fields.Raw(
        load_default=None,
        allow_none=True,
        validate=check_target_shape,
        metadata={
            "description": "target leaves: the printed target (≥20场次, ≤8万元, 100%, 符合) or "
            "{comparator, value, unit, text, cumulative}",
            "example": "≥20场次",
        },
    )


class FrameworkSchema(Strict):
    indicators = fields.List(
        fields.Nested(IndicatorDefinitionSchema),
        required=True,
        validate=validate.Length(min=1, max=2000),
    )


class DataEntrySchema(Strict):
    key = fields.String(required=True, validate=validate.Length(min=1, max=255))
    value = Number(required=True)
    unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    source = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    evidence = Evidence
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class DeductionCreateSchema(Strict):
    points = Number(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    evidence = Evidence


class ReasonSchema(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class ChecklistSchema(Strict):
    met = fields.List(fields.Boolean(truthy={True}, falsy={False}), required=True)
    justification = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class ScoreSchema(Strict):
    score = Number(required=True)
    justification = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    evidence = Evidence


class SurveySchema(Strict):
    tallies = fields.List(
        fields.List(fields.Integer(strict=True, validate=validate.Range(min=0))),
        required=True,
        validate=validate.Length(min=1, max=500),
    )
    source = fields.String(load_default=None, allow_none=True)


class EmptySchema(Strict):
    """Transitions that need no body beyond the caller's identity."""


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=page_range())
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class ListQuerySchema(PageQuerySchema):
    fiscal_year = fields.Integer(load_default=None, validate=validate.Range(1900, 2999))
    subject = fields.String(load_default=None)
    kind = fields.String(load_default=None)
    status = fields.String(
        load_default=None, validate=validate.OneOf(("draft", "submitted", "finalized"))
    )
    grade = fields.String(load_default=None)


class AsOfQuerySchema(Schema):
    version = fields.Integer(load_default=None, validate=version_range())
    as_of = Moment(
        load_default=None,
        metadata={
            "description": "an ISO-8601 time (local time without an offset) or a date alone "
            "(the end of that day, local time)",
            "example": "2026-11-22",
        },
    )

    @validates_schema
    def check_one_anchor(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("version") is not None and data.get("as_of") is not None:
            raise ValidationError("Give version or as_of, not both.", "as_of")


class DocumentQuerySchema(AsOfQuerySchema):
    deductions = fields.String(
        load_default="all",
        validate=validate.OneOf(DEDUCTION_VIEWS),
        metadata={
            "description": "all: every deduction with its status (default); active: only "
            "the deductions that stand (withdrawn ones are paged by GET "
            "…/deductions?status=withdrawn)"
        },
    )


class DeductionPageQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(("active", "withdrawn")))
