"""Chinese labels for the kinds, statuses and outcomes a report shows."""

from __future__ import annotations

KINDS = {
    "project": "项目支出绩效评价",
    "department": "部门整体支出绩效评价",
    "policy": "政策绩效评价",
    "fund": "专项资金绩效评价",
    "program": "项目绩效评价",
    "self-evaluation": "绩效自评",
    "self": "绩效自评",
}
EVALUATION_STATUS = {"draft": "草稿", "submitted": "已提交", "finalized": "已定稿"}
DEDUCTION_STATUS = {"active": "有效", "withdrawn": "已撤回"}
DISPUTE_STATUS = {"open": "待裁定", "decided": "已裁定"}
DISPUTE_TARGET = {"deduction": "扣分", "score": "得分"}
OUTCOMES = {"upheld": "维持", "overturned": "撤销", "amended": "变更"}
NOTE_STATUS = {"open": "待处理", "resolved": "已解决"}
ROLES = {
    "evaluator": "评价人员",
    "reviewer": "复核人员",
    "subject": "被评价单位",
    "auditor": "审计人员",
    "admin": "管理员",
}
FINDINGS = {
    "override_differs": "人工调整得分与规则得分不一致",
    "reported_figure_differs": "报告数与重算结果不一致",
    "total_differs": "总分与各项合计不一致",
    "parent_sum_differs": "上级指标得分与下级合计不一致",
    "data_corrected_after_use": "数据在使用后被更正",
}
SIGN_OFF_STATUS = {"current": "有效", "stale": "已失效"}


def kind_code(value: object) -> object:
    """A kind as a sheet prints it (项目支出绩效评价) read back as its code (project)."""
    for code, text in KINDS.items():
        if value == text:
            return code
    return value


def label(table: dict[str, str], value: object) -> str:
    """The Chinese label of a code, or the code itself when it has none."""
    if value is None or value == "":
        return ""
    return table.get(str(value), str(value))
