"""The record report in HTML and xlsx: the score sheet, then disputes, notes, evidence, digest."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import tzinfo
from html import escape
from typing import Any

from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font

from application.moments import local_text

from .export_html import to_html
from .exporting import to_xlsx
from .labels import (
    DEDUCTION_STATUS,
    DISPUTE_STATUS,
    DISPUTE_TARGET,
    FINDINGS,
    KINDS,
    NOTE_STATUS,
    OUTCOMES,
    ROLES,
    SIGN_OFF_STATUS,
    label,
)
from .target_form import form_html, form_xlsx, has_targets

Record = Mapping[str, Any]
Table = tuple[str, Sequence[str], list[list[str]]]  # title, headers, rows

_RECORD_CSS = """
h2 { font-size: 16px; margin: 18px 0 6px; border-left: 4px solid #4a6a96; padding-left: 6px; }
table.record { margin-bottom: 8px; font-size: 12px; }
table.record td.hash, table.record td.hash-cell { font-family: monospace; font-size: 10px;
  word-break: break-all; }
p.none { color: #666; font-size: 12px; }
"""


SIGN_OFFS = "签署"


def _evidence_text(items: Sequence[Mapping[str, Any]] | None) -> str:
    parts = []
    for item in items or []:
        text = str(item.get("title") or "")
        if item.get("sha256"):
            text += f"（SHA-256 {item['sha256']}）"
        parts.append(text)
    return "；".join(parts)


def record_info(record: Record, zone: tzinfo) -> list[tuple[str, str]]:
    """Version, digest, when and by whom the report was generated."""
    by = record.get("generated_by") or ""
    role = label(ROLES, record.get("generated_role"))
    return [
        ("版本", str(record.get("version") or "")),
        ("链头摘要 (HMAC-SHA256)", str(record.get("head_digest") or "—")),
        ("生成时间", local_text(record.get("generated_at"), zone)),
        ("生成人", f"{by}（{role}）" if role else by),
    ]


def record_tables(record: Record, zone: tzinfo) -> list[Table]:
    """The sections after the score sheet, each as a titled table of text cells."""
    document = record["document"]
    deductions = [
        [
            f"{i['code']} {i['name']}",
            str(d.get("points") or ""),
            str(d.get("points_before_decision") or ""),
            label(DEDUCTION_STATUS, d.get("status")),
            str(d.get("reason") or ""),
            _evidence_text(d.get("evidence")),
        ]
        for i in document["indicators"]
        for d in i.get("deductions") or []
    ]
    disputes = [
        [
            str(d.get("indicator") or ""),
            label(DISPUTE_TARGET, d.get("target")),
            _by(d.get("grounds"), d.get("raised_by"), d.get("raised_version")),
            _evidence_text(d.get("evidence")),
            label(DISPUTE_STATUS, d.get("status")),
            label(OUTCOMES, d.get("outcome")),
            _points_change(d),
            _by(d.get("reason"), d.get("decided_by"), d.get("decided_version")),
        ]
        for d in record.get("disputes") or []
    ]
    notes = [
        [
            str(n.get("indicator") or ""),
            f"{n.get('text') or ''}（{n.get('author') or ''}）",
            label(NOTE_STATUS, n.get("status")),
            _by(n.get("resolution"), n.get("resolved_by"), None),
        ]
        for n in record.get("notes") or []
    ]
    findings = [
        [
            label(FINDINGS, f.get("kind")),
            str(f.get("indicator") or f.get("key") or "总分"),
            str(f.get("recorded") or ""),
            str(f.get("recomputed") or ""),
            "、".join(str(v) for v in f.get("versions") or []),
        ]
        for f in record.get("findings") or []
    ]
    files = [
        [str(f["name"]), str(f["media_type"]), str(f["size"]), str(f["sha256"])]
        for f in record.get("evidence_files") or []
    ]
    sign_offs = [
        [
            str(s.get("capacity") or ""),
            f"{s.get('actor') or ''}（{label(ROLES, s.get('role'))}）",
            str(s.get("opinion") or ""),
            str(s.get("version") or ""),
            local_text(s.get("signed_at"), zone),
            label(SIGN_OFF_STATUS, s.get("status")),
        ]
        for s in record.get("sign_offs") or []
    ]
    return [
        ("扣分明细", ["指标", "扣分", "裁定前扣分", "状态", "扣分原因", "佐证材料"], deductions),
        (
            "异议及裁定",
            ["指标", "对象", "异议理由", "佐证材料", "状态", "裁定结果", "分值变化", "裁定理由"],
            disputes,
        ),
        ("复核意见", ["指标", "意见", "状态", "处理情况"], notes),
        ("审核发现", ["类型", "指标", "记录值", "重算值", "相关版本"], findings),
        ("佐证材料文件", ["文件名", "类型", "大小(字节)", "SHA-256"], files),
        (SIGN_OFFS, ["身份", "签署人", "意见", "版本", "签署时间", "状态"], sign_offs),
    ]


def _by(text: object, who: object, version: object) -> str:
    """Text with who wrote it and at which version: 理由（张三，版本 12）."""
    if not who:
        return ""
    at = f"，版本 {version}" if version else ""
    return f"{text or ''}（{who}{at}）"


def _points_change(dispute: Mapping[str, Any]) -> str:
    before, after = dispute.get("previous_points"), dispute.get("points")
    if dispute.get("outcome") in (None, "upheld") or before is None:
        return ""
    return f"{before} → {after if after is not None else '0（撤销）'}"


def _localised(document: Mapping[str, Any], zone: tzinfo) -> dict[str, Any]:
    """The document as people read it: the kind in Chinese, times in `zone`."""
    signed = [
        {**s, "signed_at": local_text(s.get("signed_at"), zone)}
        for s in document.get("sign_offs") or []
    ]
    shown = {**document, "kind": label(KINDS, document.get("kind")), "sign_offs": signed}
    if document.get("as_of"):
        shown["as_of"] = local_text(document["as_of"], zone)
    return shown


def _sections(record: Record, zone: tzinfo) -> list[Table]:
    """The record's sections; the form prints its sign-off block itself, so once only."""
    tables = record_tables(record, zone)
    if has_targets(record["document"]):
        return [t for t in tables if t[0] != SIGN_OFFS]
    return tables


def record_html(record: Record, zone: tzinfo, extra_css: str = "") -> str:
    """The printable page: the score sheet, the record's sections and who generated it."""
    # an evaluation scored against targets shows the self-evaluation form as its sheet
    sheet = form_html if has_targets(record["document"]) else to_html
    page = sheet(_localised(record["document"], zone))
    info = "".join(
        f'<tr><th>{escape(k)}</th><td class="hash-cell">{escape(v)}</td></tr>'
        for k, v in record_info(record, zone)
    )
    sections = [f'<h2>记录信息</h2><table class="meta record"><tbody>{info}</tbody></table>']
    for title, headers, rows in _sections(record, zone):
        sections.append(f"<h2>{escape(title)}</h2>")
        if not rows:
            sections.append('<p class="none">无</p>')
            continue
        head = "".join(f"<th>{escape(h)}</th>" for h in headers)
        body = "".join(
            "<tr>"
            + "".join(
                f'<td class="{"hash" if h == "SHA-256" else ""}">{escape(c)}</td>'
                for h, c in zip(headers, row, strict=True)
            )
            + "</tr>"
            for row in rows
        )
        sections.append(
            f'<table class="record"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        )
    page = page.replace("</style>", f"{_RECORD_CSS}{extra_css}</style>", 1)
    return page.replace("</body>", "\n".join(sections) + "\n</body>", 1)


def record_xlsx(record: Record, zone: tzinfo) -> bytes:
    """The score sheet workbook with one more sheet per section and one for the record."""
    sheet = form_xlsx if has_targets(record["document"]) else to_xlsx
    workbook = load_workbook(io.BytesIO(sheet(_localised(record["document"], zone))))
    info = workbook.create_sheet("记录信息")
    rows = [
        ("评价类型", label(KINDS, record["document"].get("kind"))),
        *record_info(record, zone),
    ]
    for row in rows:
        info.append(list(row))
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 72
    for title, headers, table_rows in _sections(record, zone):
        sheet = workbook.create_sheet(title)
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for cells in table_rows:
            sheet.append(cells)
        for column in sheet.columns:
            letter = column[0].column_letter
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[letter].width = min(60, max(10, width * 1.6))
            for cell in column[1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
