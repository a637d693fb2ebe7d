"""An evaluation's event history as CSV, one row per event and one column per field."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any

from application.moments import local_text
from application.system_text import EVENT_NAMES, chinese

from .cells import FORMULA_START
from .labels import KINDS, ROLES, label

# The columns every event has, with their Chinese headers.
COLUMNS = (
    ("version", "版本"),
    ("recorded_at", "记录时间(UTC)"),
    ("local_time", "记录时间(本地)"),
    ("type", "事件类型"),
    ("type_label", "事件"),
    ("actor", "操作人"),
    ("role", "角色"),
    ("indicator", "指标"),
    ("reason", "原因或说明"),
    ("cause", "关联异议"),
    ("correlation_id", "请求编号"),
)
EVENT_LABELS = EVENT_NAMES
# Payload fields with a Chinese header; any other field keeps its own name.
FIELD_LABELS = {
    "title": "标题",
    "subject": "被评价单位",
    "fiscal_year": "评价年度",
    "kind": "评价类型",
    "time_zone": "时区",
    "target_rules": "指标值规则",
    "consequences_follow": "后续变更随之记录",
    "evaluator": "评价机构",
    "code": "指标编码",
    "key": "数据项",
    "value": "数值",
    "unit": "单位",
    "source": "来源",
    "points": "分值",
    "score": "得分",
    "before": "变化前得分",
    "after": "变化后得分",
    "rule_score": "规则得分",
    "total": "总分",
    "grade": "等级",
    "evidence": "佐证材料",
    "deduction_id": "扣分编号",
    "dispute_id": "异议编号",
    "outcome": "裁定结果",
    "previous_points": "裁定前分值",
    "grounds": "异议理由",
    "justification": "说明",
    "reason": "原因",
    "name": "名称",
    "media_type": "文件类型",
    "size": "文件大小",
    "sha256": "SHA-256",
    "evidence_id": "佐证材料编号",
    "total_weight": "满分",
    "grade_bands": "等级划分",
    "indicators": "指标体系",
    "exact": "精确得分",
    "rule_exact": "规则精确得分",
    "overridden": "是否人工调整",
    "note": "备注",
    "rates": "得分率明细",
    "parents": "上级指标得分",
    "cause": "起因事件",
    "cause_version": "起因版本",
    "met": "达标情况",
    "tallies": "问卷计数",
    "target": "异议对象",
    "figure": "报告数类型",
    "indicator": "指标",
    "corrects_version": "更正的版本",
    "fields": "填写内容",
    "previous": "更正前",
    "initial_budget": "年初预算数",
    "full_year_budget": "全年预算数",
    "executed": "全年执行数",
    "text": "内容",
    "note_id": "意见编号",
}


def history_csv(events: Sequence[Mapping[str, Any]], zone: tzinfo | None = None) -> str:
    """CSV text without a BOM: the fixed columns, then one column per payload field that
    any event has (in order of first appearance); lists and objects as compact JSON."""
    fields: list[str] = []
    for event in events:
        for name in event.get("data") or {}:
            if name not in fields:
                fields.append(name)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for _, header in COLUMNS] + [FIELD_LABELS.get(f, f) for f in fields])
    for event in events:
        fixed = {
            **event,
            "local_time": local_text(event.get("recorded_at"), zone) if zone else "",
            "type_label": EVENT_LABELS.get(str(event.get("type")), ""),
            "role": label(ROLES, event.get("role")),
            "reason": chinese(event.get("reason")),
        }
        data = dict(event.get("data") or {})
        for name in ("reason", "note"):  # texts the system wrote, in Chinese
            if isinstance(data.get(name), str):
                data[name] = chinese(data[name])
        if "kind" in data:
            data["kind"] = label(KINDS, data["kind"])
        writer.writerow(
            [_text(fixed.get(name)) for name, _ in COLUMNS]
            + [_text(_cell(data[f])) if f in data else "" for f in fields]
        )
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def _text(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet runs a cell starting with = + - @ as a formula; an apostrophe keeps it text.
    return f"'{text}" if text.startswith(FORMULA_START) else text
