"""Values recorded against a target (年中监控值, 实际完成值): checks, state and the leaf score."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from domain.errors import ReasonRequired, TargetRefused
from domain.targets.rules import (
    FINAL,
    OUTCOMES,
    STAGES,
    TargetRules,
    TargetScore,
    check_deviation,
    check_qualitative,
    qualitative_score,
    quantitative_score,
)
from domain.targets.text import Target
from domain.values import to_decimal


@dataclass
class TargetValue:
    """One stage's value; a correction replaces it and keeps the earlier one in `previous`."""

    stage: str
    value: Decimal | None
    outcome: str | None
    score: Decimal | None
    justification: str | None
    deviation_reason: str | None
    improvement: str | None
    source: str | None
    evidence: list[dict[str, str | None]]
    version: int
    actor: str
    reason: str | None = None
    previous: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "outcome": self.outcome,
            "score": self.score,
            "version": self.version,
            "actor": self.actor,
        }


@dataclass
class TargetState:
    """Both stages of one target leaf."""

    monitored: TargetValue | None = None
    final: TargetValue | None = None

    def stage(self, name: str) -> TargetValue | None:
        return self.final if name == FINAL else self.monitored

    @classmethod
    def copy_of(cls, inputs: object) -> TargetState:
        """A fresh state holding the same values (apply bodies replace, never share, state)."""
        if isinstance(inputs, TargetState):
            return cls(inputs.monitored, inputs.final)
        return cls()


def check_stage(stage: str | None) -> str:
    if stage not in STAGES:
        raise TargetRefused(f"stage must be one of {', '.join(STAGES)}, not {stage!r}", stage=stage)
    return stage


def prepare_value(
    *,
    code: str,
    target: Target,
    weight: Decimal,
    rules: TargetRules,
    state: TargetState,
    stage: str | None,
    value: object,
    outcome: str | None,
    score: object,
    justification: str | None,
    deviation_reason: str | None,
    improvement: str | None,
    reason: str | None,
) -> dict[str, Any]:
    """Check a value before it is recorded and return what the event stores.

    A later value of the same stage is a correction and needs a reason; a missed final value
    needs 偏差原因 and 改进措施; a qualitative score must lie inside its outcome's band.
    """
    stage = check_stage(stage)
    earlier = state.stage(stage)
    why = (reason or "").strip() or None
    if earlier is not None and why is None:
        raise ReasonRequired(
            f"the {stage} value of {code} is already recorded (version {earlier.version}): "
            "a correction needs a reason",
            code=code,
            stage=stage,
            field="reason",
        )
    number: Decimal | None = None
    points: Decimal | None = None
    text = (justification or "").strip() or None
    if target.qualitative:
        if value is not None:
            raise TargetRefused(
                f"{code} is qualitative ({target.text}): give an outcome, not a value", code=code
            )
        if stage == FINAL or score is not None:
            points = check_qualitative(rules, code, outcome, score, weight)
            if text is None:
                raise ReasonRequired(
                    f"a qualitative score of {code} needs a justification",
                    code=code,
                    field="justification",
                )
        elif outcome is not None and outcome not in OUTCOMES:
            raise TargetRefused(
                f"outcome of {code} must be one of {', '.join(OUTCOMES)}, not {outcome!r}",
                code=code,
                outcome=outcome,
            )
    else:
        if outcome is not None or score is not None:
            raise TargetRefused(
                f"{code} is quantitative ({target.text}): give a value; its score follows "
                "from the rules (an outcome and score go with qualitative targets)",
                code=code,
            )
        if value is None:
            raise TargetRefused(f"a {stage} value of {code} needs a value", code=code)
        number = to_decimal(value, "value")
    met = True
    if stage == FINAL:
        result = score_of(target, weight, number, outcome, points)
        met = bool(result.met)
    reasons = check_deviation(rules, code, met, deviation_reason, improvement)
    return {
        "stage": stage,
        "value": number,
        "outcome": outcome if target.qualitative else None,
        "score": points,
        "justification": text,
        "deviation_reason": reasons[0],
        "improvement": reasons[1],
        "reason": why,
        "corrects_version": earlier.version if earlier else None,
    }


def score_of(
    target: Target,
    weight: Decimal,
    value: Decimal | None,
    outcome: str | None,
    score: Decimal | None,
) -> TargetScore:
    """The leaf's rule score from its final value."""
    if target.qualitative:
        if outcome is None or score is None:
            return TargetScore(None, None, None, "final outcome not recorded yet")
        return qualitative_score(outcome, score, weight)
    if value is None:
        return TargetScore(None, None, None, "final value not recorded yet")
    return quantitative_score(target, value, weight)


def final_score(target: Target, weight: Decimal, state: TargetState) -> TargetScore:
    final = state.final
    if final is None:
        note = (
            "final outcome not recorded yet"
            if target.qualitative
            else "final value not recorded yet"
        )
        return TargetScore(None, None, None, note)
    return score_of(target, weight, final.value, final.outcome, final.score)


def apply_value(
    state: TargetState,
    payload: dict[str, Any],
    source: str | None,
    evidence: list[dict[str, str | None]],
    version: int,
    actor: str,
) -> None:
    """Record a checked value in the state (run inside the event's apply: it copies the
    values and keeps the stage's earlier ones, deciding nothing)."""
    stage = payload["stage"]
    earlier = state.stage(stage)
    history = [*earlier.previous, earlier.summary()] if earlier is not None else []
    recorded = TargetValue(
        stage=stage,
        value=payload["value"],
        outcome=payload["outcome"],
        score=payload["score"],
        justification=payload["justification"],
        deviation_reason=payload["deviation_reason"],
        improvement=payload["improvement"],
        source=source,
        evidence=evidence,
        version=version,
        actor=actor,
        reason=payload["reason"],
        previous=history,
    )
    if stage == FINAL:
        state.final = recorded
    else:
        state.monitored = recorded
