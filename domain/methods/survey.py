"""满意度调查: per question Σ weight × count / (top weight × respondents), averaged, × weight."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from domain.errors import ScoreRefused
from domain.indicator import Indicator
from domain.methods.base import ZERO, Context, Method, Problem, RuleResult, ScoringMethod, Trace
from domain.values import HUNDRED, fmt, plain, shown


@dataclass(frozen=True)
class Tallies:
    """Counts per question, in choice order, and the version that recorded them."""

    counts: tuple[tuple[int, ...], ...]
    version: int


class SurveyMethod(ScoringMethod):
    name: ClassVar[str] = Method.SURVEY
    order: ClassVar[int] = 4

    def check_definition(self, d: dict[str, Any], problem: Problem) -> None:
        if not d["choices"]:
            problem(d["code"], "a survey leaf needs choices with weights")
        elif max(c["weight"] for c in d["choices"]) <= 0:
            problem(d["code"], "at least one survey choice needs a positive weight")
        elif any(c["weight"] < 0 for c in d["choices"]):
            problem(d["code"], "survey choice weights must not be negative")

    @staticmethod
    def check_tallies(node: Indicator, tallies: list[list[int]]) -> None:
        if not tallies:
            raise ScoreRefused(f"survey of {node.code} needs at least one question", code=node.code)
        for number, counts in enumerate(tallies, start=1):
            if len(counts) != len(node.choices):
                raise ScoreRefused(
                    f"question {number} of {node.code} has {len(counts)} counts "
                    f"for {len(node.choices)} choices",
                    code=node.code,
                    question=number,
                )
            if any(c < 0 for c in counts):
                raise ScoreRefused(
                    f"question {number} of {node.code} has a negative count",
                    code=node.code,
                    question=number,
                )

    def rule(
        self,
        node: Indicator,
        inputs: Any,
        context: Context,
        trace: Trace | None = None,
        score_version: int | None = None,
    ) -> RuleResult:
        if inputs is None or not inputs.counts:
            return RuleResult(None, "survey tallies not recorded yet")
        assert isinstance(inputs, Tallies)
        top = max(w for _, w in node.choices)
        rates: list[Decimal] = []
        empty: list[int] = []
        for number, counts in enumerate(inputs.counts, start=1):
            respondents = sum(counts)
            points = sum((w * c for (_, w), c in zip(node.choices, counts, strict=True)), ZERO)
            if respondents == 0:
                empty.append(number)
            rate = points / (top * respondents) if respondents else ZERO
            rates.append(rate)
            if trace is not None:
                self._explain_question(node, number, counts, points, top, rate, inputs, trace)
        satisfaction = sum(rates, ZERO) / len(rates)
        if trace is not None:
            trace.add(
                "survey_satisfaction",
                f"satisfaction = average of {len(rates)} question rates = {shown(satisfaction)}"
                f" ({fmt(satisfaction * HUNDRED)}%)",
                satisfaction,
                inputs.version,
                zh=f"满意度 = {len(rates)} 道题得分率的平均 = {shown(satisfaction)}"
                f"（{fmt(satisfaction * HUNDRED)}%）",
                rate=fmt(satisfaction * HUNDRED),
            )
            trace.add(
                "product",
                f"{shown(satisfaction)} × {fmt(node.weight)} = {shown(satisfaction * node.weight)}",
                satisfaction * node.weight,
                score_version,
            )
        note = f"questions without respondents count as 0: {empty}" if empty else None
        return RuleResult(satisfaction * node.weight, note, tuple(rates))

    @staticmethod
    def _explain_question(
        node: Indicator,
        number: int,
        counts: tuple[int, ...],
        points: Decimal,
        top: Decimal,
        rate: Decimal,
        inputs: Tallies,
        trace: Trace,
    ) -> None:
        respondents = sum(counts)
        pairs = list(zip(node.choices, counts, strict=True))
        terms = " + ".join(f"{plain(w)}×{c}" for (_, w), c in pairs)
        trace.add(
            "survey_question",
            f"question {number}: ({terms}) / ({plain(top)} × {respondents}) = {shown(rate)}"
            f" ({fmt(rate * HUNDRED)}%)",
            rate,
            inputs.version,
            zh=f"第 {number} 题：({terms}) / ({plain(top)} × {respondents}) = {shown(rate)}"
            f"（{fmt(rate * HUNDRED)}%）",
            question=number,
            respondents=respondents,
            points=plain(points),
            max_points=plain(top * respondents),
            rate=fmt(rate * HUNDRED),
            counts=[{"label": label, "weight": plain(w), "count": c} for (label, w), c in pairs],
        )
