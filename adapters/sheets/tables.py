"""Reading an indicator score table row by row into indicator nodes, weights, scores and texts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openpyxl.utils import get_column_letter

from .cells import (
    _BAD_CODE,
    _METHOD_ALIASES,
    _NOTE,
    _SUM_ROWS,
    _TEXT_ROLES,
    HEADER_SCAN_ROWS,
    MAX_ERRORS,
    MAX_ROWS,
    METHOD_LABELS,
    Progress,
    _key,
    _level_of,
    _name_text,
    _text,
    format_decimal,
    parse_decimal,
)
from .errors import ImportProblem, SheetImportError, problem
from .grids import Columns, Grid, _find_header
from .table_tree import Node, TableTree

# --- the indicator rows -----------------------------------------------------------------------


class TableParser(TableTree):
    """Reads one indicator score table; collects every problem and raises once at the end."""

    def __init__(
        self,
        grid: Grid,
        filename: str,
        overrides: dict[str, Any],
        problems: list[ImportProblem],
        progress: Progress | None,
    ) -> None:
        self.grid = grid
        self.filename = filename
        self.overrides = overrides
        self.progress = progress
        self.errors: list[ImportProblem] = list(problems)
        self.nodes: dict[tuple[str, ...], Node] = {}
        self.roots: list[Node] = []
        self.previous: Node | None = None
        self.reported_total: Decimal | None = None
        self.columns: Columns  # set by parse() once the header row is found

    # problems

    def error(self, message: str, row: int | None = None, column: int | None = None) -> None:
        """Record a problem at a 0-based grid position (None for the sheet as a whole)."""
        self.errors.append(
            problem(
                message,
                sheet=self.grid.sheet,
                row=None if row is None else row + 1,
                column=None if column is None else get_column_letter(column + 1),
            )
        )

    def fail(self) -> SheetImportError:
        errors = self.errors[:MAX_ERRORS]
        if len(self.errors) > MAX_ERRORS:
            errors.append(
                problem(f"另有 {len(self.errors) - MAX_ERRORS} 个错误未列出", sheet=self.grid.sheet)
            )
        return SheetImportError(errors)

    # the whole table

    def parse(self) -> dict[str, Any]:
        columns = self.header()
        if columns is None:
            raise self.fail()
        self.columns = columns
        first = columns.header_row + 1
        total = len(self.grid.rows) - first
        for done, row in enumerate(range(first, len(self.grid.rows)), start=1):
            self.read_row(row)
            if self.progress:
                self.progress(done, total)
        if not self.roots and not self.errors:
            self.error("表头下方没有指标行")
        self.resolve_weights()
        self.assign_codes()
        if self.errors:
            raise self.fail()
        return self.result()

    def header(self) -> Columns | None:
        """The header row's columns, or None with the reason recorded."""
        if self.grid.is_empty():
            self.error("工作表为空" if self.grid.sheet else "文件为空")
        elif self.grid.too_long:
            self.error(f"表格超过 {MAX_ROWS} 行，不像是一张指标评分表")
        elif (columns := _find_header(self.grid)) is None:
            self.error(
                f"前 {HEADER_SCAN_ROWS} 行中没有找到表头：需要「一级指标/二级指标/三级指标」之一"
                "和「分值」或「权重」列（或英文 Level 1 / Weight）"
            )
        else:
            return columns
        return None

    def read_row(self, row: int) -> None:
        texts = [_text(value) for value in self.grid.rows[row]]
        first = next((text for text in texts if text), "")
        if not first:
            return
        sum_row = _SUM_ROWS.get(_key(first))
        if sum_row == "total":
            total = self.number(row, self.columns.roles.get("score"), "得分")
            self.reported_total = total if total is not None else self.reported_total
            return
        if sum_row == "subtotal" or (_NOTE.match(first) and not self.has_figures(row)):
            return
        names = [_name_text(self.grid.value(row, column)) for column in self.columns.levels]
        if _level_of(_key(names[0])) is not None:
            return  # the header repeated further down, as printed tables do on each page
        named = [depth for depth, name in enumerate(names) if name]
        if not named:
            self.read_detail_row(row)
            return
        depth = named[-1]
        if (row, self.columns.levels[depth]) in self.grid.merged_below:
            self.read_continuation(row)
            return
        path = self.fill_down(row, names, depth)
        if path is None:
            return
        node = self.node(path)
        for ancestor_depth in range(depth):
            weight_column = self.columns.level_weights.get(ancestor_depth)
            if weight_column is not None:
                self.set_weight(self.nodes[path[: ancestor_depth + 1]], row, weight_column)
        if node.row is not None:
            self.error(
                f"指标「{node.name}」重复：第 {node.row + 1} 行已有同名指标",
                row,
                self.columns.levels[depth],
            )
            return
        node.row = row
        self.set_weight(node, row, self.columns.own_weight(depth))
        self.read_score(node, row)
        self.read_method(node, row)
        self.read_code(node, row)
        self.append_texts(node, row)
        self.previous = node

    def fill_down(self, row: int, names: list[str], depth: int) -> tuple[str, ...] | None:
        """Fill blank level cells above the row's deepest name from the row above, in one group."""
        before = self.previous.path if self.previous else ()
        path: list[str] = []
        for level in range(depth + 1):
            name = names[level]
            if not name and len(before) > level and tuple(path) == before[:level]:
                name = before[level]
            if not name:
                self.error(
                    f"{self.columns.level_names[level]}为空，且无法沿用上一行：请填写或合并该单元格",
                    row,
                    self.columns.levels[level],
                )
                return None
            path.append(name)
        return tuple(path)

    def node(self, path: tuple[str, ...]) -> Node:
        parent: Node | None = None
        for end in range(1, len(path) + 1):
            key = path[:end]
            if key not in self.nodes:
                created = Node(key, parent=parent)
                self.nodes[key] = created
                (parent.children if parent else self.roots).append(created)
            parent = self.nodes[key]
        assert parent is not None
        return parent

    def read_continuation(self, row: int) -> None:
        """A row under a leaf cell merged over several rows: figures add up, texts append."""
        node = self.previous
        if node is None:
            return
        weight_column = self.columns.own_weight(len(node.path) - 1)
        if weight_column is not None and (row, weight_column) not in self.grid.merged_below:
            extra = self.number(row, weight_column, "分值")
            if extra is not None:
                node.weight = (node.weight or Decimal(0)) + extra
        score_column = self.columns.roles.get("score")
        if score_column is not None and (row, score_column) not in self.grid.merged_below:
            extra = self.number(row, score_column, "得分")
            if extra is not None:
                node.score = (node.score or Decimal(0)) + extra
                node.score_at = node.score_at or (row, score_column)
        self.append_texts(node, row)

    def read_detail_row(self, row: int) -> None:
        """A row with no level name: more text for the indicator above, or an error with figures."""
        if self.has_figures(row) or self.cell_text(row, "code") or self.cell_text(row, "method"):
            self.error("该行有分值、得分、编码或方法，但没有指标名称", row, self.columns.levels[0])
        elif self.previous is not None:
            self.append_texts(self.previous, row)

    def has_figures(self, row: int) -> bool:
        columns = [
            self.columns.leaf_weight,
            self.columns.roles.get("score"),
            *self.columns.level_weights.values(),
        ]
        return any(_text(self.grid.value(row, column)) for column in columns if column is not None)

    def cell_text(self, row: int, role: str) -> str:
        return _text(self.grid.value(row, self.columns.roles.get(role)))

    # cells

    def number(self, row: int, column: int | None, label: str) -> Decimal | None:
        raw = self.grid.value(row, column)
        try:
            value = parse_decimal(raw)
        except ValueError:
            self.error(f"{label}「{_text(raw)}」不是数字", row, column)
            return None
        if value is not None and value < 0:
            self.error(f"{label}不能为负数：{_text(raw)}", row, column)
            return None
        return value

    def set_weight(self, node: Node, row: int, column: int | None) -> None:
        weight = self.number(row, column, "分值")
        if column is None:
            return
        if weight is None:
            if _text(self.grid.value(row, column)) and node.weight_at is None:
                node.weight_at = (row, column)  # already reported as unreadable, not as missing
            return
        if node.weight is not None and node.weight != weight and node.weight_at is not None:
            first_row = node.weight_at[0] + 1
            self.error(
                f"「{node.name}」的分值 {_text(self.grid.value(row, column))} "
                f"与第 {first_row} 行的 {format_decimal(node.weight)} 不一致",
                row,
                column,
            )
            return
        if node.weight is None:
            node.weight, node.weight_at = weight, (row, column)

    def read_score(self, node: Node, row: int) -> None:
        column = self.columns.roles.get("score")
        score = self.number(row, column, "得分")
        if score is not None and column is not None:
            node.score, node.score_at = score, (row, column)

    def read_method(self, node: Node, row: int) -> None:
        raw = self.cell_text(row, "method")
        if not raw:
            return
        method = _METHOD_ALIASES.get(_key(raw))
        if method is None:
            known = "、".join(f"{name}/{label}" for name, label in METHOD_LABELS.items())
            self.error(f"未知的评分方法「{raw}」：可用 {known}", row, self.columns.roles["method"])
            return
        node.method = method

    def read_code(self, node: Node, row: int) -> None:
        code = self.cell_text(row, "code")
        if not code:
            return
        if _BAD_CODE.search(code):
            self.error(f"编码「{code}」不能包含空格或 / \\ ? # %", row, self.columns.roles["code"])
            return
        node.code = code

    def append_texts(self, node: Node, row: int) -> None:
        for role in _TEXT_ROLES:
            column = self.columns.roles.get(role)
            if column is None or (row, column) in self.grid.merged_below:
                continue
            text = _text(self.grid.value(row, column))
            if text:
                node.texts[role] = f"{node.texts[role]}\n{text}" if role in node.texts else text
