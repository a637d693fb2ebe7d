"""The score table every export format shares: its lines, headers and cells."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from application.system_text import integrity_warning

from .cells import METHOD_LABELS
from .labels import EVALUATION_STATUS, KINDS, label

Document = Mapping[str, Any]


_NUMERALS = "一二三四五六七八九"
_WHAT = frozenset({"被评价单位", "评价年度", "评价类型", "评价机构"})
# Column names the importer recognises, so an exported sheet can be imported again.
_DETAIL_COLUMNS = (
    "编码",
    "分值",
    "得分",
    "得分率(%)",
    "方法",
    "指标解释",
    "评分标准",
    "评价过程",
    "规则得分",
    "调整说明",
    "扣分明细",
)
_NUMERIC_COLUMNS = frozenset({"分值", "得分", "得分率(%)", "规则得分"})
_WIDTHS = {
    "编码": 9,
    "分值": 8,
    "得分": 8,
    "得分率(%)": 10,
    "方法": 7,
    "指标解释": 30,
    "评分标准": 36,
    "评价过程": 36,
    "规则得分": 9,
    "调整说明": 26,
    "扣分明细": 42,
}
_LEVEL_WIDTH = 16
_LINE_HEIGHT = 15.0  # points per wrapped line at the 11 pt body font
_MAX_ROW_HEIGHT = 409.0  # Excel's limit


# --- the table every format shares ------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One indicator as a table row."""

    indicator: Mapping[str, Any]
    path: tuple[str, ...]
    span: int  # rows covered by this indicator and its descendants
    is_parent: bool

    @property
    def level(self) -> int:
        return len(self.path)


def _lines(doc: Document) -> list[Line]:
    """The indicators in tree order, with their ancestors' names and the rows each subtree spans."""
    indicators: list[Mapping[str, Any]] = list(doc.get("indicators") or [])
    by_code = {indicator["code"]: indicator for indicator in indicators}
    span = dict.fromkeys(by_code, 1)
    for indicator in reversed(indicators):  # children are listed after their parents
        parent = indicator.get("parent")
        if parent in span:
            span[parent] += span[indicator["code"]]
    lines = []
    for indicator in indicators:
        path: list[str] = []
        current: Mapping[str, Any] | None = indicator
        while current is not None and len(path) <= len(by_code):  # the bound guards a cycle
            path.insert(0, str(current.get("name") or ""))
            current = by_code.get(current.get("parent"))
        code = indicator["code"]
        lines.append(Line(indicator, tuple(path), span[code], span[code] > 1))
    return lines


def _level_headers(depth: int) -> list[str]:
    return [
        f"{_NUMERALS[i]}级指标" if i < len(_NUMERALS) else f"{i + 1}级指标" for i in range(depth)
    ]


def _headers(depth: int) -> list[str]:
    return [*_level_headers(depth), *_DETAIL_COLUMNS]


def _method(indicator: Mapping[str, Any]) -> str:
    method = indicator.get("method")
    return METHOD_LABELS.get(method, method) if method else ""


def _active(deduction: Mapping[str, Any]) -> bool:
    return deduction.get("status", "active") == "active"


def _process(indicator: Mapping[str, Any]) -> str:
    """The 评价过程 text: why the leaf has its score (the importer's justification column)."""
    if indicator.get("overridden") or indicator.get("method") != "deduction":
        return str(indicator.get("override_justification") or "")
    reasons = [str(d.get("reason") or "") for d in indicator.get("deductions") or [] if _active(d)]
    return "；".join(reason for reason in reasons if reason)


def _deduction_lines(indicator: Mapping[str, Any]) -> list[str]:
    lines = []
    for deduction in indicator.get("deductions") or []:
        status = "有效" if _active(deduction) else "已撤回"
        line = f"扣 {deduction.get('points')} 分（{status}）：{deduction.get('reason') or ''}"
        titles = [str(e["title"]) for e in deduction.get("evidence") or [] if e.get("title")]
        if titles:
            line += f"〔佐证：{'；'.join(titles)}〕"
        lines.append(line)
    return lines


def _cells(line: Line, depth: int, *, repeat_names: bool) -> list[str | None]:
    """The row's values as text (None when empty), in _headers(depth) order."""
    indicator = line.indicator
    names: list[str | None] = [None] * depth
    for index, name in enumerate(line.path[:depth]):
        if repeat_names or index == line.level - 1:
            names[index] = name
    overridden = bool(indicator.get("overridden"))
    return [
        *names,
        str(indicator["code"]),
        indicator.get("weight"),
        indicator.get("score"),
        indicator.get("rate"),
        None if line.is_parent else _method(indicator) or None,
        indicator.get("explanation"),
        indicator.get("criteria"),
        None if line.is_parent else _process(indicator) or None,
        indicator.get("rule_score") if overridden else None,
        indicator.get("override_justification") if overridden else None,
        "\n".join(_deduction_lines(indicator)) or None,
    ]


def _total_cells(doc: Document, depth: int) -> list[str | None]:
    cells: list[str | None] = [None] * len(_headers(depth))
    cells[0] = "合计"
    cells[depth + 1] = doc.get("total_weight")
    cells[depth + 2] = doc.get("total")
    cells[depth + 3] = _rate(doc.get("total"), doc.get("total_weight"))
    if doc.get("provisional"):  # beside the figure, not in it: the total still imports back
        cells[depth + 4] = PROVISIONAL
    return cells


PROVISIONAL = "暂计（尚有指标未计分）"


def _total_text(doc: Document) -> str:
    """The total as the header line shows it: 暂计 while a leaf is unscored."""
    total = doc.get("total")
    if total is None:
        return "未评分"
    provisional = "暂计，" if doc.get("provisional") else ""
    return f"{total}（{provisional}满分 {doc.get('total_weight')}）"


def _rate(score: str | None, weight: str | None) -> str | None:
    if score is None or not weight or Decimal(weight) == 0:
        return None
    return str((Decimal(score) / Decimal(weight) * 100).quantize(Decimal("0.01")))


def _meta(doc: Document) -> list[tuple[str, str]]:
    """The header fields as (label, value); labels the importer reads back."""
    pairs = [
        ("被评价单位", doc.get("subject")),
        ("评价年度", doc.get("fiscal_year")),
        ("评价类型", label(KINDS, doc.get("kind"))),
        ("评价机构", doc.get("evaluator")),
        ("状态", EVALUATION_STATUS.get(doc.get("status") or "", doc.get("status"))),
        ("版本", doc.get("version")),
        ("截至", doc.get("as_of")),
        ("总分", _total_text(doc)),
        ("未计分指标", "、".join(doc.get("unscored") or []) or None),
        ("等级", doc.get("grade") or "—"),
    ]
    return [(label, str(value)) for label, value in pairs if value not in (None, "")]


def integrity_line(doc: Document) -> str | None:
    """The warning every format puts above the table when the figures were recomputed from
    the events because a stored row failed its seal (the page's words); None otherwise."""
    problem = doc.get("integrity_problem")
    return integrity_warning(str(problem)) if problem else None


def _meta_rows(doc: Document) -> list[str]:
    """The header fields as two "label：value；…" lines: what was evaluated, then its standing."""
    pairs = _meta(doc)
    lines = [
        "；".join(f"{label}：{value}" for label, value in pairs if (label in _WHAT) == first)
        for first in (True, False)
    ]
    return [line for line in lines if line]


def _depth(lines: Sequence[Line]) -> int:
    return max((line.level for line in lines), default=1)
