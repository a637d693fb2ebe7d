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


# --- the national 项目支出绩效自评表 (财预〔2020〕10号 annex), columns A-J -----------------------
NATIONAL_HEADER_ROW = 12  # 绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | …


def national_rows() -> list[list[Any]]:
    """The annex as printed: title, year, 项目名称, 主管部门 / 实施单位, 项目资金（万元） with its
    分值 10, 年度总体目标, the indicator table (产出 50 / 效益 30 / 满意度 10) and 总分.

    The figures are consistent: 119.76 of 120 executed prints 执行率 99.80% and 得分 9.98; the
    table's printed 得分 add to 86, and 总分 prints 95.98.
    """
    gap: list[Any] = [None] * 3  # B:E merged, F:J merged
    return [
        ["项目支出绩效自评表"],
        ["（2023年度）"],
        ["项目名称", "社区文化惠民服务项目"],
        ["主管部门", "某区文化和旅游局", *[None] * 3, "实施单位", "某区文化馆"],
        ["项目资金（万元）", None, None, "年初预算数", "全年预算数", "全年执行数", "分值",
         "执行率", "得分"],
        [None, "年度资金总额", None, 100, 120, 119.76, 10, "99.80%", 9.98],
        [None, "其中：当年财政拨款", None, 100, 110, 109.76, "—", "99.78%", "—"],
        [None, "上年结转资金", None, None, 10, 10, "—", "100%", "—"],
        [None, "其他资金", None, None, None, None, "—", None, "—"],
        ["年度总体目标", "预期目标", *gap, "实际完成情况"],
        [None, "全年开展文化惠民演出不少于20场，引进“双创”企业10家，群众满意度达到90%以上。",
         *gap, "全年开展演出24场，引进“双创”企业8家，群众满意度93%。"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值",
         "得分", "偏差原因分析及改进措施"],
        [None, "产出指标", "数量指标", "演出场次", "≥20场次", "24场次", 15, 15],
        [None, None, None, "引进企业数", "引进“双创”企业10家", "8家", 10, 8,
         "两家企业推迟入驻，下年度跟进落实"],
        [None, None, "质量指标", "演出合格率", "100%", "100%", 15, 15],
        [None, None, "成本指标", "单场演出成本", "≤4.74万元", "4.5万元", 10, 10],
        [None, "效益指标", "社会效益指标", "群众参与人次", "≥6万人次", "5.4万人次", 20, 18,
         "部分场次因天气取消，明年增加室内场次"],
        [None, None, "可持续影响指标", "文化服务长效机制", "逐步完善", "达成", 10, 10],
        [None, "满意度指标", "服务对象满意度指标", "群众满意度", "群众满意度≥90%", "93%", 10, 10],
        ["总分", *[None] * 5, 100, 95.98],
    ]  # fmt: skip


NATIONAL_MERGES = (
    "A1:J1", "A2:J2", "B3:J3", "B4:E4", "G4:J4",
    "A5:A9", "B5:C5", "B6:C6", "B7:C7", "B8:C8", "B9:C9",
    "A10:A11", "B10:E10", "F10:J10", "B11:E11", "F11:J11",
    "I12:J12", "A12:A19", "B13:B16", "C13:C14", "B17:B18", "A20:F20",
)  # fmt: skip


def national_form(rows: list[list[Any]] | None = None) -> bytes:
    """The national form as an xlsx workbook (merged as the annex prints it)."""
    return xlsx(national_rows() if rows is None else rows, merges=NATIONAL_MERGES, title="自评表")


# --- the 部门整体支出绩效自评表, columns A-J --------------------------------------------------
def department_rows() -> list[list[Any]]:
    """The department-overall form: title, year, basic facts, 收入 (合计 with 分值 10) and 支出
    tables, 年度总体目标, the indicator table (qualitative and quantitative targets) and 总分.

    收入 executes 1140 of 1200 (95.00%, 得分 9.5); the 支出 合计 executes the same 1140.
    """
    gap: list[Any] = [None] * 3
    return [
        ["部门整体支出绩效自评表"],
        ["（2023年度）"],
        ["部门（单位）名称", "某区教育局", *[None] * 3, "联系人", "张明"],
        ["基本情况", "人员编制", 120, "实有人数", 115, "联系电话", "010-62345678"],
        ["收入（万元）", None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率",
         "得分"],
        [None, "合计", None, 1000, 1200, 1140, 10, "95.00%", 9.5],
        [None, "财政拨款", None, 900, 1100, 1045, "—", "95.00%", "—"],
        [None, "其他资金", None, 100, 100, 95, "—", "95.00%", "—"],
        ["支出（万元）", None, None, "年初预算数", "全年预算数", "全年执行数"],
        [None, "合计", None, 1000, 1200, 1140],
        [None, "基本支出", None, 700, 750, 745],
        [None, "项目支出", None, 300, 450, 395],
        ["年度总体目标", "预期目标", *gap, "实际完成情况"],
        [None, "保障全区30所以上学校正常运转，入学率不低于98%，家长满意度90%以上。", *gap,
         "保障32所学校运转，入学率98.5%，家长满意度85%。"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值",
         "得分", "偏差原因分析及改进措施"],
        [None, "产出指标", "数量指标", "保障学校数", "≥30所", "32所", 20, 20],
        [None, None, "质量指标", "办学条件达标", "达成", "达成", 20, 20],
        [None, None, "时效指标", "经费按时拨付率", "100%", "100%", 10, 10],
        [None, "效益指标", "社会效益指标", "适龄儿童入学率", "≥98%", "98.5%", 20, 20],
        [None, None, "可持续影响指标", "教育经费保障机制", "逐步完善", "达成", 10, 10],
        [None, "满意度指标", "服务对象满意度指标", "家长满意度", "≥90%", "85%", 10, 9.44,
         "部分学校课后服务不足，明年增加课后服务"],
        ["总分", *[None] * 5, 100, 98.94],
    ]  # fmt: skip


def department_form(rows: list[list[Any]] | None = None) -> bytes:
    """The department-overall form as an xlsx workbook."""
    return xlsx(department_rows() if rows is None else rows, merges=("A1:J1", "A2:J2"))
