"""扣分法: the weight less the points of the active deductions recorded against the leaf."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from domain.indicator import Indicator
from domain.methods.base import ZERO, Context, Method, RuleResult, ScoringMethod, Trace
from domain.values import fmt, shown


class DeductionMethod(ScoringMethod):
    name: ClassVar[str] = Method.DEDUCTION
    order: ClassVar[int] = 1

    def rule(
        self,
        node: Indicator,
        inputs: Any,
        context: Context,
        trace: Trace | None = None,
        score_version: int | None = None,
    ) -> RuleResult:
        active = context.active_points.get(node.code, ZERO)
        if trace is not None:
            mine = (d for d in context.deductions.values() if d.code == node.code)
            cuts = sorted(mine, key=lambda d: d.version)
            self._explain(node, cuts, active, context, trace)
        return RuleResult(node.weight - active)

    @staticmethod
    def _explain(
        node: Indicator, cuts: list[Any], active: Decimal, context: Context, trace: Trace
    ) -> None:
        for d in cuts:
            common = {
                "id": d.id,
                "points": fmt(d.points),
                "reason": d.reason,
                "actor": d.actor,
                "evidence": d.evidence,
            }
            if d.active:
                trace.add(
                    "deduction",
                    f"−{fmt(d.points)}: {d.reason}",
                    -d.points,
                    d.amended_version or d.version,  # the version that set these points
                    zh=f"扣 {fmt(d.points)} 分：{d.reason}",
                    **common,
                )
            else:
                trace.add(
                    "withdrawn_deduction",
                    f"deduction of {fmt(d.points)} recorded at v{d.version} withdrawn: "
                    f"{d.withdrawal_reason}",
                    ZERO,
                    d.withdrawn_version,
                    zh=f"版本 {d.version} 记录的 {fmt(d.points)} 分扣分已撤回："
                    f"{d.withdrawal_reason}",
                    recorded_version=d.version,
                    withdrawal_reason=d.withdrawal_reason,
                    **common,
                )
        # the sum rests on the latest deduction or withdrawal (or the weight when there are none)
        moves = [d.withdrawn_version or d.amended_version or d.version for d in cuts]
        trace.add(
            "sum",
            f"{fmt(node.weight)} − {fmt(active)} active deductions = {shown(node.weight - active)}",
            node.weight - active,
            max(moves) if moves else context.framework_version,
            zh=f"{fmt(node.weight)} − 有效扣分 {fmt(active)} = {shown(node.weight - active)}",
        )
