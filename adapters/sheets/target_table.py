"""Read a printed target table (绩效自评表: 指标值, 实际完成值, 偏差原因) as a fixture."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from openpyxl.utils import get_column_letter

from domain.errors import DomainError
from domain.targets.rules import ACHIEVED, OUTCOMES, TargetRules, check_deviation, is_met
from domain.targets.text import parse_target

from .cells import (
    HEADER_SCAN_ROWS,
    MAX_ERRORS,
    _key,
    _level_of,
    _name_text,
    _text,
    _vocabulary,
    format_decimal,
    parse_decimal,
)
from .errors import ImportProblem, Location, SheetImportError, problem
from .grids import Grid, _csv_grid, _decode, _reject_binary, _xlsx_grids, refuse_unstorable

_ROLES: dict[str, str] = _vocabulary(
    target="指标值 年度指标值 年度目标值 目标值 计划值 预期指标值 绩效指标值 target",
    monitored="年中监控值 年中监控完成值 监控完成值 监控值 半年完成值 monitored",
    final="实际完成值 全年实际完成值 全年实际值 实际值 完成值 实际完成情况 final actual",
    weight="分值 权重 标准分 weight",
    score="得分 实际得分 评价得分 score",
    deviation="偏差原因 偏差原因分析 未完成原因 deviation",
    improvement="改进措施 改进建议 improvement",
    both="偏差原因分析及改进措施 偏差原因及改进措施 偏差原因和改进措施",
)
_END = frozenset(_vocabulary(end="签字及意见 签字 签章 审核意见 签字栏"))
_TOTAL = frozenset(_vocabulary(total="合计 总计 总分 总得分 得分合计 total"))
_LABELS = _vocabulary(
    title="项目名称 评价名称 标题",
    subject="主管部门 实施单位 预算单位 单位名称 被评价单位",
    fiscal_year="年度 评价年度 预算年度",
)
_LABEL = re.compile(r"^\s*([^:：]{1,12}?)\s*[:：]\s*(.+)$", re.DOTALL)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_OUTCOME_WORDS = _vocabulary(
    achieved="达成 已达成 完成 已完成 达到 符合 是 achieved",
    partial="部分达成 基本达成 基本完成 基本符合 部分完成 partial",
    not_achieved="未达成 未完成 未达到 不符合 否 notachieved not_achieved",
)


@dataclass
class _Leaf:
    path: tuple[str, ...]
    row: int
    target: str
    weight: Decimal
    cells: dict[str, object] = field(default_factory=dict)
    code: str = ""


def looks_like_target_table(data: bytes, filename: str) -> bool:
    """True when the first sheet with a header has a target column (指标值)."""
    try:
        return _target_grid(data, filename) is not None
    except SheetImportError:
        return False


def parse_target_table(
    data: bytes, filename: str, defaults: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The target table as a fixture (indicators with `target`, `target_values`), all or nothing.

    Raises SheetImportError listing every problem with its row and column.
    """
    found = _target_grid(data, filename)
    if found is None:
        raise SheetImportError.single("没有找到含「指标值」列的绩效指标表")
    grid, header, columns = found
    return _Reader(refuse_unstorable(grid), header, columns, dict(defaults or {})).read()


def _target_grid(data: bytes, filename: str) -> tuple[Grid, int, dict[str, Any]] | None:
    if data.startswith(b"PK\x03\x04"):
        grids = list(_xlsx_grids(data))
    else:
        _reject_binary(data, filename)
        if PurePath(filename).suffix.lower() == ".json":
            return None
        text = _decode(data)
        if text.lstrip().startswith("{"):
            return None
        grids = [_csv_grid(text)]
    for grid in grids:
        for row in range(min(HEADER_SCAN_ROWS, len(grid.rows))):
            columns = _columns(grid.rows[row])
            if columns is not None:
                return grid, row, columns
    return None


def _columns(cells: list[object]) -> dict[str, Any] | None:
    levels: dict[int, int] = {}
    roles: dict[str, int] = {}
    for column, value in enumerate(cells):
        key = _key(value)
        level = _level_of(key)
        if level is not None:
            levels.setdefault(level, column)
        elif key in _ROLES:
            roles.setdefault(_ROLES[key], column)
    if not levels or "target" not in roles or "weight" not in roles:
        return None
    return {"levels": [levels[level] for level in sorted(levels)], **roles}


class _Reader:
    def __init__(
        self, grid: Grid, header: int, columns: dict[str, Any], defaults: dict[str, Any]
    ) -> None:
        self.grid, self.header, self.columns, self.defaults = grid, header, columns, defaults
        # the rules the evaluation will open with: its targets read here as they will there
        self.rules = TargetRules.from_data(defaults.get("target_rules"))
        self.errors: list[ImportProblem] = []
        self.leaves: list[_Leaf] = []
        self.untargeted: list[_Leaf] = []
        self.reported_total: Decimal | None = None
        self.total_row: int | None = None

    def where(self, row: int | None, column: int | None) -> Location:
        return {
            "sheet": self.grid.sheet,
            "row": None if row is None else row + 1,
            "column": None if column is None else get_column_letter(column + 1),
        }

    def error(self, message: str, row: int | None, role: str | None = None) -> None:
        column = self.columns.get(role) if role else None
        self.errors.append(problem(message, **self.where(row, column)))

    def cell(self, row: int, role: str) -> object:
        return self.grid.value(row, self.columns.get(role))

    def read(self) -> dict[str, Any]:
        path: list[str] = []
        for row in range(self.header + 1, len(self.grid.rows)):
            names = [_name_text(self.grid.value(row, c)) for c in self.columns["levels"]]
            first = next((t for t in (_text(v) for v in self.grid.rows[row]) if t), "")
            if not first:
                continue
            if _key(first) in _TOTAL:
                self.reported_total, self.total_row = self.number(row, "score"), row
                continue
            if _level_of(_key(names[0])) is not None:
                continue  # the header repeated on a new page
            if _key(first) in _END:
                break  # the signature block below the table
            named = [depth for depth, name in enumerate(names) if name]
            if not named:
                continue  # a note or a blank
            deepest = named[-1]
            filled = [names[d] or (path[d] if d < len(path) else "") for d in range(deepest + 1)]
            target = _text(self.cell(row, "target"))
            if not target:
                # a group's own row, or a leaf scored without a target (预算执行率 10 分,
                # 得分 9.5): which one is known once the rows below are read
                path = filled
                weight = self.number(row, "weight")
                if weight is not None and all(filled):
                    self.untargeted.append(_Leaf(tuple(filled), row, "", weight))
                continue
            if not all(filled):
                self.error("指标名称不完整：上级指标为空", row)
                continue
            path = filled
            weight = self.number(row, "weight")
            if weight is None:
                self.error("三级指标需要分值", row, "weight")
                continue
            leaf = _Leaf(tuple(filled), row, target, weight)
            for role in ("monitored", "final", "score", "deviation", "improvement", "both"):
                leaf.cells[role] = self.cell(row, role)
            self.leaves.append(leaf)
        if not self.leaves and not self.errors:
            self.error("表头下方没有带指标值的指标行", None)
        groups = {leaf.path[:depth] for leaf in self.leaves for depth in range(len(leaf.path))}
        manual = [u for u in self.untargeted if u.path not in groups]
        self.leaves = sorted([*self.leaves, *manual], key=lambda leaf: leaf.row)
        result = self.result()
        if self.errors:
            raise SheetImportError(self.errors[:MAX_ERRORS])
        return result

    def number(self, row: int, role: str) -> Decimal | None:
        value = self.cell(row, role)
        try:
            return parse_decimal(value)
        except ValueError:
            self.error(f"「{_text(value)}」不是数字", row, role)
            return None

    def result(self) -> dict[str, Any]:
        indicators: list[dict[str, Any]] = []
        codes: dict[tuple[str, ...], str] = {}
        weights: dict[tuple[str, ...], Decimal] = {}
        sources: dict[str, Any] = {"indicators": {}, "data_entries": [], "actions": []}
        target_sources: list[Location] = []
        for leaf in self.leaves:
            for depth in range(len(leaf.path)):
                weights[leaf.path[: depth + 1]] = (
                    weights.get(leaf.path[: depth + 1], Decimal(0)) + leaf.weight
                )
        for leaf in self.leaves:
            for depth in range(len(leaf.path)):
                prefix = leaf.path[: depth + 1]
                if prefix in codes:
                    if depth == len(leaf.path) - 1:
                        self.error(f"指标「{prefix[-1]}」重复", leaf.row)
                    continue
                siblings = [p for p in codes if len(p) == depth + 1 and p[:depth] == prefix[:depth]]
                parent = codes.get(prefix[:depth]) if depth else None
                code = f"{parent}.{len(siblings) + 1}" if parent else str(len(siblings) + 1)
                codes[prefix] = code
                entry: dict[str, Any] = {"code": code, "name": prefix[-1]}
                if parent:
                    entry["parent"] = parent
                entry["weight"] = format_decimal(weights[prefix])
                if depth == len(leaf.path) - 1:
                    entry["method"] = "target" if leaf.target else "manual"
                    if leaf.target:
                        entry["target"] = leaf.target
                    leaf.code = code
                indicators.append(entry)
                at = self.where(leaf.row, None)
                sources["indicators"][code] = {k: at for k in ("name", "weight", "method")}
                sources["indicators"][code]["score"] = self.where(
                    leaf.row, self.columns.get("score")
                )
        values: list[dict[str, Any]] = []
        actions: list[dict[str, Any]] = []
        expected: dict[str, str] = {}
        for leaf in self.leaves:
            if not leaf.target:
                score = self.number(leaf.row, "score")
                if score is not None:
                    actions.append(
                        {
                            "indicator": leaf.code,
                            "action": "score",
                            "score": format_decimal(score),
                            "justification": "导入：表中得分",
                        }
                    )
                    sources["actions"].append(self.where(leaf.row, self.columns.get("score")))
                continue
            for item in self.values_of(leaf):
                values.append(item)
                target_sources.append(self.where(leaf.row, self.columns.get(item["stage"])))
            score = self.number(leaf.row, "score")
            if score is not None:
                expected[leaf.code] = format_decimal(score)
        sources["target_values"] = target_sources
        sources["evaluation"] = self.where(None, None)
        if self.total_row is not None:
            sources["reported_total"] = self.where(self.total_row, self.columns.get("score"))
        evaluation = {"kind": "绩效自评", **self.header_fields(), **self.defaults}
        roots = sum((w for p, w in weights.items() if len(p) == 1), Decimal(0))
        evaluation.setdefault("total_weight", format_decimal(roots) if roots else "100")
        if self.reported_total is not None:
            evaluation["reported_total"] = format_decimal(self.reported_total)
        return {
            "evaluation": evaluation,
            "indicators": indicators,
            "data_entries": [],
            "actions": actions,
            "target_values": values,
            "expected": {"leaves": expected},
            "sources": sources,
        }

    def values_of(self, leaf: _Leaf) -> list[dict[str, Any]]:
        try:
            # read as the framework will read it: a bare number under 成本指标 is a ceiling
            target = parse_target(leaf.target, self.rules.bare_for(leaf.path[:-1]))
        except DomainError as error:
            self.error(error.detail, leaf.row, "target")
            return []
        found: list[dict[str, Any]] = []
        both = _text(leaf.cells.get("both")) or None
        reasons = {
            "deviation_reason": _text(leaf.cells.get("deviation")) or both,
            "improvement": _text(leaf.cells.get("improvement")) or both,
        }
        for stage in ("monitored", "final"):
            raw = _text(leaf.cells.get(stage))
            if not raw:
                continue
            item: dict[str, Any] = {"indicator": leaf.code, "stage": stage, "source": "导入"}
            if target.qualitative:
                outcome = self.outcome(leaf, raw, target.text)
                if outcome is None:
                    continue
                item["outcome"] = outcome
                if stage == "final":
                    score = self.number(leaf.row, "score")
                    if score is None and outcome == ACHIEVED:
                        score = leaf.weight
                    if score is None:
                        self.error("定性指标未完全达成时需要得分", leaf.row, "score")
                        continue
                    item["score"] = format_decimal(score)
                item["justification"] = f"导入：实际完成情况「{raw}」"
            else:
                try:
                    value = parse_target(raw).value
                except DomainError:
                    value = None
                if value is None:
                    self.error(f"「{raw}」不是数值（指标值为 {target.text}）", leaf.row, stage)
                    continue
                item["value"] = format(value, "f")  # as printed: 2.8 stays 2.8
            if stage == "final":
                item.update({k: v for k, v in reasons.items() if v})
                met = item.get("outcome") == ACHIEVED or (
                    not target.qualitative and is_met(target, Decimal(item["value"]))
                )
                try:  # the domain's rule, checked here so every row's problem is listed at once
                    check_deviation(self.rules, leaf.code, met, *reasons.values())
                except DomainError:
                    self.error(
                        f"实际完成值 {raw} 未达到指标值 {target.text}：需要填写偏差原因和改进措施",
                        leaf.row,
                        "deviation" if "deviation" in self.columns else "both",
                    )
                    continue
            found.append(item)
        return found

    def outcome(self, leaf: _Leaf, raw: str, target_text: str) -> str | None:
        key = _key(raw)
        if key in _OUTCOME_WORDS:
            return _OUTCOME_WORDS[key]
        if key == _key(target_text):
            return ACHIEVED
        score = self.number(leaf.row, "score")
        if score is not None and leaf.weight:
            share = score / leaf.weight
            for outcome in OUTCOMES:
                if self.rules.bands[outcome].admits(share):
                    return outcome
        self.error(
            f"定性指标的完成情况「{raw}」无法判断：写「达成/部分达成/未达成」或填写得分",
            leaf.row,
            "final",
        )
        return None

    def header_fields(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for row in range(self.header):
            for value in self.grid.rows[row]:
                text = _text(value)
                if not text:
                    continue
                for part in re.split(r"[;；|\u3000]+|\s{2,}", text):
                    pair = _LABEL.match(part)
                    if pair and _key(pair.group(1)) in _LABELS:
                        found.setdefault(_LABELS[_key(pair.group(1))], pair.group(2).strip())
                    elif "title" not in found and not pair:
                        found["title"] = text
        title = str(found.get("title") or "")
        year = _YEAR.search(title) or _YEAR.search(str(found.get("fiscal_year") or ""))
        found.pop("fiscal_year", None)
        if year:
            found["fiscal_year"] = int(year.group(1))
        return found
