"""Event records and their digests written at the driver, in as few round trips as it allows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from sqlalchemy import Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError

from adapters.pending_writes import converter, insert_statement

RECORD_COLUMNS = ("originator_id", "originator_version", "topic", "state")
DIGEST_COLUMNS = ("originator_id", "originator_version", "digest")
# Records a statement carries (4 parameters each, well inside every driver's limit)
RECORDS_A_STATEMENT = 500


class RecordWrites:
    """The statements of one events table and its digest table, for one dialect.

    Values are converted as SQLAlchemy converts them (`converter`), so the rows are those
    the ORM wrote: the library reads them back (tests/integration/test_write_reads.py).
    On PostgreSQL several statements travel as one message (psycopg's client-side binding
    allows that), each still run with its own snapshot, in order: a round trip each is what
    a command on PostgreSQL mostly waits for.
    """

    def __init__(self, dialect: Dialect, events: Table, digests: Table) -> None:
        self.postgresql = dialect.name == "postgresql"
        quote = dialect.identifier_preparer.quote
        self.events_name = dialect.identifier_preparer.format_table(events)
        self.digests_name = dialect.identifier_preparer.format_table(digests)
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self.mark = mark
        self.records_head = (
            f"INSERT INTO {self.events_name} "
            f"({', '.join(quote(c) for c in RECORD_COLUMNS)}) VALUES "
        )
        self.records_row = f"({', '.join([mark] * len(RECORD_COLUMNS))})"
        self.digests_head = (
            f"INSERT INTO {self.digests_name} "
            f"({', '.join(quote(c) for c in DIGEST_COLUMNS)}) VALUES "
        )
        self.digests_row = f"({', '.join([mark] * len(DIGEST_COLUMNS))})"
        self.convert = [converter(events.c[c], dialect) for c in RECORD_COLUMNS]
        self.convert_id: Callable[[Any], Any] = self.convert[0] or (lambda value: value)
        self.digests = digests
        self.dialect = dialect
        self.head_sql = (
            f"SELECT h.v, d.digest FROM (SELECT max(originator_version) AS v "
            f"FROM {self.events_name} WHERE originator_id = {mark}) AS h "
            f"LEFT JOIN {self.digests_name} AS d "
            f"ON d.originator_id = {mark} AND d.originator_version = h.v"
        )

    # ------------------------------------------------------------------ the head
    def head(
        self, connection: Connection, originator_id: Any, before: tuple[str, tuple[Any, ...]] | None
    ) -> tuple[int | None, str | None]:
        """The originator's latest version and its digest; `before`: a statement to run
        first in the same message (PostgreSQL) or round trip (elsewhere)."""
        params = (self.convert_id(originator_id), str(originator_id))
        if before is not None and self.postgresql:
            cursor = _client_execute(
                connection, f"{before[0]}; {self.head_sql}", (*before[1], *params)
            )
            cursor.nextset()
            row = cursor.fetchone()
        else:
            if before is not None:
                connection.exec_driver_sql(before[0], before[1])
            row = connection.exec_driver_sql(self.head_sql, params).one()
        assert row is not None
        return (None if row[0] is None else int(row[0]), row[1])

    # ------------------------------------------------------------------ inserting
    def insert(
        self,
        connection: Connection,
        records: Sequence[StoredEvent],
        digests: list[list[Any]],
        lock: str | None,
    ) -> list[int]:
        """Insert the records and their digests (rows in DIGEST_COLUMNS order, one per
        record, same order); the records' notification ids in order.

        The rows go in in order and the writer holds the table (`lock`, taken first on
        PostgreSQL; SQLite has one writer), so the ids, sorted, are the records' ids.
        """
        ids: list[int] = []
        for start in range(0, len(records), RECORDS_A_STATEMENT):
            chunk = records[start : start + RECORDS_A_STATEMENT]
            sealed = digests[start : start + RECORDS_A_STATEMENT]
            params = self._record_params(chunk)
            records_sql = self.records_head + ", ".join([self.records_row] * len(chunk))
            if self.postgresql:
                # one statement writes both tables; the table lock goes in the same message
                sql = (
                    f"WITH r AS ({records_sql} RETURNING id), "
                    f"d AS ({self.digests_head}{', '.join([self.digests_row] * len(sealed))}) "
                    f"SELECT id FROM r"
                )
                for row in sealed:
                    params.extend(row)
                if lock is not None and start == 0:
                    cursor = _client_execute(connection, f"{lock}; {sql}", params)
                    cursor.nextset()
                else:
                    cursor = _client_execute(connection, sql, params)
                returned = [r[0] for r in cursor.fetchall()]
            else:
                if lock is not None and start == 0:
                    connection.exec_driver_sql(lock)
                result = connection.exec_driver_sql(f"{records_sql} RETURNING id", tuple(params))
                returned = list(result.scalars())
                insert_statement(self.dialect, self.digests, DIGEST_COLUMNS).run(
                    connection, [list(row) for row in sealed]
                )
            ids.extend(sorted(int(i) for i in returned))
        return ids

    def _record_params(self, records: Sequence[StoredEvent]) -> list[Any]:
        params: list[Any] = []
        convert = self.convert
        for e in records:
            for value, process in zip(
                (e.originator_id, e.originator_version, e.topic, e.state), convert, strict=True
            ):
                params.append(process(value) if process is not None else value)
        return params


def _client_execute(connection: Connection, sql: str, params: Sequence[Any]) -> Any:
    """Run `sql` on a psycopg cursor that binds parameters itself, so one message may hold
    several statements (the server answers them in turn); its cursor, at the first result.
    Driver errors come out as SQLAlchemy's, as from any other statement (a lock timeout is
    then a busy store, a duplicate version a lost race)."""
    import psycopg  # the PostgreSQL driver: only imported where it is used

    cursor = psycopg.ClientCursor(connection.connection.dbapi_connection)  # type: ignore[call-overload]
    try:
        cursor.execute(sql, params)
    except psycopg.Error as error:
        raise DBAPIError.instance(
            sql, None, error, psycopg.Error, hide_parameters=True, dialect=connection.dialect
        ) from error
    return cursor


_WRITES: dict[tuple[str, Table], RecordWrites] = {}


def record_writes(dialect: Dialect, events: Table, digests: Table) -> RecordWrites:
    found = _WRITES.get((dialect.name, events))
    if found is None:
        found = _WRITES[(dialect.name, events)] = RecordWrites(dialect, events, digests)
    return found
