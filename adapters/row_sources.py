"""Where a document's rows come from: the read model as it stands, or as it stood at a version."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Table, and_, bindparam, case, null, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from adapters.history_batch import Fetched, current_rows, fetch_all, range_columns
from adapters.history_tables import BY_SOURCE, MIRRORED, Mirrored, Stored
from adapters.interval_tree import OPEN
from adapters.tables import data_entries, deductions, evaluations, events, indicators
from adapters.target_tables import requirements, sign_offs, targets
from application.seals import row_seal, same


class CurrentRows:
    """One evaluation's rows in the read-model tables, in the order documents list them."""

    upto: int | None = None  # the version the rows stand at; None: the latest

    def __init__(self, session: Session | Connection, evaluation_id: str) -> None:
        self.session = session
        self.evaluation_id = evaluation_id

    def connection(self) -> Connection:
        """The connection the rows are read on (a session's, or the one given)."""
        source = self.session
        return source if isinstance(source, Connection) else source.connection()

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


def recorded_by(evaluation_id: Any, when: Any) -> Any:
    """The version of the evaluation's last event recorded at or before `when` (event times
    rise with the version), as a scalar query: one seek down the (evaluation_id,
    recorded_at, version) index, however long the history. Every as-of read asks this."""
    return (
        select(events.c.version)
        .where(events.c.evaluation_id == evaluation_id, events.c.recorded_at <= when)
        .order_by(events.c.recorded_at.desc(), events.c.version.desc())
        .limit(1)
        .scalar_subquery()
    )


def _reached() -> Any:
    """The version asked (`version`, or the last one recorded by `as_of`, the earlier of
    the two when both are given; NULL when nothing was recorded by then), the version the
    read model reached, and the time of the version asked: one statement, made once."""
    evaluation_id: Any = bindparam("evaluation_id")
    version = bindparam("version", type_=Integer)
    as_of = bindparam("as_of", type_=events.c.recorded_at.type)
    found = recorded_by(evaluation_id, as_of)
    asked = case(
        (as_of.is_(None), version),
        (found.is_(None), null()),
        (version.is_(None), found),
        (found < version, found),
        else_=version,
    )
    return select(
        asked.label("asked"),
        select(evaluations.c.version)
        .where(evaluations.c.id == evaluation_id)
        .scalar_subquery()
        .label("reached"),
        select(events.c.recorded_at)
        .where(events.c.evaluation_id == evaluation_id, events.c.version == asked)
        .scalar_subquery()
        .label("moment"),
    )


REACHED = _reached()


class RowsAt(CurrentRows):
    """The same rows as they stood at `version`: the closed ranges of the history tables
    holding then and the current rows since then, every table's in one statement
    (`fetch_all`). Given `as_of`, the version is the last one recorded by then (the earlier
    of the two when both are given), found by `reached`. Given the store's `key`, every row
    read is checked against its seal; `problem` names the first that fails."""

    def __init__(
        self,
        session: Session | Connection,
        evaluation_id: str,
        version: int | None,
        everything: bool = False,
        as_of: datetime | None = None,
        key: bytes | None = None,
    ) -> None:
        super().__init__(session, evaluation_id)
        self.key = key
        self.problem: str | None = None
        self.upto = version
        self.as_of = as_of
        self.everything = everything  # which deductions `fetched` holds
        self.moment: Any = None  # when the version was recorded: the document's updated_at
        self.last = OPEN  # the version the read model has reached
        self.fetched: Fetched | None = None

    def reached(self) -> int | None:
        """The version the read model has reached for the evaluation (None: no such one);
        settles the version asked (`upto`; None when nothing was recorded by `as_of`) and
        notes its time on the way, in one statement. A second then brings every table's
        rows (`fetch_all`): two statements in all, not one per table."""
        connection = self.connection()
        params = {"evaluation_id": self.evaluation_id, "version": self.upto, "as_of": self.as_of}
        row = connection.execute(REACHED, params).one()
        self.upto, self.moment = row.asked, row.moment
        if row.reached is None or self.upto is None:
            return None
        self.last = int(row.reached)
        if 0 < self.upto <= self.last:
            self._fetch(self.everything)
        return self.last

    def _fetch(self, everything: bool) -> Fetched:
        self.everything, args = everything, (self.upto or 0, everything, self.last)
        self.fetched = fetch_all(self.connection(), self.evaluation_id, *args)
        return self.fetched

    def head(self) -> Mapping[Any, Any] | None:
        if self.moment is None:
            self.reached()
        rows = self._held(evaluations)
        if not rows or self.moment is None:
            return None
        # version and updated_at move with every event: the version asked and its time
        return {**rows[0], "version": self.upto, "updated_at": self.moment}

    def rows(self, table: Table, order: str | None = None) -> Sequence[Mapping[Any, Any]]:
        rows = self._held(table)
        return sorted(rows, key=lambda r: r[order]) if order is not None else rows

    def deductions(self, everything: bool) -> Sequence[Mapping[Any, Any]]:
        rows = self._held(deductions, None if everything else {"status": "active"})
        return sorted(rows, key=lambda r: r["version"])

    def _held(self, table: Table, partition: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        assert self.upto is not None
        spec = BY_SOURCE[table]
        fetched = self.fetched
        if fetched is None or (table is deductions and self.everything != (not partition)):
            fetched = self._fetch(not partition)  # the other view of the deductions
        held = []
        for row in fetched[table.name]:  # every current row is checked, held yet or not
            if self.key is not None and self.problem is None:
                bad = bad_row(self.key, spec, row)
                self.problem = bad["problem"] if bad else None
            if row[1] is not None and row[1] <= self.upto:
                held.append(row[0])
        return held


def first_bad_row(connection: Connection, key: bytes, evaluation_id: str) -> dict[str, Any] | None:
    """Every stored row of the evaluation's documents, closed and current, checked against
    its seal: the first that fails (`bad_row`), or None."""
    for spec in MIRRORED:
        h = spec.history
        closed = select(*range_columns(h, spec)).where(
            h.c[spec.evaluation] == bindparam("evaluation_id")
        )
        query = union_all(closed, current_rows(spec, False))
        for row in connection.execute(query, {"evaluation_id": evaluation_id}):
            bad = bad_row(key, spec, (dict(zip(spec.columns, row, strict=False)), *row[-3:]))
            if bad is not None:
                return bad
    return None


def bad_row(key: bytes, spec: Mirrored, row: Stored) -> dict[str, Any] | None:
    """A stored row (values, lower, upper, seal; upper OPEN for a current row) that fails
    its seal: its table, key, range and why; None when the seal holds."""
    values, lower, upper, seal = row
    current = upper == OPEN
    table = (spec.source if current else spec.history).name
    upper = None if current else upper
    if same(seal, row_seal(key, table, lower, upper, values)):
        return None
    named = {c: values[c] for c in spec.key}
    held = f"versions {lower} on" if current else f"versions {lower}–{upper}"
    keys = ", ".join(f"{c}={v}" for c, v in named.items())
    problem = ROW_TAMPERED.format(table=table, key=keys, held=held)
    return {"table": table, "key": named, "lower": lower, "upper": upper, "problem": problem}


# Shown with a past document whose stored rows fail their seals (the figures are replayed).
ROW_TAMPERED = (
    "a stored row of this past score sheet does not match its seal: {table} ({key}, {held}) "
    "was changed outside the application; the figures shown are recomputed from the events"
)
