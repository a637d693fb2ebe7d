"""Projection of the dispute queue and the review notes: their handlers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from adapters.pending_writes import pending
from adapters.review_tables import disputes, notes
from adapters.tables import deductions, indicators
from application.documents import event_meta
from domain.disputes import DISPUTE_OUTCOME_NOTE, DisputeStatus, Outcome
from domain.ledger import DeductionStatus
from domain.review import OPEN, RESOLVED
from domain.values import fmt

Handler = Callable[[Session, Any], None]
Row = Callable[[Any], dict[str, Any]]


def review_handlers() -> dict[str, Handler]:
    """Handlers keyed by event class name, merged into the read model's own; like those,
    they only queue row writes (adapters.pending_writes), which the batch sends together."""
    return {
        "DisputeRaised": _dispute_raised,
        "DisputeDecided": _dispute_decided,
        "NoteAdded": _note_added,
        "NoteResolved": _note_resolved,
    }


def dispute_raised(event: Any) -> dict[str, Any]:
    """The `rm_disputes` row a raised dispute opens."""
    meta = event_meta(event)
    return {
        "id": event.dispute_id,
        "evaluation_id": str(event.originator_id),
        "status": OPEN,
        "target": event.target,
        "code": event.code,
        "deduction_id": event.deduction_id,
        "grounds": event.grounds,
        "evidence": event.evidence,
        "raised_by": meta["actor"],
        "raised_role": meta["role"],
        "raised_at": event.timestamp,
        "raised_version": event.originator_version,
    }


def _dispute_raised(session: Session, event: Any) -> None:
    pending(session).insert(disputes, dispute_raised(event))


def dispute_decided(event: Any) -> dict[str, Any]:
    """What a decision writes into its dispute's row."""
    meta = event_meta(event)
    return {
        "status": DisputeStatus.DECIDED.value,
        "outcome": event.outcome,
        "points": fmt(event.points),
        "previous_points": fmt(event.previous_points),
        "decision_reason": event.reason,
        "decided_by": meta["actor"],
        "decided_role": meta["role"],
        "decided_at": event.timestamp,
        "decided_version": event.originator_version,
    }


def _dispute_decided(session: Session, event: Any) -> None:
    evaluation_id = str(event.originator_id)
    writes = pending(session)
    writes.update(
        disputes, {"id": event.dispute_id}, dispute_decided(event), evaluation=evaluation_id
    )
    # The scores move through the ScoreChanged events that follow. A decision recorded since
    # v2 is followed by its own DeductionWithdrawn, DeductionAmended, ScoreOverridden or
    # OverrideCleared; one of the first version carried them, and they are copied here.
    if event.consequences_follow:
        return
    justification = DISPUTE_OUTCOME_NOTE.format(
        id=event.dispute_id, outcome=event.outcome, reason=event.reason
    )
    if event.deduction_id is not None:
        changes: dict[str, Any] = {}
        if event.outcome == Outcome.OVERTURNED:
            changes = {
                "status": DeductionStatus.WITHDRAWN.value,
                "withdrawal_reason": justification,
            }
        elif event.outcome == Outcome.AMENDED:
            changes = {"points": fmt(event.points)}
        if changes:
            writes.update(deductions, {"id": event.deduction_id}, changes, evaluation=evaluation_id)
    elif event.outcome in (Outcome.OVERTURNED, Outcome.AMENDED):
        writes.update(
            indicators,
            {"evaluation_id": evaluation_id, "code": event.code},
            {"override_justification": justification if event.outcome == Outcome.AMENDED else None},
        )


def note_added(event: Any) -> dict[str, Any]:
    """The `rm_notes` row a note opens."""
    meta = event_meta(event)
    return {
        "id": event.note_id,
        "evaluation_id": str(event.originator_id),
        "code": event.code,
        "text": event.text,
        "status": OPEN,
        "author": meta["actor"],
        "author_role": meta["role"],
        "created_at": event.timestamp,
        "version": event.originator_version,
    }


def _note_added(session: Session, event: Any) -> None:
    pending(session).insert(notes, note_added(event))


def note_resolved(event: Any) -> dict[str, Any]:
    """What a resolution writes into its note's row."""
    meta = event_meta(event)
    return {
        "status": RESOLVED,
        "resolution": event.reason,
        "resolved_by": meta["actor"],
        "resolved_role": meta["role"],
        "resolved_at": event.timestamp,
        "resolved_version": event.originator_version,
    }


def _note_resolved(session: Session, event: Any) -> None:
    evaluation = str(event.originator_id)
    pending(session).update(
        notes, {"id": event.note_id}, note_resolved(event), evaluation=evaluation
    )


# What each review event writes: its table's name, the event field naming the row, and the
# row's values (a new row, or the changes to it); the handlers below send them, and the
# in-memory read model keeps the same rows by them.
REVIEW_ROWS: dict[str, tuple[str, str, Row]] = {
    "DisputeRaised": ("disputes", "dispute_id", dispute_raised),
    "DisputeDecided": ("disputes", "dispute_id", dispute_decided),
    "NoteAdded": ("notes", "note_id", note_added),
    "NoteResolved": ("notes", "note_id", note_resolved),
}
