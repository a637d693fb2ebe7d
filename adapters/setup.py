"""Start-up of the store: tables and read-model rebuilds, one process at a time."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Index, MetaData, text
from sqlalchemy.engine import Engine

log = logging.getLogger("scoretrail.setup")

# First half of the advisory-lock key; the second is a hash of the schema, so stores kept
# in different schemas of one database do not wait for each other.
ADVISORY_LOCK_CLASS = 0x5C07E


@contextmanager
def setup_lock(engine: Engine) -> Iterator[None]:
    """Hold a lock shared by every process (and host) that starts on this store."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            # A transaction-level lock: released on commit, and by the server if we die.
            # Set-up may wait for another process's rebuild, so no timeouts here.
            connection.execute(text("SET LOCAL lock_timeout = 0"))
            connection.execute(text("SET LOCAL statement_timeout = 0"))
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:cls, hashtext(current_schema()))"),
                {"cls": ADVISORY_LOCK_CLASS},
            )
            try:
                yield
            finally:
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        with _file_lock(Path(database).with_name(Path(database).name + ".setup-lock")):
            yield
        return
    yield


def create_missing(engine: Engine, metadata: MetaData, *indexes: Index) -> None:
    """Create the tables (and `indexes`) of `metadata` that are missing, under the set-up
    lock: workers starting at once on a new PostgreSQL store would otherwise both create a
    table, and the loser's worker fail to boot."""
    with setup_lock(engine):
        metadata.create_all(engine)
        for index in indexes:
            index.create(engine, checkfirst=True)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    import fcntl

    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prepare(
    engine: Engine,
    create_tables: list[Callable[[], None]],
    read_models_outdated: Callable[[], bool],
    rebuild: Callable[[], int],
) -> int | None:
    """Create what is missing and rebuild outdated read models, under the set-up lock.

    Several workers starting at once take turns: the first rebuilds, the others find the
    read models current. Returns the number of events projected, or None if no rebuild.
    """
    with setup_lock(engine):
        for create in create_tables:
            create()
        if not read_models_outdated():
            return None
        count = rebuild()
        log.info("rebuilt the read models from %d events", count)
        return count
