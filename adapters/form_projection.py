"""Projection of the form's fields and funds rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from adapters.form_tables import form_fields, funds
from adapters.pending_writes import pending
from domain.form_events import FormCorrected, FormFilled, FundsCorrected, FundsRecorded

Handler = Callable[[Session, Any], None]


def form_handlers() -> dict[type, Handler]:
    """Handlers keyed by event class; like the projection's own they only queue row writes."""
    return {
        FormFilled: _form_filled,
        FormCorrected: _form_filled,
        FundsRecorded: _funds_recorded,
        FundsCorrected: _funds_corrected,
    }


def _form_filled(session: Session, event: Any) -> None:
    evaluation_id = str(event.originator_id)
    writes = pending(session)
    for name, value in event.fields.items():
        key = {"evaluation_id": evaluation_id, "field": name}
        if value is None:
            writes.delete(form_fields, key)
        else:
            writes.replace(form_fields, key, {**key, "value": value})


def _amounts(event: Any) -> dict[str, Any]:
    initial = event.initial_budget
    return {
        "initial_budget": None if initial is None else str(initial),
        "full_year_budget": str(event.full_year_budget),
        "executed": str(event.executed),
        "version": event.originator_version,
    }


def _funds_recorded(session: Session, event: Any) -> None:
    row = {"evaluation_id": str(event.originator_id), "source": event.source}
    row.update(_amounts(event), first_version=event.originator_version)
    pending(session).insert(funds, row)


def _funds_corrected(session: Session, event: Any) -> None:
    key = {"evaluation_id": str(event.originator_id), "source": event.source}
    pending(session).update(funds, key, _amounts(event))
