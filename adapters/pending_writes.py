"""Read-model row writes that a batch of events coalesces into a few executemany statements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from adapters.history_tables import Mirrored
from adapters.temporal_mirror import KEY_PREFIX, Rows, Statements, TemporalMirror

Key = tuple[tuple[str, Any], ...]

SESSION_KEY = "scoretrail.pending_writes"


def _keyed(key: Key) -> dict[str, Any]:
    return {KEY_PREFIX + k: v for k, v in key}


Work = list[tuple[Executable, Rows]]


def run_all(connection: Connection, work: Work) -> None:
    """Run each statement for its rows (one executemany each, in order); SQLAlchemy caches
    each statement's compiled form.

    The one fast path below SQLAlchemy: on psycopg 3 the statements go as one pipeline
    (`Connection.pipeline()`, its public API): all sent before any answer is awaited, one
    round trip for the flush instead of one per statement; none of them returns rows. An
    error the pipeline reports at its end is raised as SQLAlchemy would raise it.
    """
    work = [(statement, rows) for statement, rows in work if rows]
    driver: Any = connection.connection.driver_connection
    if len(work) < 2 or connection.dialect.name != "postgresql" or not hasattr(driver, "pipeline"):
        for statement, rows in work:
            connection.execute(statement, rows)
        return
    dbapi: Any = connection.dialect.loaded_dbapi
    try:
        with driver.pipeline():
            for statement, rows in work:
                connection.execute(statement, rows)
    except dbapi.Error as error:
        lost = connection.dialect.is_disconnect(error, driver, None)
        if lost:
            connection.invalidate(error)
        raise DBAPIError.instance(
            None, None, error, dbapi.Error, connection_invalidated=lost, dialect=connection.dialect
        ) from error


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

    def __init__(self, statements: Statements | None = None, key: bytes | None = None) -> None:
        self.statements = statements or Statements()
        self.deletes: dict[tuple[Table, Key], None] = {}
        self.inserts: dict[Table, list[dict[str, Any]]] = {}
        self.replacements: dict[tuple[Table, Key], dict[str, Any]] = {}
        self.updates: dict[tuple[Table, Key], dict[str, Any]] = {}
        # held-back inserts by primary key, for updates to fold into
        self.inserted: dict[tuple[Table, Key], dict[str, Any]] = {}
        # rows nobody updates: (table, columns) -> rows
        self.appended: dict[tuple[Table, tuple[str, ...]], Rows] = {}
        # (table, evaluation id) pairs with writes held back; None stands for "any evaluation"
        self.touched: set[tuple[str, str | None]] = set()
        # the history tables' side of the same writes (set its version per event)
        self.mirror = TemporalMirror(self.statements, key)

    def insert(self, table: Table, row: dict[str, Any], evaluation: str | None = None) -> None:
        self.inserts.setdefault(table, []).append(row)
        self.mirror.put(table, row)
        names = tuple(c.name for c in table.primary_key.columns)
        if all(c in row for c in names):  # else the database fills it in: nothing names the row
            self.inserted[(table, tuple((c, row[c]) for c in names))] = row
        self.touched.add((table.name, evaluation or row.get("evaluation_id")))

    def append(
        self, table: Table, columns: tuple[str, ...], values: list[Any], evaluation: str
    ) -> None:
        """Insert a row no later write in the batch updates (a history entry): its values in
        the order of `columns`, with none of the bookkeeping an updatable row needs."""
        self.appended.setdefault((table, columns), []).append(
            dict(zip(columns, values, strict=True))
        )
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
        names = tuple(c.name for c in table.primary_key.columns)
        if all(c in row for c in names):  # later updates fold into it, as into an insert
            self.inserted[(table, tuple((c, row[c]) for c in names))] = row

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

    def _stamp(self, spec: Mirrored, key: tuple[Any, ...], stamp: dict[str, Any]) -> None:
        """Put a row's new `since` and `seal` into the write held back for it (its insert or
        replacement, else its update)."""
        target = (spec.source, tuple(zip(spec.key, key, strict=True)))
        row = self.inserted.get(target)
        (self.updates.setdefault(target, {}) if row is None else row).update(stamp)

    def flush_if_touched(self, session: Session, tables: list[Table], evaluation: str) -> None:
        """Flush when writes to one of `tables` for that evaluation are held back: call this
        before writing those rows directly (deleting them, say)."""
        if any(
            (t.name, evaluation) in self.touched or (t.name, None) in self.touched for t in tables
        ):
            self.flush(session)

    def __bool__(self) -> bool:
        return bool(
            self.deletes
            or self.inserts
            or self.replacements
            or self.updates
            or self.appended
            or self.mirror
        )

    def flush(self, session: Session) -> None:
        """Send the held-back writes, with the history rows they make."""
        if not self:
            return
        connection = session.connection()
        # the history writes, reading what they need before any write
        kept = self.mirror.resolve(connection)
        for (spec, key), stamp in kept.stamps.items():
            self._stamp(spec, key, stamp)
        made = self.statements
        work: Work = []
        doomed: dict[tuple[Table, tuple[str, ...]], Rows] = {}
        for table, key in self.deletes:
            doomed.setdefault((table, tuple(k for k, _ in key)), []).append(_keyed(key))
        for (table, keys), rows in doomed.items():
            work.append((made.delete(table, keys), rows))
        fresh = self.appended
        for table, inserted in self.inserts.items():
            for row in inserted:
                fresh.setdefault((table, tuple(row)), []).append(row)
        for (table, _), row in self.replacements.items():
            fresh.setdefault((table, tuple(row)), []).append(row)
        for (table, _), rows in fresh.items():
            work.append((made.insert(table), rows))
        shapes: dict[tuple[Table, tuple[str, ...], tuple[str, ...]], Rows] = {}
        for (table, key), changes in self.updates.items():
            shape = (table, tuple(k for k, _ in key), tuple(sorted(changes)))
            shapes.setdefault(shape, []).append({**changes, **_keyed(key)})
        for (table, keys, _), rows in shapes.items():
            work.append((made.update(table, keys), rows))
        for (table, _), rows in kept.inserts.items():
            work.append((made.insert(table), rows))
        run_all(connection, work)
        self.deletes.clear()
        self.inserts.clear()
        self.replacements.clear()
        self.updates.clear()
        self.inserted.clear()
        self.appended = {}
        self.touched.clear()


def pending(
    session: Session, statements: Statements | None = None, key: bytes | None = None
) -> PendingWrites:
    """The pending writes of the batch being projected in this session (made with the
    projection's `statements` and sealing `key` when it starts the batch)."""
    writes = session.info.get(SESSION_KEY)
    if writes is None:
        writes = session.info[SESSION_KEY] = PendingWrites(statements, key)
    return writes  # type: ignore[no-any-return]
