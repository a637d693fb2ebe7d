"""What an event touched and why: the indicator, the stated reason and the dispute behind it."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from application.documents import event_payload
from domain.values import fmt

# Where each kind of event keeps its "why", first match wins.
REASON_FIELDS = ("reason", "justification", "grounds", "deviation_reason", "text")
# Events that name no indicator themselves but act on a record that does (the read model
# looks the indicator up): withdrawing a deduction, resolving a review note.
INDICATOR_BY_RECORD = {"DeductionWithdrawn": "deduction_id", "NoteResolved": "note_id"}


def touched_indicator(event: Any) -> str | None:
    """The indicator code an event names, if it names one."""
    for name in ("code", "indicator"):
        value = getattr(event, name, None)
        if isinstance(value, str) and value:
            return value
    return None


def stated_reason(event: Any) -> str | None:
    """The reason, justification or grounds the actor gave, if any."""
    for name in REASON_FIELDS:
        value = getattr(event, name, None)
        if isinstance(value, str) and value.strip():
            return value
    return None


def dispute_cause(event: Any) -> str | None:
    """The dispute an event belongs to (raised, decided, or a score it moved)."""
    value = getattr(event, "dispute_id", None)
    return str(value) if value else None


def diff_event(event: Any, latest: Any) -> dict[str, Any]:
    """An event as a diff lists it: when, who, on which indicator and why.

    `latest` is the aggregate at the diff's end, which knows the indicator of every
    deduction and note an event may act on.
    """
    meta = getattr(event, "meta", None) or {}
    indicator = touched_indicator(event)
    if indicator is None and type(event).__name__ in INDICATOR_BY_RECORD:
        field = INDICATOR_BY_RECORD[type(event).__name__]
        records = latest.deductions if field == "deduction_id" else latest.notes
        record = records.get(getattr(event, field))
        indicator = getattr(record, "code", None)
    return {
        "version": event.originator_version,
        "type": type(event).__name__,
        "recorded_at": event.timestamp.astimezone(UTC).isoformat(),
        "actor": meta.get("actor", ""),
        "role": meta.get("role", ""),
        "indicator": indicator,
        "reason": stated_reason(event),
        "cause": dispute_cause(event),
    }


def lineage(code: str | None, parents: dict[str, str | None]) -> set[str]:
    """The indicator and its ancestors: an event on a leaf also moved every parent above."""
    found: set[str] = set()
    while code is not None and code not in found:
        found.add(code)
        code = parents.get(code)
    return found


def event_row(event: Any, indicator: str | None) -> dict[str, Any]:
    """An event as the history keeps it (the read model's `rm_events` row, without its
    evaluation and position); `indicator`: the one it names or the one of its record."""
    meta = getattr(event, "meta", None) or {}
    return {
        "version": event.originator_version,
        "type": type(event).__name__,
        "recorded_at": event.timestamp,
        "actor": meta.get("actor", ""),
        "role": meta.get("role", ""),
        "correlation_id": meta.get("correlation_id", ""),
        "data": event_payload(event),
        "indicator": indicator,
        "reason": stated_reason(event),
        "cause": dispute_cause(event),
    }


def score_change(event: Any) -> dict[str, Any] | None:
    """A ScoreChanged as one indicator's history lists it; None when only its note moved."""
    if event.before is None and event.after is None:
        return None
    meta = getattr(event, "meta", None) or {}
    return {
        "version": event.originator_version,
        "recorded_at": event.timestamp.astimezone(UTC).isoformat(),
        "actor": meta.get("actor", ""),
        "role": meta.get("role", ""),
        "type": event.cause,
        "cause_version": event.cause_version,
        "score_before": fmt(event.before),
        "score_after": fmt(event.after),
        "rule_score": fmt(event.rule_score),
        "overridden": event.overridden,
        "reason": event.reason,
        "dispute_id": getattr(event, "dispute_id", None),
    }
