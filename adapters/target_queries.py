"""Queries of targets and sign-offs: the parts of an evaluation's document they give."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from adapters.tables import events
from adapters.target_tables import requirements, sign_offs, targets
from application.target_documents import target_view
from domain.signoffs import CURRENT, KEPT_CHANGES, MOVING_EVENTS, STALE, change_indicator


def document_parts(session: Session, evaluation_id: str) -> dict[str, Any]:
    """Target views by code, sign-offs with their status, and the required capacities."""
    views: dict[str, dict[str, Any]] = {}
    rows = session.execute(select(targets).where(targets.c.evaluation_id == evaluation_id))
    for row in rows.mappings():
        views[row["code"]] = target_view(
            row["definition"], row["weight"], row["monitored"], row["final"]
        )
    signed = session.execute(
        select(sign_offs)
        .where(sign_offs.c.evaluation_id == evaluation_id)
        .order_by(sign_offs.c.version)
    ).mappings()
    items = [_sign_off(session, evaluation_id, dict(row)) for row in signed]
    required = session.execute(
        select(requirements.c.capacities).where(requirements.c.evaluation_id == evaluation_id)
    ).scalar()
    return {"targets": views, "sign_offs": items, "required_sign_offs": list(required or [])}


def _sign_off(session: Session, evaluation_id: str, row: dict[str, Any]) -> dict[str, Any]:
    after = and_(
        events.c.evaluation_id == evaluation_id,
        events.c.version > row["version"],
        events.c.type.in_(sorted(MOVING_EVENTS)),
    )
    count = session.execute(select(func.count()).select_from(events).where(after)).scalar() or 0
    changes = session.execute(
        select(events.c.version, events.c.type, events.c.data)
        .where(after)
        .order_by(events.c.version)
        .limit(KEPT_CHANGES)
    ).all()
    return {
        "id": row["id"],
        "actor": row["actor"],
        "role": row["role"],
        "capacity": row["capacity"],
        "opinion": row["opinion"],
        "version": row["version"],
        "head_digest": row["head_digest"],
        "signed_at": row["signed_at"],
        "status": STALE if count else CURRENT,
        "changed_after": [
            {"version": v, "type": t, "indicator": change_indicator(t, data)}
            for v, t, data in changes
        ],
        "changes_after": int(count),
    }


def with_target(row: dict[str, Any], views: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A target leaf's row carries its `target` object (other rows carry none)."""
    view = views.get(row["code"])
    if view is not None:
        row["target"] = view
    return row
