"""Score sheets the tests generate: xlsx workbooks (openpyxl) and multipart uploads of them."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

HEADER = ["一级指标", "二级指标", "三级指标", "分值", "方法", "评价过程", "得分"]
HEADER_FIELDS = {"subject": "某区人社局", "fiscal_year": "2022", "kind": "project"}


def xlsx(
    rows: Sequence[Sequence[Any]], *, merges: Sequence[str] = (), title: str = "评分表"
) -> bytes:
    """A workbook whose only sheet holds `rows`, with the given cell ranges merged."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def merged_table() -> list[list[Any]]:
    """A published annex layout: title, labelled header fields, 一级/二级 merged over their rows.

    Leaf scores 3 + 3 + 4 + 0.73 + 6 + 7 = 23.73; the 合计 row reports the same.
    """
    return [
        ["某项目2022年度绩效评价指标评分表"],
        ["被评价单位：某区人社局；评价年度：2022；评价类型：project"],
        HEADER,
        ["项目决策", "项目立项", "立项依据充分性", 3, "清单", "立项符合政策", 3],
        [None, None, "立项程序规范性", 3, "清单", "程序规范", 3],
        [None, "绩效目标", "绩效目标合理性", 4, "手工", "目标合理", 4],
        ["项目过程", "资金管理", "预算执行率", 2, "比率", "执行率36.74%", 0.73],
        [None, None, "资金使用合规性", 6, "扣分", None, 6],
        [None, "组织实施", "制度执行有效性", 8, "扣分", "未能对项目运营进行有效监管", 7],
        ["合计", None, None, 26, None, None, 23.73],
    ]


MERGES = ("A4:A6", "B4:B5", "A7:A9", "B7:B8")

# code → the sheet's 得分 in merged_table()
MERGED_SCORES = {
    "1.1.1": "3.00",
    "1.1.2": "3.00",
    "1.2.1": "4.00",
    "2.1.1": "0.73",
    "2.1.2": "6.00",
    "2.2.1": "7.00",
}


def upload(data: bytes, filename: str, **fields: Any) -> dict[str, Any]:
    """A multipart form body for the Flask test client."""
    return {"file": (io.BytesIO(data), filename), **fields}
