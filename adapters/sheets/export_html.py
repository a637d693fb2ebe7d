"""A printable HTML page of the score table."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from .export_table import (
    Line,
    _active,
    _depth,
    _level_headers,
    _lines,
    _meta,
    _method,
    _rate,
    integrity_line,
)

Document = Mapping[str, Any]

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
p.integrity { color: #b00020; background: #fdecea; border: 2px solid #b00020; font-weight: bold;
  padding: 6px 10px; margin: 0 0 12px; }
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
        (str(doc.get("total") or "—") + ("（暂计）" if doc.get("provisional") else ""), "num"),
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
{integrity_banner(doc)}<table class="meta"><tbody>{meta}</tbody></table>
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


def integrity_banner(doc: Document) -> str:
    """The warning at the top of the page, as the sheet page shows it, when there is one."""
    line = integrity_line(doc)
    if line is None:
        return ""
    return f'<p class="integrity" role="alert" id="integrity-problem">{escape(line)}</p>\n'


def _as_of(doc: Document) -> str:
    return f"；截至 {escape(str(doc['as_of']))}" if doc.get("as_of") else ""


def _html_row(line: Line) -> str:
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
