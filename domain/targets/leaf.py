"""A target leaf's rule score, in the shape every scoring method gives it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.scoring import RuleResult
from domain.targets.text import target_of
from domain.targets.values import TargetState, final_score


def target_rule(
    target: dict[str, Any] | None, weight: Decimal, state: TargetState | None
) -> RuleResult:
    """The leaf's unrounded score from its final value (None until one is recorded)."""
    if target is None:
        return RuleResult(None, "no target defined")
    result = final_score(target_of(target), weight, state or TargetState())
    return RuleResult(result.exact, result.note)
