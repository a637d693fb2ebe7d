"""Shape checks of the pages' forms and query strings (business rules stay in the domain)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)
from marshmallow.types import ErrorMessages
from werkzeug.datastructures import MultiDict

from application.moments import parse_moment
from domain.targets.rules import OUTCOMES as TARGET_OUTCOMES
from domain.targets.rules import STAGES
from web.moments import local_zone

TEXT = validate.Length(min=1, max=2000, error="请填写（最多 {max} 字）。")
LONG = validate.Length(max=5000, error="最多 {max} 字。")
OUTCOMES = ("upheld", "overturned", "amended")
KINDS = ("project", "policy", "department", "self-evaluation")
REPORT_FORMATS = ("xlsx", "csv", "json", "html", "pdf")
LABELS = {
    "points": "扣分",
    "reason": "理由",
    "grounds": "异议理由",
    "outcome": "裁定",
    "confirm_worse": "确认降低得分",
    "text": "意见",
    "version": "版本",
    "as_of": "时间",
    "from": "起点",
    "to": "终点",
    "page": "页码",
    "fiscal_year": "年度",
    "status": "状态",
    "evidence_title": "证据名称",
    "evidence_locator": "证据位置",
    "stage": "阶段",
    "value": "实际值",
    "score": "得分",
    "justification": "评分依据",
    "deviation_reason": "偏差原因",
    "improvement": "改进措施",
    "source": "数据来源",
    "capacity": "签字身份",
    "title": "标题",
    "subject": "被评价单位",
    "kind": "评价类型",
    "evaluator": "评价机构",
    "total_weight": "总分值",
    "required_sign_offs": "定稿前须签字的身份",
    "time_zone": "时区",
    "file": "文件",
    "key": "数据项",
    "unit": "单位",
    "met": "清单",
    "opinion": "意见",
    "organization": "单位",
    "phone": "联系电话",
    "code": "指标编号",
    "indicator": "指标",
    "deduction_id": "扣分记录",
    "dispute_id": "异议",
    "evaluation_id": "评价",
    "token": "令牌",
    "next": "跳转地址",
    "type": "事件类型",
    "actor": "记录人",
    "grade": "等级",
}


class FormInvalid(Exception):
    """A form or query string failed its shape checks; `fields` maps field → messages."""

    title = "表单有误"

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.detail = "输入有误：" + "；".join(
            f"{LABELS.get(k, k)} {' '.join(v)}" for k, v in fields.items()
        )
        self.fields = fields


class FormSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # the CSRF token and the buttons travel with every form


# The fields' messages in Chinese: typed as marshmallow declares them (not ClassVar).
class Text(fields.String):
    """Trimmed text; blank counts as missing."""

    default_error_messages: ErrorMessages = {  # noqa: RUF012
        "required": "必须填写。",
        "invalid": "应为文字。",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # marshmallow's own text reading, through its public deserialize, with our messages
        self.plain = fields.String(error_messages=self.error_messages)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        text = self.plain.deserialize(value, attr, data)
        return text.strip() if isinstance(text, str) else text


class Whole(fields.Integer):
    default_error_messages: ErrorMessages = {"invalid": "应为整数。"}  # noqa: RUF012


class LocalDateTime(fields.Field):
    """A date-time picker's value read as the API reads `as_of`: no offset means the
    evaluation's zone (the service's without one), a date alone the end of that day."""

    default_error_messages: ErrorMessages = {  # noqa: RUF012
        "invalid": "应为日期或日期时间，如 2026-03-01 或 2026-03-01T09:00。"
    }

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        try:
            moment = parse_moment(str(value), local_zone(), end_of_day=True)
            return moment.astimezone(UTC)
        except (ValueError, OverflowError):
            raise self.make_error("invalid") from None


class EvidenceFields(FormSchema):
    evidence_title = Text(load_default="", validate=validate.Length(max=500))
    evidence_locator = Text(load_default="", validate=validate.Length(max=1000))

    def evidence(self, data: dict[str, Any]) -> list[dict[str, Any]] | None:
        title = data.pop("evidence_title", "")
        locator = data.pop("evidence_locator", "") or None
        return [{"title": title, "locator": locator}] if title else None


class NewEvaluationForm(FormSchema):
    """The header of a new evaluation; the indicator tree comes by import or the API."""

    title = Text(required=True, validate=validate.Length(min=1, max=500, error="请填写标题。"))
    subject = Text(required=True, validate=validate.Length(min=1, max=500, error="请填写。"))
    fiscal_year = Whole(
        required=True, validate=validate.Range(1900, 2999, error="应为 1900–2999 的年份。")
    )
    kind = fields.String(
        required=True,
        validate=validate.OneOf(KINDS, error="请选择评价类型。"),
        error_messages={"required": "请选择评价类型。"},
    )
    evaluator = Text(load_default=None, validate=validate.Length(max=500))
    total_weight = Text(load_default="100", validate=validate.Length(max=32))
    required_sign_offs = fields.Method(deserialize="lines", load_default=None)
    time_zone = Text(load_default=None, validate=validate.Length(max=64))

    def lines(self, value: str) -> list[str]:
        """One capacity a line (or separated by 、，,)."""
        parts = value.replace("、", "\n").replace("，", "\n").replace(",", "\n").splitlines()
        return [p.strip() for p in parts if p.strip()]


class ImportForm(FormSchema):
    """Header fields that fill or override the sheet's; the file comes as `file`, and on
    confirmation the previewed file comes back as `content` (base64) with its `filename`."""

    title = Text(load_default=None, validate=validate.Length(max=500))
    subject = Text(load_default=None, validate=validate.Length(max=500))
    fiscal_year = Whole(load_default=None, validate=validate.Range(1900, 2999))
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    evaluator = Text(load_default=None, validate=validate.Length(max=500))
    confirm = fields.Boolean(load_default=False)
    content = fields.String(load_default=None)
    filename = Text(load_default=None, validate=validate.Length(max=255))

    @post_load
    def drop_blank(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        keep = ("confirm", "content", "filename")
        return {k: v for k, v in data.items() if v is not None or k in keep}


class DataEntryForm(EvidenceFields):
    key = Text(required=True, validate=validate.Length(min=1, max=200, error="请填写数据项。"))
    value = Text(required=True, validate=validate.Length(min=1, max=32, error="请填写数值。"))
    unit = Text(load_default=None, validate=validate.Length(max=32))
    source = Text(load_default=None, validate=validate.Length(max=2000))
    reason = Text(load_default=None, validate=LONG)


class ChecklistForm(FormSchema):
    """`met` comes as one select per item, read in order by `marks`."""

    justification = Text(load_default=None, validate=LONG)


class ScoreForm(EvidenceFields):
    score = Text(required=True, validate=validate.Length(min=1, max=32, error="请填写得分。"))
    justification = Text(required=True, validate=TEXT)


def marks(values: list[str]) -> list[bool]:
    """The checklist's selects, in item order: "true" met, "false" not met."""
    if any(v not in ("true", "false") for v in values):
        raise FormInvalid({"met": ["每一项应选择达标或未达标。"]})
    return [v == "true" for v in values]


class DeductionForm(EvidenceFields):
    points = Text(required=True, validate=validate.Length(min=1, max=32, error="请填写扣分。"))
    reason = Text(required=True, validate=TEXT)


class TargetValueForm(EvidenceFields):
    """A monitored or final value; which fields a target needs is the domain's rule."""

    stage = fields.String(
        required=True,
        validate=validate.OneOf(STAGES, error="请选择阶段。"),
        error_messages={"required": "请选择阶段。"},
    )
    value = Text(load_default=None, validate=validate.Length(max=32))
    outcome = fields.String(load_default=None, validate=validate.OneOf(TARGET_OUTCOMES))
    score = Text(load_default=None, validate=validate.Length(max=32))
    justification = Text(load_default=None, validate=LONG)
    deviation_reason = Text(load_default=None, validate=LONG)
    improvement = Text(load_default=None, validate=LONG)
    source = Text(load_default=None, validate=validate.Length(max=2000))
    reason = Text(load_default=None, validate=LONG)


class SignOffForm(FormSchema):
    capacity = Text(
        required=True, validate=validate.Length(min=1, max=60, error="请填写（最多 {max} 字）。")
    )
    opinion = Text(load_default=None, validate=LONG)
    title = Text(load_default=None, validate=validate.Length(max=100, error="最多 {max} 字。"))
    organization = Text(
        load_default=None, validate=validate.Length(max=100, error="最多 {max} 字。")
    )
    phone = Text(load_default=None, validate=validate.Length(max=40, error="最多 {max} 字。"))


class DisputeForm(EvidenceFields):
    grounds = Text(required=True, validate=TEXT)
    deduction_id = Text(load_default=None)
    indicator = Text(load_default=None)


class DecisionForm(FormSchema):
    outcome = fields.String(
        required=True,
        validate=validate.OneOf(OUTCOMES, error="请选择结论。"),
        error_messages={"required": "请选择结论。"},
    )
    reason = Text(required=True, validate=TEXT)
    points = Text(load_default=None)
    # A checkbox: present ("true") only when ticked.
    confirm_worse = fields.Boolean(load_default=False)


class NoteForm(FormSchema):
    text = Text(required=True, validate=TEXT)


class ReasonForm(FormSchema):
    reason = Text(required=True, validate=TEXT)


class WithdrawalForm(ReasonForm):
    indicator = Text(load_default=None, validate=validate.Length(max=64))


class AnchorQuery(FormSchema):
    """`?version=` or `?as_of=`: the sheet as it stood then."""

    version = Whole(load_default=None, validate=validate.Range(min=1, error="应为正整数。"))
    as_of = LocalDateTime(load_default=None)

    @validates_schema
    def one_anchor(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("version") is not None and data.get("as_of") is not None:
            raise ValidationError("请只给出版本号或时间之一。", "as_of")


class ReportQuery(AnchorQuery):
    format = fields.String(
        load_default="xlsx",
        validate=validate.OneOf(REPORT_FORMATS, error="格式应为 xlsx、csv、json、html 或 pdf。"),
    )


class ListQuery(FormSchema):
    fiscal_year = Whole(load_default=None)
    subject = Text(load_default=None)
    kind = Text(load_default=None)
    status = Text(load_default=None)
    grade = Text(load_default=None)
    page = Whole(load_default=1, validate=validate.Range(min=1, error="应为正整数。"))


class PageQuery(FormSchema):
    page = Whole(load_default=1, validate=validate.Range(min=1, error="应为正整数。"))


class HistoryQuery(PageQuery):
    """The event log's filters: one event type, one person, events since the submission."""

    type = Text(load_default=None, validate=validate.Length(max=64))
    actor = Text(load_default=None, validate=validate.Length(max=200))
    since = Text(
        load_default=None,
        validate=validate.OneOf(("submission",), error="只能为 submission。"),
    )


class DiffQuery(FormSchema):
    start = Text(data_key="from", load_default=None)
    end = Text(data_key="to", load_default=None)


class QueueQuery(FormSchema):
    status = fields.String(
        load_default="open",
        validate=validate.OneOf(("open", "decided"), error="应为 open 或 decided。"),
    )


def load(schema: type[Schema], source: MultiDict[str, str]) -> dict[str, Any]:
    """The form's values, blank fields left out; FormInvalid lists every problem at once."""
    given = {k: v for k, v in source.items() if v.strip() != ""}
    try:
        return dict(schema().load(given))
    except ValidationError as error:
        messages = error.normalized_messages()
        raise FormInvalid({str(k): [str(m) for m in v] for k, v in messages.items()}) from None
