"""Render an evaluation document as a score table: xlsx, csv, a printable HTML page, or JSON."""

from __future__ import annotations

import csv
import io
import json
import math
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from .cells import FORMULA_START
from .export_table import (
    _LEVEL_WIDTH,
    _LINE_HEIGHT,
    _MAX_ROW_HEIGHT,
    _NUMERIC_COLUMNS,
    _WIDTHS,
    _cells,
    _depth,
    _headers,
    _lines,
    _meta_rows,
    _total_cells,
    integrity_line,
)

Document = Mapping[str, Any]

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
    warning = integrity_line(doc)
    if warning is not None:
        row += 1
        warning_row(sheet, row, last, sum(widths), warning)
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
    numeric: frozenset[str] | set[str] = _NUMERIC_COLUMNS,
) -> None:
    """One row of cells: the columns named in `numeric` as numbers, the others as text."""
    for column, (name, value) in enumerate(zip(headers, values, strict=True), start=1):
        cell = sheet.cell(row, column)
        cell.border = border
        cell.alignment = alignment
        if value is None:
            continue
        if name in numeric:
            # Numbers, not text, so the sheet can sum them; Decimal keeps the exact digits.
            cell.value = Decimal(value)
            cell.number_format = "0.00"
        else:
            _text_cell(cell, value)


def _text_cell(cell: Any, text: str) -> None:
    # Control characters recorded before input refused them would make openpyxl refuse the
    # whole workbook: the codec writes them out first; this is the last guard for a caller
    # that renders directly.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    # openpyxl turns any text starting with "=" into a live formula; user text must stay text.
    cell.data_type = "s"


def warning_row(sheet: Any, row: int, last: str, width: int, text: str) -> None:
    """The integrity warning above the table, across it to column `last`: red, bold, on a
    light red ground, the row tall enough for the text (a merged cell does not grow)."""
    cell = sheet.cell(row, 1)
    _text_cell(cell, text)
    cell.font = Font(bold=True, color="B00020")
    cell.fill = PatternFill("solid", fgColor="FDECEA")
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.merge_cells(f"A{row}:{last}{row}")
    sheet.row_dimensions[row].height = _row_height([text], [width])


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
