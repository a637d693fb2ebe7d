"""Read models of targets and sign-offs: their tables, projections and the document parts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text, and_, func, select
from sqlalchemy.orm import Session

from adapters.pending_writes import pending
from adapters.tables import events, metadata
from application.documents import event_meta, primitive
from application.target_documents import STAGE_FIELDS, target_view
from domain.signoffs import CURRENT, KEPT_CHANGES, MOVING_EVENTS, STALE, change_indicator

Handler = Callable[[Session, Any], None]

targets = Table(
    "rm_targets",
    metadata,
    Column("evaluation_id", String(36), primary_key=True),
    Column("code", String(64), primary_key=True),
    Column("weight", String(32), nullable=False),
    Column("definition", JSON, nullable=False),
    Column("monitored", JSON),
    Column("final", JSON),
)

sign_offs = Table(
    "rm_sign_offs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("evaluation_id", String(36), nullable=False),
    Column("actor", Text, nullable=False),
    Column("role", String(32), nullable=False),
    Column("capacity", Text, nullable=False),
    Column("opinion", Text),
    Column("version", Integer, nullable=False),
    Column("head_digest", String(64)),
    Column("signed_at", String(40), nullable=False),
    Index("rm_sign_offs_evaluation_idx", "evaluation_id", "version"),
)

requirements = Table(
    "rm_sign_off_requirements",
    metadata,
    Column("evaluation_id", String(36), primary_key=True),
    Column("capacities", JSON, nullable=False),
)

TARGET_TABLES = (targets, sign_offs, requirements)


def target_handlers() -> dict[str, Handler]:
    """Handlers by event name; like the read model's own they only queue row writes."""
    return {
        "FrameworkDefined": _framework_defined,
        "TargetValueRecorded": _target_value_recorded,
        "SignedOff": _signed_off,
        "SignOffsRequired": _sign_offs_required,
    }


def _framework_defined(session: Session, event: Any) -> None:
    evaluation_id = str(event.originator_id)
    writes = pending(session)
    writes.flush_if_touched(session, [targets], evaluation_id)
    writes.delete(targets, {"evaluation_id": evaluation_id})
    parents = {d.get("parent") for d in event.indicators}
    for d in event.indicators:
        target = (d.get("params") or {}).get("target")
        if d["code"] in parents or d.get("method") != "target" or target is None:
            continue
        writes.insert(
            targets,
            {
                "evaluation_id": evaluation_id,
                "code": d["code"],
                "weight": str(d["weight"]),
                "definition": primitive(target),
                "monitored": None,
                "final": None,
            },
        )


def _target_value_recorded(session: Session, event: Any) -> None:
    evaluation_id = str(event.originator_id)
    record = {name: primitive(getattr(event, name, None)) for name in STAGE_FIELDS}
    record.update(version=event.originator_version, actor=event_meta(event)["actor"])
    record["corrections"] = event.corrections
    pending(session).update(
        targets, {"evaluation_id": evaluation_id, "code": event.code}, {event.stage: record}
    )


def _signed_off(session: Session, event: Any) -> None:
    meta = event_meta(event)
    pending(session).insert(
        sign_offs,
        {
            "id": event.sign_off_id,
            "evaluation_id": str(event.originator_id),
            "actor": meta["actor"],
            "role": meta["role"],
            "capacity": event.capacity,
            "opinion": event.opinion,
            "version": event.version,
            "head_digest": event.head_digest,
            "signed_at": event.signed_at,
        },
    )


def _sign_offs_required(session: Session, event: Any) -> None:
    evaluation_id = str(event.originator_id)
    pending(session).replace(
        requirements,
        {"evaluation_id": evaluation_id},
        {"evaluation_id": evaluation_id, "capacities": list(event.capacities)},
    )


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
