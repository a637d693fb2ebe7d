"""Shape checks of the pages' forms and query strings (business rules stay in the domain)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema
from werkzeug.datastructures import MultiDict

TEXT = validate.Length(min=1, max=2000, error="请填写（最多 {max} 字）。")
OUTCOMES = ("upheld", "overturned", "amended")


class FormInvalid(Exception):
    """A form or query string failed its shape checks; `fields` maps field → messages."""

    title = "表单有误"

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.detail = "表单有误，未记录任何内容：" + "；".join(" ".join(v) for v in fields.values())
        self.fields = fields


class FormSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # the CSRF token and the buttons travel with every form


class Text(fields.String):
    """Trimmed text; blank counts as missing."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        return text.strip() if isinstance(text, str) else text


class UtcDateTime(fields.DateTime):
    """A date-time picker's value: no offset means UTC, as every time on the pages is shown."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        when = super()._deserialize(value, attr, data, **kwargs)
        return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


class EvidenceFields(FormSchema):
    evidence_title = Text(load_default="", validate=validate.Length(max=500))
    evidence_locator = Text(load_default="", validate=validate.Length(max=1000))

    def evidence(self, data: dict[str, Any]) -> list[dict[str, Any]] | None:
        title = data.pop("evidence_title", "")
        locator = data.pop("evidence_locator", "") or None
        return [{"title": title, "locator": locator}] if title else None


class DeductionForm(EvidenceFields):
    points = Text(required=True, validate=validate.Length(min=1, max=32, error="请填写扣分。"))
    reason = Text(required=True, validate=TEXT)


class DisputeForm(EvidenceFields):
    grounds = Text(required=True, validate=TEXT)
    deduction_id = Text(load_default=None)
    indicator = Text(load_default=None)


class DecisionForm(FormSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES, error="请选择结论。"))
    reason = Text(required=True, validate=TEXT)
    points = Text(load_default=None)


class NoteForm(FormSchema):
    text = Text(required=True, validate=TEXT)


class ReasonForm(FormSchema):
    reason = Text(required=True, validate=TEXT)


class AnchorQuery(FormSchema):
    """`?version=` or `?as_of=`: the sheet as it stood then."""

    version = fields.Integer(load_default=None, validate=validate.Range(min=1))
    as_of = UtcDateTime(load_default=None)

    @validates_schema
    def one_anchor(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("version") is not None and data.get("as_of") is not None:
            raise ValidationError("请只给出版本号或时间之一。", "as_of")


class ListQuery(FormSchema):
    fiscal_year = fields.Integer(load_default=None)
    subject = Text(load_default=None)
    kind = Text(load_default=None)
    status = Text(load_default=None)
    grade = Text(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))


class PageQuery(FormSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))


class DiffQuery(FormSchema):
    start = Text(data_key="from", load_default=None)
    end = Text(data_key="to", load_default=None)


class QueueQuery(FormSchema):
    status = fields.String(load_default="open", validate=validate.OneOf(("open", "decided")))


def load(schema: type[Schema], source: MultiDict[str, str]) -> dict[str, Any]:
    """The form's values, blank fields left out; FormInvalid lists every problem at once."""
    given = {k: v for k, v in source.items() if v.strip() != ""}
    try:
        return dict(schema().load(given))
    except ValidationError as error:
        messages = error.normalized_messages()
        raise FormInvalid({str(k): [str(m) for m in v] for k, v in messages.items()}) from None
