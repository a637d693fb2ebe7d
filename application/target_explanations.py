"""How a target leaf's score is made: the target, the values recorded, the rule applied."""

from __future__ import annotations

from typing import Any

from application.explanations import Step, step
from domain.evaluation import Evaluation, LeafState
from domain.framework import Indicator
from domain.targets.rules import NEGATIVE_RULE, POSITIVE_RULE
from domain.targets.text import EXACT, NEGATIVE, POSITIVE, target_of
from domain.targets.values import TargetValue, final_score
from domain.values import fmt, plain

_STAGE_NAMES = {"monitored": "年中监控值 (monitored)", "final": "实际完成值 (final)"}


def target_steps(evaluation: Evaluation, node: Indicator, leaf: LeafState) -> list[Step]:
    """Target, monitored and final values (with corrections), then the rule and its result."""
    definition = evaluation.target_definition(node.code)
    if definition is None:
        return []
    target = target_of(definition)
    steps: list[Step] = [
        step(
            "target",
            f"年度指标值 (target) {target.text}: {target.comparator} "
            + (f"{plain(target.value)}{target.unit or ''}" if not target.qualitative else ""),
            target.value,
            evaluation.framework_version,
            comparator=target.comparator,
            unit=target.unit,
            cumulative=target.cumulative,
        )
    ]
    state = evaluation.target_states.get(node.code)
    for name in ("monitored", "final"):
        value = state.stage(name) if state else None
        if value is not None:
            steps.append(_value_step(name, value, target.unit))
    if state is None or state.final is None:
        return steps
    result = final_score(target, node.weight, state)
    if target.qualitative:
        text = (
            f"outcome {state.final.outcome}: the assessor's score {plain(state.final.score)} "
            f"lies in its band ({fmt(result.completion_rate)}% of the weight)"
        )
    else:
        rule = (
            POSITIVE_RULE
            if target.comparator in POSITIVE
            else NEGATIVE_RULE
            if target.comparator in NEGATIVE
            else "the smaller over the larger × weight"
        )
        verdict = "met: the full weight" if result.met else f"missed: {rule}"
        if target.comparator == EXACT and result.met:
            verdict = "met exactly: the full weight"
        text = f"完成率 {fmt(result.completion_rate)}%; {verdict} = {plain(result.exact)}"
    steps.append(
        step(
            "target_rule",
            text,
            result.exact,
            state.final.version,
            met=result.met,
            completion_rate=fmt(result.completion_rate),
            deviation_reason=state.final.deviation_reason,
            improvement=state.final.improvement,
        )
    )
    return steps


def _value_step(stage: str, value: TargetValue, unit: str | None) -> Step:
    shown = value.outcome if value.value is None else f"{plain(value.value)}{unit or ''}"
    details: dict[str, Any] = {
        "stage": stage,
        "source": value.source,
        "evidence": len(value.evidence),
        "corrections": [
            {"value": plain(p.get("value")), "outcome": p.get("outcome"), "version": p["version"]}
            for p in value.previous
        ],
    }
    if value.reason:
        details["reason"] = value.reason
    text = f"{_STAGE_NAMES[stage]}: {shown}" + (f" ({value.source})" if value.source else "")
    if value.deviation_reason:
        text += f"; 偏差原因 {value.deviation_reason}; 改进措施 {value.improvement}"
    return step("target_value", text, value.value, value.version, **details)
