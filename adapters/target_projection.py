"""Projection of targets and sign-offs: their read-model rows, kept by the events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from adapters.pending_writes import pending
from adapters.target_tables import requirements, sign_offs, targets
from application.documents import event_meta, primitive
from application.target_documents import STAGE_FIELDS
from domain.evaluation import event_class
from domain.target_events import SignedOff, SignOffsRequired, TargetValueRecorded

Handler = Callable[[Session, Any], None]


def target_handlers() -> dict[type, Handler]:
    """Handlers keyed by event class; like the projection's own they only queue row writes."""
    return {
        event_class("FrameworkDefined"): _framework_defined,
        TargetValueRecorded: _target_value_recorded,
        SignedOff: _signed_off,
        SignOffsRequired: _sign_offs_required,
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
            "title": event.title,
            "organization": event.organization,
            "phone": event.phone,
        },
    )


def _sign_offs_required(session: Session, event: Any) -> None:
    evaluation_id = str(event.originator_id)
    pending(session).replace(
        requirements,
        {"evaluation_id": evaluation_id},
        {"evaluation_id": evaluation_id, "capacities": list(event.capacities)},
    )
