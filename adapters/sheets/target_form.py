"""The self-evaluation form (绩效自评表): targets, values, completion, deviations, sign-offs."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from html import escape
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .export_html import _CSS, integrity_banner
from .export_table import (
    PROVISIONAL,
    Line,
    _depth,
    _level_headers,
    _lines,
    _meta,
    _meta_rows,
    integrity_line,
)
from .exporting import _csv_text, _text_cell, _write_row, warning_row
from .form_parts import form_tables, header_pairs
from .history import EVENT_LABELS

Document = Mapping[str, Any]
_COLUMNS = (
    "年度指标值",
    "年中监控值",
    "实际完成值",
    "完成率(%)",
    "分值",
    "得分",
    "偏差原因",
    "改进措施",
    "数据来源及佐证",
)
_NUMERIC = frozenset({"完成率(%)", "分值", "得分"})
_WIDTHS = {
    "年度指标值": 14,
    "年中监控值": 12,
    "实际完成值": 12,
    "偏差原因": 28,
    "改进措施": 28,
    "数据来源及佐证": 28,
}
_OUTCOME_LABELS = {"achieved": "达成", "partial": "部分达成", "not_achieved": "未达成"}
_STATUS = {"current": "有效", "stale": "签字后已变更"}
_SIGN_HEADERS = (
    "签字身份",
    "签字人",
    "职务/职称",
    "单位",
    "联系电话",
    "意见",
    "签字版本",
    "签字时间",
    "状态",
)


def has_targets(doc: Document) -> bool:
    """True when any leaf is scored against a target: then the form is the report."""
    return any(i.get("method") == "target" for i in doc.get("indicators") or [])


def _shown(value: object, unit: object) -> str | None:
    if value is None:
        return None
    return f"{value}{unit or ''}"


def _cells(line: Line, depth: int) -> list[str | None]:
    indicator = line.indicator
    names: list[str | None] = [None] * depth
    for level, name in enumerate(line.path[:depth]):
        names[level] = name
    target = indicator.get("target") or {}
    qualitative = target.get("comparator") == "qualitative"
    unit = target.get("unit")
    if qualitative:
        monitored = _OUTCOME_LABELS.get(target.get("monitored_outcome") or "")
        final = _OUTCOME_LABELS.get(target.get("outcome") or "")
    else:
        monitored = _shown(target.get("monitored"), unit)
        final = _shown(target.get("final"), unit)
    return [
        *names,
        target.get("text"),
        monitored,
        final,
        target.get("completion_rate"),
        indicator.get("weight"),
        indicator.get("score"),
        target.get("deviation_reason"),
        target.get("improvement"),
        final_source(target),
    ]


def final_source(target: Mapping[str, Any]) -> str | None:
    """The final value's 数据来源 and the titles of its 佐证材料, one per line."""
    final = (target.get("stages") or {}).get("final") or {}
    lines = [str(final["source"])] if final.get("source") else []
    titles = [str(e.get("title")) for e in final.get("evidence") or [] if e.get("title")]
    if titles:
        lines.append(f"佐证：{'；'.join(titles)}")
    return "\n".join(lines) or None


def _rows(doc: Document) -> tuple[list[str], list[tuple[bool, list[str | None]]]]:
    """Headers, then (is_parent, cells) per indicator: leaves in full, parents by name and score."""
    lines = _lines(doc)
    depth = _depth(lines)
    rows: list[tuple[bool, list[str | None]]] = []
    for line in lines:
        if line.is_parent:
            cells: list[str | None] = [None] * (depth + len(_COLUMNS))
            cells[line.level - 1] = line.path[-1]
            cells[depth + 4] = line.indicator.get("weight")
            cells[depth + 5] = line.indicator.get("score")
            rows.append((True, cells))
        else:
            rows.append((False, _cells(line, depth)))
    total: list[str | None] = [None] * (depth + len(_COLUMNS))
    total[0] = "合计"
    total[depth + 4] = doc.get("total_weight")
    total[depth + 5] = doc.get("total")
    if doc.get("provisional"):  # beside the figure, not in it: the form still imports back
        total[depth + 6] = PROVISIONAL
    rows.append((True, total))
    return [*_level_headers(depth), *_COLUMNS], rows


def sign_off_rows(doc: Document) -> list[list[str]]:
    """The signature block: each sign-off, then each required capacity still unsigned."""
    rows: list[list[str]] = []
    for sign in doc.get("sign_offs") or []:
        status = _STATUS.get(sign.get("status") or "", sign.get("status") or "")
        changes = sign.get("changed_after") or []
        if changes:
            listed = "、".join(
                f"版本 {c['version']} {EVENT_LABELS.get(c['type'], c['type'])}" for c in changes
            )
            status = f"{status}（{listed}）"
        rows.append(
            [
                str(sign.get("capacity") or ""),
                str(sign.get("actor") or ""),
                str(sign.get("title") or ""),
                str(sign.get("organization") or ""),
                str(sign.get("phone") or ""),
                str(sign.get("opinion") or ""),
                f"v{sign.get('version')}",
                str(sign.get("signed_at") or ""),
                status,
            ]
        )
    signed = {s.get("capacity") for s in doc.get("sign_offs") or [] if s.get("status") == "current"}
    for capacity in doc.get("required_sign_offs") or []:
        if capacity not in signed:
            rows.append([capacity, *[""] * (len(_SIGN_HEADERS) - 2), "待签"])
    return rows


def form_xlsx(doc: Document) -> bytes:
    """The form as a workbook; its table reads back through the target-table import."""
    headers, rows = _rows(doc)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "绩效自评表"
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    last = get_column_letter(len(headers))
    _text_cell(sheet.cell(1, 1), str(doc.get("title") or ""))
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.merge_cells(f"A1:{last}1")
    row = 1
    warning = integrity_line(doc)
    if warning is not None:
        row += 1
        width = sum(_WIDTHS.get(name, 12) for name in headers)
        warning_row(sheet, row, last, width, warning)
    for text in _meta_rows(doc):
        row += 1
        _text_cell(sheet.cell(row, 1), text)
        sheet.merge_cells(f"A{row}:{last}{row}")
    row += 1
    for column, name in enumerate(headers, start=1):
        cell = sheet.cell(row, column, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
        cell.border = border
        sheet.column_dimensions[get_column_letter(column)].width = _WIDTHS.get(name, 12)
    for is_parent, cells in rows:
        row += 1
        _write_row(sheet, row, headers, cells, border, wrap, numeric=_NUMERIC)
        if is_parent:
            for cell in sheet[row]:
                cell.font = Font(bold=True)
    # the header, funds and goal below the table, so its header row stays where imports look
    for label, value in header_pairs(doc):
        row += 1
        _text_cell(sheet.cell(row, 1), f"{label}：{value}")
    for title, part_headers, part_rows in form_tables(doc):
        row += 2
        sheet.cell(row, 1, title).font = Font(bold=True)
        for line in [part_headers, *part_rows]:
            row += 1
            for column, entry in enumerate(line, start=1):
                _text_cell(sheet.cell(row, column), entry)
    row += 2
    sheet.cell(row, 1, "签字及意见").font = Font(bold=True)
    row += 1
    for column, name in enumerate(_SIGN_HEADERS, start=1):
        sheet.cell(row, column, name).font = Font(bold=True)
    for sign in sign_off_rows(doc):
        row += 1
        for column, text in enumerate(sign, start=1):
            _text_cell(sheet.cell(row, column), text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def form_csv(doc: Document) -> str:
    """The form as CSV: a group's row names the group, a leaf's row its groups too."""
    headers, rows = _rows(doc)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_text(str(doc.get("title") or ""))])
    for text in _meta_rows(doc):
        writer.writerow([_csv_text(text)])
    writer.writerow(headers)
    for _, cells in rows:
        writer.writerow([_csv_text(c or "") for c in cells])
    for label, value in header_pairs(doc):
        writer.writerow([_csv_text(f"{label}：{value}")])
    for title, part_headers, part_rows in form_tables(doc):
        writer.writerow([])
        writer.writerow([title])
        for line in [part_headers, *part_rows]:
            writer.writerow([_csv_text(c) for c in line])
    writer.writerow([])
    writer.writerow(["签字及意见"])
    writer.writerow(_SIGN_HEADERS)
    for sign in sign_off_rows(doc):
        writer.writerow([_csv_text(c) for c in sign])
    return buffer.getvalue()


def form_html(doc: Document) -> str:
    """The form as one printable page (nothing fetched from anywhere), sign-offs at the foot."""
    headers, rows = _rows(doc)
    title = escape(str(doc.get("title") or ""))
    meta = "".join(
        f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
        for label, value in [*header_pairs(doc), *_meta(doc)]
    )
    parts = "\n".join(
        _html_table(title, headers, rows) for title, headers, rows in form_tables(doc)
    )
    head = "".join(f"<th>{escape(name)}</th>" for name in headers)
    body = "\n".join(
        f'<tr class="{"parent" if is_parent else "leaf"}">'
        + "".join(
            f'<td class="{"num" if name in _NUMERIC else ""}">{_cell(value)}</td>'
            for name, value in zip(headers, cells, strict=True)
        )
        + "</tr>"
        for is_parent, cells in rows
    )
    signs = "\n".join(
        "<tr>" + "".join(f"<td>{_cell(text)}</td>" for text in row) + "</tr>"
        for row in sign_off_rows(doc)
    )
    sign_head = "".join(f"<th>{escape(name)}</th>" for name in _SIGN_HEADERS)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>{title}</h1>
{integrity_banner(doc)}<table class="meta"><tbody>{meta}</tbody></table>
{parts}
<h2>绩效指标</h2>
<table class="scores"><thead><tr>{head}</tr></thead>
<tbody>
{body}
</tbody></table>
<h2>签字及意见</h2>
<table class="sign-offs"><thead><tr>{sign_head}</tr></thead>
<tbody>
{signs}
</tbody></table>
<p class="foot">版本 {escape(str(doc.get("version") or ""))}</p>
</body>
</html>
"""


def _html_table(title: str, headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(name)}</th>" for name in headers)
    body = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<h2>{escape(title)}</h2><table class="form-part"><thead><tr>{head}</tr></thead>' + (
        f"<tbody>{body}</tbody></table>"
    )


def _cell(value: object) -> str:
    return escape(str(value or "")).replace("\n", "<br>")
