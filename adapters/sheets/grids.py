"""Uploads as grids of cells (xlsx sheets, csv text) and the header row that names the columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from openpyxl.utils import get_column_letter

from application.text_gate import refusal

from .cells import (
    _HEADER_ROLES,
    _NUMERALS,
    FORMULA_START,
    HEADER_SCAN_ROWS,
    MAX_COLUMNS,
    MAX_ERRORS,
    MAX_ROWS,
    _key,
    _level_of,
    _text,
)
from .errors import ImportProblem, SheetImportError, problem
from .upload_limits import check_xlsx_size, decode_text
from .xlsx_stream import StreamedSheet, stream_sheets


def _reject_binary(data: bytes, filename: str) -> None:
    """Refuse a binary workbook we cannot read, and content that contradicts an .xlsx name."""
    suffix = PurePath(filename).suffix.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetImportError.single(
            "这是旧版 Excel（.xls）或加密的工作簿，无法读取："
            "请另存为 .xlsx（Excel 2007 及以上格式）后再导入"
        )
    if suffix in (".xlsx", ".xlsm"):
        raise SheetImportError.single(
            f"文件名是 {suffix}，但内容不是 xlsx 工作簿（不是 zip 格式）："
            "请确认上传的是 Excel 保存的 .xlsx 文件"
        )


def _decode(data: bytes) -> str:
    # Excel's "Unicode text" export is UTF-16 with a byte-order mark; else UTF-8 or GB18030.
    return decode_text(data)


# --- reading cells into a grid ----------------------------------------------------------------


@dataclass
class Grid:
    """One sheet's cell values, with the cells whose value was carried down from a merge above."""

    sheet: str | None
    rows: list[list[object]]
    merged_below: set[tuple[int, int]] = field(default_factory=set)
    too_long: bool = False

    def value(self, row: int, column: int | None) -> object:
        if column is None or column >= len(self.rows[row]):
            return None
        return self.rows[row][column]

    def is_empty(self) -> bool:
        return not any(_text(value) for row in self.rows for value in row)


def _xlsx_grids(data: bytes) -> Iterator[Grid]:
    check_xlsx_size(data)
    try:
        sheets = list(stream_sheets(data, MAX_ROWS, MAX_COLUMNS))
    # openpyxl raises many types (BadZipFile, KeyError, ValueError...) for a damaged file.
    except Exception as exc:
        raise SheetImportError.single(
            f"无法读取 xlsx 工作簿（{type(exc).__name__}）：文件可能已损坏或不是 Excel 工作簿"
        ) from exc
    for sheet in sheets:
        yield _sheet_grid(sheet)


def _sheet_grid(sheet: StreamedSheet) -> Grid:
    grid = Grid(sheet.title, sheet.rows, too_long=sheet.too_long)
    last_row = len(sheet.rows)
    for min_col, min_row, _, max_row in sheet.merges:
        # A merge's value lives in its top-left cell. Carry it down the first column only: a merge
        # across columns spans them, it does not repeat the name in each (that would invent levels).
        column = min_col - 1
        if min_row > last_row or column >= len(sheet.rows[min_row - 1]):
            continue
        value = sheet.rows[min_row - 1][column]
        for row in range(min_row, min(max_row, last_row)):
            grid.rows[row][column] = value
            grid.merged_below.add((row, column))
    return grid


def refuse_unstorable(grid: Grid) -> Grid:
    """The grid, when every cell's text passes the text gate; else every refused cell, by name."""
    problems: list[ImportProblem] = []
    for row, cells in enumerate(grid.rows):
        for column, value in enumerate(cells):
            if (row, column) in grid.merged_below or not isinstance(value, str):
                continue  # a merge carried down is the same cell as the one above it
            refused = refusal(value)
            if refused is not None:
                letter = get_column_letter(column + 1)
                problems.append(
                    problem(
                        f"单元格 {letter}{row + 1}：{refused.chinese}",
                        sheet=grid.sheet,
                        row=row + 1,
                        column=letter,
                    )
                )
    if problems:
        raise SheetImportError(problems[:MAX_ERRORS])
    return grid


def _choose_sheet(grids: Iterator[Grid]) -> Grid:
    first: Grid | None = None
    for grid in grids:
        first = first or grid
        if _find_header(grid) is not None:
            return grid
    if first is None:
        raise SheetImportError.single("工作簿中没有工作表")
    return first  # the parser reports it as empty or headerless


def _csv_grid(text: str) -> Grid:
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as exc:
        raise SheetImportError.single(f"CSV 格式错误：{exc}") from exc
    too_long = len(rows) > MAX_ROWS
    cleaned: list[list[object]] = [
        [
            cell[1:] if cell[:1] == "'" and cell[1:2] and cell[1:2] in FORMULA_START else cell
            for cell in row[:MAX_COLUMNS]
        ]
        for row in rows[:MAX_ROWS]
    ]
    return Grid(None, cleaned, too_long=too_long)


def _delimiter(text: str) -> str:
    # The delimiter that splits the opening lines into the most fields; comma wins a tie.
    head = "\n".join(text.splitlines()[:30])

    def width(delimiter: str) -> int:
        try:
            return max(
                (len(row) for row in csv.reader(io.StringIO(head), delimiter=delimiter)), default=0
            )
        except csv.Error:
            return 0

    return max((",", "\t", ";"), key=width)


# --- the header row ---------------------------------------------------------------------------


@dataclass
class Columns:
    """Where each role sits; indexes are 0-based, depth 0 is the first level column."""

    header_row: int
    levels: list[int]
    level_names: list[str]
    level_weights: dict[int, int]
    leaf_weight: int | None
    roles: dict[str, int]

    def own_weight(self, depth: int) -> int | None:
        """The weight column for an indicator named at this depth on its own row."""
        return self.level_weights.get(depth, self.leaf_weight)


def _find_header(grid: Grid) -> Columns | None:
    for row in range(min(HEADER_SCAN_ROWS, len(grid.rows))):
        keys = [_key(value) for value in grid.rows[row]]
        if row > 0:
            # A two-row header puts some names in the row above (分值 over 一级/二级/三级 below).
            above = [_key(value) for value in grid.rows[row - 1]]
            keys = [
                key or (above[i] if i < len(above) and _is_header_word(above[i]) else "")
                for i, key in enumerate(keys)
            ]
        columns = _columns_from(row, keys)
        if columns is not None:
            return columns
    return None


def _is_header_word(key: str) -> bool:
    return key in _HEADER_ROLES or _level_of(key) is not None


def _columns_from(header_row: int, keys: list[str]) -> Columns | None:
    levels: dict[int, int] = {}
    weights: list[int] = []
    roles: dict[str, int] = {}
    for column, key in enumerate(keys):
        level = _level_of(key)
        if level is not None:
            levels.setdefault(level, column)
        elif _HEADER_ROLES.get(key) == "weight":
            weights.append(column)
        elif key in _HEADER_ROLES:
            roles.setdefault(_HEADER_ROLES[key], column)
    if not levels or not weights:
        return None
    ordered = [levels[level] for level in sorted(levels)]
    level_weights: dict[int, int] = {}
    leaf_weight: int | None = None
    if len(weights) == 1:
        leaf_weight = weights[0]
    else:
        for column in weights:
            if column - 1 in ordered:
                level_weights[ordered.index(column - 1)] = column
            elif leaf_weight is None:
                leaf_weight = column
    names = [
        f"{_NUMERALS[level - 1]}级指标" if level <= 9 else f"{level}级指标"
        for level in sorted(levels)
    ]
    return Columns(header_row, ordered, names, level_weights, leaf_weight, roles)
