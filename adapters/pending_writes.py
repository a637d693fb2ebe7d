"""Read-model row writes that a batch of events coalesces into a few executemany statements."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

Key = tuple[tuple[str, Any], ...]

SESSION_KEY = "scoretrail.pending_writes"


class Statement:
    """One INSERT or UPDATE shape as driver-level SQL with its columns' value converters.

    Batches go straight to the driver's executemany: SQLAlchemy's per-row parameter
    handling costs more than SQLite's own work for these small rows. The conversions are
    the ones SQLAlchemy itself would apply (its cached bind processors for the dialect).
    """

    def __init__(self, sql: str, columns: list[Column[Any]], dialect: Dialect) -> None:
        self.sql = sql
        processors = [c.type._cached_bind_processor(dialect) for c in columns]
        self.converters: list[tuple[int, Callable[[Any], Any]]] = [
            (i, p) for i, p in enumerate(processors) if p is not None
        ]

    def run(self, connection: Connection, rows: list[list[Any]]) -> None:
        """Execute for every row (lists of values in column order, converted in place)."""
        for row in rows:
            for i, convert in self.converters:
                value = row[i]
                if value is not None:
                    row[i] = convert(value)
        connection.exec_driver_sql(self.sql, list(map(tuple, rows)))


_STATEMENTS: dict[tuple[Any, ...], Statement] = {}


def _marks(dialect: Dialect, count: int) -> list[str]:
    return ["?" if dialect.paramstyle == "qmark" else "%s"] * count


def insert_statement(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> Statement:
    shape = ("insert", dialect.name, table.name, columns)
    statement = _STATEMENTS.get(shape)
    if statement is None:
        quote = dialect.identifier_preparer.quote
        sql = (
            f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
            f"({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(_marks(dialect, len(columns)))})"
        )
        statement = _STATEMENTS[shape] = Statement(sql, [table.c[c] for c in columns], dialect)
    return statement


def delete_statement(dialect: Dialect, table: Table, keys: tuple[str, ...]) -> Statement:
    shape = ("delete", dialect.name, table.name, keys)
    statement = _STATEMENTS.get(shape)
    if statement is None:
        quote = dialect.identifier_preparer.quote
        mark = _marks(dialect, 1)[0]
        sql = (
            f"DELETE FROM {dialect.identifier_preparer.format_table(table)} "
            f"WHERE {' AND '.join(f'{quote(k)} = {mark}' for k in keys)}"
        )
        statement = _STATEMENTS[shape] = Statement(sql, [table.c[k] for k in keys], dialect)
    return statement


def update_statement(
    dialect: Dialect, table: Table, keys: tuple[str, ...], columns: tuple[str, ...]
) -> Statement:
    shape = ("update", dialect.name, table.name, keys, columns)
    statement = _STATEMENTS.get(shape)
    if statement is None:
        quote = dialect.identifier_preparer.quote
        mark = _marks(dialect, 1)[0]
        sql = (
            f"UPDATE {dialect.identifier_preparer.format_table(table)} "
            f"SET {', '.join(f'{quote(c)} = {mark}' for c in columns)} "
            f"WHERE {' AND '.join(f'{quote(k)} = {mark}' for k in keys)}"
        )
        statement = _STATEMENTS[shape] = Statement(
            sql, [table.c[c] for c in (*columns, *keys)], dialect
        )
    return statement


class PendingWrites:
    """Inserts and updates held back until `flush`, keeping only each row's last values.

    A deduction's events touch the same rows again and again (the evaluation's header, the
    leaf, its parents); a rebuild touches them thousands of times. Holding the writes and
    sending one executemany per statement shape gives the same rows in far fewer round trips.
    A flush deletes first, then inserts, then updates: an update may target a row inserted
    in the same batch, and a row deleted and inserted again (`replace`) ends up inserted.
    Whoever deletes rows that already have writes held back must flush first
    (`flush_if_touched`); so must whoever writes these tables directly.
    """

    def __init__(self) -> None:
        self.deletes: dict[tuple[Table, Key], None] = {}
        self.inserts: dict[Table, list[dict[str, Any]]] = {}
        self.replacements: dict[tuple[Table, Key], dict[str, Any]] = {}
        self.updates: dict[tuple[Table, Key], dict[str, Any]] = {}
        # (table, evaluation id) pairs with writes held back; None stands for "any evaluation"
        self.touched: set[tuple[str, str | None]] = set()

    def insert(self, table: Table, row: dict[str, Any], evaluation: str | None = None) -> None:
        self.inserts.setdefault(table, []).append(row)
        self.touched.add((table.name, evaluation or row.get("evaluation_id")))

    def delete(self, table: Table, key: dict[str, Any], evaluation: str | None = None) -> None:
        """Delete the rows whose columns equal `key` (before any held-back insert)."""
        self.deletes[(table, tuple(key.items()))] = None
        self.touched.add((table.name, evaluation or key.get("evaluation_id")))

    def replace(self, table: Table, key: dict[str, Any], row: dict[str, Any]) -> None:
        """Make `row` the one row whose columns equal `key`."""
        self.delete(table, key)
        self.replacements[(table, tuple(key.items()))] = row

    def update(
        self,
        table: Table,
        key: dict[str, Any],
        values: dict[str, Any],
        evaluation: str | None = None,
    ) -> None:
        """Set `values` on the row whose columns equal `key`; later values win."""
        self.updates.setdefault((table, tuple(key.items())), {}).update(values)
        self.touched.add((table.name, evaluation or key.get("evaluation_id")))

    def flush_if_touched(self, session: Session, tables: list[Table], evaluation: str) -> None:
        """Flush when writes to one of `tables` for that evaluation are held back: call this
        before writing those rows directly (deleting them, say)."""
        if any(
            (t.name, evaluation) in self.touched or (t.name, None) in self.touched for t in tables
        ):
            self.flush(session)

    def __bool__(self) -> bool:
        return bool(self.deletes or self.inserts or self.replacements or self.updates)

    def flush(self, session: Session) -> None:
        if not self:
            return
        connection = session.connection()
        dialect = connection.dialect
        doomed: dict[tuple[Table, tuple[str, ...]], list[list[Any]]] = {}
        for table, key in self.deletes:
            doomed.setdefault((table, tuple(k for k, _ in key)), []).append([v for _, v in key])
        for (table, keys), values in doomed.items():
            delete_statement(dialect, table, keys).run(connection, values)
        fresh: dict[tuple[Table, tuple[str, ...]], list[list[Any]]] = {}
        for table, rows in self.inserts.items():
            for row in rows:
                fresh.setdefault((table, tuple(row)), []).append(list(row.values()))
        for (table, _), row in self.replacements.items():
            fresh.setdefault((table, tuple(row)), []).append(list(row.values()))
        for (table, columns), values in fresh.items():
            insert_statement(dialect, table, columns).run(connection, values)
        shapes: dict[tuple[Table, tuple[str, ...], tuple[str, ...]], list[list[Any]]] = {}
        for (table, key), changes in self.updates.items():
            columns = tuple(sorted(changes))
            params = [changes[c] for c in columns]
            params.extend(v for _, v in key)
            shapes.setdefault((table, tuple(k for k, _ in key), columns), []).append(params)
        for (table, keys, columns), values in shapes.items():
            update_statement(dialect, table, keys, columns).run(connection, values)
        self.deletes.clear()
        self.inserts.clear()
        self.replacements.clear()
        self.updates.clear()
        self.touched.clear()


def pending(session: Session) -> PendingWrites:
    """The pending writes of the batch being projected in this session."""
    writes = session.info.get(SESSION_KEY)
    if writes is None:
        writes = session.info[SESSION_KEY] = PendingWrites()
    return writes  # type: ignore[no-any-return]
