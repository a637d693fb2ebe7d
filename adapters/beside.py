"""Online rebuilds: new read-model tables built beside the serving ones, then switched in."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import Index, Table, create_engine, event, func, select, update
from sqlalchemy import table as named_table
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.schema import CreateSchema, DropSchema, DropTable

from adapters.projection import ALL_TABLES, TRACKING_NAME, SqlProjection
from adapters.schema_moves import SetSchema
from adapters.staged_switch import StagedSwitch
from adapters.store import lock_table
from adapters.tables import SCHEMA_VERSION, tracking
from application.heap import frozen_heap

log = logging.getLogger("scoretrail.rebuild")

# The build's own name beside the serving tables: PostgreSQL appends it to the store's
# schema; SQLite attaches the build's file under it.
BUILD_SUFFIX = "_rebuild"
ATTACHED = "scoretrail_rebuild"
# The switch projects at most about this many events under the writers' lock: catch-up
# rounds run until the build is this close to the head.
SWITCH_GAP = 500
CATCH_UP_ROUNDS = 20

Batch = list[tuple[int, Any]]
Reader = Callable[[int, int], Iterator[Batch]]  # (first, last) → batches of events


class Progress(Protocol):
    """Told (done, total) as the build goes, and the stage's name when a new stage begins."""

    def __call__(self, done: int, total: int, stage: str | None = None) -> None: ...


@dataclass
class BuildResult:
    """What a build beside did: events projected, where it resumed, the switch's hold."""

    events: int = 0
    resumed_from: int = 0
    loaded_to: int = 0
    switched_at: int = 0
    switch_seconds: float = 0.0  # from holding the writers' lock to the commit
    staged_evaluations: int = 0  # SQLite: evaluations copied into the serving file before
    switch_evaluations: int = 0  # ... and copied again under the writers' lock
    phases: dict[str, float] = field(default_factory=dict)


def deferred_indexes(table: Table) -> list[Index]:
    """The indexes a bulk load leaves out until the end: the non-unique ones of tables the
    projection only appends to (events and the history tables). The projection reads the
    other tables' indexes (a document's deductions, an event's note) while it runs."""
    if not (table.name == "rm_events" or table.name.endswith("_history")):
        return []
    return sorted((i for i in table.indexes if not i.unique), key=lambda i: str(i.name))


class BesideBuild:
    """Builds the read-model tables beside the serving ones, catches up, then switches."""

    def __init__(
        self,
        datastore: SQLAlchemyDatastore,
        events_table: str,
        key: bytes | None,
        read: Reader,
        head: Callable[[], int],
    ) -> None:
        self.datastore = datastore
        self.events_table = events_table
        self.key = key
        self.read = read
        self.head = head
        engine = datastore.engine
        assert isinstance(engine, Engine)
        self.engine = engine
        self.dialect = engine.dialect.name
        # Called while the switch holds the writers' lock (tests start a writer there).
        self.on_switch: Callable[[], None] | None = None

    @staticmethod
    def supported(engine: Engine) -> bool:
        """PostgreSQL, or SQLite in a file (an in-memory store has no second connection)."""
        if engine.dialect.name == "postgresql":
            return True
        database = engine.url.database
        return engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")

    # ----------------------------------------------------------------- places
    def _names(self) -> tuple[str, str]:
        """(serving schema, build schema)."""
        if self.dialect == "postgresql":
            with self.engine.connect() as connection:
                live = str(connection.execute(select(func.current_schema())).scalar())
            return live, live + BUILD_SUFFIX
        return "main", ATTACHED

    def _build_engine(self, build: str) -> Engine:
        """An engine whose statements land in the build's schema (SQLAlchemy's
        schema_translate_map), so the unchanged projection writes there."""
        translate = {"schema_translate_map": {None: build}}
        if self.dialect == "postgresql":
            return self.engine.execution_options(**translate)
        database = str(self.engine.url.database)
        built = create_engine(self.engine.url, connect_args={"timeout": 30})
        path = str(Path(database).with_name(Path(database).name + ".rebuild"))

        @event.listens_for(built, "connect")
        def _attach(dbapi: Any, _record: Any) -> None:
            cursor = dbapi.cursor()
            cursor.execute("ATTACH DATABASE ? AS scoretrail_rebuild", (path,))
            # each batch commits (the build resumes from there): a write-ahead log without
            # a sync per commit keeps that cheap; a crash loses only the last batches
            cursor.execute("PRAGMA scoretrail_rebuild.journal_mode = WAL")
            cursor.execute("PRAGMA scoretrail_rebuild.synchronous = NORMAL")
            cursor.close()

        return built.execution_options(**translate)

    # ------------------------------------------------------------------- run
    def run(self, progress: Progress | None = None, switch: bool = True) -> BuildResult:
        """Build (or resume) beside, catch up with the moving head, switch; the serving
        tables keep answering and writers keep writing until the switch's short hold.
        Without `switch` the built tables stay beside, for a later run to resume and switch."""
        live, build = self._names()
        engine = self._build_engine(build)
        try:
            return self._run(engine, live, build, progress, switch)
        finally:
            if self.dialect == "sqlite":
                engine.dispose()

    def _run(
        self, engine: Engine, live: str, build: str, progress: Progress | None, switch: bool
    ) -> BuildResult:
        result = BuildResult()
        clock = time.perf_counter()
        result.resumed_from = position = self._prepare(engine, build)
        projection = SqlProjection(_datastore(engine), key=self.key)
        target = self.head()
        result.phases["prepare"] = time.perf_counter() - clock
        clock = time.perf_counter()
        done = self._project(projection, position, target, progress)
        result.events += done
        result.loaded_to = position = max(position, target)
        result.phases["load"] = time.perf_counter() - clock
        clock = time.perf_counter()
        with engine.begin() as connection:
            if self.dialect == "postgresql":
                # an index over a whole store's history may take longer than the statement
                # timeout a request gets (a GiST index over 1,000,000 events' rows did)
                connection.execute(select(func.set_config("statement_timeout", "0", True)))
            for table in ALL_TABLES:
                for index in deferred_indexes(table):
                    index.create(connection, checkfirst=True)
        result.phases["indexes"] = time.perf_counter() - clock
        clock = time.perf_counter()
        position = self._catch_up(projection, position, result, progress)
        result.phases["catch_up"] = time.perf_counter() - clock
        staging = None
        if self.dialect == "sqlite":  # staged even without a switch: the restart then follows
            # tables cannot move between files: the built rows are copied into the serving
            # file first, then kept in step with the build as it follows the writers
            clock = time.perf_counter()
            staging = StagedSwitch(ALL_TABLES)
            result.staged_evaluations = staging.stage(engine, position, progress)
            position = self._catch_up(
                projection, position, result, None, lambda at: staging.follow(engine, at)
            )
            result.phases["stage"] = time.perf_counter() - clock
        if not switch:
            log.info("read models built beside up to event %d, not switched", position)
            return result
        clock = time.perf_counter()
        result.events += self._switch(engine, live, build, position, result, staging)
        result.phases["switch"] = time.perf_counter() - clock
        log.info("switched to the rebuilt read models at event %d", result.switched_at)
        return result

    def _prepare(self, engine: Engine, build: str) -> int:
        """The build's position: where a stopped build of this schema version left off, else
        0 with fresh tables (their append-only indexes left for the end)."""
        with engine.begin() as connection:
            if self.dialect == "postgresql":
                connection.execute(CreateSchema(build, if_not_exists=True))
            if tracking.name in _tables_in(connection, build):
                row = connection.execute(
                    select(tracking.c.position, tracking.c.schema_version).where(
                        tracking.c.name == TRACKING_NAME
                    )
                ).first()
                if row is not None and row.schema_version == SCHEMA_VERSION:
                    log.info("resuming the read-model build at event %d", row.position)
                    return int(row.position)
            for table in reversed(ALL_TABLES):
                table.drop(connection, checkfirst=True)
            for table in ALL_TABLES:
                table.create(connection)
                for index in deferred_indexes(table):
                    index.drop(connection)
        return 0

    def _project(self, projection: SqlProjection, position: int, stop: int, progress: Any) -> int:
        """Project the events after `position` up to `stop`, a committed batch at a time (each
        moves the build's own tracking row: a killed build resumes after its last batch)."""
        done, logged = 0, time.monotonic()
        with frozen_heap():
            for batch in self.read(position + 1, stop):
                projection.project(batch)
                done += len(batch)
                last = batch[-1][0]
                if progress is not None:
                    progress(last, stop)
                if time.monotonic() - logged >= 10:
                    logged = time.monotonic()
                    log.info("read-model build: event %d of %d", last, stop)
        return done

    def _catch_up(
        self,
        projection: SqlProjection,
        position: int,
        result: BuildResult,
        progress: Progress | None,
        then: Callable[[int], object] | None = None,
    ) -> int:
        """Follow the writers' head in rounds until the build is within SWITCH_GAP of it
        (each round then told the build's new position, if `then`); the position reached."""
        for _ in range(CATCH_UP_ROUNDS):
            head = self.head()
            if head - position <= SWITCH_GAP:
                break
            result.events += self._project(projection, position, head, progress)
            position = head
            if then is not None:
                then(position)
        return position

    def _switch(
        self,
        engine: Engine,
        live: str,
        build: str,
        position: int,
        result: BuildResult,
        staging: StagedSwitch | None,
    ) -> int:
        """One transaction: hold writers off, project the last events, put the new tables in
        the old ones' place."""
        live_map = {"schema_translate_map": {None: live}}
        with engine.connect() as connection, connection.begin():
            start = time.perf_counter()
            if self.dialect == "postgresql":
                # the lock writers take to append: none commits until the switch has
                lock_table(connection, named_table(self.events_table, schema=live))
            else:
                # any write to the serving file takes SQLite's one write lock
                connection.execute(
                    update(tracking).values(position=tracking.c.position),
                    execution_options=live_map,
                )
            # waiting for the lock (behind a writer's commit, or autovacuum) is timed apart
            result.phases["switch_lock_wait"] = time.perf_counter() - start
            start = time.perf_counter()
            if self.on_switch is not None:
                self.on_switch()
            head = self.head()
            projection = SqlProjection(_datastore(connection), key=self.key)
            done = 0
            for batch in self.read(position + 1, head):
                projection.project(batch)
                done += len(batch)
            if staging is None:  # PostgreSQL: the built tables move in, indexes and all
                for table in reversed(ALL_TABLES):
                    connection.execute(DropTable(table, if_exists=True), execution_options=live_map)
                for table in ALL_TABLES:
                    connection.execute(SetSchema(table, live))
                connection.execute(DropSchema(build))
            else:
                result.switch_evaluations = staging.switch(connection)
            result.switched_at = max(position, head)
        result.switch_seconds = time.perf_counter() - start
        if staging is not None:
            staging.retire(engine)
            engine.dispose()
            Path(str(self.engine.url.database) + ".rebuild").unlink(missing_ok=True)
        return done


def _tables_in(connection: Connection, schema: str) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(connection).get_table_names(schema=schema))


def _datastore(bind: Engine | Connection) -> SQLAlchemyDatastore:
    """A datastore whose sessions use `bind` (a connection: they join its transaction)."""
    return SQLAlchemyDatastore(session_maker=sessionmaker(bind=bind))
