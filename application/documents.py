"""Primitive views of aggregates and events: the shapes the API and read models share."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from domain.evaluation import Evaluation
from domain.indicator import Indicator
from domain.ledger import Deduction
from domain.targets.rules import TargetRules
from domain.values import HUNDRED, fmt

# Event attributes that belong to the envelope, not to what happened.
ENVELOPE = {"originator_id", "originator_version", "timestamp", "meta", "originator_topic"}


def iso(moment: datetime) -> str:
    """An aware datetime as ISO-8601 in UTC."""
    return moment.astimezone(UTC).isoformat()


# Types passed through as they are, checked first: most values are strings and numbers.
PLAIN = frozenset({str, int, float, bool, type(None)})


def primitive(value: Any) -> Any:
    """Decimals to exact strings, containers recursively; other JSON types unchanged."""
    if type(value) in PLAIN:
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: primitive(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [primitive(v) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    return value


def event_type(event: Any) -> str:
    """The event's past-tense name, e.g. DeductionRecorded."""
    return type(event).__name__


def event_payload(event: Any) -> dict[str, Any]:
    """What happened, without the envelope, as JSON primitives."""
    return {k: primitive(v) for k, v in vars(event).items() if k not in ENVELOPE}


def _json_default(value: Any) -> Any:
    # what json.dumps cannot take itself, as `primitive` turns it (anything else is refused)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return iso(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# json.dumps's defaults (as SQLAlchemy's JSON type uses them), made once, not per call
_PAYLOAD_ENCODER = json.JSONEncoder(default=_json_default)


def event_payload_json(event: Any) -> str:
    """`json.dumps(event_payload(event))` in one pass: the same text, without the copy."""
    return _PAYLOAD_ENCODER.encode({k: v for k, v in vars(event).items() if k not in ENVELOPE})


def event_meta(event: Any) -> dict[str, str]:
    """Actor, role and correlation id recorded with the event (and the token, when one)."""
    meta = getattr(event, "meta", None) or {}
    shown = {
        "actor": meta.get("actor", ""),
        "role": meta.get("role", ""),
        "correlation_id": meta.get("correlation_id", ""),
    }
    if meta.get("token_id"):
        shown["token_id"] = meta["token_id"]
    return shown


EVIDENCE_KEYS = ("title", "locator", "sha256")


def survey_rates(method: str | None, rates: list[Any] | None) -> list[str] | None:
    """Per-question satisfaction of a survey leaf as percent strings (None for other leaves)."""
    if method != "survey":
        return None
    return [str(fmt(Decimal(r) * HUNDRED)) for r in rates or []]


def evidence_list(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [dict(i) if tuple(i) == EVIDENCE_KEYS else _evidence_item(i) for i in items]


def _evidence_item(item: dict[str, Any]) -> dict[str, Any]:
    shown = {k: item.get(k) for k in EVIDENCE_KEYS}
    if item.get("id"):  # a cited evidence file
        shown["id"] = item["id"]
    return shown


def indicator_fields(node: Indicator) -> dict[str, Any]:
    """What the framework says of an indicator, as documents and read-model rows show it."""
    return {
        "parent": node.parent,
        "name": node.name,
        "level": node.level,
        "weight": fmt(node.weight),
        "method": node.method,
        "explanation": node.explanation,
        "criteria": node.criteria,
    }


# Which deductions a document lists: all of them, each with its status (the default, as the
# API describes the document), or only the active ones (what the scores rest on, so that
# view's size follows what stands, not how much was ever withdrawn).
DEDUCTION_VIEWS = ("all", "active")


def deduction_item(d: Deduction) -> dict[str, Any]:
    """A deduction as the document lists it under its indicator."""
    return {
        "id": d.id,
        "points": fmt(d.points),
        "reason": d.reason,
        "status": d.status,
        "evidence": evidence_list(d.evidence),
    }


def evaluation_document(evaluation: Evaluation, deductions: str = "all") -> dict[str, Any]:
    """The evaluation document of API v1 from the aggregate's recorded state: the one
    renderer (`application.rendering`) over the aggregate presented as read-model rows."""
    # imported here: the renderer and the rows build on this module's primitives
    from application.aggregate_rows import AggregateRows
    from application.rendering import render_document

    document = render_document(AggregateRows(evaluation), deductions == "all")
    assert document is not None
    return document


def active_document(evaluation: Evaluation) -> tuple[dict[str, Any], int]:
    """The document listing active deductions, and how many withdrawn ones it leaves out:
    what the read model seals and stores (it neither renders nor visits a withdrawn
    deduction: the aggregate's index of active ones lists what stands)."""
    from application.aggregate_rows import AggregateRows
    from application.rendering import render_document

    rows = AggregateRows(evaluation)
    document = render_document(rows, everything=False)
    assert document is not None
    return document, rows.withdrawn()


def unscored_leaves(evaluation: Evaluation) -> list[str]:
    """Leaves with nothing recorded to score them (and no override), in framework order."""
    leaves = evaluation.leaves
    return [c for c, n in evaluation.tree.items() if n.is_leaf and leaves[c].score is None]


def completeness(rules: TargetRules, unscored: list[str]) -> dict[str, Any]:
    """The document's target rules and what is left to score: while any leaf is unscored,
    the total counts it as nothing and is provisional (暂计)."""
    return {"target_rules": rules.as_data(), "unscored": unscored, "provisional": bool(unscored)}


def active_view(document: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A document listing all deductions cut down to the active ones, and how many withdrawn
    ones that leaves out."""
    withdrawn = 0
    indicators = []
    for i in document["indicators"]:
        standing = [d for d in i["deductions"] if d["status"] == "active"]
        withdrawn += len(i["deductions"]) - len(standing)
        indicators.append({**i, "deductions": standing})
    return {**document, "indicators": indicators}, withdrawn
