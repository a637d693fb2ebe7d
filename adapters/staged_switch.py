"""SQLite's switch to read models built beside: their rows are staged in the serving file in
short transactions first, so the writers' lock covers only the last events' rows and a rename."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import (
    Column,
    MetaData,
    Table,
    delete,
    func,
    insert,
    inspect,
    quoted_name,
    select,
)
from sqlalchemy import table as named_table
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import DropIndex, DropTable

from adapters.history_tables import MIRRORED, made_on
from adapters.projection import TRACKING_NAME
from adapters.schema_moves import RenameTable
from adapters.tables import events, tracking

log = logging.getLogger("scoretrail.rebuild")

SERVING = "main"
STAGED = "__next"  # a staged table's name: the serving name and this
RETIRED = "__old"  # a replaced serving table's name, until it is dropped after the switch
# An index name is unique in an SQLite file, and a renamed table keeps its indexes' names:
# staged indexes take whichever of these two names the serving tables' do not hold.
ALTERNATE = "__b"
# Evaluations are staged in groups of about this many events' rows, one transaction each:
# each holds the serving file's write lock for a fraction of a second.
STAGE_EVENTS = 5_000
# A writer waiting for SQLite's write lock polls for it every 100 ms at most (the busy
# handler's back-off): back-to-back transactions leave it no gap to find. After this long of
# them, staging and retiring pause for longer than one poll.
HOLD_BUDGET = 0.25
POLL_GAP = 0.12
# The staged tracking table's row until the switch: the build position the staged rows are
# equal to, and the build's schema version (a later run of the same build resumes from it).
MARK = "staged"


class Turns:
    """Paces a run of write transactions so that waiting writers get their turn."""

    def __init__(self) -> None:
        self.since = time.monotonic()

    def take(self) -> None:
        """Called after each transaction: pause once HOLD_BUDGET of them has passed."""
        if time.monotonic() - self.since >= HOLD_BUDGET:
            time.sleep(POLL_GAP)
            self.since = time.monotonic()


class StagedSwitch:
    """Stages the built tables' rows beside the serving tables in the serving file, keeps
    them in step with the build, then renames them into place."""

    def __init__(self, tables: Sequence[Table]) -> None:
        self.tables = tables
        self.staged: dict[str, Table] = {}
        self.staged_at = 0  # the build position the staged rows are equal to

    def stage(
        self, engine: Engine, position: int, progress: Callable[..., None] | None = None
    ) -> int:
        """Make the staged tables afresh and copy every evaluation's built rows into them, a
        group of evaluations per transaction; the rows are the build's at `position`.
        `progress` is told (events staged, events) as it goes. Rows staged by an earlier run
        of the same build are kept: it returns how many evaluations were staged, 0 then."""
        with engine.begin() as connection:
            if self._resume(connection, position):
                log.info("read-model switch: staged rows kept from event %d", self.staged_at)
                return 0
            self._create(connection)
            counts = connection.execute(
                select(events.c.evaluation_id, func.count()).group_by(events.c.evaluation_id)
            ).all()
        self.staged_at = position
        group: list[str] = []
        size, copied, logged, turns = 0, 0, time.monotonic(), Turns()
        total = sum(count for _, count in counts)
        for done, (evaluation_id, count) in enumerate(counts, start=1):
            group.append(evaluation_id)
            size += count
            if size >= STAGE_EVENTS or done == len(counts):
                with engine.begin() as connection:
                    self.copy(connection, group)
                turns.take()
                group, copied, size = [], copied + size, 0
                if progress is not None:
                    progress(copied, total, "staging beside the serving tables")
            if time.monotonic() - logged >= 10:
                logged = time.monotonic()
                log.info("read-model switch: staged %d of %d evaluations", done, len(counts))
        with engine.begin() as connection:
            self._mark(connection, position)
        return len(counts)

    def follow(self, engine: Engine, position: int) -> int:
        """Bring the staged rows up to the build's `position`: the evaluations whose events
        came since are copied again. Returns how many were."""
        with engine.begin() as connection:
            touched = self.touched(connection)
            self.copy(connection, touched)
            self._mark(connection, position)
        return len(touched)

    def switch(self, connection: Connection) -> int:
        """Under the writers' lock, with the build at the head: copy the last evaluations
        touched, then rename the staged tables into the serving ones' places. Returns how
        many evaluations were copied under the lock."""
        touched = self.touched(connection)
        self.copy(connection, touched)
        staged = self.staged[tracking.name]
        connection.execute(delete(staged))  # the mark goes: the build's own rows replace it
        connection.execute(insert(staged).from_select(_names(tracking), select(tracking)))
        for table in self.tables:
            serving = named_table(table.name, schema=SERVING)
            connection.execute(RenameTable(serving, table.name + RETIRED))
            connection.execute(RenameTable(self.staged[table.name], table.name))
        return len(touched)

    def retire(self, engine: Engine) -> None:
        """Drop the replaced tables after the switch has committed: each index, then each
        table, in a transaction of its own, so writers wait for one b-tree at a time."""
        with engine.connect() as connection:
            # The dropped rows are copies of what the events and the new tables hold: their
            # freed pages are left as they are, not zeroed (this build of SQLite zeroes them
            # by default, which made each drop about ten times slower, holding writers off).
            connection.exec_driver_sql("PRAGMA main.secure_delete = FAST")
            connection.commit()
            names = set(inspect(connection).get_table_names(schema=SERVING))
            turns = Turns()
            for table in reversed(self.tables):
                retired = table.name + RETIRED
                if retired not in names:
                    continue
                found = Table(retired, MetaData(), schema=SERVING, autoload_with=connection)
                connection.commit()  # reflecting it began a transaction
                for index in found.indexes:
                    with connection.begin():
                        connection.execute(DropIndex(index))
                    turns.take()
                with connection.begin():
                    connection.execute(DropTable(found))
                turns.take()

    def touched(self, connection: Connection) -> list[str]:
        """The evaluations with events the build has projected since the rows were staged
        (made distinct here: asked to, SQLite may walk the whole table in evaluation order)."""
        since = events.c.notification_id > self.staged_at
        found = connection.execute(select(events.c.evaluation_id).where(since))
        return list(dict.fromkeys(found.scalars()))

    def copy(self, connection: Connection, evaluation_ids: Iterable[str]) -> None:
        """Replace these evaluations' staged rows with the build's, table by table."""
        ids = list(evaluation_ids)
        if not ids:
            return
        for table in self.tables:
            key = _evaluation_column(table)
            if key is None:
                continue
            staged = self.staged[table.name]
            connection.execute(delete(staged).where(staged.c[key.name].in_(ids)))
            rows = select(table).where(key.in_(ids))
            connection.execute(insert(staged).from_select(_names(table), rows))

    def _mark(self, connection: Connection, position: int) -> None:
        """Note, with the staged rows, the build position they are equal to."""
        staged = self.staged[tracking.name]
        built = select(tracking.c.schema_version).where(tracking.c.name == TRACKING_NAME)
        version = connection.execute(built).scalar_one()
        connection.execute(delete(staged).where(staged.c.name == MARK))
        row = {"name": MARK, "position": position, "schema_version": version}
        connection.execute(insert(staged).values(row))
        self.staged_at = position

    def _resume(self, connection: Connection, position: int) -> bool:
        """Keep what an earlier run of this build staged and marked, if the build has not
        gone back (a build of another schema version starts afresh)."""
        names = set(inspect(connection).get_table_names(schema=SERVING))
        if any(table.name + STAGED not in names for table in self.tables):
            return False
        staged = _staged_tables(self.tables, MetaData())
        mark, marked = staged[tracking.name], tracking.alias("built")
        version = select(marked.c.schema_version).where(marked.c.name == TRACKING_NAME)
        found = connection.execute(
            select(mark.c.position).where(
                mark.c.name == MARK, mark.c.schema_version == version.scalar_subquery()
            )
        ).scalar()
        if found is None or found > position:
            return False
        self.staged, self.staged_at = staged, int(found)
        return True

    def _create(self, connection: Connection) -> None:
        """The staged tables, made afresh, their indexes under names the serving ones free."""
        taken = self._clear(connection)
        self.staged = _staged_tables(self.tables, MetaData())
        for staged in self.staged.values():
            for index in staged.indexes:
                name = str(index.name)
                index.name = quoted_name(name + ALTERNATE if name in taken else name, None)
            staged.create(connection)

    def _clear(self, connection: Connection) -> set[str]:
        """Drop what an interrupted switch left in the serving file; the names of the
        indexes the serving tables hold."""
        names = set(inspect(connection).get_table_names(schema=SERVING))
        for table in reversed(self.tables):
            for leftover in (table.name + STAGED, table.name + RETIRED):
                if leftover in names:
                    dropped = Table(leftover, MetaData(), schema=SERVING)
                    connection.execute(DropTable(dropped))
        found = inspect(connection)
        return {
            str(index["name"])
            for table in self.tables
            if table.name in names
            for index in found.get_indexes(table.name, schema=SERVING)
        }


def _staged_tables(tables: Sequence[Table], metadata: MetaData) -> dict[str, Table]:
    """The staged counterparts of `tables`, by the serving names, with SQLite's indexes (a
    copy keeps no index's DDL condition: PostgreSQL's are left out here)."""
    staged = {}
    for table in tables:
        copy = table.to_metadata(metadata, schema=SERVING, name=table.name + STAGED)
        elsewhere = {i.name for i in table.indexes if not made_on(i, "sqlite")}
        copy.indexes -= {i for i in copy.indexes if i.name in elsewhere}
        staged[table.name] = copy
    return staged


def _evaluation_column(table: Table) -> Column[Any] | None:
    """The column naming a row's evaluation (None for the tracking table): a mirrored
    table's and its history's as the mirror names it, else `evaluation_id`."""
    for spec in MIRRORED:
        if table is spec.source or table is spec.history:
            return table.c[spec.evaluation]
    return table.c.get("evaluation_id")


def _names(table: Table) -> list[str]:
    return [column.name for column in table.columns]
