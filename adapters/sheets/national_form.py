"""Read the national 项目支出绩效自评表 (财预〔2020〕10号): header, 项目资金, goal, table, 总分."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from openpyxl.utils import get_column_letter

from domain.form import FORM_FIELDS, FUND_SUMS

from .cells import MAX_ERRORS, _key, _text, _vocabulary, format_decimal, parse_decimal
from .errors import ImportProblem, Location, SheetImportError, problem
from .fixture_checks import _defaults
from .grids import Grid, refuse_unstorable
from .target_table import _Reader, _target_grid, parse_target_table

KIND = "self-evaluation"
BUDGET_CODE = "0"  # the budget row comes before the target table's roots (1, 2, …)
BUDGET_NAME = "预算执行率"
_TITLE = "项目支出绩效自评表"
_FORM_LABELS: dict[str, str] = _vocabulary(
    project_name="项目名称",
    department="主管部门 主管单位",
    implementer="实施单位 项目实施单位",
    budget_code="预算编码 项目编码 预算项目编码",
    contact="联系人 项目联系人",
    phone="联系电话",
)
_FUND_COLUMNS: dict[str, str] = _vocabulary(
    initial_budget="年初预算数",
    full_year_budget="全年预算数",
    executed="全年执行数",
    weight="分值",
    rate="执行率",
    score="得分",
)
_FUND_TOTAL = frozenset({"年度资金总额", "资金总额", "年度资金合计", "合计"})
_SOURCE_WORDS = re.compile(r"(资金|拨款|结转|自筹)")
_OF_WHICH = re.compile(r"^\s*其中\s*[:：]?\s*")
_BLANK = frozenset({"—", "——", "-", "－", "/", "／", "无"})
_YEAR_ROW = re.compile(r"^\(?(?:((?:19|20)\d{2}))?年度?\)?$")
_YEAR_IN_TEXT = re.compile(r"((?:19|20)\d{2})\s*年")
_FIELD_ZH = {
    **{name: label for label, name in reversed(_FORM_LABELS.items())},  # the first word
    "overall_goal": "预期目标",
    "overall_result": "实际完成情况",
}
_ZH = {**FUND_SUMS, "weight": "分值", "score": "得分"}
_FIGURES = (*FUND_SUMS, "weight", "score")  # 执行率 is recomputed from the sums, never read


def parse_target_sheet(
    data: bytes, filename: str, defaults: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A target table as a fixture: the national form in full, any other as its table alone."""
    found = _target_grid(data, filename)
    if found is None or not _is_national(found[0], found[1]):
        return parse_target_table(data, filename, defaults)
    return parse_form(found, defaults, _FormReader)


def parse_form(
    found: tuple[Grid, int, Any],
    defaults: Mapping[str, Any] | None,
    reader: type[_FormReader],
) -> dict[str, Any]:
    """A form read by `reader` above its indicator table, the table by the target reader."""
    grid, header, columns = found
    grid = refuse_unstorable(grid)
    caller, problems = _defaults(defaults or {})
    form = reader(grid, header)
    printed = form.read(caller)
    chosen = {**printed, **caller}
    if defaults and defaults.get("target_rules") is not None:
        chosen["target_rules"] = defaults["target_rules"]
    errors: list[ImportProblem] = [*problems, *form.errors]
    try:
        result = _Reader(grid, header, columns, chosen).read()
    except SheetImportError as error:
        raise SheetImportError([*errors, *error.errors][:MAX_ERRORS]) from None
    if errors:
        raise SheetImportError(errors[:MAX_ERRORS])
    return form.with_budget_row(result, "total_weight" in caller)


def _is_national(grid: Grid, header: int) -> bool:
    for row in grid.rows[:header]:
        keys = {_key(value) for value in row}
        if any(_TITLE in key for key in keys) or {"全年预算数", "全年执行数"} <= keys:
            return True
    return False


def _blank(value: object) -> bool:
    return not _text(value) or _text(value) in _BLANK


class _FormReader:
    """The rows above the indicator table: every problem and warning pinned to its cell."""

    labels: Mapping[str, str] = _FORM_LABELS

    def __init__(self, grid: Grid, header: int) -> None:
        self.grid, self.header = grid, header
        self.errors: list[ImportProblem] = []
        self.warnings: list[ImportProblem] = []
        self.budget: dict[str, Any] = {}

    def where(self, row: int | None, column: int | None) -> Location:
        letter = None if column is None else get_column_letter(column + 1)
        return {"sheet": self.grid.sheet, "row": None if row is None else row + 1, "column": letter}

    def error(self, message: str, row: int | None, column: int | None = None) -> None:
        self.errors.append(problem(message, **self.where(row, column)))

    def warn(self, message: str, row: int | None, column: int | None = None) -> None:
        self.warnings.append(problem(message, **self.where(row, column)))

    def cells(self) -> list[tuple[int, int, str]]:
        """Every written cell above the table (a merge's carried copies left out)."""
        return [
            (r, c, _text(value))
            for r in range(self.header)
            for c, value in enumerate(self.grid.rows[r])
            if _text(value) and (r, c) not in self.grid.merged_below
        ]

    def read(self, caller: Mapping[str, Any]) -> dict[str, Any]:
        """The header as the fixture format takes it (title, subject, year, kind, form, funds)."""
        fields, places = self.labelled()
        fields.update(self.goal(places))
        year, why, year_at = self.year()
        for name, value in fields.items():
            if value is not None and len(value) > FORM_FIELDS[name]:
                limit = FORM_FIELDS[name]
                where = places.get(name, (None, None))
                self.error(f"{_FIELD_ZH[name]}有 {len(value)} 个字，最多 {limit} 个", *where)
        needs = {
            "title": ("project_name", "项目名称为空：标题取「项目名称 年度」"),
            "subject": ("implementer", "实施单位为空：自评表的被评价单位是实施单位"),
        }
        for field, (name, message) in needs.items():
            if not fields.get(name) and not caller.get(field):
                self.error(message, *places.get(name, (None, None)))
        header: dict[str, Any] = {"kind": KIND, "form": fields, "funds": self.funds()}
        if fields.get("implementer"):
            header["subject"] = fields["implementer"]
        if year is not None:
            header["fiscal_year"] = year
            if fields.get("project_name"):
                header["title"] = f"{fields['project_name']} {year}年度项目支出绩效自评"
        elif not caller.get("fiscal_year"):
            self.error(why, *year_at)
        return header

    def labelled(self) -> tuple[dict[str, Any], dict[str, tuple[int, int]]]:
        """项目名称, 主管部门, 实施单位, … and where each value is (or would be) written."""
        fields: dict[str, Any] = {}
        places: dict[str, tuple[int, int]] = {}
        cells = self.cells()
        for index, (row, column, text) in enumerate(cells):
            pair = re.match(r"^\s*([^:：]{1,10}?)\s*[:：]\s*(.+)$", text, re.DOTALL)
            if pair and _key(pair.group(1)) in self.labels:
                name = self.labels[_key(pair.group(1))]
                fields.setdefault(name, pair.group(2).strip())
                places.setdefault(name, (row, column))
                continue
            name = self.labels.get(_key(text), "")
            if not name or name in fields:
                continue
            after = [c for c in cells[index + 1 :] if c[0] == row]
            value = after[0] if after and _key(after[0][2]) not in self.labels else None
            fields[name] = value[2] if value else None
            places[name] = (row, value[1] if value else column + 1)
        return fields, places

    def year(self) -> tuple[int | None, str, tuple[int, int]]:
        """The year of the year row (or the title), else why not and at which cell."""
        for row, column, text in self.cells():
            plain = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
            match = _YEAR_ROW.match(plain)
            if match and match.group(1):
                return int(match.group(1)), "", (row, column)
            if match:
                return None, f"年度行「{text}」没有填写年份", (row, column)
            if _TITLE in _key(text) and (found := _YEAR_IN_TEXT.search(text)):
                return int(found.group(1)), "", (row, column)
        return None, "没有找到年度行（如「（2023年度）」）：自评表的年度取自该行", (1, 0)

    def goal(self, places: dict[str, tuple[int, int]]) -> dict[str, str | None]:
        """年度总体目标: 预期目标 and 实际完成情况, each the text under its label."""
        cells = self.cells()
        labels = [(r, c) for r, c, text in cells if _key(text) == "年度总体目标"]
        if not labels:
            return {}
        start = labels[0][0]
        texts = {(r, c): text for r, c, text in cells}
        found: dict[str, str | None] = {}
        for field, label in (("overall_goal", "预期目标"), ("overall_result", "实际完成情况")):
            for r, c, text in cells:
                if start <= r <= start + 1 and _key(text) == label:
                    below = [k for k in range(c, c + 6) if (r + 1, k) in texts]
                    found[field] = texts[(r + 1, below[0])] if below else None
                    places[field] = (r + 1, below[0] if below else c)
        if not found:  # the goal written beside its label, not split in two
            after = [(r, c, text) for r, c, text in cells if r == start and c > labels[0][1]]
            found["overall_goal"] = after[0][2] if after else None
            places["overall_goal"] = after[0][:2] if after else labels[0]
        return found

    # --- 项目资金 -----------------------------------------------------------------------------

    def funds(self) -> list[dict[str, str | None]]:
        """One row per source with figures; the 年度资金总额 row only compared, and its 分值 and
        得分 kept for the budget row."""
        head = next(
            (
                r
                for r in range(self.header)
                if {"全年预算数", "全年执行数"} <= {_key(v) for v in self.grid.rows[r]}
            ),
            None,
        )
        if head is None:
            self.error("没有找到项目资金表头（年初预算数、全年预算数、全年执行数）", None)
            return []
        columns: dict[str, int] = {}
        for column, value in enumerate(self.grid.rows[head]):
            if _key(value) in _FUND_COLUMNS:
                columns.setdefault(_FUND_COLUMNS[_key(value)], column)
        first = min(columns.get(name, len(self.grid.rows[head])) for name in FUND_SUMS)
        rows: list[dict[str, str | None]] = []
        total: tuple[int, dict[str, Decimal | None]] | None = None
        for row in range(head + 1, self.header):
            label = self.fund_label(row, first)
            if not label:
                continue
            key = _key(_OF_WHICH.sub("", label))
            if key not in _FUND_TOTAL and not _SOURCE_WORDS.search(key):
                break  # 年度总体目标 or the table: the block has ended
            figures = {n: self.amount(row, columns.get(n), label, n) for n in _FIGURES}
            if key in _FUND_TOTAL:
                total = (row, figures)
            else:
                rows += self.source(row, _OF_WHICH.sub("", label).strip(), figures, columns, rows)
        if total is None:
            self.error("项目资金缺少「年度资金总额」行：预算执行率的分值写在该行", head)
            return rows
        self.budget_figures(*total, columns, rows)
        return rows

    def fund_label(self, row: int, first: int) -> str:
        cells = self.grid.rows[row][:first]
        texts = [_text(v) for v in cells if _text(v) and not _key(v).startswith("项目资金")]
        return texts[-1] if texts else ""

    def amount(self, row: int, column: int | None, label: str, name: str) -> Decimal | None:
        value = self.grid.value(row, column)
        if _blank(value):
            return None
        try:
            number = parse_decimal(value)
        except ValueError:
            number = None
        if number is None or number < 0:
            self.error(f"「{label}」的{_ZH[name]}「{_text(value)}」不是非负数", row, column)
        return number

    def source(
        self,
        row: int,
        source: str,
        figures: Mapping[str, Decimal | None],
        columns: Mapping[str, int],
        earlier: list[dict[str, str | None]],
    ) -> list[dict[str, str | None]]:
        if all(figures[name] is None for name in FUND_SUMS):
            return []  # a source the project has no money from
        if any(r["source"] == source for r in earlier):
            self.error(f"项目资金来源「{source}」重复", row)
            return []
        needed = [name for name in ("full_year_budget", "executed") if figures[name] is None]
        # a cell that is written but unreadable has its own problem already
        missing = [n for n in needed if _blank(self.grid.value(row, columns.get(n)))]
        for name in missing:
            self.error(
                f"「{source}」填写了金额，但{_ZH[name]}为空：每个来源需要全年预算数和全年执行数",
                row,
                columns.get(name),
            )
        if needed:
            return []
        return [
            {
                "source": source,
                **{
                    name: None if figures[name] is None else format(figures[name], "f")
                    for name in FUND_SUMS
                },
            }
        ]

    def budget_figures(
        self,
        row: int,
        figures: Mapping[str, Decimal | None],
        columns: Mapping[str, int],
        sources: list[dict[str, str | None]],
    ) -> None:
        """The budget row's 分值 and printed 得分; the total compared with the sources' sums."""
        weight = figures["weight"]
        if weight is None or weight <= 0:
            self.error("年度资金总额行的分值为空：预算执行率按该分值计分（通常为 10 分）", row,
                       columns.get("weight"))  # fmt: skip
        if not sources and any(figures[name] is not None for name in FUND_SUMS):
            self.error(
                "项目资金只填写了年度资金总额：请按来源（财政拨款、上年结转资金、其他资金）"
                "填写，执行率按各来源之和计算",
                row,
            )
        for name, zh in FUND_SUMS.items():
            given = [Decimal(str(r[name])) for r in sources if r.get(name) is not None]
            printed = figures[name]
            if printed is not None and given and printed != sum(given, Decimal(0)):
                self.warn(
                    f"年度资金总额的{zh} {format(printed, 'f')} 与各来源之和 "
                    f"{format(sum(given, Decimal(0)), 'f')} 不一致：按各来源记录",
                    row,
                    columns.get(name),
                )
        self.check_rate(row, columns.get("rate"), sources)
        self.budget = {"row": row, "weight": weight, "score": figures["score"], "at": columns}

    def check_rate(self, row: int, column: int | None, sources: list[dict[str, Any]]) -> None:
        """The printed 执行率 ("99.80%", or 0.998 in a cell formatted as a percent) against
        全年执行数 ÷ 全年预算数, at the places printed."""
        value = self.grid.value(row, column)
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", _text(value)))
        budget = sum((Decimal(str(r["full_year_budget"])) for r in sources), Decimal(0))
        if _blank(value) or not budget:
            return
        try:
            printed = parse_decimal(text.removesuffix("%"))
        except ValueError:
            return  # a note in the cell, not a figure: nothing to compare
        if printed is None:
            return
        if not text.endswith("%") and printed <= 1:
            printed *= 100
        executed = sum((Decimal(str(r["executed"])) for r in sources), Decimal(0))
        places = Decimal(1).scaleb(min(printed.as_tuple().exponent, 0))  # type: ignore[arg-type]
        rate = (executed / budget * 100).quantize(places, ROUND_HALF_UP)
        if rate != printed:
            self.warn(
                f"表中执行率 {text} 与 全年执行数 ÷ 全年预算数 = {rate}% 不一致：按各来源计算",
                row,
                column,
            )

    def with_budget_row(self, result: dict[str, Any], weight_given: bool) -> dict[str, Any]:
        """The table's fixture with the budget-execution leaf as its own first root."""
        weight = self.budget["weight"]
        row = self.budget["row"]
        leaf = {
            "code": BUDGET_CODE,
            "name": BUDGET_NAME,
            "weight": format_decimal(weight),
            "method": "ratio",
            "numerator": FUND_SUMS["executed"],
            "denominator": FUND_SUMS["full_year_budget"],
            "explanation": "全年执行数 ÷ 全年预算数 × 分值（项目资金），以分值为上限",
        }
        result["indicators"].insert(0, leaf)
        evaluation = result["evaluation"]
        if not weight_given:
            roots = [Decimal(i["weight"]) for i in result["indicators"] if not i.get("parent")]
            evaluation["total_weight"] = format_decimal(sum(roots, Decimal(0)))
        sources = result["sources"]
        at = self.where(row, self.budget["at"].get("weight"))
        sources["indicators"][BUDGET_CODE] = {
            "name": self.where(row, None),
            "weight": at,
            "method": at,
            "score": self.where(row, self.budget["at"].get("score")),
        }
        if self.budget["score"] is not None:
            result["expected"]["leaves"][BUDGET_CODE] = format_decimal(self.budget["score"])
        sources["warnings"] = list(self.warnings)
        return result
