"""Where a document's rows come from: the read model as it stands, or as it stood at a version."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, and_, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from adapters.history_batch import Fetched, fetch_at
from adapters.history_tables import BY_SOURCE, Convert, Mirrored, result_converters
from adapters.interval_tree import LEVELS, path
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

    def __init__(
        self, session: Session, evaluation_id: str, version: int, everything: bool = False
    ) -> None:
        super().__init__(session, evaluation_id)
        self.upto = version
        self.everything = everything  # which deductions a prefetch reads
        self.moment: Any = None  # when the version was recorded: the document's updated_at
        self.fetched: Fetched | None = None

    def reached(self) -> int | None:
        """The version the read model has reached for the evaluation (None: no such one);
        notes the time of the version asked on the way (one statement for both).

        On PostgreSQL the same statement brings every table's rows (one round trip, not
        one per table); SQLite, in process, runs the per-table queries as they are asked.
        """
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            reached, self.moment, self.fetched = fetch_at(
                connection, self.evaluation_id, self.upto or 0, self.everything
            )
            return reached
        sql, convert = _moment_statement(connection.dialect)
        row = connection.exec_driver_sql(
            sql, (self.evaluation_id, self.evaluation_id, self.upto)
        ).first()
        if row is None or row[0] is None:
            return None
        self.moment = None if row[1] is None else convert(row[1])
        return int(row[0])

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
        if self.fetched is not None and (
            table is not deductions or self.everything == (not partition)
        ):
            return self.fetched[table.name]
        return held_rows(self.session, BY_SOURCE[table], self.evaluation_id, self.upto, partition)


_HELD: dict[tuple[str, str, tuple[str, ...]], tuple[str, list[tuple[int, Convert]]]] = {}
_MOMENT: dict[str, tuple[str, Convert]] = {}


def held_rows(
    session: Session,
    spec: Mirrored,
    evaluation_id: str,
    version: int,
    partition: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Rows of the history table holding at `version`: nodes at or above it on its path
    with lower <= version, nodes below it with upper >= version, each an index seek.

    Sent as driver-level SQL, made once per table and dialect (the path's nodes are bound
    parameters, padded to a fixed count): building and compiling a SQLAlchemy statement
    per read costs more than the read itself. The values come back converted as
    SQLAlchemy would convert them.
    """
    connection = session.connection()
    names = tuple(partition or ())
    sql, converters = held_statement(connection.dialect, spec, names)
    rows = connection.exec_driver_sql(sql, held_parameters(evaluation_id, version, partition))
    found = []
    columns = spec.columns
    for row in rows:
        values = list(row)
        for i, convert in converters:
            if values[i] is not None:
                values[i] = convert(values[i])
        found.append(dict(zip(columns, values, strict=True)))
    return found


def held_parameters(
    evaluation_id: str, version: int, partition: dict[str, Any] | None = None
) -> tuple[Any, ...]:
    at_or_above, below = path(version)
    # padded to one node per level: repeats change nothing, node 0 holds no interval
    at_or_above += [at_or_above[0]] * (LEVELS - len(at_or_above))
    below += [below[0] if below else 0] * (LEVELS - len(below))
    same = tuple((partition or {}).values())
    return (
        evaluation_id, *at_or_above, *same, version, evaluation_id, *below, *same, version
    )  # fmt: skip


def held_statement(
    dialect: Dialect, spec: Mirrored, partition: tuple[str, ...]
) -> tuple[str, list[tuple[int, Convert]]]:
    """The range query's SQL for the dialect, and the converters of its result columns."""
    shape = (dialect.name, spec.history.name, partition)
    made = _HELD.get(shape)
    if made is None:
        quote = dialect.identifier_preparer.quote
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        h = spec.history
        name = dialect.identifier_preparer.format_table(h)
        columns = ", ".join(quote(c) for c in spec.columns)
        nodes = ", ".join([mark] * LEVELS)
        same = "".join(f" AND {quote(c)} = {mark}" for c in partition)

        def branch(bound: str, test: str) -> str:
            return (
                f"SELECT {columns} FROM {name} WHERE {quote(spec.evaluation)} = {mark} "
                f"AND node IN ({nodes}){same} AND {quote(bound)} {test} {mark}"
            )

        sql = f"{branch('lower', '<=')} UNION ALL {branch('upper', '>=')}"
        made = _HELD[shape] = (sql, result_converters(dialect, h, spec.columns))
    return made


def _moment_statement(dialect: Dialect) -> tuple[str, Convert]:
    made = _MOMENT.get(dialect.name)
    if made is None:
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        sql = (
            f"SELECT (SELECT version FROM {evaluations.name} WHERE id = {mark}), "
            f"(SELECT recorded_at FROM {events.name} "
            f"WHERE evaluation_id = {mark} AND version = {mark})"
        )
        process = events.c.recorded_at.type._cached_result_processor(dialect, None)
        assert process is not None
        made = _MOMENT[dialect.name] = (sql, process)
    return made
