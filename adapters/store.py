"""Engine settings for the event store: lock and statement timeouts, pool size."""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from typing import Any

from eventsourcing.utils import Environment
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from sqlalchemy import TableClause, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry

# A pooled PostgreSQL connection idle longer than this is pinged before it is handed out.
# One used more recently is not: the ping is a round trip, the largest single cost of a
# one-statement read, and a connection lost while busy is caught anyway (SQLAlchemy
# invalidates the whole pool on the first disconnect error it sees).
IDLE_PING_SECONDS = 5.0


@dataclass(frozen=True)
class StoreTuning:
    """How long a request may wait on the database before it gives up (and answers 503)."""

    # PostgreSQL lock_timeout, and SQLite's busy timeout: the wait for another writer's lock.
    lock_timeout_ms: int = 5000
    # PostgreSQL statement_timeout: no single statement runs longer than this.
    statement_timeout_ms: int = 30000
    # Connections kept open per process (PostgreSQL), and how many more may be opened at a peak.
    pool_size: int = 5
    max_overflow: int = 5
    # A pooled connection idle longer than this is pinged before it is handed out.
    idle_ping_ms: int = int(IDLE_PING_SECONDS * 1000)

    def as_env(self) -> dict[str, str]:
        """The eventsourcing environment entries the factory reads back."""
        return {f"SCORETRAIL_DB_{f.name.upper()}": str(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_env(cls, env: Environment) -> StoreTuning:
        """Read back with the application's prefix (SCORETRAIL_DB_…), as as_env wrote them."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"DB_{f.name.upper()}")
            if raw not in (None, ""):
                values[f.name] = int(str(raw))
        return cls(**values)


def engine_options(url: str, tuning: StoreTuning) -> dict[str, Any]:
    """create_engine keyword arguments for the store at `url`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        # Session settings travel in libpq's `options`, after any the URL already gives
        # (tests pick a schema with `options=-csearch_path=…`).
        given = parsed.query.get("options", "")
        given = " ".join(given) if isinstance(given, tuple) else given
        settings = (
            f"-c lock_timeout={tuning.lock_timeout_ms}"
            f" -c statement_timeout={tuning.statement_timeout_ms}"
        )
        return {
            "pool_size": tuning.pool_size,
            "max_overflow": tuning.max_overflow,
            "connect_args": {
                "options": f"{given} {settings}".strip(),
                "application_name": "scoretrail",
                # psycopg prepares each statement on its first run on a connection, not its
                # sixth: the past-document statement's planning (~2 ms) then stops at the
                # server's generic plan on every pooled connection within a few reads
                "prepare_threshold": 0,
            },
        }
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        # pysqlite's `timeout` is SQLite's busy timeout, in seconds.
        return {"connect_args": {"timeout": tuning.lock_timeout_ms / 1000}}
    return {}


def ping_when_idle(engine: Engine, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    """Check a pooled connection with `SELECT 1` when it comes back after `idle_seconds`;
    a dead one is replaced (the pool retries the checkout) instead of failing a request.
    The ping leaves the connection as the pool gave it: outside any transaction."""

    @event.listens_for(engine, "checkin")
    def _used(_dbapi: Any, record: ConnectionPoolEntry) -> None:
        record.info["scoretrail_used_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        used_at = record.info.get("scoretrail_used_at")
        if used_at is None or time.monotonic() - used_at < idle_seconds:
            return  # new, or used moments ago
        try:
            ping(dbapi)
        except Exception as error:  # any driver error: the connection is not usable
            raise DisconnectionError(f"stale pooled connection: {error}") from error


def ping(dbapi: Any) -> None:
    """`SELECT 1` in the driver's autocommit mode, so it opens no transaction: a connection
    left in one could not be switched to autocommit for the one-statement reads, nor would
    its next transaction start when the caller thinks. Switching autocommit on an idle
    psycopg connection is local (no round trip), so the ping stays one round trip."""
    was_autocommit = bool(dbapi.autocommit)
    dbapi.autocommit = True
    try:
        cursor = dbapi.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
    finally:
        if not dbapi.closed:
            dbapi.autocommit = was_autocommit


class TunedSQLAlchemyFactory(SQLAlchemyFactory):
    """eventsourcing-sqlalchemy's factory, with an engine built from StoreTuning."""

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        url = self.env.get(self.SQLALCHEMY_URL)
        if url:
            # The engine the parent built has not connected yet: replace it with a tuned one.
            tuning = StoreTuning.from_env(self.env)
            self.datastore = self.datastore_class(url=url, **engine_options(url, tuning))
            engine = self.datastore.engine
            if isinstance(engine, Engine) and engine.dialect.name == "postgresql":
                ping_when_idle(engine, tuning.idle_ping_ms / 1000)

    @property
    def schema_name(self) -> str | None:
        """The SQLALCHEMY_SCHEMA setting, read from the environment as the parent reads it."""
        value = self.env.get(self.SQLALCHEMY_SCHEMA)
        return None if value is None else str(value)


def lock_table(connection: Connection, table: TableClause) -> None:
    """Take PostgreSQL's EXCLUSIVE lock on the table until the transaction ends (the lock
    event writers take: notification ids then follow the commit order). SQLAlchemy has no
    construct for LOCK: the name is quoted by the dialect, as it would quote it."""
    name = connection.dialect.identifier_preparer.format_table(table)
    connection.execute(text(f"LOCK TABLE {name} IN EXCLUSIVE MODE"))
