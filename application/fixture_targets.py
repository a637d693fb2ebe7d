"""The fixture format's `target_values` and `sign_offs`, applied to an evaluation in memory."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from application.documents import iso
from domain.errors import InvalidValue
from domain.evaluation import Actor, Evaluation

VALUE_FIELDS = (
    "value",
    "outcome",
    "score",
    "justification",
    "deviation_reason",
    "improvement",
    "source",
    "evidence",
    "reason",
)


def apply_target_value(evaluation: Evaluation, item: dict[str, Any], by: Actor) -> None:
    """One `target_values` item: {indicator, stage, value | outcome, …}."""
    evaluation.record_target_value(
        str(item.get("indicator", "")),
        stage=item.get("stage"),
        by=by,
        **{name: item.get(name) for name in VALUE_FIELDS},
    )


def apply_sign_off(evaluation: Evaluation, item: dict[str, Any], by: Actor) -> None:
    """One `sign_offs` item: {capacity, opinion?, signed_at?}, signed by whoever loads it.

    A loaded sign-off has no head digest: its version is not sealed until the load is saved.
    """
    given = item.get("signed_at")
    moment = datetime.fromisoformat(str(given)) if given else datetime.now(UTC)
    if moment.tzinfo is None:
        raise InvalidValue(f"signed_at {given!r} needs a time zone offset", signed_at=given)
    evaluation.sign_off(
        str(uuid.uuid4()),
        item.get("capacity"),
        item.get("opinion"),
        None,
        iso(moment),
        by,
    )


def required_sign_offs(header: dict[str, Any]) -> list[str]:
    return list(header.get("required_sign_offs") or [])
