"""The read model's rows as the document renderer takes them (what reads answer, seals cover)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from adapters.form_tables import form_fields, funds
from adapters.row_sources import CurrentRows, RowsAt
from adapters.tables import events
from application.rendering import render_document
from domain.signoffs import CURRENT, KEPT_CHANGES, MOVING_EVENTS, STALE, change_indicator


def assemble(
    session: Session,
    evaluation_id: str,
    everything: bool = False,
    version: int | None = None,
) -> dict[str, Any] | None:
    """The document as the session's rows make it (also what the projection seals):
    its active deductions, or all of them; at `version`, as the history tables held it."""
    rows = (
        CurrentRows(session, evaluation_id)
        if version is None
        else RowsAt(session, evaluation_id, version)
    )
    return render_document(TableRows(rows), everything)


class TableRows:
    """`application.rendering.DocumentRows` over the tables (now, or at a version): the
    row sources' own rows, with each sign-off's status read from the events after it."""

    def __init__(self, rows: CurrentRows) -> None:
        self.source = rows

    def head(self) -> Mapping[Any, Any] | None:
        return self.source.head()

    def indicators(self) -> Sequence[Mapping[Any, Any]]:
        return self.source.indicators()

    def deductions(self, everything: bool) -> Sequence[Mapping[Any, Any]]:
        return self.source.deductions(everything)

    def data_entries(self) -> Sequence[Mapping[Any, Any]]:
        return self.source.data_entries()

    def targets(self) -> Sequence[Mapping[Any, Any]]:
        return self.source.targets()

    def sign_offs(self) -> Sequence[Mapping[Any, Any]]:
        return [sign_off_item(self.source, dict(row)) for row in self.source.sign_offs()]

    def required(self) -> list[str] | None:
        return self.source.required()

    def form(self) -> Mapping[str, Any]:
        return {r["field"]: r["value"] for r in self.source.rows(form_fields)}

    def funds(self) -> Sequence[Mapping[Any, Any]]:
        return self.source.rows(funds)


def sign_off_item(rows: CurrentRows, row: dict[str, Any]) -> dict[str, Any]:
    """A sign-off as the document lists it: stale when a moving event came after it (up to
    the version the rows stand at), with the first changes after it."""
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
