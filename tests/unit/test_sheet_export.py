"""Exporting an evaluation document as xlsx, csv, html and json, and importing the sheets back."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from adapters.sheets import parse_sheet, to_csv, to_html, to_json, to_xlsx

# (code, name, weight, method, score) of the 2022 incubator evaluation, as its report has them.
REFERENCE = [
    ("1", "项目决策", "20.00", None, "20.00"),
    ("1.1", "项目立项", "6.00", None, "6.00"),
    ("1.1.1", "立项依据充分性", "3.00", "checklist", "3.00"),
    ("1.1.2", "立项程序规范性", "3.00", "checklist", "3.00"),
    ("1.2", "绩效目标", "7.00", None, "7.00"),
    ("1.2.1", "绩效目标合理性", "4.00", "checklist", "4.00"),
    ("1.2.2", "绩效指标明确性", "3.00", "checklist", "3.00"),
    ("1.3", "资金投入", "7.00", None, "7.00"),
    ("1.3.1", "预算编制科学性", "4.00", "checklist", "4.00"),
    ("1.3.2", "资金分配合理性", "3.00", "checklist", "3.00"),
    ("2", "项目过程", "20.00", None, "17.73"),
    ("2.1", "资金管理", "10.00", None, "8.73"),
    ("2.1.1", "资金到位率", "2.00", "ratio", "2.00"),
    ("2.1.2", "预算执行率", "2.00", "ratio", "0.73"),
    ("2.1.3", "资金使用合规性", "6.00", "deduction", "6.00"),
    ("2.2", "组织实施", "10.00", None, "9.00"),
    ("2.2.1", "管理制度健全性", "2.00", "checklist", "2.00"),
    ("2.2.2", "制度执行有效性", "8.00", "deduction", "7.00"),
    ("3", "项目产出", "28.00", None, "22.00"),
    ("3.1", "产出数量", "7.00", None, "5.00"),
    ("3.1.1", "实际完成率", "7.00", "deduction", "5.00"),
    ("3.2", "产出质量", "7.00", None, "5.00"),
    ("3.2.1", "质量达标率", "7.00", "deduction", "5.00"),
    ("3.3", "产出时效", "7.00", None, "5.00"),
    ("3.3.1", "按计划完成率", "7.00", "deduction", "5.00"),
    ("3.4", "产出成本", "7.00", None, "7.00"),
    ("3.4.1", "不高于预算数", "7.00", "deduction", "7.00"),
    ("4", "项目效益", "32.00", None, "28.93"),
    ("4.1", "经济效益", "8.00", None, "6.00"),
    ("4.1.1", "有效带动周围地区的收入", "8.00", "deduction", "6.00"),
    ("4.2", "社会效益", "8.00", None, "8.00"),
    ("4.2.1", "改善创业环境，提高人民生活质量", "8.00", "deduction", "8.00"),
    ("4.3", "可持续影响", "8.00", None, "8.00"),
    ("4.3.1", "推进本地区创业基础条件的发展", "8.00", "deduction", "8.00"),
    ("4.4", "满意度", "8.00", None, "6.93"),
    ("4.4.1", "受益对象满意度", "8.00", "manual", "6.93"),
]
DEDUCTIONS: dict[str, list[tuple[str, str, str, str | None]]] = {
    "2.2.2": [("1.00", "未能对项目运营进行有效监管。", "active", "年度运营考核结果（76.20分）")],
    "3.1.1": [
        ("2.00", "主要运营指标完成率30%（计划20场，完成6场）。", "active", "创业服务活动完成情况表")
    ],
    "3.2.1": [("2.00", "年度运营考核未达到预期目标。", "active", None)],
    "3.3.1": [("2.00", "主要运营指标未按计划完成。", "active", None)],
    "3.4.1": [("1.00", "成本超支（经复核不成立）。", "withdrawn", "支出明细")],
    "4.1.1": [("2.00", "从业人员未达到预定目标。", "active", "年度工作指标完成情况表")],
}


def rate(score: str | None, weight: str) -> str | None:
    if score is None or Decimal(weight) == 0:
        return None
    return str((Decimal(score) / Decimal(weight) * 100).quantize(Decimal("0.01")))


def indicator(
    code: str, name: str, weight: str, method: str | None, score: str | None
) -> dict[str, Any]:
    return {
        "code": code,
        "parent": code.rsplit(".", 1)[0] if "." in code else None,
        "name": name,
        "level": code.count(".") + 1,
        "weight": weight,
        "method": method,
        "explanation": None,
        "criteria": None,
        "score": score,
        "rate": rate(score, weight),
        "rule_score": score if method else None,
        "overridden": False,
        "override_justification": None,
        "deductions": [
            {
                "id": f"d-{code}-{number}",
                "points": points,
                "reason": reason,
                "status": status,
                "evidence": [{"title": title, "locator": None, "sha256": None}] if title else [],
            }
            for number, (points, reason, status, title) in enumerate(DEDUCTIONS.get(code, []))
        ],
    }


def reference_document() -> dict[str, Any]:
    indicators = [indicator(*row) for row in REFERENCE]
    manual = next(i for i in indicators if i["code"] == "4.4.1")
    manual["override_justification"] = "发放问卷30份，满意度86.67%，得分＝86.67%×8。"
    manual["explanation"] = "项目预期服务对象对项目实施的满意程度。"
    manual["criteria"] = "满意度=∑样本数×设定分值/总样本数×100%；得分＝满意度×权重分值。"
    return {
        "id": "5a0c6f4e-8d7b-4f53-9a51-0d2d3c8f1a10",
        "title": "创业孵化基地运营项目 2022年度绩效评价",
        "subject": "三亚市吉阳区人力资源和社会保障局",
        "fiscal_year": 2022,
        "kind": "project",
        "evaluator": "大华会计师事务所（特殊普通合伙）海南分所",
        "status": "finalized",
        "version": 42,
        "total_weight": "100.00",
        "total": "88.66",
        "grade": "良",
        "indicators": indicators,
    }


def override(doc: dict[str, Any], code: str, score: str, justification: str) -> dict[str, Any]:
    target = next(i for i in doc["indicators"] if i["code"] == code)
    target.update(
        score=score,
        rate=rate(score, target["weight"]),
        overridden=True,
        override_justification=justification,
    )
    return doc


def replayed(result: dict[str, Any]) -> dict[str, Decimal | None]:
    """Each leaf's score once the imported actions are replayed (as the service would)."""
    parents = {i.get("parent") for i in result["indicators"]}
    leaves = {i["code"]: i for i in result["indicators"] if i["code"] not in parents}
    scores: dict[str, Decimal | None] = {
        code: Decimal(leaf["weight"]) if leaf["method"] == "deduction" else None
        for code, leaf in leaves.items()
    }
    for action in result["actions"]:
        code = action["indicator"]
        if action["action"] == "deduct":
            scores[code] = Decimal(leaves[code]["weight"]) - Decimal(action["points"])
        else:
            scores[code] = Decimal(action["score"])
    return scores


def leaf_scores(doc: dict[str, Any]) -> dict[str, Decimal | None]:
    parents = {i["parent"] for i in doc["indicators"]}
    return {
        i["code"]: None if i["score"] is None else Decimal(i["score"])
        for i in doc["indicators"]
        if i["code"] not in parents
    }


def weights(indicators: list[dict[str, Any]]) -> dict[str, Decimal]:
    return {i["code"]: Decimal(i["weight"]) for i in indicators}


def sheet_rows(data: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def header_index(rows: list[list[Any]]) -> int:
    return next(index for index, row in enumerate(rows) if row[0] == "一级指标")


# --- xlsx -------------------------------------------------------------------------------------


def test_xlsx_round_trip_gives_the_same_weights_and_leaf_scores() -> None:
    doc = reference_document()

    result = parse_sheet(to_xlsx(doc), "export.xlsx")

    assert weights(result["indicators"]) == weights(doc["indicators"])
    assert replayed(result) == leaf_scores(doc)
    assert replayed(result)["2.1.2"] == Decimal("0.73")
    assert replayed(result)["4.4.1"] == Decimal("6.93")
    assert {i["code"]: i.get("method") for i in result["indicators"]} == {
        i["code"]: i["method"] for i in doc["indicators"]
    }


def test_xlsx_round_trip_keeps_the_evaluation_header() -> None:
    result = parse_sheet(to_xlsx(reference_document()), "export.xlsx")

    assert result["evaluation"] == {
        "title": "创业孵化基地运营项目 2022年度绩效评价",
        "subject": "三亚市吉阳区人力资源和社会保障局",
        "fiscal_year": 2022,
        "kind": "project",
        "evaluator": "大华会计师事务所（特殊普通合伙）海南分所",
        "total_weight": "100.00",
        "reported_total": "88.66",
    }


def test_xlsx_round_trip_carries_deduction_reasons_and_parent_codes() -> None:
    result = parse_sheet(to_xlsx(reference_document()), "export.xlsx")

    actions = {a["indicator"]: a for a in result["actions"]}
    assert actions["2.2.2"] == {
        "indicator": "2.2.2",
        "action": "deduct",
        "points": "1.00",
        "reason": "未能对项目运营进行有效监管。",
    }
    assert "3.4.1" not in actions  # its only deduction was withdrawn
    assert [i.get("parent") for i in result["indicators"][:3]] == [None, "1", "1.1"]


def test_xlsx_has_a_bold_chinese_header_row_that_stays_frozen() -> None:
    data = to_xlsx(reference_document())
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    rows = sheet_rows(data)
    header = header_index(rows) + 1

    assert rows[header - 1][:7] == [
        "一级指标",
        "二级指标",
        "三级指标",
        "编码",
        "分值",
        "得分",
        "得分率(%)",
    ]
    assert rows[header - 1][7:] == [
        "方法",
        "指标解释",
        "评分标准",
        "评价过程",
        "规则得分",
        "调整说明",
        "扣分明细",
    ]
    assert all(cell.font.bold for cell in sheet[header])
    assert sheet.freeze_panes == f"A{header + 1}"
    assert sheet.print_title_rows == f"${header}:${header}"
    assert rows[0][0] == "创业孵化基地运营项目 2022年度绩效评价"


def test_xlsx_merges_group_names_over_their_rows() -> None:
    data = to_xlsx(reference_document())
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    first = header_index(sheet_rows(data)) + 2  # the first indicator row, 1-based

    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    # 项目决策 and its 9 descendants; 项目立项 and its 2 leaves; 项目过程's 8 rows start after them
    assert f"A{first}:A{first + 9}" in merged
    assert f"B{first + 1}:B{first + 3}" in merged
    assert f"A{first + 10}:A{first + 17}" in merged
    assert sheet.cell(first, 1).value == "项目决策"
    assert sheet.cell(first + 1, 2).value == "项目立项"


def test_xlsx_columns_have_widths_and_wrapped_text() -> None:
    data = to_xlsx(reference_document())
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    first = header_index(sheet_rows(data)) + 2

    assert sheet.column_dimensions["A"].width == 16
    assert sheet.column_dimensions["J"].width == 36  # 评分标准
    assert sheet.cell(first, 10).alignment.wrap_text
    assert sheet.cell(first, 5).number_format == "0.00"


def test_xlsx_lists_active_and_withdrawn_deductions_with_evidence() -> None:
    rows = sheet_rows(to_xlsx(reference_document()))
    header = rows[header_index(rows)]
    by_code = {row[header.index("编码")]: row for row in rows}

    assert by_code["3.1.1"][header.index("扣分明细")] == (
        "扣 2.00 分（有效）：主要运营指标完成率30%（计划20场，完成6场）。"
        "〔佐证：创业服务活动完成情况表〕"
    )
    assert by_code["3.4.1"][header.index("扣分明细")] == (
        "扣 1.00 分（已撤回）：成本超支（经复核不成立）。〔佐证：支出明细〕"
    )
    assert by_code["3.4.1"][header.index("得分")] == 7


def test_xlsx_shows_the_rule_score_beside_an_override_and_imports_the_override() -> None:
    doc = override(reference_document(), "2.1.2", "1.50", "资金拨付滞后系财政原因，酌情调整。")
    data = to_xlsx(doc)
    rows = sheet_rows(data)
    header = rows[header_index(rows)]
    row = next(r for r in rows if r[header.index("编码")] == "2.1.2")

    assert row[header.index("规则得分")] == 0.73
    assert row[header.index("得分")] == 1.5
    assert row[header.index("调整说明")] == "资金拨付滞后系财政原因，酌情调整。"
    imported = parse_sheet(data, "export.xlsx")
    assert {"indicator": "2.1.2", "action": "score", "score": "1.50"}.items() <= next(
        a for a in imported["actions"] if a["indicator"] == "2.1.2"
    ).items()


def test_formula_like_text_stays_text_in_xlsx_and_csv() -> None:
    doc = reference_document()
    doc["indicators"][0]["name"] = '=HYPERLINK("http://example.invalid")'

    sheet = load_workbook(io.BytesIO(to_xlsx(doc))).active
    assert sheet is not None
    cell = next(
        c for row in sheet.iter_rows() for c in row if c.value == doc["indicators"][0]["name"]
    )
    assert cell.data_type == "s"
    assert "'=HYPERLINK" in to_csv(doc)
    assert (
        parse_sheet(to_csv(doc).encode(), "x.csv")["indicators"][0]["name"]
        == doc["indicators"][0]["name"]
    )


def test_unscored_evaluation_exports_and_shows_no_total() -> None:
    doc = reference_document()
    doc.update(total=None, grade=None, status="draft")
    for item in doc["indicators"]:
        item.update(score=None, rate=None, deductions=[])

    rows = sheet_rows(to_xlsx(doc))

    assert rows[-1][0] == "合计"
    assert rows[-1][5] is None
    assert "总分：未评分" in rows[2][0]
    assert "状态：草稿" in rows[2][0]


# --- csv --------------------------------------------------------------------------------------


def test_csv_round_trip_gives_the_same_weights_and_leaf_scores() -> None:
    doc = reference_document()

    result = parse_sheet(("\ufeff" + to_csv(doc)).encode("utf-8"), "export.csv")

    assert weights(result["indicators"]) == weights(doc["indicators"])
    assert replayed(result) == leaf_scores(doc)
    assert result["evaluation"]["reported_total"] == "88.66"


def test_csv_repeats_group_names_and_puts_the_header_fields_first() -> None:
    rows = list(csv.reader(io.StringIO(to_csv(reference_document()))))

    assert rows[0] == ["创业孵化基地运营项目 2022年度绩效评价"]
    assert rows[1] == [
        "被评价单位：三亚市吉阳区人力资源和社会保障局；评价年度：2022；评价类型：项目支出绩效评价；"
        "评价机构：大华会计师事务所（特殊普通合伙）海南分所"
    ]
    assert rows[2] == ["状态：已定稿；版本：42；总分：88.66（满分 100.00）；等级：良"]
    assert rows[3][:6] == ["一级指标", "二级指标", "三级指标", "编码", "分值", "得分"]
    assert rows[5][:9] == ["项目决策", "项目立项", "", "1.1", "6.00", "6.00", "100.00", "", ""]
    assert rows[-1][:7] == ["合计", "", "", "", "100.00", "88.66", "88.66"]


# --- html -------------------------------------------------------------------------------------


def test_html_is_one_self_contained_page_with_every_text_escaped() -> None:
    doc = reference_document()
    doc["indicators"][2]["name"] = "<script>alert(1)</script>"
    doc["indicators"][17]["deductions"][0]["reason"] = 'a "quoted" <b>reason</b> & more'

    page = to_html(doc)

    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a &quot;quoted&quot; &lt;b&gt;reason&lt;/b&gt; &amp; more" in page
    for external in ("<link", "src=", "href=", "url(", "@import", "http:", "https:"):
        assert external not in page


def test_html_has_print_css_for_a4_with_repeated_header_and_unbroken_rows() -> None:
    page = to_html(reference_document())

    assert "@page { size: A4" in page
    assert "thead { display: table-header-group; }" in page
    assert "break-inside: avoid" in page
    assert "page-break-inside: avoid" in page


def test_html_shows_header_fields_scores_and_deductions() -> None:
    doc = override(reference_document(), "2.1.2", "1.50", "酌情调整")
    doc["as_of"] = "2023-06-30T08:00:00+00:00"

    page = to_html(doc)

    for text in (
        "三亚市吉阳区人力资源和社会保障局",
        "已定稿",
        "88.66",
        "等级：良",
        "2023-06-30T08:00:00+00:00",
    ):
        assert text in page
    assert "规则得分 0.73，记录 1.50：酌情调整" in page
    assert re.search(r'class="deduction withdrawn">扣 1.00 分（已撤回）', page)
    assert "佐证：年度运营考核结果（76.20分）" in page
    assert page.count("<tr class=") == len(REFERENCE) + 1  # every indicator and the total


# --- json -------------------------------------------------------------------------------------


def test_json_is_indented_and_keeps_chinese_text_readable() -> None:
    doc = reference_document()

    text = to_json(doc)

    assert json.loads(text) == doc
    assert "三亚市吉阳区人力资源和社会保障局" in text
    assert '\n  "title": ' in text


def test_json_turns_decimals_into_decimal_strings() -> None:
    assert json.loads(to_json({"total": Decimal("88.66")})) == {"total": "88.66"}


# --- any tree survives a round trip -----------------------------------------------------------

WORDS = ["项目", "资金", "预算执行率", "满意度", "产出", "Quality", "质量达标率", "效益"]
METHODS = ["deduction", "checklist", "ratio", "manual", "survey"]
CENTS = st.integers(min_value=0, max_value=2000).map(lambda cents: Decimal(cents) / 100)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    indicators: list[dict[str, Any]] = []

    def add(code: str, depth: int) -> Decimal:
        name = f"{draw(st.sampled_from(WORDS))}{code}"
        position = len(indicators)
        indicators.append({})
        children = draw(st.integers(min_value=0, max_value=3)) if depth < 3 else 0
        if children:
            weight = sum(
                (add(f"{code}.{n}", depth + 1) for n in range(1, children + 1)), Decimal(0)
            )
            method, score = None, None
        else:
            weight = draw(CENTS)
            method = draw(st.sampled_from(METHODS))
            scored = method == "deduction" or draw(st.booleans())
            score = draw(CENTS.filter(lambda s: s <= weight)) if scored else None
        indicators[position] = indicator(
            code, name, f"{weight:.2f}", method, None if score is None else f"{score:.2f}"
        )
        return weight

    total = sum((add(str(n), 1) for n in range(1, draw(st.integers(1, 4)) + 1)), Decimal(0))
    return {
        "title": "随机评价",
        "subject": "某单位",
        "fiscal_year": 2024,
        "kind": "project",
        "evaluator": None,
        "status": "draft",
        "version": 1,
        "total_weight": f"{total:.2f}",
        "total": None,
        "grade": None,
        "indicators": indicators,
    }


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents())
def test_any_tree_round_trips_with_the_same_weights_and_scores(
    fmt: str, doc: dict[str, Any]
) -> None:
    data = to_xlsx(doc) if fmt == "xlsx" else to_csv(doc).encode()

    result = parse_sheet(data, f"export.{fmt}")

    assert weights(result["indicators"]) == weights(doc["indicators"])
    assert replayed(result) == leaf_scores(doc)


def test_control_characters_stored_earlier_do_not_break_the_xlsx_export() -> None:
    doc = reference_document()
    doc["title"] = "项目\x07评价"
    doc["indicators"][-1]["note"] = "说明\x00\x1b结束"
    rows = sheet_rows(to_xlsx(doc))
    shown = [str(v) for row in rows for v in row if v is not None]
    assert any("项目\ufffd评价" in v for v in shown)
