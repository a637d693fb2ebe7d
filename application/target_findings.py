"""Findings on targets: set too loosely, counts that shrank since mid-year, values without proof."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from application.findings import Finding, finding
from domain.targets.rules import NATIONAL, TargetRules, completion_rate, overshoot
from domain.targets.text import Target
from domain.targets.values import TargetState
from domain.values import plain

TargetLeaf = tuple[str, Target, TargetState]


def target_findings(leaves: Iterable[TargetLeaf], rules: TargetRules = NATIONAL) -> list[Finding]:
    """Every target finding, leaf by leaf in framework order."""
    found: list[Finding] = []
    for code, target, state in leaves:
        found += _overshot(code, target, state, rules)
        found += _shrank(code, target, state)
        found += _unproven(code, target, state)
    return found


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
            f"{code}: the final value {_shown(final.value, target)} is {beyond}% beyond the "
            f"target {target.text} (completion rate {rate}%), more than the margin of "
            f"{margin:.0f}%: was the target set too loosely?",
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
            f"{code}: the final count {_shown(final.value, target)} (v{final.version}) is below "
            f"the mid-year monitored count {_shown(monitored.value, target)} "
            f"(v{monitored.version}), though {target.text} accumulates over the year",
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
            f"{code}: the final value {shown} (v{final.version}) cites no evidence",
            final.value,
            None,
            (final.version,),
            indicator=code,
        )
    ]
