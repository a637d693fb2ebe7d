"""定性评分: the assessor records the score, with a justification."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from domain.indicator import Indicator
from domain.methods.base import Context, Method, RuleResult, ScoringMethod, Trace
from domain.values import fmt


@dataclass(frozen=True)
class ManualScore:
    """A score the assessor recorded, the reason and the version that recorded it."""

    score: Decimal
    justification: str
    version: int


class ManualMethod(ScoringMethod):
    name: ClassVar[str] = Method.MANUAL
    order: ClassVar[int] = 5

    def rule(
        self,
        node: Indicator,
        inputs: Any,
        context: Context,
        trace: Trace | None = None,
        score_version: int | None = None,
    ) -> RuleResult:
        if inputs is None:
            return RuleResult(None, "score not recorded yet")
        assert isinstance(inputs, ManualScore)
        if trace is not None:
            trace.add(
                "manual_score",
                f"score recorded by the assessor: {fmt(inputs.score)}, because "
                f"{inputs.justification}",
                inputs.score,
                inputs.version,
                zh=f"评价人员认定得分：{fmt(inputs.score)}，理由：{inputs.justification}",
                justification=inputs.justification,
            )
        return RuleResult(inputs.score)
