"""按项计分: each item of the checklist gives its points when it is marked met."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from domain.errors import ScoreRefused
from domain.indicator import Indicator
from domain.methods.base import ZERO, Context, Method, Problem, RuleResult, ScoringMethod, Trace
from domain.values import fmt


@dataclass(frozen=True)
class Checklist:
    """The marks of one assessment, its justification and the version that recorded it."""

    met: tuple[bool, ...]
    justification: str
    version: int


class ChecklistMethod(ScoringMethod):
    name: ClassVar[str] = Method.CHECKLIST
    order: ClassVar[int] = 2

    def check_definition(self, d: dict[str, Any], problem: Problem) -> None:
        code = d["code"]
        if not d["items"]:
            problem(code, "a checklist leaf needs items")
        points = sum((i["points"] for i in d["items"]), Decimal(0))
        if d["items"] and points != d["weight"]:
            problem(code, f"checklist items sum to {points}, not the weight {d['weight']}")
        if any(i["points"] < 0 for i in d["items"]):
            problem(code, "checklist item points must not be negative")

    @staticmethod
    def check_marks(node: Indicator, met: list[bool]) -> None:
        if len(met) != len(node.items):
            raise ScoreRefused(
                f"checklist of {node.code} has {len(node.items)} items, got {len(met)} marks",
                code=node.code,
                items=len(node.items),
                marks=len(met),
            )

    def rule(
        self,
        node: Indicator,
        inputs: Any,
        context: Context,
        trace: Trace | None = None,
        score_version: int | None = None,
    ) -> RuleResult:
        if inputs is None:
            return RuleResult(None, "checklist not assessed yet")
        assert isinstance(inputs, Checklist)
        total = ZERO
        if trace is not None:
            trace.add(
                "checklist_assessment",
                f"checklist assessed: {inputs.justification}",
                None,
                inputs.version,
                zh=f"清单评估：{inputs.justification}",
                justification=inputs.justification,
            )
        for index, ((text, points), met) in enumerate(zip(node.items, inputs.met, strict=True), 1):
            given = points if met else ZERO
            total += given
            if trace is not None:
                trace.add(
                    "checklist_item",
                    f"item {index} {'met' if met else 'not met'} ({fmt(points)} points): {text}",
                    given,
                    inputs.version,
                    zh=f"第 {index} 项{'达标' if met else '未达标'}（{fmt(points)} 分）：{text}",
                    index=index,
                    item=text,
                    points=fmt(points),
                    met=met,
                )
        if trace is not None:
            trace.add(
                "sum",
                f"points of the items met: {fmt(total)}",
                total,
                inputs.version,
                zh=f"达标项得分合计：{fmt(total)}",
            )
        return RuleResult(total)
