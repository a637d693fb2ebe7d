"""The national 项目支出绩效自评表 imports from the file alone, on the SQLite store."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from adapters.bootstrap import build_sheets
from application.errors import SheetRejected
from application.service import EvaluationService
from application.sheets import SheetTransfer
from domain.evaluation import Actor
from tests.sheet_files import national_form, national_rows

CENT = Decimal("0.01")


@pytest.fixture
def sheets(service: EvaluationService) -> SheetTransfer:
    return build_sheets(service)


def recorded(service: EvaluationService) -> int:
    return int(service.list_evaluations({})["total"])


def scores(document: dict[str, Any]) -> dict[str, str | None]:
    return {i["name"]: i["score"] for i in document["indicators"]}


def cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def by_hand() -> Decimal:
    """The form's total from its printed figures, by the rules of the national form's notes."""
    budget = min(Decimal("119.76") / Decimal("120"), Decimal(1)) * 10  # 执行率 × 分值
    leaves = [
        Decimal(15),  # 演出场次 24 ≥ 20: met, full weight
        cent(Decimal(8) / Decimal(10) * 10),  # 引进企业 8 of ≥10: final ÷ planned × weight
        Decimal(15),  # 演出合格率 100% of 100%: met
        Decimal(10),  # 单场演出成本 4.5 ≤ 4.74: met
        cent(Decimal("5.4") / Decimal(6) * 20),  # 群众参与人次 5.4 of ≥6
        Decimal(10),  # 长效机制 达成, printed 10 (inside the achieved band)
        Decimal(10),  # 群众满意度 93% ≥ 90%: met
    ]
    return cent(budget) + sum(leaves, Decimal(0))


def test_the_national_form_imports_from_the_file_alone_with_its_printed_total(
    sheets: SheetTransfer, actor: Actor
) -> None:
    result = sheets.import_sheet(national_form(), "自评表.xlsx", by=actor)

    document = result["evaluation"]
    assert result["total"] == str(by_hand()) == "95.98"
    assert result["warnings"] == []  # every printed 得分, the funds total and 总分 recompute
    assert (document["subject"], document["fiscal_year"], document["kind"]) == (
        "某区文化馆",
        2023,
        "self-evaluation",
    )
    assert document["title"] == "社区文化惠民服务项目 2023年度项目支出绩效自评"
    form = document["form"]
    assert (form["project_name"], form["department"], form["implementer"]) == (
        "社区文化惠民服务项目",
        "某区文化和旅游局",
        "某区文化馆",
    )
    assert form["overall_goal"].startswith("全年开展文化惠民演出不少于20场")
    assert form["overall_result"].startswith("全年开展演出24场")
    sources = {s["source"]: s for s in document["funds"]["sources"]}
    assert list(sources) == ["当年财政拨款", "上年结转资金"]  # 其他资金 is blank: skipped
    assert (sources["当年财政拨款"]["full_year_budget"], sources["当年财政拨款"]["executed"]) == (
        "110.00",
        "109.76",
    )
    assert document["funds"]["total"]["rate"] == "99.80"


def test_the_budget_row_is_a_root_scored_from_the_funds(
    sheets: SheetTransfer, actor: Actor
) -> None:
    document = sheets.import_sheet(national_form(), "自评表.xlsx", by=actor)["evaluation"]

    budget = next(i for i in document["indicators"] if i["name"] == "预算执行率")
    roots = [i for i in document["indicators"] if not i.get("parent")]
    assert (budget["method"], budget["weight"], budget["score"]) == ("ratio", "10.00", "9.98")
    assert budget.get("parent") is None
    assert (
        sum(Decimal(r["weight"]) for r in roots)
        == Decimal(100)
        == Decimal(document["total_weight"])
    )


def test_funds_executed_beyond_the_budget_score_no_more_than_the_weight(
    sheets: SheetTransfer, actor: Actor
) -> None:
    rows = national_rows()
    rows[6][5] = 130  # 当年财政拨款 executed 130 of 110: 140 of 120 in all
    rows[5][5] = 140

    result = sheets.import_sheet(national_form(rows), "自评表.xlsx", by=actor)

    assert scores(result["evaluation"])["预算执行率"] == "10.00"


def test_a_printed_budget_score_that_disagrees_is_a_warning_naming_the_row(
    sheets: SheetTransfer, actor: Actor
) -> None:
    rows = national_rows()
    rows[6][5] = 90  # 当年财政拨款 executed 90: 100 of 120, 8.33 points, not the printed 9.98

    result = sheets.import_sheet(national_form(rows), "自评表.xlsx", by=actor)

    assert scores(result["evaluation"])["预算执行率"] == str(cent(Decimal(100) / 120 * 10))
    places = {(w["row"], w["column"]): w["message"] for w in result["warnings"]}
    assert "预算执行率" in places[(6, "I")] and "9.98" in places[(6, "I")]
    assert "119.76" in places[(6, "F")]  # the printed 年度资金总额 against the sources' sum
    assert "95.98" in places[(20, "H")]  # the printed 总分 against the recomputed total
    assert result["total"] == str(by_hand() - Decimal("9.98") + Decimal("8.33"))


def test_a_printed_target_score_that_disagrees_is_a_warning_naming_the_row(
    sheets: SheetTransfer, actor: Actor
) -> None:
    rows = national_rows()
    rows[12][7] = 14  # 演出场次 met its target: 15, not 14

    result = sheets.import_sheet(national_form(rows), "自评表.xlsx", by=actor)

    flagged = [w for w in result["warnings"] if (w["row"], w["column"]) == (13, "H")]
    assert len(flagged) == 1 and "演出场次" in flagged[0]["message"]
    assert scores(result["evaluation"])["演出场次"] == "15.00"  # recorded as recomputed


def test_an_unreadable_funds_cell_is_named_and_nothing_is_recorded(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor
) -> None:
    rows = national_rows()
    rows[6][4] = "一百一十"

    with pytest.raises(SheetRejected) as excinfo:
        sheets.import_sheet(national_form(rows), "自评表.xlsx", by=actor)

    assert [(r["row"], r["column"]) for r in excinfo.value.rows] == [(7, "E")]
    assert "全年预算数「一百一十」" in excinfo.value.rows[0]["message"]
    assert recorded(service) == 0


def test_a_year_row_without_its_year_is_refused_at_that_cell(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor
) -> None:
    rows = national_rows()
    rows[1][0] = "（    年度）"

    with pytest.raises(SheetRejected) as excinfo:
        sheets.import_sheet(national_form(rows), "自评表.xlsx", by=actor)

    assert [(r["row"], r["column"]) for r in excinfo.value.rows] == [(2, "A")]
    assert "没有填写年份" in excinfo.value.rows[0]["message"]
    assert recorded(service) == 0


def test_a_blank_implementer_is_refused_at_its_cell(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor
) -> None:
    rows = national_rows()
    rows[3][6] = None

    with pytest.raises(SheetRejected) as excinfo:
        sheets.import_sheet(national_form(rows), "自评表.xlsx", by=actor)

    assert [(r["row"], r["column"]) for r in excinfo.value.rows] == [(4, "G")]
    assert "实施单位为空" in excinfo.value.rows[0]["message"]
    assert recorded(service) == 0


def test_a_source_row_without_its_executed_amount_is_refused_at_that_cell(
    sheets: SheetTransfer, actor: Actor
) -> None:
    rows = national_rows()
    rows[8][4] = 5  # 其他资金 全年预算数 5, 全年执行数 left blank

    with pytest.raises(SheetRejected) as excinfo:
        sheets.import_sheet(national_form(rows), "自评表.xlsx", by=actor)

    assert [(r["row"], r["column"]) for r in excinfo.value.rows] == [(9, "F")]
    assert "其他资金" in excinfo.value.rows[0]["message"]


def test_the_national_form_as_csv_imports_the_same(sheets: SheetTransfer, actor: Actor) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(national_rows())

    result = sheets.import_sheet(buffer.getvalue().encode("utf-8"), "自评表.csv", by=actor)

    assert (result["total"], result["warnings"]) == (str(by_hand()), [])
    assert result["evaluation"]["subject"] == "某区文化馆"


def test_caller_fields_still_win_over_the_form(sheets: SheetTransfer, actor: Actor) -> None:
    result = sheets.import_sheet(
        national_form(), "自评表.xlsx", {"subject": "某区文化和旅游局", "fiscal_year": "2024"},
        by=actor,
    )  # fmt: skip

    document = result["evaluation"]
    assert (document["subject"], document["fiscal_year"]) == ("某区文化和旅游局", 2024)
    assert document["form"]["implementer"] == "某区文化馆"


def test_budget_code_contact_and_phone_are_read_when_printed(
    sheets: SheetTransfer, actor: Actor
) -> None:
    rows = national_rows()
    rows.insert(4, ["预算编码", "2023-WL-0107", None, "联系人", "王敏", None, "联系电话",
                    "0531-86001234"])  # fmt: skip
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)

    result = sheets.import_sheet(buffer.getvalue().encode("utf-8"), "自评表.csv", by=actor)

    form = result["evaluation"]["form"]
    assert (form["budget_code"], form["contact"], form["phone"]) == (
        "2023-WL-0107",
        "王敏",
        "0531-86001234",
    )
    assert result["total"] == str(by_hand())


def test_a_printed_execution_rate_that_disagrees_is_a_warning_at_its_cell(
    sheets: SheetTransfer, actor: Actor
) -> None:
    rows = national_rows()
    rows[5][7] = "98.80%"  # 119.76 ÷ 120 is 99.80%

    result = sheets.import_sheet(national_form(rows), "自评表.xlsx", by=actor)

    assert [(w["row"], w["column"]) for w in result["warnings"]] == [(6, "H")]
    assert "99.80%" in result["warnings"][0]["message"]


def test_an_overall_goal_longer_than_the_form_takes_is_refused_at_its_cell(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor
) -> None:
    rows = national_rows()
    rows[10][1] = "开展演出" * 1001  # 4004 characters; the form keeps 4000

    with pytest.raises(SheetRejected) as excinfo:
        sheets.import_sheet(national_form(rows), "自评表.xlsx", by=actor)

    assert [(r["row"], r["column"]) for r in excinfo.value.rows] == [(11, "B")]
    assert excinfo.value.rows[0]["message"].startswith("预期目标有 4004 个字")
    assert recorded(service) == 0
