"""Read the 部门整体支出绩效自评表: basic facts, 收入 and 支出 tables, goal, targets, 总分."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from domain.form import FUND_SUMS

from .cells import _key, _vocabulary, format_decimal
from .grids import Grid
from .national_form import BUDGET_NAME, _FormReader, _is_national, parse_form
from .target_table import _target_grid, parse_target_table

TITLE = "部门整体支出绩效自评表"
_RATIO = {
    "method": "ratio",
    "numerator": FUND_SUMS["executed"],
    "denominator": FUND_SUMS["full_year_budget"],
    "explanation": "全年执行数 ÷ 全年预算数 × 分值（收入表），以分值为上限",
}
_LABELS: dict[str, str] = _vocabulary(
    department="部门名称 部门（单位）名称 部门(单位)名称 单位名称",
    contact="联系人",
    phone="联系电话",
)


def parse_target_sheet(
    data: bytes, filename: str, defaults: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The department-overall form, the national project form, or a target table alone."""
    found = _target_grid(data, filename)
    if found is None or not _is_national(found[0], found[1]):
        return parse_target_table(data, filename, defaults)
    department = _is_department(found[0], found[1])
    return parse_form(found, defaults, _DepartmentReader if department else _FormReader)


def _is_department(grid: Grid, header: int) -> bool:
    return any(TITLE in _key(value) for row in grid.rows[:header] for value in row)


class _DepartmentReader(_FormReader):
    """The department form: 部门名称 is both the department and the evaluated unit; the 收入
    table is the funds; the 支出 table's 合计 is only compared with the income executed."""

    labels = _LABELS

    def read(self, caller: Mapping[str, Any]) -> dict[str, Any]:
        fields, places = self.labelled()
        fields.update(self.goal(places))
        department = fields.get("department")
        if department:
            fields["implementer"] = department
        elif not caller.get("subject") or not caller.get("title"):
            self.error("部门名称为空：部门整体自评的被评价单位是该部门",
                       *places.get("department", (None, None)))  # fmt: skip
        year, why, year_at = self.year()
        header: dict[str, Any] = {"kind": "self-evaluation", "form": fields, "funds": self.funds()}
        if department:
            header["subject"] = department
        if year is not None:
            header["fiscal_year"] = year
            if department:
                header["title"] = f"{department} {year}年度部门整体支出绩效自评"
        elif not caller.get("fiscal_year"):
            self.error(why, *year_at)
        return header

    def funds(self) -> list[dict[str, str | None]]:
        rows = super().funds()
        self.compare_spending(rows)
        return rows

    def budget_figures(
        self,
        row: int,
        figures: Mapping[str, Decimal | None],
        columns: Mapping[str, int],
        sources: list[dict[str, str | None]],
    ) -> None:
        if figures["weight"] is not None:
            super().budget_figures(row, figures, columns, sources)
            return
        # no 分值 on the income 合计: no budget-execution leaf, the sums still compared
        errors = len(self.errors)
        super().budget_figures(row, {**figures, "weight": Decimal(1)}, columns, sources)
        del self.errors[errors:]
        self.budget["weight"] = None

    def compare_spending(self, sources: list[dict[str, str | None]]) -> None:
        """The 支出 table's 合计 全年执行数 against the income sources' executed sum."""
        heads = [
            r
            for r in range(self.header)
            if {"全年预算数", "全年执行数"} <= {_key(v) for v in self.grid.rows[r]}
        ]
        if len(heads) < 2 or not sources:
            return
        head = heads[1]
        column = next(c for c, v in enumerate(self.grid.rows[head]) if _key(v) == "全年执行数")
        for row in range(head + 1, self.header):
            if not any(_key(v) in {"合计", "支出合计"} for v in self.grid.rows[row][:column]):
                continue
            spent = self.amount(row, column, "支出合计", "executed")
            income = sum((Decimal(str(s["executed"])) for s in sources), Decimal(0))
            if spent is not None and spent != income:
                self.warn(
                    f"支出合计的全年执行数 {format(spent, 'f')} 与收入各来源的全年执行数之和 "
                    f"{format(income, 'f')} 不一致",
                    row,
                    column,
                )
            return

    def with_budget_row(self, result: dict[str, Any], weight_given: bool) -> dict[str, Any]:
        if self.budget.get("weight") is not None:
            return super().with_budget_row(result, weight_given)
        self.budget_in_table(result)
        if not weight_given:
            roots = [Decimal(i["weight"]) for i in result["indicators"] if not i.get("parent")]
            result["evaluation"]["total_weight"] = format_decimal(sum(roots, Decimal(0)))
        result["sources"]["warnings"] = list(self.warnings)
        return result

    def budget_in_table(self, result: dict[str, Any]) -> None:
        """A 预算执行率 row of the indicator table scores from the funds, not as a target."""
        for leaf in result["indicators"]:
            if _key(leaf["name"]) == BUDGET_NAME and leaf.get("method") == "target":
                leaf.pop("target", None)
                leaf.update(_RATIO)
                result["target_values"] = [
                    v for v in result["target_values"] if v["indicator"] != leaf["code"]
                ]
