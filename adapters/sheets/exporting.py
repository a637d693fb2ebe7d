"""Render an evaluation document as a score table: xlsx, csv, a printable HTML page, or JSON."""

from __future__ import annotations

import csv
import io
import json
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from html import escape
from typing import Any
from uuid import UUID

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from .importing import FORMULA_START, METHOD_LABELS

Document = Mapping[str, Any]

_NUMERALS = "一二三四五六七八九"
_STATUS_LABELS = {"draft": "草稿", "submitted": "已提交", "finalized": "已定稿"}
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
class _Line:
    """One indicator as a table row."""

    indicator: Mapping[str, Any]
    path: tuple[str, ...]
    span: int  # rows covered by this indicator and its descendants
    is_parent: bool

    @property
    def level(self) -> int:
        return len(self.path)


def _lines(doc: Document) -> list[_Line]:
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
        lines.append(_Line(indicator, tuple(path), span[code], span[code] > 1))
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


def _cells(line: _Line, depth: int, *, repeat_names: bool) -> list[str | None]:
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
    return cells


def _rate(score: str | None, weight: str | None) -> str | None:
    if score is None or not weight or Decimal(weight) == 0:
        return None
    return str((Decimal(score) / Decimal(weight) * 100).quantize(Decimal("0.01")))


def _meta(doc: Document) -> list[tuple[str, str]]:
    """The header fields as (label, value); labels the importer reads back."""
    total = doc.get("total")
    pairs = [
        ("被评价单位", doc.get("subject")),
        ("评价年度", doc.get("fiscal_year")),
        ("评价类型", doc.get("kind")),
        ("评价机构", doc.get("evaluator")),
        ("状态", _STATUS_LABELS.get(doc.get("status") or "", doc.get("status"))),
        ("版本", doc.get("version")),
        ("截至", doc.get("as_of")),
        ("总分", f"{total}（满分 {doc.get('total_weight')}）" if total is not None else "未评分"),
        ("等级", doc.get("grade") or "—"),
    ]
    return [(label, str(value)) for label, value in pairs if value not in (None, "")]


def _meta_rows(doc: Document) -> list[str]:
    """The header fields as two "label：value；…" lines: what was evaluated, then its standing."""
    pairs = _meta(doc)
    lines = [
        "；".join(f"{label}：{value}" for label, value in pairs if (label in _WHAT) == first)
        for first in (True, False)
    ]
    return [line for line in lines if line]


def _depth(lines: Sequence[_Line]) -> int:
    return max((line.level for line in lines), default=1)


# --- xlsx -------------------------------------------------------------------------------------


def to_xlsx(doc: Document) -> bytes:
    """The score table as an Excel workbook: merged group names, frozen header, print-ready."""
    lines = _lines(doc)
    depth = _depth(lines)
    headers = _headers(depth)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "评分表"
    last = get_column_letter(len(headers))
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap_top = Alignment(wrap_text=True, vertical="top")

    _text_cell(sheet.cell(1, 1), str(doc.get("title") or ""))
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(f"A1:{last}1")
    sheet.row_dimensions[1].height = 24
    row = 1
    widths = [_WIDTHS.get(name, _LEVEL_WIDTH) for name in headers]
    for text in _meta_rows(doc):
        row += 1
        _text_cell(sheet.cell(row, 1), text)
        sheet.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="center")
        sheet.merge_cells(f"A{row}:{last}{row}")
        sheet.row_dimensions[row].height = _row_height([text], [sum(widths)])

    header_row = row + 1
    for column, name in enumerate(headers, start=1):
        cell = sheet.cell(header_row, column, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        sheet.column_dimensions[get_column_letter(column)].width = widths[column - 1]

    first_data = header_row + 1
    for offset, line in enumerate(lines):
        row = first_data + offset
        values = _cells(line, depth, repeat_names=False)
        _write_row(sheet, row, headers, values, border, wrap_top)
        if line.is_parent:
            for cell in sheet[row]:
                cell.font = Font(bold=True)
        measured = list(values)
        if line.is_parent:
            measured[line.level - 1] = (
                None  # a group name is merged over its rows: no one row grows
            )
        sheet.row_dimensions[row].height = _row_height(measured, widths)
    for offset, line in enumerate(lines):
        if line.is_parent:
            column = line.level
            start = first_data + offset
            name_cell = sheet.cell(start, column)
            name_cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            if line.span > 1:
                sheet.merge_cells(
                    start_row=start,
                    end_row=start + line.span - 1,
                    start_column=column,
                    end_column=column,
                )

    total_row = first_data + len(lines)
    _write_row(sheet, total_row, headers, _total_cells(doc, depth), border, wrap_top)
    for cell in sheet[total_row]:
        cell.font = Font(bold=True)

    sheet.freeze_panes = sheet.cell(first_data, 1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_row(
    sheet: Any,
    row: int,
    headers: Sequence[str],
    values: Sequence[str | None],
    border: Border,
    alignment: Alignment,
) -> None:
    for column, (name, value) in enumerate(zip(headers, values, strict=True), start=1):
        cell = sheet.cell(row, column)
        cell.border = border
        cell.alignment = alignment
        if value is None:
            continue
        if name in _NUMERIC_COLUMNS:
            # Numbers, not text, so the sheet can sum them; Decimal keeps the exact digits.
            cell.value = Decimal(value)
            cell.number_format = "0.00"
        else:
            _text_cell(cell, value)


def _text_cell(cell: Any, text: str) -> None:
    # Control characters recorded before input refused them would make openpyxl refuse the
    # whole workbook: show each as U+FFFD instead, so the export still works.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    # openpyxl turns any text starting with "=" into a live formula; user text must stay text.
    cell.data_type = "s"


def _row_height(values: Sequence[str | None], widths: Sequence[int]) -> float:
    lines = max(
        (
            _wrapped_lines(value, width)
            for value, width in zip(values, widths, strict=True)
            if value
        ),
        default=1,
    )
    return min(_MAX_ROW_HEIGHT, max(1, lines) * _LINE_HEIGHT)


def _wrapped_lines(text: str, width: int) -> int:
    # Excel does not grow rows for wrapped text on open; estimate it (CJK characters are two wide).
    return sum(
        max(
            1,
            math.ceil(
                sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in part) / width
            ),
        )
        for part in text.split("\n")
    )


# --- csv --------------------------------------------------------------------------------------


def to_csv(doc: Document) -> str:
    """The score table as CSV text (the caller adds a BOM so Excel reads it as UTF-8)."""
    lines = _lines(doc)
    depth = _depth(lines)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_text(doc.get("title") or "")])
    for text in _meta_rows(doc):
        writer.writerow([_csv_text(text)])
    writer.writerow(_headers(depth))
    # CSV has no merged cells: each row repeats its ancestors' names (and so sorts and filters).
    for line in lines:
        writer.writerow(_csv_row(_cells(line, depth, repeat_names=True)))
    writer.writerow(_csv_row(_total_cells(doc, depth)))
    return buffer.getvalue()


def _csv_row(values: Sequence[str | None]) -> list[str]:
    return [_csv_text(value or "") for value in values]


def _csv_text(text: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula; an apostrophe keeps it text.
    return f"'{text}" if text.startswith(FORMULA_START) else text


# --- html -------------------------------------------------------------------------------------

_CSS = """
body { font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
  SimSun, sans-serif; color: #1a1a1a; margin: 24px; font-size: 14px; line-height: 1.5; }
h1 { font-size: 20px; text-align: center; margin: 0 0 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 4px 6px; vertical-align: top; text-align: left; }
thead th { background: #dde4ee; text-align: center; }
table.meta { margin-bottom: 16px; }
table.meta th { background: #f2f4f7; width: 8em; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.code, td.method { white-space: nowrap; }
tr.parent td { background: #f5f7fa; font-weight: bold; }
tr.total td { background: #e8edf3; font-weight: bold; }
.level { display: inline-block; font-size: 11px; color: #555; border: 1px solid #bbb;
  border-radius: 3px; padding: 0 3px; margin-right: 4px; font-weight: normal; }
.override { background: #fff6d6; border-left: 3px solid #e0b000; padding: 2px 6px; margin: 2px 0; }
.deduction { margin: 2px 0; }
.withdrawn { color: #777; text-decoration: line-through; }
.evidence { color: #555; font-size: 12px; }
.criteria { color: #444; font-size: 12px; }
p.foot { color: #666; font-size: 12px; margin-top: 12px; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; font-size: 9pt; }
  thead { display: table-header-group; }
  tr, td, th { page-break-inside: avoid; break-inside: avoid; }
  th, td { padding: 2px 4px; }
}
"""


def to_html(doc: Document) -> str:
    """A single self-contained, printable page: no scripts, links or fonts fetched from anywhere."""
    lines = _lines(doc)
    title = escape(str(doc.get("title") or ""))
    indent = "\n".join(
        f"td.name.level-{level} {{ padding-left: {6 + 16 * (level - 1)}px; }}"
        for level in range(1, _depth(lines) + 1)
    )
    meta = "".join(
        f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>" for label, value in _meta(doc)
    )
    rows = "\n".join(_html_row(line) for line in lines)
    total_cells = (
        ("", ""),
        ("合计", ""),
        (str(doc.get("total_weight") or ""), "num"),
        (str(doc.get("total") or "—"), "num"),
        (_rate(doc.get("total"), doc.get("total_weight")) or "", "num"),
        ("", ""),
        ("", ""),
        (f"等级：{doc.get('grade') or '—'}", ""),
    )
    total = "".join(f'<td class="{css}">{escape(text)}</td>' for text, css in total_cells)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{_CSS}{indent}
</style>
</head>
<body>
<h1>{title}</h1>
<table class="meta"><tbody>{meta}</tbody></table>
<table class="scores">
<thead><tr><th>编码</th><th>指标</th><th>分值</th><th>得分</th><th>得分率(%)</th><th>方法</th>\
<th>指标解释与评分标准</th><th>评价过程、调整与扣分</th></tr></thead>
<tbody>
{rows}
<tr class="total">{total}</tr>
</tbody>
</table>
<p class="foot">版本 {escape(str(doc.get("version") or ""))}{_as_of(doc)}</p>
</body>
</html>
"""


def _as_of(doc: Document) -> str:
    return f"；截至 {escape(str(doc['as_of']))}" if doc.get("as_of") else ""


def _html_row(line: _Line) -> str:
    indicator = line.indicator
    level_name = _level_headers(line.level)[-1].removesuffix("指标")
    about = "".join(
        f'<div class="{css}">{_html_text(indicator.get(key))}</div>'
        for key, css in (("explanation", "explanation"), ("criteria", "criteria"))
        if indicator.get(key)
    )
    cells = [
        f'<td class="code">{escape(str(indicator["code"]))}</td>',
        f'<td class="name level-{line.level}"><span class="level">{escape(level_name)}</span>'
        f"{escape(line.path[-1])}</td>",
        f'<td class="num">{escape(str(indicator.get("weight") or ""))}</td>',
        f'<td class="num">{escape(str(indicator.get("score") or ""))}</td>',
        f'<td class="num">{escape(str(indicator.get("rate") or ""))}</td>',
        f'<td class="method">{"" if line.is_parent else escape(_method(indicator))}</td>',
        f"<td>{about}</td>",
        f"<td>{'' if line.is_parent else _html_scoring(indicator)}</td>",
    ]
    css = "parent" if line.is_parent else "leaf"
    return f'<tr class="{css} level-{line.level}">{"".join(cells)}</tr>'


def _html_scoring(indicator: Mapping[str, Any]) -> str:
    parts = []
    if indicator.get("overridden"):
        parts.append(
            f'<div class="override">规则得分 {escape(str(indicator.get("rule_score") or "—"))}，'
            f"记录 {escape(str(indicator.get('score') or '—'))}："
            f"{_html_text(indicator.get('override_justification'))}</div>"
        )
    elif indicator.get("override_justification"):
        parts.append(f"<div>{_html_text(indicator.get('override_justification'))}</div>")
    for deduction in indicator.get("deductions") or []:
        css = "deduction" if _active(deduction) else "deduction withdrawn"
        status = "" if _active(deduction) else "（已撤回）"
        titles = [
            escape(str(e["title"])) for e in deduction.get("evidence") or [] if e.get("title")
        ]
        evidence = f'<div class="evidence">佐证：{"；".join(titles)}</div>' if titles else ""
        parts.append(
            f'<div class="{css}">扣 {escape(str(deduction.get("points")))} 分{status}：'
            f"{_html_text(deduction.get('reason'))}{evidence}</div>"
        )
    return "".join(parts)


def _html_text(value: object) -> str:
    return escape(str(value or "")).replace("\n", "<br>")


# --- json -------------------------------------------------------------------------------------


def to_json(doc: Document) -> str:
    """The document as JSON, Chinese text kept readable."""
    return json.dumps(doc, ensure_ascii=False, indent=2, default=_json_default)


def _json_default(value: object) -> str:
    # Documents hold decimal strings already; this covers a caller passing domain values through.
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
