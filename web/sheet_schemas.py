"""Marshmallow schemas of sheet import, report export and the history download."""

from __future__ import annotations

from typing import Any, NamedTuple

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, post_load, validate
from werkzeug.datastructures import FileStorage

from web.moments import HistoryBound
from web.response_schemas import DocumentOut, ProblemOut
from web.schemas import AsOfQuerySchema, Number, PageQuerySchema, Strict

REPORT_FORMATS = ("xlsx", "csv", "json", "html", "pdf")


class UploadedFile(NamedTuple):
    """A file part of a multipart body, read into memory (the body size limit bounds it)."""

    filename: str
    data: bytes


class FilePart(Upload):
    """A multipart file part; a plain text field of the same name is refused."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> UploadedFile:
        if not isinstance(value, FileStorage):
            raise ValidationError("Must be a file part of a multipart/form-data body.")
        return UploadedFile(value.filename or "upload", value.read())


class ImportFormSchema(Strict):
    """The uploaded sheet, and header fields that fill or override those the sheet gives."""

    file = FilePart(
        required=True,
        metadata={
            "description": "the score sheet: .xlsx, .csv, fixture-format .json, or a JSON "
            "report exported earlier"
        },
    )
    title = fields.String(validate=validate.Length(min=1, max=500))
    subject = fields.String(validate=validate.Length(min=1, max=500))
    fiscal_year = fields.Integer(validate=validate.Range(1900, 2999))
    kind = fields.String(validate=validate.Length(min=1, max=64))
    evaluator = fields.String(validate=validate.Length(max=500))
    total_weight = Number()


class ImportQuerySchema(Schema):
    dry_run = fields.Boolean(
        load_default=False,
        metadata={"description": "true: check the sheet and show what would be recorded"},
    )


class ReportQuerySchema(AsOfQuerySchema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(REPORT_FORMATS))


class HistoryQuerySchema(PageQuerySchema):
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(("json", "csv")),
        metadata={"description": "csv: every event, one row each (pages do not apply)"},
    )
    type = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        load_default=None,
        metadata={"description": "event types (repeat or separate with commas)"},
    )
    actor = fields.String(load_default=None, metadata={"description": "who recorded it"})
    role = fields.String(load_default=None, metadata={"description": "in which role"})
    indicator = fields.String(load_default=None, metadata={"description": "indicator code"})
    cause = fields.String(load_default=None, metadata={"description": "a dispute id"})
    start = HistoryBound(
        data_key="from",
        end_of_day=False,
        load_default=None,
        metadata={
            "description": "first version, time or date (its start), or `submission`, "
            "`finalization`, `reopening` (the latest such event)",
            "example": "submission",
        },
    )
    end = HistoryBound(
        data_key="to",
        load_default=None,
        metadata={"description": "last version, time or date (its end), or a named moment"},
    )

    @post_load
    def split_types(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("type"):
            data["type"] = [t.strip() for item in data["type"] for t in item.split(",") if t]
        return data


class SheetRowOut(Schema):
    """Where a problem or warning sits: row is 1-based, column a letter or a field path."""

    sheet = fields.String(allow_none=True)
    row = fields.Integer(allow_none=True)
    column = fields.String(allow_none=True)
    message = fields.String()


class PreviewEventOut(Schema):
    version = fields.Integer()
    type = fields.String()
    actor = fields.String()
    role = fields.String()
    data = fields.Dict()


class ImportResultOut(Schema):
    dry_run = fields.Boolean()
    id = fields.String(allow_none=True, metadata={"description": "null on a dry run"})
    total = fields.String(allow_none=True, metadata={"example": "88.66"})
    grade = fields.String(allow_none=True, metadata={"example": "良"})
    event_count = fields.Integer()
    warnings = fields.List(fields.Nested(SheetRowOut))
    events = fields.List(
        fields.Nested(PreviewEventOut),
        metadata={"description": "dry run only: the events that would be recorded"},
    )
    evaluation = fields.Nested(DocumentOut)


class SheetProblemOut(ProblemOut):
    """422 for a sheet that cannot be imported: `rows` pins each problem to its cell."""

    rows = fields.List(fields.Nested(SheetRowOut))
