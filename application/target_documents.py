"""Targets and sign-offs in the evaluation document, from the aggregate or the read model."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from application.documents import evidence_list, primitive
from domain.evaluation import Evaluation
from domain.targets.text import target_of
from domain.targets.values import TargetValue, score_of
from domain.values import fmt

STAGE_FIELDS = (
    "value",
    "outcome",
    "score",
    "justification",
    "deviation_reason",
    "improvement",
    "source",
    "evidence",
    "version",
    "actor",
    "reason",
)


def stage_record(value: TargetValue | None) -> dict[str, Any] | None:
    """One stage's value as the JSON primitives both document paths share."""
    if value is None:
        return None
    record = {name: primitive(getattr(value, name)) for name in STAGE_FIELDS}
    record["evidence"] = evidence_list(value.evidence)
    record["corrections"] = len(value.previous)
    return record


def target_view(
    definition: Mapping[str, Any],
    weight: str | Decimal,
    monitored: Mapping[str, Any] | None,
    final: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The `target` object of a target leaf (API v1 names, plus `cumulative`, `met`, `stages`)."""
    target = target_of(dict(definition))
    result = None
    if final is not None:
        value, score = final.get("value"), final.get("score")
        result = score_of(
            target,
            Decimal(str(weight)),
            None if value is None else Decimal(str(value)),
            final.get("outcome"),
            None if score is None else Decimal(str(score)),
        )
    return {
        "comparator": target.comparator,
        "value": None if target.value is None else str(target.value),
        "unit": target.unit,
        "text": target.text,
        "cumulative": target.cumulative,
        "read_from_text": target.read,
        "monitored": monitored.get("value") if monitored else None,
        "monitored_outcome": monitored.get("outcome") if monitored else None,
        "final": final.get("value") if final else None,
        "outcome": final.get("outcome") if final else None,
        "met": result.met if result else None,
        "completion_rate": fmt(result.completion_rate) if result else None,
        "deviation_reason": final.get("deviation_reason") if final else None,
        "improvement": final.get("improvement") if final else None,
        "stages": {"monitored": dict(monitored or {}) or None, "final": dict(final or {}) or None},
    }


def sign_off_items(evaluation: Evaluation) -> list[dict[str, Any]]:
    """Sign-offs in the order given, each with its status and the changes after it."""
    return [s.as_dict() for s in sorted(evaluation.sign_offs.values(), key=lambda s: s.version)]
