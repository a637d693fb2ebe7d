"""The texts the system itself writes into events (a rescore's reason, a rule's note), in
Chinese for people; what a person typed passes through unchanged.

Events keep the text as recorded (replay gives the same bytes); pages and reports read it
through `chinese`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

STAGES = {"monitored": "年中监控值", "final": "全年实际完成值"}
# What each event is called where people read it (pages, reports, the history CSV).
EVENT_NAMES = {
    "Created": "创建评价",
    "FrameworkDefined": "定义指标体系",
    "DataEntryRecorded": "录入数据",
    "DeductionRecorded": "记录扣分",
    "DeductionWithdrawn": "撤回扣分",
    "ChecklistAssessed": "清单评定",
    "ScoreRecorded": "录入得分",
    "ScoreOverridden": "人工调整得分",
    "ScoreChanged": "分数变动",
    "SurveyRecorded": "录入问卷",
    "Submitted": "提交被评价单位",
    "Finalized": "定稿",
    "Reopened": "重新打开",
    "DisputeRaised": "提出异议",
    "DisputeDecided": "裁定异议",
    "NoteAdded": "添加复核意见",
    "NoteResolved": "处理复核意见",
    "ReportedFigureRecorded": "登记报告数值",
    "TargetValueRecorded": "填报指标值",
    "SignOffsRequired": "设定签字要求",
    "SignedOff": "签字",
    "FormFilled": "填写自评表基本信息",
    "FormCorrected": "更正自评表基本信息",
    "FundsRecorded": "录入项目资金",
    "FundsCorrected": "更正项目资金",
    "EvidenceAttached": "上传佐证材料",
    "DeductionAmended": "变更扣分",
    "OverrideCleared": "撤销人工调整",
    "LeafInputRecorded": "录入评分数据",
}

Catalogue = tuple[tuple[re.Pattern[str], str], ...]


def catalogue(pairs: Iterable[tuple[str, str]]) -> Catalogue:
    """(English pattern over the whole text, Chinese with the groups in order), compiled."""
    return tuple((re.compile(pattern + r"\Z", re.S), chinese) for pattern, chinese in pairs)


PATTERNS = catalogue(
    (
        (r"framework defined", "定义指标体系"),
        (r"data entry (.+) = (\S+)", "记录数据 {0} = {1}"),
        (r"checklist not assessed yet", "清单尚未评估"),
        (r"score not recorded yet", "尚未记录得分"),
        (r"survey tallies not recorded yet", "尚未录入问卷统计"),
        (r"survey tallies recorded \((\d+) respondents\)", "录入问卷统计（{0} 份有效问卷）"),
        (r"missing data entries: (.+)", "缺少数据：{0}"),
        (r"denominator (.+) is 0: score set to 0", "分母 {0} 为 0，得分记为 0"),
        (r"final outcome not recorded yet", "尚未记录完成情况"),
        (r"final value not recorded yet", "尚未记录全年实际完成值"),
        (r"(monitored|final) value of (\S+): (.+)", "{0}：指标 {1} 为 {2}"),
        (r"(\w+) input recorded for (\S+)", "记录指标 {1} 的评分数据"),
        # why a document was answered from the events (adapters: document_seals, row_sources)
        (
            r"the stored score sheet does not match its seal: .+",
            "存储的评分表与其校验印章不符：读模型数据在系统之外被改动；所示数字已按事件重新计算。",
        ),
        (
            r"the stored score sheet stands at version (\d+) but the event chain ends at "
            r"version (\d+): .+",
            "存储的评分表停在版本 {0}，而事件链止于版本 {1}：读模型数据或事件被删除或从别处恢复；"
            "所示数字已按事件重新计算。",
        ),
        (
            r"a stored row of this past score sheet does not match its seal: (\S+) \((.+), "
            r"versions (\d+)(?:–| on)(\d*)\) .+",
            "此历史评分表的一条存储数据与其校验印章不符：{0}（{1}，版本 {2}–{3}）在系统之外被改动；"
            "所示数字已按事件重新计算。",
        ),
    )
)


# System texts that stand inside a longer one (a withdrawal's reason quoted in a step).
EMBEDDED = re.compile(r"dispute (\S+) (upheld|overturned|amended): ")
OUTCOMES = {"upheld": "维持原扣分", "overturned": "撤销扣分", "amended": "变更扣分"}


def within(text: str) -> str:
    """`text` with the system texts inside it in Chinese."""
    return EMBEDDED.sub(lambda m: f"异议 {m.group(1)} 裁定{OUTCOMES[m.group(2)]}：", text)


# What a page or a report says above figures recomputed because a stored row failed its seal.
INTEGRITY_WARNING = "完整性警告"


def integrity_warning(problem: str) -> str:
    """The warning shown wherever a document carrying `integrity_problem` is read: the
    catalogue's Chinese for the problem, under one heading."""
    return f"{INTEGRITY_WARNING}：{chinese(problem)}"


def chinese(text: str | None) -> str | None:
    """The Chinese of a text the system wrote; any other text as it is."""
    if not text or not ("a" <= text[0] <= "z"):  # every system text starts so; most typed don't
        return text
    for pattern, template in PATTERNS:
        found = pattern.match(text)
        if found is not None:
            groups = [STAGES.get(g, g) for g in found.groups()]
            return template.format(*groups)
    return within(text)
