"""Readiness: the store answers and the read models have projected every event."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import PersistenceError

from application.service import EvaluationService


def readiness(service: EvaluationService) -> dict[str, Any]:
    """`ready` with the event head and the read models' position (None if unreachable)."""
    try:
        # The head first: a change committed in between only moves the position further.
        head = service.store.recorder.max_notification_id() or 0
        position = service.projection.position()
    except PersistenceError as error:
        return {"ready": False, "store": "unreachable", "detail": str(error)[:200]}
    return {
        "ready": position >= head,
        "store": "reachable",
        "head": head,
        "position": position,
    }
