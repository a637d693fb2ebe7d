"""绩效指标: a target (≥20场次, ≤8万元, 符合) and its final value, scored by the form's rules."""

from __future__ import annotations

from typing import Any, ClassVar

from domain.indicator import Indicator
from domain.methods.base import Context, Problem, RuleResult, ScoringMethod, Setting, Trace
from domain.targets.definition import canonical_target, target_problem
from domain.targets.rules import NATIONAL, missed_rule
from domain.targets.text import EXACT, Target, target_of
from domain.targets.values import TargetState, TargetValue, final_score
from domain.values import fmt, plain

_STAGE_NAMES = {"monitored": "年中监控值 (monitored)", "final": "实际完成值 (final)"}


class TargetMethod(ScoringMethod):
    """Values come through Evaluation.record_target_value (monitored and final stages)."""

    name: ClassVar[str] = "target"
    order: ClassVar[int] = 6

    def normalise(self, entry: dict[str, Any]) -> dict[str, Any]:
        return {"target": canonical_target(entry.get("target"))}

    def normalise_within(self, entry: dict[str, Any], setting: Setting) -> dict[str, Any]:
        rules = setting.target_rules or NATIONAL
        return {"target": canonical_target(entry.get("target"), rules, setting.ancestors)}

    def check_definition(self, d: dict[str, Any], problem: Problem) -> None:
        raw = (d.get("params") or {}).get("target")
        if (text := target_problem(self.name, raw)) is not None:
            problem(d["code"], text)

    def rule(
        self,
        node: Indicator,
        inputs: Any,
        context: Context,
        trace: Trace | None = None,
        score_version: int | None = None,
    ) -> RuleResult:
        target = target_of(node.params["target"])
        state = inputs if isinstance(inputs, TargetState) else TargetState()
        result = final_score(target, node.weight, state)
        if trace is not None:
            self._explain(target, state, context, trace)
            if state.final is not None and result.exact is not None:
                trace.add(
                    "target_rule",
                    self._verdict(target, state.final, result.met, result.completion_rate)
                    + f" = {plain(result.exact)}",
                    result.exact,
                    state.final.version,
                    met=result.met,
                    completion_rate=fmt(result.completion_rate),
                    deviation_reason=state.final.deviation_reason,
                    improvement=state.final.improvement,
                )
        return RuleResult(result.exact, result.note)

    @staticmethod
    def _explain(target: Target, state: TargetState, context: Context, trace: Trace) -> None:
        figure = "" if target.qualitative else f" {plain(target.value)}{target.unit or ''}"
        trace.add(
            "target",
            f"年度指标值 (target) {target.text}: {target.comparator}{figure}",
            target.value,
            context.framework_version,
            comparator=target.comparator,
            unit=target.unit,
            cumulative=target.cumulative,
        )
        for stage in ("monitored", "final"):
            value = state.stage(stage)
            if value is not None:
                _value_step(stage, value, target.unit, trace)

    @staticmethod
    def _verdict(target: Target, final: TargetValue, met: bool | None, rate: Any) -> str:
        if target.qualitative:
            return (
                f"outcome {final.outcome}: the assessor's score lies in its band "
                f"({fmt(rate)}% of the weight)"
            )
        assert final.value is not None
        rule = missed_rule(target, final.value)
        verdict = (
            "met: the full weight"
            if met
            else f"missed: {rule}, the share within [0, 1] and the score below the weight"
        )
        if target.comparator == EXACT and met:
            verdict = "met exactly: the full weight"
        return f"完成率 {fmt(rate)}%; {verdict}"


def _value_step(stage: str, value: TargetValue, unit: str | None, trace: Trace) -> None:
    shown = value.outcome if value.value is None else f"{plain(value.value)}{unit or ''}"
    text = f"{_STAGE_NAMES[stage]}: {shown}" + (f" ({value.source})" if value.source else "")
    if value.deviation_reason:
        text += f"; 偏差原因 {value.deviation_reason}; 改进措施 {value.improvement}"
    corrections = [
        {"value": plain(p.get("value")), "outcome": p.get("outcome"), "version": p["version"]}
        for p in value.previous
    ]
    trace.add(
        "target_value",
        text,
        value.value,
        value.version,
        stage=stage,
        source=value.source,
        evidence=len(value.evidence),
        reason=value.reason,
        corrections=corrections,
    )
