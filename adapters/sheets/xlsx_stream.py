"""Workbooks read as streams: rows stop at the limits, merges come from the sheet's own XML.

openpyxl's full mode builds every cell of every sheet before the first is read; its
read-only mode streams rows but drops merged ranges, which score sheets use for their
一级/二级 columns. The merges are read from the sheet part with one pattern instead.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3}[0-9]+:[A-Z]{1,3}[0-9]+)"')


@dataclass
class StreamedSheet:
    """One sheet's first rows and columns, whether it went on, and its merged ranges."""

    title: str
    rows: list[list[object]]
    too_long: bool
    # (min_col, min_row, max_col, max_row), 1-based, as openpyxl's range_boundaries gives
    merges: list[tuple[int, int, int, int]]


def stream_sheets(data: bytes, max_rows: int, max_columns: int) -> Iterator[StreamedSheet]:
    """The active sheet first, then the others; raises what openpyxl raises on a bad file."""
    # data_only: a formula cell gives the value Excel last computed, not its formula text.
    workbook = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    archive = zipfile.ZipFile(io.BytesIO(data))
    try:
        active = workbook.active
        sheets: list[Any] = [active] if active is not None else []
        sheets += [sheet for sheet in workbook.worksheets if sheet is not active]
        for sheet in sheets:
            yield _streamed(sheet, archive, max_rows, max_columns)
    finally:
        workbook.close()


def _streamed(sheet: Any, archive: zipfile.ZipFile, max_rows: int, max_columns: int) -> Any:
    width = max(1, min(_declared_width(sheet) or max_columns, max_columns))
    rows: list[list[object]] = []
    too_long = False
    for values in sheet.iter_rows(max_col=width, values_only=True):
        if len(rows) == max_rows:
            too_long = True
            break
        rows.append(list(values))
    return StreamedSheet(sheet.title, rows, too_long, _merges(archive, sheet))


def _declared_width(sheet: Any) -> int | None:
    try:
        return int(sheet.max_column) if sheet.max_column else None
    except (TypeError, ValueError):
        return None


def _merges(archive: zipfile.ZipFile, sheet: Any) -> list[tuple[int, int, int, int]]:
    path = str(getattr(sheet, "_worksheet_path", "")).lstrip("/")
    try:
        xml = archive.read(path)
    except KeyError:
        return []
    found = []
    for match in MERGE.finditer(xml):
        bounds = range_boundaries(match.group(1).decode("ascii"))
        if None not in bounds:
            found.append(tuple(int(b) for b in bounds))  # type: ignore[arg-type]
    return found  # type: ignore[return-value]
