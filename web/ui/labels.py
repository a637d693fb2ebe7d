"""Chinese labels for the values the API gives in English (unknown values show as given)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from application.moments import local_text
from application.system_text import EVENT_NAMES, chinese, integrity_warning
from web.moments import local_zone

STATUS = {"draft": "草稿", "submitted": "已提交被评价单位", "finalized": "已定稿"}
METHOD = {
    "checklist": "清单评分",
    "ratio": "比率计算",
    "deduction": "扣分制",
    "manual": "人工评分",
    "survey": "满意度问卷",
    "target": "绩效指标",
}
ROLE = {
    "evaluator": "评价人",
    "reviewer": "复核人",
    "subject": "被评价单位",
    "auditor": "审计人",
    "admin": "管理员",
}
KIND = {
    "project": "项目评价",
    "policy": "政策评价",
    "department": "部门整体评价",
    "self-evaluation": "绩效自评",
    "self": "绩效自评",
}
# What a person may open an evaluation as, in the order the form offers them.
KIND_CHOICES = tuple((k, KIND[k]) for k in ("project", "department", "policy", "self-evaluation"))
OUTCOME = {"upheld": "维持原扣分", "overturned": "撤销扣分", "amended": "变更扣分或得分"}
DISPUTE_STATUS = {"open": "待处理", "decided": "已裁定"}
DEDUCTION_STATUS = {"active": "有效", "withdrawn": "已撤回"}
EVENT = EVENT_NAMES
STEP = {
    "weight": "分值",
    "data_entry": "数据",
    "ratio": "比率",
    "product": "乘积",
    "rounding": "四舍五入",
    "rule_score": "规则得分",
    "override": "人工调整",
    "manual_score": "人工评分",
    "deduction": "扣分",
    "withdrawn_deduction": "已撤回扣分",
    "checklist_item": "清单条目",
    "checklist_assessment": "清单评定",
    "survey_question": "问卷题目",
    "survey_satisfaction": "满意度",
    "child": "下级指标",
    "sum": "汇总",
    "note": "说明",
    "target": "指标值",
    "target_value": "填报值",
    "target_rule": "指标评分",
}


FIELD = {
    "title": "标题",
    "subject": "被评价单位",
    "fiscal_year": "年度",
    "kind": "类型",
    "evaluator": "评价机构",
    "total_weight": "总分值",
    "grade_bands": "等级划分",
    "code": "指标",
    "key": "数据项",
    "value": "数值",
    "unit": "单位",
    "source": "来源",
    "points": "扣分",
    "reason": "理由",
    "justification": "理由",
    "grounds": "异议理由",
    "evidence": "证据",
    "score": "得分",
    "score_before": "原得分",
    "score_after": "新得分",
    "rule_score": "规则得分",
    "overridden": "人工调整",
    "note": "说明",
    "cause": "起因",
    "cause_version": "起因版本",
    "outcome": "裁定",
    "text": "意见",
    "met": "清单评定",
    "tallies": "问卷统计",
    "dispute_id": "异议",
    "deduction_id": "扣分",
    "indicators": "指标",
    "before": "原得分",
    "after": "新得分",
    "total": "总分",
    "grade": "等级",
    "time_zone": "时区",
    "corrects_version": "更正版本",
    "stage": "阶段",
    "deviation_reason": "偏差原因",
    "improvement": "改进措施",
    "capacity": "签字身份",
    "opinion": "意见",
    "previous_points": "原扣分",
    "name": "名称",
    "media_type": "文件类型",
    "size": "大小（字节）",
    "sha256": "SHA-256",
    "required": "须签字身份",
    "status": "状态",
}
TARGET_OUTCOME = {"achieved": "达成", "partial": "部分达成", "not_achieved": "未达成"}
STAGE = {"monitored": "年中监控值", "final": "全年实际完成值"}
# Named moments a diff or history bound may give, as the picker offers them.
MOMENTS = (
    ("submission", "最近一次提交"),
    ("finalization", "最近一次定稿"),
    ("reopening", "最近一次重新打开"),
)
# Derived figures and ids the history keeps for machines; the page leaves them out.
HIDDEN_FIELDS = frozenset({"parents", "rates", "exact", "rule_exact", "id"})


def event_fields(data: Any) -> list[tuple[str, str]]:
    """An event's data as (Chinese label, readable value) pairs, technical fields left out."""
    if not isinstance(data, dict):
        return []
    shown: list[tuple[str, str]] = []
    for key, value in data.items():
        if key in HIDDEN_FIELDS or value in (None, "", [], {}):
            continue
        shown.append((FIELD.get(str(key), str(key)), readable(str(key), value)))
    return shown


def readable(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "indicators" and isinstance(value, list):
        return f"{len(value)} 项"
    if key == "evidence" and isinstance(value, list):
        return "、".join(str(e.get("title", "")) for e in value if isinstance(e, dict))
    if key == "cause":
        return label(EVENT, value)
    if key == "outcome":
        return label(OUTCOME, value)
    if key == "kind":
        return label(KIND, value)
    if key in ("reason", "note"):
        return str(chinese(str(value)))
    if key == "stage":
        return label(STAGE, value)
    if key == "grade_bands" and isinstance(value, list):
        return "；".join(f"{b.get('grade')} ≥ {b.get('min')}" for b in value if isinstance(b, dict))
    if key == "met" and isinstance(value, list):
        return "、".join("达标" if m else "未达标" for m in value)
    if isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 160 else text[:157] + "…"
    return str(value)


def label(table: dict[str, str], value: Any) -> str:
    if value is None:
        return "—"
    return table.get(str(value), str(value))


def filters() -> dict[str, Any]:
    """Jinja filters: `{{ status|zh_status }}` and the like."""
    return {
        "zh_status": lambda v: label(STATUS, v),
        "zh_method": lambda v: label(METHOD, v),
        "zh_role": lambda v: label(ROLE, v),
        "zh_kind": lambda v: label(KIND, v),
        "zh_outcome": lambda v: label(OUTCOME, v),
        "zh_dispute": lambda v: label(DISPUTE_STATUS, v),
        "zh_deduction": lambda v: label(DEDUCTION_STATUS, v),
        "zh_event": lambda v: label(EVENT, v),
        "zh_step": lambda v: label(STEP, v),
        "zh_target_outcome": lambda v: label(TARGET_OUTCOME, v),
        "zh_stage": lambda v: label(STAGE, v),
        "zh_text": chinese,
        "integrity_warning": integrity_warning,
        "when": when,
        "lost_points": lost_points,
        "picker_value": picker_value,
        "event_fields": event_fields,
    }


def lost_points(indicator: dict[str, Any]) -> str:
    """失分: the weight less the score, two decimals; a dash while unscored."""
    if indicator.get("score") is None:
        return "—"
    return str(Decimal(indicator["weight"]) - Decimal(indicator["score"]))


def when(value: Any) -> str:
    """An ISO time as the API gives it, in local time (the evaluation's zone, else the
    service's) with its offset: 2026-11-22 21:40:00 (UTC+08:00)."""
    if not value:
        return "—"
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return local_text(moment, local_zone())


def zone_label() -> str:
    """The zone the page's times and picker are in: `Asia/Shanghai（UTC+08:00）`."""
    zone = local_zone()
    offset = datetime.now(zone).strftime("%z")
    return f"{zone}（UTC{offset[:3]}:{offset[3:]}）"


def picker_value(moment: datetime | None) -> str:
    """A moment as a datetime-local picker shows it: local time, no offset."""
    if not isinstance(moment, datetime):  # none picked (or a sheet shown again after a form)
        return ""
    return moment.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M:%S")
