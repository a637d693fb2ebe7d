"""Queries of targets and sign-offs: the parts of an evaluation's document they give."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select

from adapters.row_sources import CurrentRows
from adapters.tables import events
from application.target_documents import target_view
from domain.signoffs import CURRENT, KEPT_CHANGES, MOVING_EVENTS, STALE, change_indicator


def document_parts(rows: CurrentRows) -> dict[str, Any]:
    """Target views by code, sign-offs with their status, and the required capacities."""
    views: dict[str, dict[str, Any]] = {}
    for row in rows.targets():
        views[row["code"]] = target_view(
            row["definition"], row["weight"], row["monitored"], row["final"]
        )
    items = [_sign_off(rows, dict(row)) for row in rows.sign_offs()]
    return {"targets": views, "sign_offs": items, "required_sign_offs": rows.required() or []}


def _sign_off(rows: CurrentRows, row: dict[str, Any]) -> dict[str, Any]:
    # stale when a moving event came after it (up to the version the rows stand at)
    after = and_(
        events.c.evaluation_id == rows.evaluation_id,
        events.c.version > row["version"],
        events.c.type.in_(sorted(MOVING_EVENTS)),
    )
    if rows.upto is not None:
        after = and_(after, events.c.version <= rows.upto)
    session = rows.session
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
        "title": row["title"],
        "organization": row["organization"],
        "phone": row["phone"],
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
