"""Turn an uploaded score table (xlsx, csv) or fixture JSON into the fixture format."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from openpyxl.utils import get_column_letter

from .documents import from_document, is_document
from .errors import ImportProblem, Location, SheetImportError, problem
from .upload_limits import check_xlsx_size, decode_text, representable
from .xlsx_stream import StreamedSheet, stream_sheets

Progress = Callable[[int, int], None]

# Score tables have a few hundred rows: these bounds make a bloated upload cheap to refuse.
MAX_ROWS = 10_000
MAX_COLUMNS = 60
HEADER_SCAN_ROWS = 20
MAX_ERRORS = 200

METHODS = ("deduction", "checklist", "ratio", "manual", "survey")
METHOD_LABELS: dict[str, str] = {
    "deduction": "扣分",
    "checklist": "清单",
    "ratio": "比率",
    "manual": "手工",
    "survey": "问卷",
}


def _vocabulary(**roles: str) -> dict[str, str]:
    """Map each space-separated word (already in _key form) to its role."""
    return {word: role for role, words in roles.items() for word in words.split()}


_METHOD_ALIASES: dict[str, str] = {
    **{method: method for method in METHODS},
    **{label: method for method, label in METHOD_LABELS.items()},
    **_vocabulary(
        deduction="扣分法",
        checklist="清单法 核查",
        ratio="比率法 比例",
        manual="人工 手工录入",
        survey="问卷调查 满意度调查",
    ),
}
# Header names after _key(): lower case, no spaces, no bracketed aside (分值（分） → 分值).
_HEADER_ROLES: dict[str, str] = _vocabulary(
    weight="分值 权重 标准分 标准分值 指标分值 满分 weight points maxscore maxpoints",
    score="得分 实际得分 评价得分 最终得分 score",
    explanation="指标解释 指标说明 指标内涵 指标释义 explanation description",
    criteria="评分标准 评分细则 评分规则 criteria scoringcriteria scoringrules",
    justification="评价过程 评分依据 扣分理由 扣分原因 扣分说明 得分依据 得分说明 评分说明 "
    "justification reason basis rationale",
    method="方法 评分方法 计分方法 评价方法 method scoringmethod",
    code="编码 指标编码 代码 指标代码 code indicatorcode",
)
_TEXT_ROLES = ("explanation", "criteria", "justification")
_NUMERALS = "一二三四五六七八九"
_LEVEL_HEADER = re.compile(
    rf"^(?:([{_NUMERALS}])级指标|(\d{{1,2}})级指标|(?:level|lvl|l)(\d{{1,2}})(?:indicator)?)$"
)

# Rows that sum others: a total's score is kept as reported_total; subtotals are recomputed.
_SUM_ROWS = _vocabulary(
    total="合计 总计 总分 总得分 得分合计 合计得分 total grandtotal sum",
    subtotal="小计 subtotal",
)
_NOTE = re.compile(r"^(?:注\s*\d*|说明|备注|notes?)\s*[:：]", re.IGNORECASE)
_ATTACHMENT = re.compile(r"^附\s*[件表]\s*\d*\s*[:：]?\s*")

# Labelled fields above the header row (被评价单位：…), keyed like header names.
_LABELS: dict[str, str] = _vocabulary(
    title="标题 评价名称 title",
    subject="被评价单位 评价对象 项目单位 主管部门 预算单位 单位名称 subject",
    fiscal_year="评价年度 年度 预算年度 财政年度 项目年度 fiscalyear year",
    kind="评价类型 评价类别 kind",
    evaluator="评价机构 评价主体 evaluator",
)
_LABEL_PAIR = re.compile(r"^\s*([^:：]{1,16}?)\s*[:：]\s*(.*)$", re.DOTALL)
_META_SEPARATOR = re.compile(r"[;；|\u3000]+|\s{2,}")
_YEAR = re.compile(r"((?:19|20)\d{2})")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")

_EVALUATION_FIELDS = ("title", "subject", "fiscal_year", "kind", "evaluator", "total_weight")
_NUMBER = re.compile(r"^[+-]?(?:\d{1,12}(?:\.\d{0,10})?|\.\d{1,10})$")
_FLOAT_PLACES = Decimal("0.000001")
_CENTS = Decimal("0.01")
# Text a spreadsheet would run as a formula (a reason typed as "=HYPERLINK(…)") starts with one of
# these; CSV exports put an apostrophe before such text and imports take it off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Codes end up in URL paths (/indicators/{code}); these characters would break or reroute them.
_BAD_CODE = re.compile(r"[\s/\\?#%]")


# --- numbers and text -------------------------------------------------------------------------


def parse_decimal(value: object) -> Decimal | None:
    """A cell as a Decimal: numbers, or text like "3", "3.00", "3分", "０.７３"; None when blank.

    Raises ValueError for anything else ("三分", "abc", booleans, dates, NaN).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("boolean")
    if isinstance(value, int):
        return representable(Decimal(value))
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) >= 1e12:
            raise ValueError("out of range")
        # Spreadsheets store binary floats (a formula sum reads 6.930000000000001); six places is
        # far beyond any score's precision and removes that noise.
        return _trim(Decimal(repr(value)).quantize(_FLOAT_PLACES))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("not finite")
        return representable(value)
    if isinstance(value, str):
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
        if not text:
            return None
        if text.endswith("分"):
            text = text[:-1]
        if not _NUMBER.match(text):
            raise ValueError("not a number")
        return representable(Decimal(text))
    raise ValueError(type(value).__name__)


def format_decimal(value: Decimal) -> str:
    """Two places when that is exact ("3" → "3.00"), otherwise every significant place."""
    cents = value.quantize(_CENTS)
    if cents == value:
        return str(abs(cents) if cents.is_zero() else cents)
    return format(_trim(value), "f")


def _trim(value: Decimal) -> Decimal:
    # normalize() alone turns 10 into 1E+1; integers are quantized back to exponent 0.
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _name_text(value: object) -> str:
    # Report cells wrap long names by hand ("改善创业环境，\n提高人民生活质量"): join the lines.
    return re.sub(r"\s*\n\s*", "", _text(value))


def _key(value: object) -> str:
    """A header or label cell reduced to what identifies it: 分值（分） → 分值, Level 1 → level1."""
    text = unicodedata.normalize("NFKC", _text(value)).lower()
    text = re.sub(r"\([^)]*\)", "", text)
    return re.sub(r"[\s_\-:：]+", "", text)


def _level_of(key: str) -> int | None:
    match = _LEVEL_HEADER.match(key)
    if not match:
        return None
    numeral, digits, english = match.groups()
    return _NUMERALS.index(numeral) + 1 if numeral else int(digits or english)


# --- entry point ------------------------------------------------------------------------------


def parse_sheet(
    data: bytes,
    filename: str,
    defaults: Mapping[str, Any] | None = None,
    *,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Parse an upload into the fixture format (evaluation, indicators, data_entries, actions).

    The format is read from the content (zip → xlsx, a JSON object → fixture or an exported
    evaluation document, other text → csv);
    the name only decides what a wrong content is reported as. `defaults` (title, subject,
    fiscal_year, kind, evaluator, total_weight) fill or override the evaluation header.
    `sources` says where each part came from (sheet, row, column: a cell, or a field path in
    JSON): per indicator code its name, weight, method and score cells, and one location per
    data entry and per action, so a rule broken later can be pinned to the row that broke it.
    Raises SheetImportError listing every problem; never returns a partial result.
    """
    overrides, problems = _defaults(defaults or {})
    if data.startswith(b"PK\x03\x04"):
        grid = _choose_sheet(_xlsx_grids(data))
    else:
        _reject_binary(data, filename)
        text = _decode(data)
        if PurePath(filename).suffix.lower() == ".json" or text.lstrip().startswith("{"):
            result = _parse_fixture(text, overrides, problems)
            if progress:
                progress(1, 1)
            return result
        grid = _csv_grid(text)
    return _TableParser(grid, filename, overrides, problems, progress).parse()


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
class _Grid:
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


def _xlsx_grids(data: bytes) -> Iterator[_Grid]:
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


def _sheet_grid(sheet: StreamedSheet) -> _Grid:
    grid = _Grid(sheet.title, sheet.rows, too_long=sheet.too_long)
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


def _choose_sheet(grids: Iterator[_Grid]) -> _Grid:
    first: _Grid | None = None
    for grid in grids:
        first = first or grid
        if _find_header(grid) is not None:
            return grid
    if first is None:
        raise SheetImportError.single("工作簿中没有工作表")
    return first  # the parser reports it as empty or headerless


def _csv_grid(text: str) -> _Grid:
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
    return _Grid(None, cleaned, too_long=too_long)


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
class _Columns:
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


def _find_header(grid: _Grid) -> _Columns | None:
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


def _columns_from(header_row: int, keys: list[str]) -> _Columns | None:
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
    return _Columns(header_row, ordered, names, level_weights, leaf_weight, roles)


# --- the indicator rows -----------------------------------------------------------------------


@dataclass
class _Node:
    """An indicator being assembled from the rows that name it."""

    path: tuple[str, ...]
    row: int | None = None
    code: str | None = None
    weight: Decimal | None = None
    weight_at: tuple[int, int] | None = None  # set once a weight cell is seen, even unreadable
    score: Decimal | None = None
    score_at: tuple[int, int] | None = None
    method: str | None = None
    texts: dict[str, str] = field(default_factory=dict)
    children: list[_Node] = field(default_factory=list)
    parent: _Node | None = None

    @property
    def name(self) -> str:
        return self.path[-1]


class _TableParser:
    """Reads one indicator score table; collects every problem and raises once at the end."""

    def __init__(
        self,
        grid: _Grid,
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
        self.nodes: dict[tuple[str, ...], _Node] = {}
        self.roots: list[_Node] = []
        self.previous: _Node | None = None
        self.reported_total: Decimal | None = None
        self.columns: _Columns  # set by parse() once the header row is found

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

    def header(self) -> _Columns | None:
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

    def node(self, path: tuple[str, ...]) -> _Node:
        parent: _Node | None = None
        for end in range(1, len(path) + 1):
            key = path[:end]
            if key not in self.nodes:
                created = _Node(key, parent=parent)
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

    def set_weight(self, node: _Node, row: int, column: int | None) -> None:
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

    def read_score(self, node: _Node, row: int) -> None:
        column = self.columns.roles.get("score")
        score = self.number(row, column, "得分")
        if score is not None and column is not None:
            node.score, node.score_at = score, (row, column)

    def read_method(self, node: _Node, row: int) -> None:
        raw = self.cell_text(row, "method")
        if not raw:
            return
        method = _METHOD_ALIASES.get(_key(raw))
        if method is None:
            known = "、".join(f"{name}/{label}" for name, label in METHOD_LABELS.items())
            self.error(f"未知的评分方法「{raw}」：可用 {known}", row, self.columns.roles["method"])
            return
        node.method = method

    def read_code(self, node: _Node, row: int) -> None:
        code = self.cell_text(row, "code")
        if not code:
            return
        if _BAD_CODE.search(code):
            self.error(f"编码「{code}」不能包含空格或 / \\ ? # %", row, self.columns.roles["code"])
            return
        node.code = code

    def append_texts(self, node: _Node, row: int) -> None:
        for role in _TEXT_ROLES:
            column = self.columns.roles.get(role)
            if column is None or (row, column) in self.grid.merged_below:
                continue
            text = _text(self.grid.value(row, column))
            if text:
                node.texts[role] = f"{node.texts[role]}\n{text}" if role in node.texts else text

    # the tree

    def preorder(self) -> Iterator[_Node]:
        stack = list(reversed(self.roots))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def resolve_weights(self) -> None:
        for node in reversed(list(self.preorder())):  # children before parents
            if node.children:
                node.method = None  # a parent's score is the sum of its children, never its own
                if node.weight is None and all(child.weight is not None for child in node.children):
                    node.weight = sum(
                        (child.weight or Decimal(0) for child in node.children), Decimal(0)
                    )
                continue
            assert node.row is not None  # leaves are only ever created by the row that names them
            if node.weight is None and node.weight_at is None:
                column = self.columns.own_weight(len(node.path) - 1)
                self.error(f"指标「{node.name}」缺少分值", node.row, column)
            elif node.weight is not None and node.score is not None and node.score > node.weight:
                at = node.score_at or (node.row, None)
                self.error(
                    f"「{node.name}」的得分 {format_decimal(node.score)} "
                    f"超过分值 {format_decimal(node.weight)}",
                    *at,
                )

    def assign_codes(self) -> None:
        # A parent without a code of its own takes its children's dotted prefix (1.1.1 → 1.1).
        for node in reversed(list(self.preorder())):
            if node.code is None and node.children:
                prefixes = {
                    child.code.rsplit(".", 1)[0]
                    for child in node.children
                    if child.code and "." in child.code
                }
                if len(prefixes) == 1:
                    node.code = prefixes.pop()
        for siblings, prefix in self.sibling_groups():
            for number, node in enumerate(siblings, start=1):
                if node.code is None:
                    node.code = f"{prefix}{number}"
        seen: dict[str, _Node] = {}
        for node in self.preorder():
            assert node.code is not None
            if node.code in seen:
                other = seen[node.code]
                where = f"第 {other.row + 1} 行" if other.row is not None else f"「{other.name}」"
                self.error(
                    f"编码「{node.code}」重复：与{where}相同"
                    "（数字编码请以文本格式保存，1.10 会被读成 1.1）",
                    node.row,
                    self.columns.roles.get("code"),
                )
            seen[node.code] = node

    def sibling_groups(self) -> Iterator[tuple[list[_Node], str]]:
        yield self.roots, ""
        for node in self.preorder():  # parents get their code before their children are numbered
            if node.children:
                yield node.children, f"{node.code}."

    # the result

    def result(self) -> dict[str, Any]:
        indicators: list[dict[str, Any]] = []
        actions: list[dict[str, Any]] = []
        sources: dict[str, Any] = {
            "evaluation": self.location(None, None),
            "indicators": {},
            "data_entries": [],
            "actions": [],
        }
        for node in self.preorder():
            assert node.code is not None and node.weight is not None
            entry: dict[str, Any] = {"code": node.code}
            if node.parent is not None:
                entry["parent"] = node.parent.code
            entry["name"] = node.name
            entry["weight"] = format_decimal(node.weight)
            if not node.children:
                entry["method"] = node.method or "manual"
            for role in ("explanation", "criteria"):
                if role in node.texts:
                    entry[role] = node.texts[role]
            indicators.append(entry)
            sources["indicators"][node.code] = self.node_sources(node)
            if not node.children and node.score is not None:
                action = _action(
                    node.code,
                    entry["method"],
                    node.weight,
                    node.score,
                    node.texts.get("justification"),
                )
                if action is not None:
                    actions.append(action)
                    sources["actions"].append(sources["indicators"][node.code]["score"])
        return {
            "evaluation": self.evaluation(
                sum((root.weight or Decimal(0) for root in self.roots), Decimal(0))
            ),
            "indicators": indicators,
            "data_entries": [],
            "actions": actions,
            "sources": sources,
        }

    def location(self, row: int | None, column: int | None) -> Location:
        """A 0-based grid position as the sheet shows it (1-based row, column letter)."""
        return {
            "sheet": self.grid.sheet,
            "row": None if row is None else row + 1,
            "column": None if column is None else get_column_letter(column + 1),
        }

    def first_row(self, node: _Node) -> int | None:
        """The node's own row, or for a group named only in merged cells, its first child's."""
        if node.row is not None:
            return node.row
        rows = [row for child in node.children if (row := self.first_row(child)) is not None]
        return min(rows) if rows else None

    def node_sources(self, node: _Node) -> dict[str, Location]:
        """Where the indicator's name, weight, method and score were read."""
        row = self.first_row(node)
        depth = len(node.path) - 1
        weight = node.weight_at or (row, self.columns.own_weight(depth))
        score = node.score_at or (row, self.columns.roles.get("score"))
        return {
            "name": self.location(row, self.columns.levels[depth]),
            "weight": self.location(*weight),
            "method": self.location(row, self.columns.roles.get("method")),
            "score": self.location(*score),
        }

    def evaluation(self, root_weights: Decimal) -> dict[str, Any]:
        found = self.header_fields()
        title = found.get("title") or PurePath(self.filename).stem
        year_in_title = _YEAR_IN_TITLE.search(title)
        evaluation: dict[str, Any] = {
            "title": title,
            "subject": found.get("subject"),
            "fiscal_year": found.get("fiscal_year")
            or (int(year_in_title.group(1)) if year_in_title else None),
            "kind": found.get("kind"),
            "evaluator": found.get("evaluator"),
            "total_weight": format_decimal(root_weights),
        }
        evaluation.update(self.overrides)
        if self.reported_total is not None:
            evaluation["reported_total"] = format_decimal(self.reported_total)
        return evaluation

    def header_fields(self) -> dict[str, Any]:
        """Title and labelled fields (被评价单位：…, 评价年度：…) from the rows above the header."""
        found: dict[str, Any] = {}
        for row in self.grid.rows[: self.columns.header_row]:
            texts = [text for text in (_text(value) for value in row) if text]
            index = 0
            while index < len(texts):
                text = texts[index]
                index += 1
                if _LABELS.get(_key(text)) and index < len(texts):
                    # a label cell followed by its value cell
                    _store_label(_LABELS[_key(text)], texts[index], found)
                    index += 1
                elif (
                    not _read_labels(text, found)
                    and "title" not in found
                    and not _is_header_word(_key(text))
                ):
                    title = _ATTACHMENT.sub("", text).strip()
                    if title:
                        found["title"] = re.sub(r"\s*\n\s*", " ", title)
        return found


def _read_labels(text: str, found: dict[str, Any]) -> bool:
    """Read the "label：value" parts of a cell, separated by ；, | or wide spaces; True if any."""
    matched = False
    for part in _META_SEPARATOR.split(text):
        pair = _LABEL_PAIR.match(part)
        if pair and _key(pair.group(1)) in _LABELS and pair.group(2).strip():
            _store_label(_LABELS[_key(pair.group(1))], pair.group(2).strip(), found)
            matched = True
    return matched


def _store_label(name: str, value: str, found: dict[str, Any]) -> None:
    if name == "fiscal_year":
        year = _YEAR.search(unicodedata.normalize("NFKC", value))
        if year:
            found.setdefault(name, int(year.group(1)))
    else:
        found.setdefault(name, value)


def _action(
    code: str, method: str, weight: Decimal, score: Decimal, reason: str | None
) -> dict[str, Any] | None:
    """The recording that makes a replayed leaf score equal the sheet's."""
    text = reason or f"导入：得分 {format_decimal(score)}"
    if method == "deduction":
        if score >= weight:
            return None  # a deduction leaf starts at its full weight
        return {
            "indicator": code,
            "action": "deduct",
            "points": format_decimal(weight - score),
            "reason": text,
        }
    # manual leaves take the score as recorded; rule-based ones take it as an override, so the
    # service still shows what the rule would give beside it.
    return {
        "indicator": code,
        "action": "score",
        "score": format_decimal(score),
        "justification": text,
    }


def _defaults(defaults: Mapping[str, Any]) -> tuple[dict[str, Any], list[ImportProblem]]:
    """The caller's header fields, checked (they win over the file's), and their problems."""
    chosen: dict[str, Any] = {}
    errors: list[ImportProblem] = []
    for name in _EVALUATION_FIELDS:
        value = defaults.get(name)
        if value is None or value == "":
            continue
        if name == "fiscal_year":
            text = _text(value)
            if isinstance(value, bool) or not re.fullmatch(r"\d{4}", text):
                errors.append(problem(f"fiscal_year「{text}」不是四位年份", column=name))
                continue
            chosen[name] = int(text)
        elif name == "total_weight":
            try:
                weight = parse_decimal(value)
            except ValueError:
                weight = None
            if weight is None or weight <= 0:
                errors.append(problem(f"total_weight「{_text(value)}」不是正数", column=name))
                continue
            chosen[name] = format_decimal(weight)
        else:
            chosen[name] = _text(value)
    return chosen, errors


# --- fixture JSON -----------------------------------------------------------------------------


def _parse_fixture(
    text: str, overrides: dict[str, Any], problems: list[ImportProblem]
) -> dict[str, Any]:
    try:
        # Decimal, never float: 0.73 must stay 0.73.
        document = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise SheetImportError.single(
            f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）：{exc.msg}", row=exc.lineno
        ) from exc
    except ValueError as exc:
        raise SheetImportError.single(f"JSON 格式错误：{exc}") from exc
    if is_document(document):  # a JSON report exported earlier
        document = from_document(document)
    errors = problems + _fixture_problems(document)
    if errors:
        raise SheetImportError(errors[:MAX_ERRORS])
    document = _plain(document)
    document["evaluation"].update(overrides)
    document.setdefault("data_entries", [])
    document.setdefault("actions", [])
    document["sources"] = _fixture_sources(document)
    return document


def _fixture_sources(document: dict[str, Any]) -> dict[str, Any]:
    """Where each part of a fixture sits, as field paths (the JSON has no sheet or row)."""

    def at(path: str) -> Location:
        return {"sheet": None, "row": None, "column": path}

    indicators: dict[str, dict[str, Location]] = {}
    for index, indicator in enumerate(document["indicators"]):
        path = f"indicators[{index}]"
        indicators[indicator["code"]] = {
            "name": at(path),
            "weight": at(f"{path}.weight"),
            "method": at(f"{path}.method"),
            "score": at(path),
        }
    return {
        "evaluation": at("evaluation"),
        "indicators": indicators,
        "data_entries": [at(f"data_entries[{i}]") for i in range(len(document["data_entries"]))],
        "actions": [at(f"actions[{i}]") for i in range(len(document["actions"]))],
    }


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} 不是合法的数值")


def _plain(value: Any) -> Any:
    """The parsed document with JSON decimals back as decimal strings, exactly as written."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _decimal_problem(
    value: object, *, required: bool = True, positive: bool = False, signed: bool = False
) -> str | None:
    """Why a JSON number or decimal string is unacceptable, or None when it is fine."""
    if value is None:
        return "不能为空" if required else None
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        return "必须是数字或数字字符串"
    if isinstance(value, str) and not _NUMBER.match(value.strip()):
        return f"「{value}」不是数字"
    number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    if (number < 0 and not signed) or (positive and number <= 0):
        return "必须大于 0" if positive else "不能为负数"
    return None


def _fixture_problems(document: object) -> list[ImportProblem]:
    errors: list[ImportProblem] = []

    def bad(path: str, message: str) -> None:
        errors.append(problem(message, column=path))

    def number(
        path: str,
        value: object,
        *,
        required: bool = True,
        positive: bool = False,
        signed: bool = False,
    ) -> None:
        reason = _decimal_problem(value, required=required, positive=positive, signed=signed)
        if reason:
            bad(path, reason)

    if not isinstance(document, dict):
        bad(
            "$",
            "顶层必须是 JSON 对象（fixture 格式：evaluation, indicators, data_entries, actions）",
        )
        return errors
    evaluation = document.get("evaluation")
    if not isinstance(evaluation, dict):
        bad("evaluation", "缺少 evaluation 对象")
    else:
        if not _is_text(evaluation.get("title")):
            bad("evaluation.title", "标题不能为空")
        for name in ("subject", "kind", "evaluator"):
            if evaluation.get(name) is not None and not isinstance(evaluation[name], str):
                bad(f"evaluation.{name}", "必须是文本")
        year = evaluation.get("fiscal_year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            bad("evaluation.fiscal_year", "必须是整数年份")
        number(
            "evaluation.total_weight", evaluation.get("total_weight"), required=False, positive=True
        )

    codes: set[str] = set()
    indicators = document.get("indicators")
    if not isinstance(indicators, list) or not indicators:
        bad("indicators", "至少需要一个指标")
        indicators = []
    for index, indicator in enumerate(indicators):
        path = f"indicators[{index}]"
        if not isinstance(indicator, dict):
            bad(path, "必须是对象")
            continue
        code = indicator.get("code")
        if not isinstance(code, str) or not code.strip() or _BAD_CODE.search(code):
            bad(f"{path}.code", "编码必须是不含空格和 / \\ ? # % 的文本")
        elif code in codes:
            bad(f"{path}.code", f"编码「{code}」重复")
        if not _is_text(indicator.get("name")):
            bad(f"{path}.name", "名称不能为空")
        number(f"{path}.weight", indicator.get("weight"))
        parent = indicator.get("parent")
        if parent is not None and parent not in codes:
            bad(
                f"{path}.parent",
                f"上级指标「{parent}」不存在或列在本指标之后（上级须先于下级列出）",
            )
        if indicator.get("method") is not None and not _is_text(indicator["method"]):
            bad(f"{path}.method", "必须是文本")
        items = indicator.get("items")
        if items is not None:
            if not isinstance(items, list):
                bad(f"{path}.items", "必须是列表")
                items = []
            for item_index, item in enumerate(items):
                if not isinstance(item, dict) or not _is_text(item.get("text")):
                    bad(f"{path}.items[{item_index}]", "需要 text 和 points")
                else:
                    number(f"{path}.items[{item_index}].points", item.get("points"))
        if isinstance(code, str):
            codes.add(code)

    lists: dict[str, list[Any]] = {}
    for name in ("data_entries", "actions"):
        value = document.get(name, [])
        if not isinstance(value, list):
            bad(name, "必须是列表")
        lists[name] = value if isinstance(value, list) else []
    for index, entry in enumerate(lists["data_entries"]):
        path = f"data_entries[{index}]"
        if not isinstance(entry, dict) or not _is_text(entry.get("key")):
            bad(path, "需要 key 和 value")
            continue
        number(
            f"{path}.value", entry.get("value"), signed=True
        )  # a figure such as a balance may be negative
    for index, action in enumerate(lists["actions"]):
        path = f"actions[{index}]"
        if not isinstance(action, dict) or not _is_text(action.get("action")):
            bad(path, "需要 action")
            continue
        target = action.get("indicator")
        if target is not None and target not in codes:
            bad(f"{path}.indicator", f"指标「{target}」不存在")
        kind = action["action"]
        if kind == "deduct":
            number(f"{path}.points", action.get("points"), positive=True)
            if not _is_text(action.get("reason")):
                bad(f"{path}.reason", "扣分必须写明理由")
        elif kind == "score":
            number(f"{path}.score", action.get("score"))
        elif kind == "checklist":
            met = action.get("met")
            if not isinstance(met, list) or not all(isinstance(flag, bool) for flag in met):
                bad(f"{path}.met", "必须是 true/false 列表")
    if "expected" in document and not isinstance(document["expected"], dict):
        bad("expected", "必须是对象")
    return errors
