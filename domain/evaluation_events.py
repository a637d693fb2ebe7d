"""The Evaluation's events that have more than one stored shape, with their upcasters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate

# Each is bound as an attribute of Evaluation (domain/evaluation.py), where the aggregate's
# metaclass redefines it as Evaluation.<name>: that name, not this module, is its stored topic.


class DeductionWithdrawn(Aggregate.Event):
    """v2 names the dispute whose decision withdrew it (None when withdrawn directly)."""

    class_version = 2
    deduction_id: str
    reason: str
    meta: dict[str, str]
    dispute_id: str | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["dispute_id"] = None


class ScoreOverridden(Aggregate.Event):
    """v2 names the dispute whose decision set the override (None when recorded directly)."""

    class_version = 2
    code: str
    score: Decimal
    justification: str
    evidence: list[dict[str, str | None]]
    meta: dict[str, str]
    dispute_id: str | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["dispute_id"] = None


class DisputeDecided(Aggregate.Event):
    """v2 changes only the dispute: its consequences follow as their own events. A v1
    event carried them implicitly; upcast, it says so and its apply copies them."""

    class_version = 2
    dispute_id: str
    outcome: str
    points: Decimal | None
    previous_points: Decimal | None
    reason: str
    deduction_id: str | None
    code: str
    meta: dict[str, str]
    consequences_follow: bool

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["consequences_follow"] = False
