"""Findings on targets and rows (in Chinese): rows left unscored, targets set too low, counts
that shrank since mid-year, values without proof, printed figures read as qualitative."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from application.findings import Finding, finding
from domain.targets.rules import NATIONAL, TargetRules, completion_rate, overshoot
from domain.targets.text import Target, figure_left_unread
from domain.targets.values import TargetState
from domain.values import plain

TargetLeaf = tuple[str, Target, TargetState]


def target_findings(leaves: Iterable[TargetLeaf], rules: TargetRules = NATIONAL) -> list[Finding]:
    """Every target finding, leaf by leaf in framework order."""
    found: list[Finding] = []
    for code, target, state in leaves:
        found += _figure_unread(code, target)
        found += _overshot(code, target, state, rules)
        found += _shrank(code, target, state)
        found += _unproven(code, target, state)
    return found


def unscored_findings(rows: Iterable[tuple[str, str, str | None]]) -> list[Finding]:
    """One finding per leaf (code, name, method) with nothing recorded to score it: the
    total counts it as nothing and stays provisional (暂计) until it is scored."""
    return [
        finding(
            "leaf_unscored",
            f"{code}「{name}」尚无可计分的记录（{_MISSING.get(method or '', '尚未计分')}），"
            "总分按 0 分暂计；计分后方可提交、定稿",
            None,
            None,
            (),
            indicator=code,
            method=method,
        )
        for code, name, method in rows
    ]


_MISSING = {
    "target": "未录入实际完成值或完成情况",
    "checklist": "检查项未逐项评定",
    "manual": "未录入得分",
    "ratio": "分子或分母数据未录入",
    "survey": "未录入问卷统计",
}


def _figure_unread(code: str, target: Target) -> list[Finding]:
    """A qualitative target whose printed text carries a figure: was it meant as a number?"""
    if not figure_left_unread(target):
        return []
    return [
        finding(
            "target_figure_unread",
            f"{code}：指标值「{target.text}」含有数字，但按定性指标读取；"
            "如应为定量指标，请在指标体系中给出比较符、数值和单位",
            None,
            None,
            (),
            indicator=code,
            text=target.text,
        )
    ]


def _shown(value: Decimal | None, target: Target) -> str:
    return f"{plain(value)}{target.unit or ''}"


def _overshot(code: str, target: Target, state: TargetState, rules: TargetRules) -> list[Finding]:
    final = state.final
    if final is None or final.value is None or target.qualitative:
        return []
    beyond = overshoot(rules, target, final.value)
    if beyond is None:
        return []
    rate = completion_rate(target, final.value)
    margin = rules.overshoot_margin * 100
    return [
        finding(
            "target_overshot",
            f"{code}：实际完成值 {_shown(final.value, target)} 超出指标值 {target.text} "
            f"{beyond}%（完成率 {rate}%），超过 {margin:.0f}% 的幅度：指标值是否定得过松？",
            final.value,
            target.value,
            (final.version,),
            indicator=code,
            completion_rate=str(rate),
            beyond=str(beyond),
            margin=str(rules.overshoot_margin),
        )
    ]


def _shrank(code: str, target: Target, state: TargetState) -> list[Finding]:
    monitored, final = state.monitored, state.final
    if not target.cumulative or monitored is None or final is None:
        return []
    if monitored.value is None or final.value is None or final.value >= monitored.value:
        return []
    return [
        finding(
            "final_below_monitored",
            f"{code}：实际完成值 {_shown(final.value, target)}（版本 {final.version}）低于"
            f"年中监控值 {_shown(monitored.value, target)}（版本 {monitored.version}），"
            f"而指标值 {target.text} 是全年累计数",
            final.value,
            monitored.value,
            (monitored.version, final.version),
            indicator=code,
        )
    ]


def _unproven(code: str, target: Target, state: TargetState) -> list[Finding]:
    final = state.final
    if final is None or final.evidence:
        return []
    shown = final.outcome if target.qualitative else _shown(final.value, target)
    return [
        finding(
            "final_value_without_evidence",
            f"{code}：实际完成值 {shown}（版本 {final.version}）未附佐证材料",
            final.value,
            None,
            (final.version,),
            indicator=code,
        )
    ]
