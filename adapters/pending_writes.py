"""Read-model row writes that a batch of events coalesces into a few executemany statements."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import JSON, Column, Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from adapters.tables import UTCDateTime
from adapters.temporal_mirror import HistoryWrites, TemporalMirror

Key = tuple[tuple[str, Any], ...]

SESSION_KEY = "scoretrail.pending_writes"
# From this many rows an INSERT goes to PostgreSQL as COPY: several times faster than even
# pipelined executemany, but one more round trip, so not worth it for a command's few rows.
COPY_FROM_ROWS = 64


class EncodedJSON:
    """A JSON column's value already serialised (by the same `json.dumps` SQLAlchemy uses):
    sent as it is instead of being encoded again."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EncodedJSON) and other.text == self.text

    __hash__ = None  # type: ignore[assignment]


def _accepting_encoded(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return value.text if value.__class__ is EncodedJSON else process(value)

    return convert


def _sqlite_utc_text(value: datetime) -> str:
    if value.tzinfo is UTC:  # as events carry their times: only the "+00:00" to cut
        return value.isoformat(" ", "microseconds")[:-6]
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


SAMPLE_TIMES = (
    datetime(2026, 11, 22, 15, 26, 3, 123456, tzinfo=UTC),
    datetime(2026, 11, 22, 15, 26, 3, 123456, tzinfo=timezone(timedelta(0))),
    datetime(1, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
    datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    datetime(999, 12, 31, 23, 59, 59, 1, tzinfo=timezone(timedelta(hours=8))),
)


def converter(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """What SQLAlchemy would turn a non-null value of the column into for the driver.

    Its own bind processor, except where the same result comes cheaper: a JSON value
    already encoded is sent as it is; a UTC time for SQLite is formatted in one C call
    instead of SQLAlchemy's two Python steps (taken only if it agrees on sample times).
    """
    process: Callable[[Any], Any] | None = column.type.dialect_impl(dialect).bind_processor(dialect)
    if isinstance(column.type, JSON):
        return _accepting_encoded(process or (lambda value: value))
    if (
        isinstance(column.type, UTCDateTime)
        and dialect.name == "sqlite"
        and process is not None
        and all(_sqlite_utc_text(t) == process(t) for t in SAMPLE_TIMES)
    ):
        return _sqlite_utc_text
    return process


class Statement:
    """One INSERT, UPDATE or DELETE shape as driver-level SQL with its value converters.

    Batches go straight to the driver's executemany (or, for many rows on PostgreSQL, COPY):
    SQLAlchemy's per-row parameter handling costs more than SQLite's own work for these
    small rows. The conversions give what SQLAlchemy itself would send (see `converter`).
    """

    def __init__(
        self, sql: str, columns: list[Column[Any]], dialect: Dialect, copy: str | None = None
    ) -> None:
        self.sql = sql
        self.copy = copy if dialect.name == "postgresql" else None
        self.converters: list[tuple[int, Callable[[Any], Any]]] = []
        for i, column in enumerate(columns):
            process = converter(column, dialect)
            if process is not None:
                self.converters.append((i, process))

    def convert(self, rows: list[list[Any]]) -> None:
        """Turn each row's values into what the driver takes (in place)."""
        for i, convert in self.converters:
            for row in rows:
                value = row[i]
                if value is not None:
                    row[i] = convert(value)

    def copies(self, rows: list[list[Any]]) -> bool:
        """Whether these rows go as COPY (which cannot share a pipeline)."""
        return self.copy is not None and len(rows) >= COPY_FROM_ROWS

    def run(self, connection: Connection, rows: list[list[Any]]) -> None:
        """Execute for every row (lists of values in column order, converted in place)."""
        self.convert(rows)
        self.send(connection, rows)

    def send(self, connection: Connection, rows: list[list[Any]]) -> None:
        """Execute for every row, its values already converted."""
        if self.copies(rows):
            cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(self.copy) as stream:
                for row in rows:
                    stream.write_row(row)
            return
        connection.exec_driver_sql(self.sql, list(map(tuple, rows)))


Work = list[tuple[Statement, list[list[Any]]]]


def run_all(connection: Connection, work: Work) -> None:
    """Run the statements in order. On PostgreSQL, each run of them that COPY does not
    interrupt goes as one pipeline: every statement sent before any answer is awaited,
    one round trip for all instead of one each."""
    driver: Any = connection.connection.driver_connection
    if connection.dialect.name != "postgresql" or not hasattr(driver, "pipeline"):
        for statement, rows in work:
            statement.run(connection, rows)
        return
    group: Work = []
    for statement, rows in work:
        statement.convert(rows)
        if statement.copies(rows):
            _pipelined(connection, driver, group)
            group = []
            statement.send(connection, rows)
        else:
            group.append((statement, rows))
    _pipelined(connection, driver, group)


def _pipelined(connection: Connection, driver: Any, work: Work) -> None:
    if len(work) < 2:
        for statement, rows in work:
            statement.send(connection, rows)
        return
    dbapi: Any = connection.dialect.loaded_dbapi
    sql = work[0][0].sql
    try:
        with driver.pipeline(), driver.cursor() as cursor:
            for statement, rows in work:
                sql = statement.sql
                cursor.executemany(sql, rows)
    except dbapi.Error as error:
        raise as_sqlalchemy_error(connection, sql, None, error) from error


def as_sqlalchemy_error(connection: Connection, sql: str, params: Any, error: Any) -> DBAPIError:
    """A driver error met outside SQLAlchemy's execute, as SQLAlchemy would have raised it;
    a lost connection is invalidated, so the pool does not hand it out again."""
    dbapi: Any = connection.dialect.loaded_dbapi
    driver = connection.connection.driver_connection
    lost = connection.dialect.is_disconnect(error, driver, None)
    if lost:
        connection.invalidate(error)
    return DBAPIError.instance(
        sql, params, error, dbapi.Error, connection_invalidated=lost, dialect=connection.dialect
    )


_STATEMENTS: dict[tuple[Any, ...], Statement] = {}


def _marks(dialect: Dialect, count: int) -> list[str]:
    return ["?" if dialect.paramstyle == "qmark" else "%s"] * count


def insert_statement(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> Statement:
    shape = ("insert", dialect.name, table.name, columns)
    statement = _STATEMENTS.get(shape)
    if statement is None:
        quote = dialect.identifier_preparer.quote
        name = dialect.identifier_preparer.format_table(table)
        names = ", ".join(quote(c) for c in columns)
        sql = f"INSERT INTO {name} ({names}) VALUES ({', '.join(_marks(dialect, len(columns)))})"
        statement = _STATEMENTS[shape] = Statement(
            sql, [table.c[c] for c in columns], dialect, copy=f"COPY {name} ({names}) FROM STDIN"
        )
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


_PRIMARY_KEYS: dict[Table, tuple[str, ...]] = {}


def primary_key(table: Table) -> tuple[str, ...]:
    """The names of the table's primary-key columns, in their order."""
    names = _PRIMARY_KEYS.get(table)
    if names is None:
        names = _PRIMARY_KEYS[table] = tuple(c.name for c in table.primary_key.columns)
    return names


class PendingWrites:
    """Inserts and updates held back until `flush`, keeping only each row's last values.

    A deduction's events touch the same rows again and again (the evaluation's header, the
    leaf, its parents); a rebuild touches them thousands of times. Holding the writes and
    sending one executemany per statement shape gives the same rows in far fewer round trips.
    A flush deletes first, then inserts, then updates: an update may target a row inserted
    in the same batch, and a row deleted and inserted again (`replace`) ends up inserted.
    An update keyed by the primary key (in its column order) of a row whose insert is held
    back, with no update of that row held back before it, is folded into the insert: the
    same row, one statement less (in a rebuild nearly every update is of such a row).
    Whoever deletes rows that already have writes held back must flush first
    (`flush_if_touched`); so must whoever writes these tables directly.
    """

    def __init__(self) -> None:
        self.deletes: dict[tuple[Table, Key], None] = {}
        self.inserts: dict[Table, list[dict[str, Any]]] = {}
        self.replacements: dict[tuple[Table, Key], dict[str, Any]] = {}
        self.updates: dict[tuple[Table, Key], dict[str, Any]] = {}
        # held-back inserts by primary key, for updates to fold into
        self.inserted: dict[tuple[Table, Key], dict[str, Any]] = {}
        # rows nobody updates, as values in column order: (table, columns) -> rows
        self.appended: dict[tuple[Table, tuple[str, ...]], list[list[Any]]] = {}
        # (table, evaluation id) pairs with writes held back; None stands for "any evaluation"
        self.touched: set[tuple[str, str | None]] = set()
        # the history tables' side of the same writes (set its version per event)
        self.mirror = TemporalMirror()

    def insert(self, table: Table, row: dict[str, Any], evaluation: str | None = None) -> None:
        self.inserts.setdefault(table, []).append(row)
        self.mirror.put(table, row)
        names = primary_key(table)
        if all(c in row for c in names):  # else the database fills it in: nothing names the row
            self.inserted[(table, tuple((c, row[c]) for c in names))] = row
        self.touched.add((table.name, evaluation or row.get("evaluation_id")))

    def append(
        self, table: Table, columns: tuple[str, ...], values: list[Any], evaluation: str
    ) -> None:
        """Insert a row no later write in the batch updates (a history entry): its values in
        the order of `columns`, with none of the bookkeeping an updatable row needs."""
        rows = self.appended.get((table, columns))
        if rows is None:
            rows = self.appended[(table, columns)] = []
        rows.append(values)
        self.touched.add((table.name, evaluation))

    def delete(self, table: Table, key: dict[str, Any], evaluation: str | None = None) -> None:
        """Delete the rows whose columns equal `key` (before any held-back insert)."""
        self.deletes[(table, tuple(key.items()))] = None
        self.mirror.delete(table, key)
        self.touched.add((table.name, evaluation or key.get("evaluation_id")))

    def replace(self, table: Table, key: dict[str, Any], row: dict[str, Any]) -> None:
        """Make `row` the one row whose columns equal `key`."""
        self.delete(table, key)
        self.mirror.put(table, row)
        self.replacements[(table, tuple(key.items()))] = row

    def update(
        self,
        table: Table,
        key: dict[str, Any],
        values: dict[str, Any],
        evaluation: str | None = None,
    ) -> None:
        """Set `values` on the row whose columns equal `key`; later values win."""
        self.mirror.set(table, key, values)
        target = (table, tuple(key.items()))
        held = self.updates.get(target)
        if held is None:
            row = self.inserted.get(target)
            if row is not None:
                row.update(values)
                return  # the insert already marked the row's table as touched
            held = self.updates[target] = {}
        held.update(values)
        self.touched.add((table.name, evaluation or key.get("evaluation_id")))

    def flush_if_touched(self, session: Session, tables: list[Table], evaluation: str) -> None:
        """Flush when writes to one of `tables` for that evaluation are held back: call this
        before writing those rows directly (deleting them, say)."""
        if any(
            (t.name, evaluation) in self.touched or (t.name, None) in self.touched for t in tables
        ):
            self.flush(session, history=False)  # nobody reads history tables mid-batch

    def __bool__(self) -> bool:
        return bool(
            self.deletes
            or self.inserts
            or self.replacements
            or self.updates
            or self.appended
            or self.mirror
        )

    def flush(self, session: Session, history: bool = True) -> None:
        """Send the held-back writes; with `history` False, the history rows' side stays
        held back (no reader needs them before the batch ends: fewer, longer statements)."""
        if not self:
            return
        connection = session.connection()
        dialect = connection.dialect
        # the history writes, reading what they need before any write
        kept = self.mirror.resolve(connection) if history else HistoryWrites()
        work: Work = []
        doomed: dict[tuple[Table, tuple[str, ...]], list[list[Any]]] = {}
        for table, key in self.deletes:
            doomed.setdefault((table, tuple(k for k, _ in key)), []).append([v for _, v in key])
        for (table, keys), values in doomed.items():
            work.append((delete_statement(dialect, table, keys), values))
        fresh = self.appended
        for table, rows in self.inserts.items():
            for row in rows:
                fresh.setdefault((table, tuple(row)), []).append(list(row.values()))
        for (table, _), row in self.replacements.items():
            fresh.setdefault((table, tuple(row)), []).append(list(row.values()))
        for (table, columns), values in fresh.items():
            work.append((insert_statement(dialect, table, columns), values))
        shapes: dict[tuple[Table, tuple[str, ...], tuple[str, ...]], list[list[Any]]] = {}
        for (table, key), changes in self.updates.items():
            columns = tuple(sorted(changes))
            params = [changes[c] for c in columns]
            params.extend(v for _, v in key)
            shapes.setdefault((table, tuple(k for k, _ in key), columns), []).append(params)
        for (table, keys, columns), values in shapes.items():
            work.append((update_statement(dialect, table, keys, columns), values))
        for (table, keys), values in kept.deletes.items():
            work.append((delete_statement(dialect, table, keys), values))
        for (table, keys), values in kept.closes.items():
            work.append((update_statement(dialect, table, keys, ("upper", "node")), values))
        for (table, columns), values in kept.inserts.items():
            work.append((insert_statement(dialect, table, columns), values))
        run_all(connection, work)
        self.deletes.clear()
        self.inserts.clear()
        self.replacements.clear()
        self.updates.clear()
        self.inserted.clear()
        self.appended = {}
        self.touched.clear()


def pending(session: Session) -> PendingWrites:
    """The pending writes of the batch being projected in this session."""
    writes = session.info.get(SESSION_KEY)
    if writes is None:
        writes = session.info[SESSION_KEY] = PendingWrites()
    return writes  # type: ignore[no-any-return]
