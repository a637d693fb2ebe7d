"""A printed target table (绩效自评表) as xlsx: recomputed, all or nothing, exported back."""

from __future__ import annotations

import io
import json
from typing import Any

from openpyxl import load_workbook

from tests.cases import target_case
from tests.conftest import Api
from tests.sheet_files import upload, xlsx

IMPORT = "/evaluations/import"
HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "年中监控值", "实际完成值",
          "分值", "得分", "偏差原因", "改进措施"]  # fmt: skip
# Rows 4-9 of the sheet; 一级 merged over its rows as printed forms do.
ROWS: list[list[Any]] = [
    ["产出指标", "数量指标", "送戏下乡场次", "≥120场", 58, "126场", 20, 20, None, None],
    [None, "质量指标", "演出合格率", "100%", None, "98%", 20, 19.6, "两场因雨中断", "完善雨天预案"],
    [None, "成本指标", "场均补助", "≤0.8万元", None, 0.75, 10, 10, None, None],
    ["效益指标", "社会效益", "惠及群众", "不少于6万人次", 2.8, "5.4", 20, 18,
     "部分乡镇场地受限", "提前协调场地"],
    [None, "可持续影响", "文化下乡长效机制", "逐步完善", None, "达成", 15, 14, None, None],
    ["满意度指标", "服务对象满意度", "观众满意度", "≥90%", None, "93%", 15, 15, None, None],
    ["合计", None, None, None, None, None, 100, 96.6, None, None],
]  # fmt: skip
MERGES = ("A4:A6", "A7:A8")


def workbook(rows: list[list[Any]]) -> bytes:
    return xlsx(
        [["2025年度送戏下乡项目绩效自评表"], ["主管部门：某市文化广电旅游局"], HEADER, *rows],
        merges=MERGES,
        title="绩效自评表",
    )


def post(api: Api, data: bytes, name: str = "自评表.xlsx") -> Any:
    return api.post(IMPORT, data=upload(data, name), content_type="multipart/form-data")


def test_a_target_table_imports_and_its_total_recomputes(api: Api) -> None:
    response = post(api, workbook(ROWS))
    assert response.status_code == 201, response.json
    assert (response.json["total"], response.json["grade"]) == ("96.60", "优")
    assert response.json["warnings"] == []  # every printed 得分 recomputes
    document = api.get(response.headers["Location"]).json
    assert (document["fiscal_year"], document["subject"]) == (2025, "某市文化广电旅游局")
    leaves = {i["name"]: i for i in document["indicators"] if i["method"] == "target"}
    assert leaves["惠及群众"]["score"] == "18.00"  # 5.4 / 6 × 20
    assert leaves["惠及群众"]["target"]["monitored"] == "2.8"
    assert leaves["演出合格率"]["target"]["deviation_reason"] == "两场因雨中断"
    assert leaves["文化下乡长效机制"]["target"]["outcome"] == "achieved"


def test_a_missed_target_without_reasons_is_refused_with_its_row(api: Api) -> None:
    rows = [list(r) for r in ROWS]
    rows[3][8] = rows[3][9] = None  # 惠及群众 missed, its reasons blanked (sheet row 7)
    rows[0][3] = "≥一百二十场"  # unreadable target, sheet row 4
    before = api.get("/evaluations").json["total"]
    response = post(api, workbook(rows))
    assert response.status_code == 422
    assert sorted(r["row"] for r in response.json["rows"]) == [4, 7]
    assert api.get("/evaluations").json["total"] == before


def test_the_exported_form_reads_back_to_the_same_scores(api: Api) -> None:
    first = post(api, workbook(ROWS))
    assert first.status_code == 201, first.json
    base = f"/evaluations/{first.json['id']}"
    signed = api.post(base + "/sign-offs", json={"capacity": "评价组组长", "opinion": "属实"})
    assert signed.status_code == 201, signed.json
    exported = api.get(base + "/report?format=xlsx")
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.data)).active
    assert sheet is not None
    texts = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert [
        "签字身份",
        "签字人",
        "职务/职称",
        "单位",
        "联系电话",
        "意见",
        "签字版本",
        "签字时间",
        "状态",
    ] in texts
    assert any(row[:3] == ["评价组组长", "alice", "属实"] for row in texts if len(row) >= 3)

    again = post(api, exported.data, "导出.xlsx")
    assert again.status_code == 201, again.json
    assert again.json["total"] == first.json["total"]


def test_a_fixture_with_a_refused_target_value_names_the_item(api: Api) -> None:
    case = target_case()
    case["target_values"].append({"indicator": "1.1", "stage": "final", "value": "18"})
    data = json.dumps(case, ensure_ascii=False).encode()
    response = post(api, data, "自评.json")
    assert response.status_code == 422
    (problem,) = response.json["rows"]
    assert problem["column"] == "target_values[2]"
    assert "reason" in problem["message"]
