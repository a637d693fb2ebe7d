"""Marshmallow schemas of the self-evaluation form's header, goal and funds block."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from web.schemas import Number, Strict

Text = fields.String


def _text(limit: int, description: str) -> fields.String:
    return Text(
        allow_none=True, validate=validate.Length(max=limit), metadata={"description": description}
    )


class FormFieldsSchema(Strict):
    """The header and 年度总体目标; a field left out is left as it is, null clears it."""

    project_name = _text(200, "项目名称")
    department = _text(200, "主管部门")
    implementer = _text(200, "实施单位")
    budget_code = _text(100, "预算编码")
    contact = _text(100, "联系人")
    phone = _text(40, "联系电话")
    report_date = _text(10, "报告日期, YYYY-MM-DD")
    overall_goal = _text(4000, "年度总体目标：预期目标")
    overall_result = _text(4000, "年度总体目标：实际完成情况")


class FundsRowSchema(Strict):
    """One source's row of the 项目资金 block (amounts as the form keeps them, e.g. 万元)."""

    source = Text(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata={"description": "资金来源, e.g. 财政拨款 / 其他资金", "example": "财政拨款"},
    )
    initial_budget = Number(
        load_default=None, allow_none=True, metadata={"description": "年初预算数"}
    )
    full_year_budget = Number(required=True, metadata={"description": "全年预算数"})
    executed = Number(required=True, metadata={"description": "全年执行数"})


class FormUpdateSchema(FormFieldsSchema):
    reason = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=5000),
        metadata={"description": "required when a filled field changes"},
    )

    @validates_schema
    def check_something(self, data: dict[str, Any], **_: Any) -> None:
        if not set(data) - {"reason"}:
            raise ValidationError("Give at least one field of the form.", "_schema")


class FundsUpdateSchema(FundsRowSchema):
    reason = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=5000),
        metadata={"description": "required when the source's row is already recorded"},
    )


# ------------------------------------------------------------------- responses
class FormFieldsOut(Schema):
    project_name = Text(allow_none=True)
    department = Text(allow_none=True)
    implementer = Text(allow_none=True)
    budget_code = Text(allow_none=True)
    contact = Text(allow_none=True)
    phone = Text(allow_none=True)
    report_date = Text(allow_none=True, metadata={"example": "2024-02-10"})
    overall_goal = Text(allow_none=True)
    overall_result = Text(allow_none=True)


class FundsAmountsOut(Schema):
    initial_budget = Text(
        allow_none=True, metadata={"description": "年初预算数", "example": "500.00"}
    )
    full_year_budget = Text(allow_none=True, metadata={"description": "全年预算数"})
    executed = Text(allow_none=True, metadata={"description": "全年执行数"})
    rate = Text(
        allow_none=True,
        metadata={"description": "执行率 (%): 全年执行数 ÷ 全年预算数; null for a zero budget"},
    )


class FundsSourceOut(FundsAmountsOut):
    source = Text()
    version = fields.Integer(metadata={"description": "the row's last change"})


class FundsOut(Schema):
    sources = fields.List(fields.Nested(FundsSourceOut))
    total = fields.Nested(
        FundsAmountsOut,
        metadata={"description": "the sums: the figures 年初预算数, 全年预算数, 全年执行数"},
    )
