"""Marshmallow response schemas: the shapes the API answers with, for the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields


class EvidenceOut(Schema):
    id = fields.String(allow_none=True, metadata={"description": "the evidence file cited"})
    title = fields.String()
    locator = fields.String(allow_none=True)
    sha256 = fields.String(allow_none=True)


class DeductionOut(Schema):
    id = fields.String()
    points = fields.String(metadata={"example": "1.00"})
    reason = fields.String()
    status = fields.String(metadata={"enum": ["active", "withdrawn"]})
    evidence = fields.List(fields.Nested(EvidenceOut))


class IndicatorOut(Schema):
    code = fields.String()
    parent = fields.String(allow_none=True)
    name = fields.String()
    level = fields.Integer()
    weight = fields.String(metadata={"example": "3.00"})
    method = fields.String(allow_none=True)
    explanation = fields.String(allow_none=True)
    criteria = fields.String(allow_none=True)
    score = fields.String(allow_none=True, metadata={"example": "0.73"})
    rate = fields.String(allow_none=True, metadata={"description": "得分率, percent"})
    rule_score = fields.String(allow_none=True)
    overridden = fields.Boolean()
    override_justification = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    survey_rates = fields.List(
        fields.String(),
        allow_none=True,
        metadata={"description": "survey leaves: satisfaction per question, percent"},
    )
    deductions = fields.List(fields.Nested(DeductionOut))
    # target leaves only; the schemas live with the target routes (web.target_schemas)
    target = fields.Nested("TargetOut")


class DataEntryOut(Schema):
    key = fields.String()
    value = fields.String()
    unit = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    version = fields.Integer()


class GradeBandOut(Schema):
    grade = fields.String()
    min = fields.String()


class SummaryOut(Schema):
    id = fields.String()
    title = fields.String()
    subject = fields.String()
    fiscal_year = fields.Integer()
    kind = fields.String()
    evaluator = fields.String(allow_none=True)
    status = fields.String()
    version = fields.Integer()
    total_weight = fields.String()
    total = fields.String(allow_none=True, metadata={"example": "88.66"})
    grade = fields.String(allow_none=True, metadata={"example": "良"})
    created_at = fields.String()
    updated_at = fields.String()
    time_zone = fields.String(allow_none=True, metadata={"description": "null: the default"})


class DocumentOut(SummaryOut):
    grade_bands = fields.List(fields.Nested(GradeBandOut))
    indicators = fields.List(fields.Nested(IndicatorOut))
    data_entries = fields.List(fields.Nested(DataEntryOut))
    sign_offs = fields.List(fields.Nested("SignOffOut"))
    required_sign_offs = fields.List(fields.String())
    target_rules = fields.Dict(
        metadata={"description": "how printed targets read and qualitative outcomes score"}
    )
    unscored = fields.List(
        fields.String(),
        metadata={"description": "codes of the leaves with nothing recorded to score them"},
    )
    provisional = fields.Boolean(
        metadata={"description": "true while a leaf is unscored: the total is provisional (暂计)"}
    )
    form = fields.Nested("FormFieldsOut", metadata={"description": "the form's header and goal"})
    funds = fields.Nested("FundsOut", metadata={"description": "项目资金 by source, summed"})
    integrity_problem = fields.String(
        metadata={
            "description": "present only when the stored score sheet fails its seal: why; "
            "the figures are then recomputed from the events"
        }
    )


class DeductionCreatedOut(DeductionOut):
    indicator = fields.String()
    evaluation = fields.Nested(DocumentOut)


# The compact answers of writes (`Prefer: return=minimal`): what moved and the new totals.
class MovedIndicatorOut(Schema):
    code = fields.String()
    score = fields.String(allow_none=True)
    rate = fields.String(allow_none=True)
    rule_score = fields.String(allow_none=True)
    overridden = fields.Boolean()


class ChangesOut(Schema):
    id = fields.String()
    version = fields.Integer()
    status = fields.String()
    total = fields.String(allow_none=True)
    grade = fields.String(allow_none=True)
    changed = fields.List(
        fields.Nested(MovedIndicatorOut),
        metadata={"description": "the indicators whose figures the write moved, in tree order"},
    )


class EvaluationChangesOut(Schema):
    evaluation = fields.Nested(ChangesOut)


class DeductionChangesOut(DeductionOut):
    indicator = fields.String()
    evaluation = fields.Nested(ChangesOut)


class WithdrawalChangesOut(DeductionChangesOut):
    withdrawal_reason = fields.String(allow_none=True)


class PageOut(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()


class SummaryPageOut(PageOut):
    items = fields.List(fields.Nested(SummaryOut))


class EventOut(Schema):
    version = fields.Integer()
    type = fields.String()
    recorded_at = fields.String()
    actor = fields.String()
    role = fields.String()
    correlation_id = fields.String()
    indicator = fields.String(allow_none=True, metadata={"description": "the indicator touched"})
    reason = fields.String(allow_none=True, metadata={"description": "reason or justification"})
    cause = fields.String(allow_none=True, metadata={"description": "the dispute behind it"})
    data = fields.Dict()


class EventPageOut(PageOut):
    items = fields.List(fields.Nested(EventOut))


class ScoreChangeOut(Schema):
    version = fields.Integer()
    recorded_at = fields.String()
    actor = fields.String()
    role = fields.String()
    type = fields.String()
    cause_version = fields.Integer()
    score_before = fields.String(allow_none=True)
    score_after = fields.String(allow_none=True)
    rule_score = fields.String(allow_none=True)
    overridden = fields.Boolean()
    reason = fields.String()
    dispute_id = fields.String(
        allow_none=True, metadata={"description": "the dispute whose decision made the change"}
    )


class ScoreChangePageOut(PageOut):
    items = fields.List(fields.Nested(ScoreChangeOut))


class DeductionListedOut(DeductionOut):
    indicator = fields.String()
    version = fields.Integer()
    withdrawal_reason = fields.String(allow_none=True)


class DeductionPageOut(PageOut):
    items = fields.List(fields.Nested(DeductionListedOut))


class ProblemOut(Schema):
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "field → messages, for invalid requests"},
    )
    values = fields.Dict(metadata={"description": "the offending values, by name"})
    problems = fields.List(fields.Dict(), metadata={"description": "each rule a framework broke"})
    rows = fields.List(
        fields.Dict(), metadata={"description": "sheet problems: sheet, row, column, message"}
    )
    request_id = fields.String(metadata={"description": "the X-Request-ID of the request"})
