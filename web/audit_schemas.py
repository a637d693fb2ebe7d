"""Schemas of the auditors' endpoints: diffs, explanations, findings, verification."""

from __future__ import annotations

import re

from marshmallow import Schema, fields, validate

from web.bounds import version_range
from web.moments import HistoryBound
from web.schemas import Evidence, Number, Strict

HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


class Anchor(HistoryBound):
    """A version number, an ISO-8601 time (local without an offset; a date alone is the end
    of that day), or a named moment (`submission`: the latest submission, …)."""


class DiffQuerySchema(Schema):
    start = Anchor(
        data_key="from",
        required=True,
        metadata={
            "type": "string",
            "description": "a version number, an ISO-8601 time or date, or submission",
            "example": "12",
        },
    )
    end = Anchor(
        data_key="to",
        load_default=None,
        metadata={
            "type": "string",
            "description": "a version number or an ISO-8601 time (default: the current version)",
            "example": "2026-03-03T00:00:00Z",
        },
    )


class ProofSchema(Strict):
    digest = fields.String(
        required=True, validate=validate.Regexp(HEX64, error="Must be 64 hexadecimal digits.")
    )
    version = fields.Integer(required=True, strict=True, validate=version_range())


class ReportedFigureSchema(Strict):
    indicator = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    figure = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(("score", "rate", "total")),
        metadata={"description": "score (default with an indicator), rate (percent) or total"},
    )
    value = Number(required=True)
    source = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    evidence = Evidence


# ------------------------------------------------------------------ responses
class DiffEventOut(Schema):
    version = fields.Integer()
    type = fields.String()
    recorded_at = fields.String()
    actor = fields.String()
    role = fields.String()
    indicator = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    cause = fields.String(allow_none=True, metadata={"description": "the dispute behind it"})


class ChangedIndicatorOut(Schema):
    code = fields.String()
    name = fields.String()
    before = fields.String(allow_none=True)
    after = fields.String(allow_none=True)
    events = fields.List(
        fields.Nested(DiffEventOut),
        metadata={"description": "the events between the two versions that touched it"},
    )


class DiffOut(Schema):
    id = fields.String()
    from_version = fields.Integer()
    to_version = fields.Integer()
    total_before = fields.String(allow_none=True)
    total_after = fields.String(allow_none=True)
    grade_before = fields.String(allow_none=True)
    grade_after = fields.String(allow_none=True)
    indicators = fields.List(fields.Nested(ChangedIndicatorOut))
    events = fields.List(fields.Nested(DiffEventOut))
    form = fields.List(
        fields.Dict(),
        metadata={"description": "fields of the form that changed: {field, before, after}"},
    )
    funds = fields.List(
        fields.Dict(),
        metadata={"description": "funds rows that changed: {source, before, after}"},
    )


class StepOut(Schema):
    kind = fields.String(
        metadata={
            "description": "weight, deduction, withdrawn_deduction, checklist_assessment, "
            "checklist_item, data_entry, ratio, survey_question, survey_satisfaction, "
            "product, manual_score, rule_score, note, override, rounding, child, sum"
        }
    )
    text = fields.String()
    value = fields.String(allow_none=True, metadata={"description": "exact decimal"})
    version = fields.Integer(allow_none=True, metadata={"description": "event it rests on"})
    details = fields.Dict()


class ExplanationOut(Schema):
    evaluation_id = fields.String()
    version = fields.Integer()
    code = fields.String()
    name = fields.String()
    parent = fields.String(allow_none=True)
    level = fields.Integer()
    method = fields.String(allow_none=True)
    weight = fields.String()
    criteria = fields.String(allow_none=True)
    score = fields.String(allow_none=True)
    rate = fields.String(allow_none=True)
    exact = fields.String(allow_none=True)
    rule_score = fields.String(allow_none=True)
    overridden = fields.Boolean()
    steps = fields.List(fields.Nested(StepOut))


class FindingOut(Schema):
    kind = fields.String(
        metadata={
            "description": "override_differs, reported_figure_differs, parent_sum_differs, "
            "total_differs, data_corrected_after_use, leaf_unscored, target_figure_unread, "
            "target_overshot, final_below_monitored, final_value_without_evidence"
        }
    )
    indicator = fields.String(allow_none=True)
    key = fields.String(allow_none=True)
    recorded = fields.String(allow_none=True)
    recomputed = fields.String(allow_none=True)
    versions = fields.List(fields.Integer())
    message = fields.String()
    details = fields.Dict()


class FindingsOut(Schema):
    id = fields.String()
    version = fields.Integer()
    total = fields.Integer()
    items = fields.List(fields.Nested(FindingOut))


class CheckedFileOut(Schema):
    id = fields.String()
    name = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String(metadata={"description": "the hash the events recorded"})


class EvidenceCheckOut(Schema):
    ok = fields.Boolean()
    checked = fields.Integer(metadata={"description": "evidence files re-hashed"})
    file = fields.Nested(CheckedFileOut, allow_none=True, metadata={"description": "the bad one"})
    problem = fields.String(allow_none=True)


class RefusedSnapshotOut(Schema):
    version = fields.Integer()
    problem = fields.String()


class SnapshotsCheckedOut(Schema):
    checked = fields.Integer()
    refused = fields.List(fields.Nested(RefusedSnapshotOut))


class BadRowOut(Schema):
    table = fields.String(metadata={"description": "the read-model table holding the row"})
    key = fields.Dict(metadata={"description": "the row's primary key, its range apart"})
    lower = fields.Integer(
        allow_none=True, metadata={"description": "first version the row's values held at"}
    )
    upper = fields.Integer(
        allow_none=True,
        metadata={"description": "last version they held at; null for a current row"},
    )
    problem = fields.String()


class ReadModelCheckedOut(Schema):
    ok = fields.Boolean()
    problem = fields.String(allow_none=True)
    first_bad_row = fields.Nested(
        BadRowOut,
        allow_none=True,
        metadata={
            "description": "the first stored row of a past or current version that fails its seal"
        },
    )


class VerificationOut(Schema):
    evidence = fields.Nested(
        EvidenceCheckOut, metadata={"description": "the stored evidence files, re-hashed"}
    )
    ok = fields.Boolean()
    events_checked = fields.Integer()
    head_version = fields.Integer(
        allow_none=True, metadata={"description": "last version proven intact"}
    )
    head_digest = fields.String(allow_none=True)
    first_bad_version = fields.Integer(allow_none=True)
    problem = fields.String(allow_none=True)
    snapshots = fields.Nested(
        SnapshotsCheckedOut, metadata={"description": "the stored snapshots' seals"}
    )
    read_model = fields.Nested(
        ReadModelCheckedOut,
        metadata={"description": "the stored score sheet against its seal and the events"},
    )


class ProofOut(Schema):
    ok = fields.Boolean()
    version = fields.Integer()
    digest = fields.String(metadata={"description": "the digest given"})
    computed_digest = fields.String(allow_none=True)
    events_checked = fields.Integer()
    first_bad_version = fields.Integer(allow_none=True)
    problem = fields.String(allow_none=True)
