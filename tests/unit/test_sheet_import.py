"""Importing score tables (xlsx, csv) and fixture JSON into the fixture format."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from adapters.sheets import SheetImportError, parse_sheet
from adapters.sheets.cells import format_decimal, parse_decimal

HEADER = ["一级指标", "二级指标", "三级指标", "分值", "方法", "评价过程", "得分"]


def xlsx(
    rows: Sequence[Any],
    *,
    merges: Sequence[str] = (),
    title: str = "评分表",
    before: Sequence[tuple[str, Sequence[Sequence[Any]]]] = (),
) -> bytes:
    """A workbook whose active sheet holds `rows`; `before` adds sheets in front of it."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for name, other_rows in before:
        other = workbook.create_sheet(name)
        for row in other_rows:
            other.append(list(row))
    sheet = workbook.create_sheet(title)
    for row in rows:
        sheet.append(list(row))
    for cells in merges:
        sheet.merge_cells(cells)
    workbook.active = workbook.worksheets.index(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def published_table() -> list[list[Any]]:
    """The layout of an annex score table: title, header, 一级/二级 cells merged over their rows."""
    return [
        ["附件1"],
        ["创业孵化基地运营项目2022年度绩效评价指标评分表"],
        HEADER,
        ["项目决策", "项目立项", "立项依据充分性", 3, "清单", "立项符合政策", 3],
        [None, None, "立项程序规范性", 3, "清单", "程序规范", 3],
        [None, "绩效目标", "绩效目标合理性", 4, "清单", None, 4],
        ["项目过程", "资金管理", "预算执行率", 2, "比率", "执行率36.74%", 0.73],
        [None, None, "资金使用合规性", 6, "扣分", None, 6],
        [None, "组织实施", "制度执行有效性", 8, "扣分", "未能对项目运营进行有效监管", 7],
        ["合计", None, None, 26, None, None, 23.73],
    ]


PUBLISHED_MERGES = ("A4:A6", "B4:B5", "A7:A9", "B7:B8")


def by_code(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {indicator["code"]: indicator for indicator in result["indicators"]}


def errors_of(excinfo: pytest.ExceptionInfo[SheetImportError]) -> list[tuple[Any, ...]]:
    return [(e["sheet"], e["row"], e["column"]) for e in excinfo.value.errors]


# --- the published layout ---------------------------------------------------------------------


def test_merged_level_cells_are_filled_down() -> None:
    result = parse_sheet(xlsx(published_table(), merges=PUBLISHED_MERGES), "annex.xlsx")

    indicators = by_code(result)
    assert [(i["code"], i.get("parent"), i["name"]) for i in result["indicators"]] == [
        ("1", None, "项目决策"),
        ("1.1", "1", "项目立项"),
        ("1.1.1", "1.1", "立项依据充分性"),
        ("1.1.2", "1.1", "立项程序规范性"),
        ("1.2", "1", "绩效目标"),
        ("1.2.1", "1.2", "绩效目标合理性"),
        ("2", None, "项目过程"),
        ("2.1", "2", "资金管理"),
        ("2.1.1", "2.1", "预算执行率"),
        ("2.1.2", "2.1", "资金使用合规性"),
        ("2.2", "2", "组织实施"),
        ("2.2.1", "2.2", "制度执行有效性"),
    ]
    assert indicators["1.1.2"]["weight"] == "3.00"
    assert indicators["2.1.1"]["method"] == "ratio"
    assert "method" not in indicators["2.1"]


def test_blank_level_cells_without_merges_are_filled_down_too() -> None:
    # Same table, no merged cells: blanks mean "as the row above".
    result = parse_sheet(xlsx(published_table()), "annex.xlsx")

    assert by_code(result)["1.1.2"]["parent"] == "1.1"
    assert by_code(result)["2.2.1"]["parent"] == "2.2"


def test_parent_weight_is_the_sum_of_its_children_without_a_weight_column() -> None:
    result = parse_sheet(xlsx(published_table(), merges=PUBLISHED_MERGES), "annex.xlsx")

    weights = {code: indicator["weight"] for code, indicator in by_code(result).items()}
    assert weights["1.1"] == "6.00"
    assert weights["1"] == "10.00"
    assert weights["2"] == "16.00"
    assert result["evaluation"]["total_weight"] == "26.00"


def test_title_above_the_header_becomes_the_evaluation_title() -> None:
    result = parse_sheet(xlsx(published_table()), "annex.xlsx")

    evaluation = result["evaluation"]
    assert evaluation["title"] == "创业孵化基地运营项目2022年度绩效评价指标评分表"
    assert evaluation["fiscal_year"] == 2022  # read from the title when no label gives it


def test_total_row_is_skipped_and_its_score_kept_as_reported_total() -> None:
    result = parse_sheet(xlsx(published_table()), "annex.xlsx")

    assert "合计" not in {indicator["name"] for indicator in result["indicators"]}
    assert result["evaluation"]["reported_total"] == "23.73"


def test_deduction_scores_become_deductions_of_weight_minus_score() -> None:
    result = parse_sheet(xlsx(published_table()), "annex.xlsx")

    deductions = [a for a in result["actions"] if a["action"] == "deduct"]
    assert deductions == [
        {
            "indicator": "2.2.1",
            "action": "deduct",
            "points": "1.00",
            "reason": "未能对项目运营进行有效监管",
        }
    ]  # 资金使用合规性 scored its full 6 and needs no deduction


def test_rule_method_scores_become_score_actions_with_the_sheet_justification() -> None:
    result = parse_sheet(xlsx(published_table()), "annex.xlsx")

    actions = {a["indicator"]: a for a in result["actions"]}
    assert actions["2.1.1"] == {
        "indicator": "2.1.1",
        "action": "score",
        "score": "0.73",
        "justification": "执行率36.74%",
    }
    assert actions["1.2.1"]["justification"] == "导入：得分 4.00"


def test_level_weight_columns_give_each_level_its_own_weight() -> None:
    rows = [
        ["一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "得分"],
        ["决策", 20, "立项", 6, "依据", 3, 3],
        [None, None, None, None, "程序", 3, 2],
        [None, None, "目标", 14, "合理", 14, 10],
    ]
    result = parse_sheet(xlsx(rows, merges=("A2:A4", "B2:B4", "C2:C3", "D2:D3")), "t.xlsx")

    weights = {code: indicator["weight"] for code, indicator in by_code(result).items()}
    assert weights == {
        "1": "20.00",
        "1.1": "6.00",
        "1.1.1": "3.00",
        "1.1.2": "3.00",
        "1.2": "14.00",
        "1.2.1": "14.00",
    }


def test_each_indicator_on_its_own_row_makes_parents_from_their_rows() -> None:
    rows = [
        ["一级指标", "二级指标", "三级指标", "分值", "得分"],
        ["决策", None, None, 10, 9],
        [None, "立项", None, 10, 9],
        [None, None, "依据", 4, 4],
        [None, None, "程序", 6, 5],
    ]
    result = parse_sheet(xlsx(rows), "t.xlsx")

    assert [(i["code"], i["weight"], i.get("method")) for i in result["indicators"]] == [
        ("1", "10.00", None),
        ("1.1", "10.00", None),
        ("1.1.1", "4.00", "manual"),
        ("1.1.2", "6.00", "manual"),
    ]
    assert [a["indicator"] for a in result["actions"]] == ["1.1.1", "1.1.2"]


def test_a_leaf_merged_over_several_rows_is_one_indicator_with_their_texts() -> None:
    rows = [
        ["一级指标", "二级指标", "分值", "评分标准", "得分"],
        ["决策", "立项依据", 3, "符合法律法规得1分", 2],
        [None, None, None, "符合发展规划得2分", None],
        [None, "立项程序", 2, "程序规范", 2],
    ]
    result = parse_sheet(xlsx(rows, merges=("A2:A4", "B2:B3", "C2:C3", "E2:E3")), "t.xlsx")

    indicators = by_code(result)
    assert list(indicators) == ["1", "1.1", "1.2"]
    assert indicators["1.1"]["criteria"] == "符合法律法规得1分\n符合发展规划得2分"
    assert indicators["1.1"]["weight"] == "3.00"


def test_two_row_header_takes_names_from_the_row_above() -> None:
    rows = [
        ["指标", None, "分值", "得分"],
        ["一级指标", "二级指标", None, None],
        ["决策", "立项", 5, 4],
    ]
    result = parse_sheet(xlsx(rows, merges=("A1:B1", "C1:C2", "D1:D2")), "t.xlsx")

    assert by_code(result)["1.1"]["weight"] == "5.00"
    assert result["actions"][0]["score"] == "4.00"


def test_header_repeated_on_a_later_page_is_skipped() -> None:
    rows = [
        HEADER,
        ["决策", "立项", "依据", 3, None, None, 3],
        HEADER,
        ["决策", "立项", "程序", 2, None, None, 2],
    ]
    result = parse_sheet(xlsx(rows), "t.xlsx")

    assert [i["name"] for i in result["indicators"]] == ["决策", "立项", "依据", "程序"]


def test_notes_and_subtotals_are_not_indicators() -> None:
    rows = [
        HEADER,
        ["决策", "立项", "依据", 3, None, None, 3],
        ["小计", None, None, 3, None, None, 3],
        ["合计", None, None, 3, None, None, 3],
        ["注：得分保留两位小数。"],
    ]
    result = parse_sheet(xlsx(rows), "t.xlsx")

    assert len(result["indicators"]) == 3
    assert result["evaluation"]["reported_total"] == "3.00"


def test_header_is_found_on_another_sheet_when_the_active_one_has_none() -> None:
    data = xlsx(
        [["说明：本工作簿含评分表"]],
        title="说明",
        before=[("评分表", [HEADER, ["决策", "立项", "依据", 3, None, None, 3]])],
    )

    result = parse_sheet(data, "t.xlsx")

    assert by_code(result)["1.1.1"]["name"] == "依据"


def test_english_headers_are_recognised() -> None:
    rows = [
        ["Level 1", "Level 2", "Code", "Weight", "Method", "Justification", "Score"],
        ["Decision", "Basis", "D1", 5, "deduction", "late filing", 4.5],
    ]
    result = parse_sheet(xlsx(rows), "t.xlsx")

    assert by_code(result)["D1"]["method"] == "deduction"
    assert result["actions"] == [
        {"indicator": "D1", "action": "deduct", "points": "0.50", "reason": "late filing"}
    ]


# --- numbers in cells -------------------------------------------------------------------------


def test_weights_and_scores_written_as_text_are_parsed() -> None:
    rows = [
        HEADER,
        ["决策", "立项", "依据", "3分", None, None, "3.00"],
        [None, None, "程序", "3.00", None, None, "０.７３"],
        [None, None, "目标", " 4 分 ", None, None, "2.5分"],
    ]
    result = parse_sheet(xlsx(rows), "t.xlsx")

    assert [i["weight"] for i in result["indicators"]] == ["10.00", "10.00", "3.00", "3.00", "4.00"]
    assert [a["score"] for a in result["actions"]] == ["3.00", "0.73", "2.50"]


def test_text_in_a_number_column_is_an_error_naming_sheet_row_and_column() -> None:
    rows = [
        HEADER,
        ["决策", "立项", "依据", "三分", None, None, 3],
        [None, None, "程序", 3, None, None, "abc"],
    ]

    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(xlsx(rows, title="评分表"), "t.xlsx")

    assert errors_of(excinfo) == [("评分表", 2, "D"), ("评分表", 3, "G")]
    messages = [e["message"] for e in excinfo.value.errors]
    assert "三分" in messages[0]
    assert "abc" in messages[1]


def test_float_noise_from_formulas_is_removed() -> None:
    rows = [HEADER, ["决策", "立项", "依据", 8, None, None, 6.930000000000001]]
    result = parse_sheet(xlsx(rows), "t.xlsx")

    assert result["actions"][0]["score"] == "6.93"


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False))
def test_formatted_decimals_parse_back_unchanged(value: Decimal) -> None:
    text = format_decimal(value)

    assert parse_decimal(text) == value
    assert parse_decimal(f"{text}分") == value
    full_width = text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    assert parse_decimal(full_width) == value


# --- rows that cannot be imported -------------------------------------------------------------


def test_score_above_weight_or_below_zero_is_an_error() -> None:
    rows = [
        HEADER,
        ["决策", "立项", "依据", 3, None, None, 3.5],
        [None, None, "程序", 3, None, None, -1],
    ]

    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(xlsx(rows), "t.xlsx")

    assert sorted(errors_of(excinfo)) == [("评分表", 2, "G"), ("评分表", 3, "G")]
    text = " ".join(e["message"] for e in excinfo.value.errors)
    assert "超过分值" in text
    assert "负数" in text


def test_missing_or_negative_leaf_weight_is_an_error() -> None:
    rows = [
        HEADER,
        ["决策", "立项", "依据", None, None, None, 1],
        [None, None, "程序", -2, None, None, None],
    ]

    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(xlsx(rows), "t.xlsx")

    assert sorted(errors_of(excinfo)) == [("评分表", 2, "D"), ("评分表", 3, "D")]


def test_conflicting_parent_weights_are_an_error() -> None:
    rows = [
        ["一级指标", "分值", "二级指标", "分值", "得分"],
        ["决策", 20, "立项", 10, 9],
        ["决策", 15, "目标", 10, 9],
    ]

    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(xlsx(rows), "t.xlsx")

    assert errors_of(excinfo) == [("评分表", 3, "B")]


def test_unknown_method_is_an_error() -> None:
    rows = [HEADER, ["决策", "立项", "依据", 3, "估计", None, 3]]

    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(xlsx(rows), "t.xlsx")

    assert errors_of(excinfo) == [("评分表", 2, "E")]


def test_blank_level_cell_in_a_new_group_is_an_error() -> None:
    rows = [
        HEADER,
        ["决策", "立项", "依据", 3, None, None, 3],
        ["过程", None, "预算执行率", 2, None, None, 2],  # 二级 cannot come from 决策's group
    ]

    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(xlsx(rows), "t.xlsx")

    assert errors_of(excinfo) == [("评分表", 3, "B")]


def test_duplicate_indicator_names_under_one_parent_are_an_error() -> None:
    rows = [
        HEADER,
        ["决策", "立项", "依据", 3, None, None, 3],
        ["决策", "立项", "依据", 3, None, None, 3],
    ]

    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(xlsx(rows), "t.xlsx")

    assert errors_of(excinfo) == [("评分表", 3, "C")]


def test_every_row_error_is_reported_at_once_and_nothing_is_returned() -> None:
    rows = [
        HEADER,
        ["决策", "立项", "依据", "abc", None, None, 3],
        [None, None, "程序", 3, "估计", None, 3],
        [None, None, "目标", 3, None, None, 9],
        [None, None, "绩效", 3, None, None, 3],
    ]

    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(xlsx(rows), "t.xlsx")

    assert [e["row"] for e in excinfo.value.errors] == [2, 3, 4]


def test_empty_sheet_is_an_error() -> None:
    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(xlsx([]), "empty.xlsx")

    assert excinfo.value.errors == [
        {"sheet": "评分表", "row": None, "column": None, "message": "工作表为空"}
    ]


def test_sheet_without_a_recognisable_header_is_an_error() -> None:
    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(xlsx([["名称", "数量"], ["甲", 1]]), "t.xlsx")

    assert "表头" in excinfo.value.errors[0]["message"]


def test_header_without_indicator_rows_is_an_error() -> None:
    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(xlsx([HEADER, ["合计", None, None, 100]]), "t.xlsx")

    assert excinfo.value.errors[0]["message"] == "表头下方没有指标行"


def test_file_named_xlsx_that_is_not_a_workbook_is_refused_clearly() -> None:
    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet("一级指标,分值\n".encode(), "scores.xlsx")

    assert "不是 xlsx 工作簿" in excinfo.value.errors[0]["message"]


def test_damaged_zip_named_xlsx_is_refused_without_a_raw_zip_error() -> None:
    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(b"PK\x03\x04" + b"\x00" * 64, "scores.xlsx")

    assert "无法读取 xlsx 工作簿" in str(excinfo.value)


def test_old_binary_xls_is_refused_with_advice() -> None:
    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "scores.xls")

    assert ".xlsx" in excinfo.value.errors[0]["message"]


# --- csv --------------------------------------------------------------------------------------

CSV_TABLE = (
    "某项目绩效评价评分表\n"
    "被评价单位：某区人社局；评价年度：2022年\n"
    "一级指标,二级指标,三级指标,分值,方法,评价过程,得分\n"
    "项目决策,项目立项,立项依据充分性,3分,清单,,3\n"
    ",,立项程序规范性,３,checklist,,2.5\n"
    ',项目目标,目标明确,4,扣分,"目标未细化，扣1分",3\n'
    "合计,,,10,,,8.5\n"
)


@pytest.mark.parametrize(
    "data",
    [
        CSV_TABLE.encode("utf-8"),
        b"\xef\xbb\xbf" + CSV_TABLE.encode("utf-8"),
        CSV_TABLE.encode("gb18030"),
    ],
    ids=["utf-8", "utf-8 with BOM", "gb18030"],
)
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gb18030(data: bytes) -> None:
    result = parse_sheet(data, "scores.csv")

    evaluation = result["evaluation"]
    assert evaluation["title"] == "某项目绩效评价评分表"
    assert evaluation["subject"] == "某区人社局"
    assert evaluation["fiscal_year"] == 2022
    assert evaluation["reported_total"] == "8.50"
    assert [(i["code"], i["weight"]) for i in result["indicators"]] == [
        ("1", "10.00"),
        ("1.1", "6.00"),
        ("1.1.1", "3.00"),
        ("1.1.2", "3.00"),
        ("1.2", "4.00"),
        ("1.2.1", "4.00"),
    ]
    assert result["actions"][-1] == {
        "indicator": "1.2.1",
        "action": "deduct",
        "points": "1.00",
        "reason": "目标未细化，扣1分",
    }


def test_csv_errors_have_no_sheet_and_name_the_column_letter() -> None:
    text = "一级指标,分值,得分\n决策,abc,1\n"

    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(text.encode(), "t.csv")

    assert errors_of(excinfo) == [(None, 2, "B")]


def test_tab_separated_text_is_read() -> None:
    result = parse_sheet("一级指标\t分值\t得分\n决策\t5\t4\n".encode(), "t.txt")

    assert result["indicators"] == [
        {"code": "1", "name": "决策", "weight": "5.00", "method": "manual"}
    ]


def test_empty_csv_is_an_error() -> None:
    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(b"", "t.csv")

    assert excinfo.value.errors[0]["message"] == "文件为空"


# --- header fields and codes ------------------------------------------------------------------


def test_defaults_fill_and_override_the_header_fields() -> None:
    defaults = {"title": "另定标题", "subject": "某局", "fiscal_year": "2023", "kind": "project"}

    result = parse_sheet(xlsx(published_table()), "annex.xlsx", defaults)

    assert result["evaluation"] == {
        "title": "另定标题",
        "subject": "某局",
        "fiscal_year": 2023,
        "kind": "project",
        "evaluator": None,
        "total_weight": "26.00",
        "reported_total": "23.73",
    }


def test_defaults_total_weight_replaces_the_sum_of_roots() -> None:
    result = parse_sheet(xlsx(published_table()), "annex.xlsx", {"total_weight": 100})

    assert result["evaluation"]["total_weight"] == "100.00"


def test_invalid_defaults_are_reported_with_the_sheet_errors() -> None:
    rows = [HEADER, ["决策", "立项", "依据", "abc", None, None, 3]]

    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(xlsx(rows), "t.xlsx", {"fiscal_year": "明年"})

    assert errors_of(excinfo) == [(None, None, "fiscal_year"), ("评分表", 2, "D")]


def test_labelled_cells_above_the_header_fill_the_evaluation() -> None:
    rows = [
        ["附件1：某项目绩效评价指标评分表"],
        ["被评价单位", "某区人社局", "评价机构：某会计师事务所"],
        ["评价年度：2022"],
        HEADER,
        ["决策", "立项", "依据", 3, None, None, 3],
    ]
    result = parse_sheet(xlsx(rows), "t.xlsx")

    evaluation = result["evaluation"]
    assert evaluation["title"] == "某项目绩效评价指标评分表"
    assert evaluation["subject"] == "某区人社局"
    assert evaluation["evaluator"] == "某会计师事务所"
    assert evaluation["fiscal_year"] == 2022


def test_title_falls_back_to_the_file_name() -> None:
    result = parse_sheet(
        xlsx([HEADER, ["决策", "立项", "依据", 3, None, None, 3]]), "吉阳区评分.xlsx"
    )

    assert result["evaluation"]["title"] == "吉阳区评分"


def test_code_column_is_used_and_parent_codes_come_from_the_children() -> None:
    rows = [
        ["编码", "一级指标", "二级指标", "分值", "得分"],
        ["A.1", "决策", "立项", 3, 3],
        ["A.2", "决策", "目标", 2, 1],
        ["B.1", "过程", "管理", 5, 5],
    ]
    result = parse_sheet(xlsx(rows), "t.xlsx")

    assert [(i["code"], i.get("parent")) for i in result["indicators"]] == [
        ("A", None),
        ("A.1", "A"),
        ("A.2", "A"),
        ("B", None),
        ("B.1", "B"),
    ]


def test_duplicate_codes_are_an_error() -> None:
    rows = [
        ["编码", "一级指标", "二级指标", "分值", "得分"],
        ["1.1", "决策", "立项", 3, 3],
        ["1.1", "决策", "目标", 2, 1],
    ]

    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(xlsx(rows), "t.xlsx")

    assert errors_of(excinfo) == [("评分表", 3, "A")]


def test_progress_callback_reports_rows_done_of_total() -> None:
    calls: list[tuple[int, int]] = []

    parse_sheet(
        xlsx(published_table()),
        "annex.xlsx",
        progress=lambda done, total: calls.append((done, total)),
    )

    assert calls == [(done, 7) for done in range(1, 8)]


# --- format detection and fixture JSON --------------------------------------------------------

FIXTURE: dict[str, Any] = {
    "about": "a trimmed copy of the 2022 incubator reference case",
    "evaluation": {
        "title": "创业孵化基地运营项目 2022年度绩效评价",
        "subject": "三亚市吉阳区人力资源和社会保障局",
        "fiscal_year": 2022,
        "kind": "project",
        "evaluator": "大华会计师事务所（特殊普通合伙）海南分所",
        "total_weight": "100",
    },
    "indicators": [
        {"code": "2", "name": "项目过程", "weight": "20"},
        {"code": "2.1", "parent": "2", "name": "资金管理", "weight": "20"},
        {
            "code": "2.1.2",
            "parent": "2.1",
            "name": "预算执行率",
            "weight": 2,
            "method": "ratio",
            "numerator": "实际支出资金",
            "denominator": "实际到位资金",
        },
        {
            "code": "2.1.3",
            "parent": "2.1",
            "name": "资金使用合规性",
            "weight": "18",
            "method": "deduction",
        },
    ],
    "data_entries": [{"key": "实际支出资金", "value": 84.28, "unit": "万元"}],
    "actions": [
        {"indicator": "2.1.3", "action": "deduct", "points": "1", "reason": "支出依据不合规"}
    ],
    "expected": {"leaves": {"2.1.2": "0.73"}},
}


def test_fixture_json_is_validated_and_returned_with_decimals_as_strings() -> None:
    result = parse_sheet(json.dumps(FIXTURE, ensure_ascii=False).encode(), "case.json")

    assert result["about"] == FIXTURE["about"]
    assert result["indicators"] == FIXTURE["indicators"]
    assert result["data_entries"] == [{"key": "实际支出资金", "value": "84.28", "unit": "万元"}]
    assert result["expected"] == FIXTURE["expected"]


def test_fixture_json_takes_defaults_over_its_evaluation() -> None:
    result = parse_sheet(json.dumps(FIXTURE).encode(), "case.json", {"evaluator": "财政局"})

    assert result["evaluation"]["evaluator"] == "财政局"
    assert result["evaluation"]["subject"] == FIXTURE["evaluation"]["subject"]


def test_fixture_json_problems_name_the_field() -> None:
    broken = json.loads(json.dumps(FIXTURE))
    broken["indicators"][2]["weight"] = "两分"
    broken["indicators"][3]["parent"] = "9"
    broken["actions"][0]["indicator"] = "7.7.7"
    broken["actions"].append(
        {"indicator": "2.1.3", "action": "deduct", "points": "0", "reason": ""}
    )

    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(json.dumps(broken).encode(), "case.json")

    assert [e["column"] for e in excinfo.value.errors] == [
        "indicators[2].weight",
        "indicators[3].parent",
        "actions[0].indicator",
        "actions[1].points",
        "actions[1].reason",
    ]


def test_malformed_json_reports_the_line() -> None:
    with pytest.raises(SheetImportError) as excinfo:
        parse_sheet(b'{\n  "evaluation": {,\n}', "case.json")

    assert excinfo.value.errors[0]["row"] == 2
    assert "JSON" in excinfo.value.errors[0]["message"]


def test_format_is_chosen_by_content_not_by_name() -> None:
    from_xlsx = parse_sheet(xlsx(published_table()), "upload.csv")
    from_json = parse_sheet(json.dumps(FIXTURE).encode(), "upload.txt")

    assert by_code(from_xlsx)["1.1.1"]["name"] == "立项依据充分性"
    assert from_json["evaluation"]["fiscal_year"] == 2022
