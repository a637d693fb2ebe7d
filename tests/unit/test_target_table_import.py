"""A printed target table (xlsx or CSV) reads into indicators with targets and their values."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from adapters.sheets.errors import SheetImportError
from adapters.sheets.target_table import looks_like_target_table, parse_target_table

HEADER = [
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "年中监控值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因",
    "改进措施",
]


def workbook(rows: list[list[object]], merges: tuple[str, ...] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["2025年度社区文化服务项目绩效自评表"])
    sheet.append(["主管部门：某区文化和旅游局"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ROWS: list[list[object]] = [
    ["产出指标", "数量指标", "演出场次", "≥20场次", 9, "24场次", 20, 20, None, None],
    [
        None,
        "质量指标",
        "观众满意率",
        "≥ 85%",
        None,
        "82%",
        20,
        19.29,
        "部分场次音响故障",
        "更换设备",
    ],
    [None, "成本指标", "单场成本", "≤4.74万元", None, 4.5, 20, 20, None, None],
    ["效益指标", "社会效益", "群众文化生活", "有效提升", None, "达成", 20, 18, None, None],
    [
        None,
        "可持续影响",
        "长效机制",
        "2025年全年",
        None,
        "部分达成",
        20,
        15,
        "制度未出台",
        "年内出台",
    ],
    ["合计", None, None, None, None, None, 100, 92.29, None, None],
]


def test_merged_target_table_imports_indicators_targets_and_values() -> None:
    data = workbook(ROWS, merges=("A4:A6", "A7:A8"))
    assert looks_like_target_table(data, "form.xlsx")
    spec = parse_target_table(data, "form.xlsx")
    leaves = {i["name"]: i for i in spec["indicators"] if i.get("method") == "target"}
    assert leaves["演出场次"]["target"] == "≥20场次"
    assert leaves["单场成本"]["parent"] == next(
        i["code"] for i in spec["indicators"] if i["name"] == "成本指标"
    )
    roots = [i for i in spec["indicators"] if "parent" not in i]
    assert [(r["name"], r["weight"]) for r in roots] == [
        ("产出指标", "60.00"),
        ("效益指标", "40.00"),
    ]
    values = spec["target_values"]
    monitored = [v for v in values if v["stage"] == "monitored"]
    assert monitored == [
        {
            "indicator": leaves["演出场次"]["code"],
            "stage": "monitored",
            "source": "导入",
            "value": "9",
        }
    ]
    satisfaction = next(v for v in values if v["indicator"] == leaves["观众满意率"]["code"])
    assert (satisfaction["value"], satisfaction["deviation_reason"]) == (
        "82",
        "部分场次音响故障",
    )
    mechanism = next(v for v in values if v["indicator"] == leaves["长效机制"]["code"])
    assert (mechanism["outcome"], mechanism["score"]) == ("partial", "15.00")
    assert spec["evaluation"]["fiscal_year"] == 2025
    assert spec["evaluation"]["subject"] == "某区文化和旅游局"
    assert spec["evaluation"]["reported_total"] == "92.29"


def test_csv_target_table_is_read_the_same_way() -> None:
    text = (
        ",".join(HEADER) + "\n产出指标,数量指标,培训人次,不少于500人次,,520,50,50,,\n"
        "效益指标,满意度,满意率,≥90%,,95%,50,50,,\n"
    )
    spec = parse_target_table(text.encode("utf-8"), "form.csv")
    assert [v["value"] for v in spec["target_values"]] == ["520", "95"]


def test_every_bad_row_is_reported_with_its_row_number_and_nothing_is_returned() -> None:
    rows: list[list[object]] = [
        ["产出指标", "数量指标", "演出场次", "≥二十场", None, "24", 20, None, None, None],
        [None, "质量指标", "满意率", "≥85%", None, "很好", 20, None, None, None],
        [None, "成本指标", "单场成本", "≤4.74万元", None, 4.5, None, None, None, None],
    ]
    with pytest.raises(SheetImportError) as caught:
        parse_target_table(workbook(rows, merges=("A4:A6",)), "form.xlsx")
    rows_named = sorted(e["row"] for e in caught.value.errors if e["row"])
    assert rows_named == [4, 5, 6]
    assert any("≥二十场" in e["message"] for e in caught.value.errors)


def test_a_score_table_without_a_target_column_is_not_a_target_table() -> None:
    text = "一级指标,二级指标,分值,得分\n决策,目标设定,10,9\n"
    assert not looks_like_target_table(text.encode("utf-8"), "scores.csv")


def test_bare_printed_numbers_read_as_floors_and_under_cost_as_ceilings() -> None:
    name = "引进“双创”企业10家"  # the name and the number share one text
    rows: list[list[object]] = [
        ["产出指标", "数量指标", name, name, None, 12, 50, 50, None, None],
        [None, "成本指标", "人均培训成本", "500元", None, 450, 50, 50, None, None],
        ["合计", None, None, None, None, None, 100, 100, None, None],
    ]  # fmt: skip
    # beating a bare number misses nothing: no deviation reason is asked of either row
    spec = parse_target_table(workbook(rows, merges=("A4:A5",)), "form.xlsx")
    finals = {v["indicator"]: v["value"] for v in spec["target_values"]}
    assert sorted(finals.values()) == ["12", "450"]
    assert all("deviation_reason" not in v for v in spec["target_values"])


def test_a_cost_row_over_its_bare_ceiling_needs_its_reasons() -> None:
    rows: list[list[object]] = [
        ["产出指标", "成本指标", "人均培训成本", "500元", None, 520, 100, 96.15, None, None],
        ["合计", None, None, None, None, None, 100, 96.15, None, None],
    ]
    with pytest.raises(SheetImportError) as refused:
        parse_target_table(workbook(rows), "form.xlsx")
    assert "偏差原因" in str(refused.value.errors)
