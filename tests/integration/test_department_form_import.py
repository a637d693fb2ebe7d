"""The 部门整体支出绩效自评表 imports from the file alone, on the SQLite store."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from adapters.bootstrap import build_sheets
from application.errors import SheetRejected
from application.service import EvaluationService
from application.sheets import SheetTransfer
from domain.evaluation import Actor
from tests.sheet_files import department_form, department_rows

CENT = Decimal("0.01")


@pytest.fixture
def sheets(service: EvaluationService) -> SheetTransfer:
    return build_sheets(service)


def by_hand() -> Decimal:
    """The form's total by the national rules: 执行率 × 分值, met targets full, 85 of ≥90."""
    budget = min(Decimal(1140) / Decimal(1200), Decimal(1)) * 10
    met = Decimal(20) + 20 + 10 + 20 + 10  # 32 ≥ 30, 达成, 100%, 98.5 ≥ 98, 达成
    satisfaction = (Decimal(85) / Decimal(90) * 10).quantize(CENT, ROUND_HALF_UP)
    return budget.quantize(CENT, ROUND_HALF_UP) + met + satisfaction


def test_the_department_form_imports_from_the_file_alone_with_its_printed_total(
    sheets: SheetTransfer, actor: Actor
) -> None:
    result = sheets.import_sheet(department_form(), "部门整体支出绩效自评表.xlsx", by=actor)

    document = result["evaluation"]
    assert result["total"] == str(by_hand()) == "98.94"
    assert result["warnings"] == []
    assert (document["subject"], document["fiscal_year"], document["kind"]) == (
        "某区教育局",
        2023,
        "self-evaluation",
    )
    assert document["title"] == "某区教育局 2023年度部门整体支出绩效自评"
    form = document["form"]
    assert (form["department"], form["implementer"], form["contact"]) == (
        "某区教育局",
        "某区教育局",
        "张明",
    )
    assert form["overall_result"].startswith("保障32所学校运转")
    sources = {s["source"]: s for s in document["funds"]["sources"]}
    assert list(sources) == ["财政拨款", "其他资金"]  # 合计 is compared, not a source
    assert sources["财政拨款"]["executed"] == "1045.00"
    budget = next(i for i in document["indicators"] if i["name"] == "预算执行率")
    assert (budget["method"], budget["score"]) == ("ratio", "9.50")


def test_a_spending_total_unlike_the_income_executed_is_a_warning_at_its_cell(
    sheets: SheetTransfer, actor: Actor
) -> None:
    rows = department_rows()
    rows[9][5] = 1100  # 支出 合计 全年执行数, against 1045 + 95 = 1140 received

    result = sheets.import_sheet(department_form(rows), "部门整体支出绩效自评表.xlsx", by=actor)

    places = {(w["row"], w["column"]): w["message"] for w in result["warnings"]}
    assert "1100" in places[(10, "F")] and "1140" in places[(10, "F")]
    assert result["total"] == str(by_hand())


def test_an_unreadable_income_cell_is_named_and_nothing_is_recorded(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor
) -> None:
    rows = department_rows()
    rows[6][5] = "一千零四十五"

    with pytest.raises(SheetRejected) as excinfo:
        sheets.import_sheet(department_form(rows), "部门整体支出绩效自评表.xlsx", by=actor)

    assert [(r["row"], r["column"]) for r in excinfo.value.rows] == [(7, "F")]
    assert "全年执行数「一千零四十五」" in excinfo.value.rows[0]["message"]
    assert int(service.list_evaluations({})["total"]) == 0


def test_a_blank_department_name_is_refused_at_its_cell(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor
) -> None:
    rows = department_rows()
    rows[2][1] = None

    with pytest.raises(SheetRejected) as excinfo:
        sheets.import_sheet(department_form(rows), "部门整体支出绩效自评表.xlsx", by=actor)

    assert [(r["row"], r["column"]) for r in excinfo.value.rows] == [(3, "B")]
    assert "部门名称为空" in excinfo.value.rows[0]["message"]
    assert int(service.list_evaluations({})["total"]) == 0


def test_an_income_total_without_a_weight_adds_no_budget_row(
    sheets: SheetTransfer, actor: Actor
) -> None:
    rows = department_rows()
    rows[5][6:9] = [None, None, None]  # 合计 prints no 分值, 执行率 or 得分
    rows[-1][6:8] = [90, 89.44]

    result = sheets.import_sheet(department_form(rows), "部门整体支出绩效自评表.xlsx", by=actor)

    document = result["evaluation"]
    assert "预算执行率" not in {i["name"] for i in document["indicators"]}
    assert document["total_weight"] == "90.00"
    assert result["total"] == str(by_hand() - Decimal("9.50")) == "89.44"
    assert document["funds"]["total"]["executed"] == "1140.00"


def test_a_budget_row_inside_the_indicator_table_scores_from_the_funds(
    sheets: SheetTransfer, actor: Actor
) -> None:
    rows = department_rows()
    rows[5][6:9] = [None, None, None]  # no 分值 on the income 合计: the table carries the row
    rows[-1][6:8] = [100, 89.44 + 9.5]
    row = [None, "过程指标", "资金管理", "预算执行率", "100%", "95%", 10, 9.5, "部分采购年底未支付"]
    rows.insert(len(rows) - 1, row)

    result = sheets.import_sheet(department_form(rows), "部门整体支出绩效自评表.xlsx", by=actor)

    budget = next(i for i in result["evaluation"]["indicators"] if i["name"] == "预算执行率")
    assert (budget["method"], budget["score"]) == ("ratio", "9.50")
    assert result["total"] == str(by_hand())
