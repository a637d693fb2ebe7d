"""The self-evaluation form's printed parts above its target table: the header (项目名称 …),
the 项目资金 block with 执行率, and 年度总体目标 (预期目标 / 实际完成情况)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Document = Mapping[str, Any]
Table = tuple[str, list[str], list[list[str]]]

HEADER_FIELDS = (
    ("project_name", "项目名称"),
    ("department", "主管部门"),
    ("implementer", "实施单位"),
    ("budget_code", "预算编码"),
    ("contact", "联系人"),
    ("phone", "联系电话"),
    ("report_date", "报告日期"),
)
FUNDS_HEADERS = ["资金来源", "年初预算数", "全年预算数", "全年执行数", "执行率(%)"]


def header_pairs(doc: Document) -> list[tuple[str, str]]:
    """The header fields the form was given, as (label, value)."""
    form = doc.get("form") or {}
    return [(text, str(form[key])) for key, text in HEADER_FIELDS if form.get(key)]


def _row(name: str, row: Mapping[str, Any]) -> list[str]:
    figures = (row.get(k) for k in ("initial_budget", "full_year_budget", "executed", "rate"))
    return [name, *("" if value is None else str(value) for value in figures)]


def form_tables(doc: Document) -> list[Table]:
    """The funds block (a row per source and their total) and the overall goal, each when
    recorded; nothing for an evaluation without them."""
    tables: list[Table] = []
    funds = doc.get("funds") or {}
    sources = funds.get("sources") or []
    if sources:
        rows = [_row(str(s.get("source") or ""), s) for s in sources]
        rows.append(_row("合计", funds.get("total") or {}))
        tables.append(("项目资金（万元）", FUNDS_HEADERS, rows))
    form = doc.get("form") or {}
    if form.get("overall_goal") or form.get("overall_result"):
        goal = [str(form.get("overall_goal") or ""), str(form.get("overall_result") or "")]
        tables.append(("年度总体目标", ["预期目标", "实际完成情况"], [goal]))
    return tables
