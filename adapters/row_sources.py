"""Where a document's rows come from: the read model as it stands, or as it stood at a version."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, and_, select, union_all
from sqlalchemy.orm import Session

from adapters.history_tables import BY_SOURCE, Mirrored
from adapters.interval_tree import path
from adapters.tables import data_entries, deductions, evaluations, events, indicators
from adapters.target_tables import requirements, sign_offs, targets


class CurrentRows:
    """One evaluation's rows in the read-model tables, in the order documents list them."""

    upto: int | None = None  # the version the rows stand at; None: the latest

    def __init__(self, session: Session, evaluation_id: str) -> None:
        self.session = session
        self.evaluation_id = evaluation_id

    def head(self) -> Mapping[Any, Any] | None:
        query = select(evaluations).where(evaluations.c.id == self.evaluation_id)
        return self.session.execute(query).mappings().first()

    def rows(self, table: Table, order: str | None = None) -> Sequence[Mapping[Any, Any]]:
        query = select(table).where(table.c.evaluation_id == self.evaluation_id)
        if order is not None:
            query = query.order_by(table.c[order])
        return self.session.execute(query).mappings().all()

    def deductions(self, everything: bool) -> Sequence[Mapping[Any, Any]]:
        where = deductions.c.evaluation_id == self.evaluation_id
        if not everything:
            where = and_(where, deductions.c.status == "active")
        query = select(deductions).where(where).order_by(deductions.c.version)
        return self.session.execute(query).mappings().all()

    def indicators(self) -> Sequence[Mapping[Any, Any]]:
        return self.rows(indicators, "position")

    def data_entries(self) -> Sequence[Mapping[Any, Any]]:
        return self.rows(data_entries, "version")

    def targets(self) -> Sequence[Mapping[Any, Any]]:
        return self.rows(targets)

    def sign_offs(self) -> Sequence[Mapping[Any, Any]]:
        return self.rows(sign_offs, "version")

    def required(self) -> list[str] | None:
        rows = self.rows(requirements)
        return list(rows[0]["capacities"]) if rows else None


class RowsAt(CurrentRows):
    """The same rows as they stood at `version`, from the history tables: per table one
    range query over the interval tree (adapters.interval_tree), whose cost follows the
    rows that held then, not how many ever did."""

    def __init__(self, session: Session, evaluation_id: str, version: int) -> None:
        super().__init__(session, evaluation_id)
        self.upto = version

    def head(self) -> Mapping[Any, Any] | None:
        rows = self._held(evaluations)
        if not rows:
            return None
        # version and updated_at move with every event: the version asked and its time
        moment = self.session.execute(
            select(events.c.recorded_at).where(
                and_(events.c.evaluation_id == self.evaluation_id, events.c.version == self.upto)
            )
        ).scalar()
        if moment is None:
            return None
        return {**rows[0], "version": self.upto, "updated_at": moment}

    def rows(self, table: Table, order: str | None = None) -> Sequence[Mapping[Any, Any]]:
        rows = self._held(table)
        return sorted(rows, key=lambda r: r[order]) if order is not None else rows

    def deductions(self, everything: bool) -> Sequence[Mapping[Any, Any]]:
        rows = self._held(deductions, None if everything else {"status": "active"})
        return sorted(rows, key=lambda r: r["version"])

    def _held(
        self, table: Table, partition: dict[str, Any] | None = None
    ) -> list[Mapping[Any, Any]]:
        """The table's rows that held at the version: one UNION ALL of two index range scans."""
        assert self.upto is not None
        spec = BY_SOURCE[table]
        query = held_query(spec, self.evaluation_id, self.upto, partition)
        return list(self.session.execute(query).mappings())


def held_query(
    spec: Mirrored, evaluation_id: str, version: int, partition: dict[str, Any] | None = None
) -> Any:
    """Rows of the history table holding at `version`: nodes at or above it on its path
    with lower <= version, nodes below it with upper >= version (each an index seek)."""
    h = spec.history
    same = [h.c[spec.evaluation] == evaluation_id]
    same.extend(h.c[c] == v for c, v in (partition or {}).items())
    at_or_above, below = path(version)
    columns = [h.c[c] for c in spec.columns]
    return union_all(
        select(*columns).where(*same, h.c.node.in_(at_or_above), h.c.lower <= version),
        select(*columns).where(*same, h.c.node.in_(below), h.c.upper >= version),
    )
