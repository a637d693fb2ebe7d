"""The event chain in SQL: a recorder that seals each record as it is inserted, and raw reads.

Sealing happens inside the recorder, on the very session and transaction that insert the
event rows, over the exact bytes being inserted. Every path that saves events (commands,
imports, anything added later) is therefore chained, and a digest can never commit without
its record or the other way round.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import AggregateRecorder, ApplicationRecorder, StoredEvent
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.orm import Session

from adapters.snapshot_seals import SealedSnapshotRecorder, SnapshotCheck
from adapters.store import TunedSQLAlchemyFactory, lock_table
from application.integrity import (
    GENESIS,
    INSECURE_DEVELOPMENT_SECRET,
    RawRecord,
    chain_key,
    link_digest,
)

SECRET_SETTING = "SCORETRAIL_SECRET"
# session.info entry: {originator: (version, digest)} read under the hold, for the next seal
HEADS_KEY = "scoretrail.chain_heads"


def digest_table(events_table_name: str, schema_name: str | None) -> Table:
    """One digest per stored event record, keyed like the record (never a read model)."""
    name = events_table_name.removesuffix("events") + "event_digests"
    return Table(
        name,
        MetaData(),
        Column("originator_id", String(36), primary_key=True),
        Column("originator_version", Integer, primary_key=True),
        Column("digest", String(64), nullable=False),
        schema=schema_name,
    )


class ChainedRecorder(SQLAlchemyApplicationRecorder):
    """Application recorder that writes each record's chained digest in the same transaction."""

    def __init__(
        self,
        datastore: SQLAlchemyDatastore,
        *,
        events_table_name: str,
        key: bytes,
        schema_name: str | None = None,
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name, schema_name=schema_name)
        self.key = key
        self.digests = digest_table(events_table_name, schema_name)
        self.tables.append(self.digests)

    def insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        *,
        session: Session | None = None,
        **kwargs: Any,
    ) -> Sequence[int]:
        """Insert the records and their digests; the records' notification ids in order.
        The datastore's transaction joins the one already open in this thread (the unit of
        work's), so records and digests commit or roll back with the rest of the command;
        a caller's own `session` is used as given, as the parent recorder does. `tracking`
        and other keywords are ignored, as the parent application recorder ignores them."""
        if session is not None:
            return self._insert_chained(session, stored_events)
        with self.transaction(commit=True) as joined:
            return self._insert_chained(joined, stored_events)

    def _insert_chained(
        self, session: Session, stored_events: Sequence[StoredEvent]
    ) -> Sequence[int]:
        """Under the table lock (PostgreSQL; SQLite has one writer), the ids follow the commit
        order. No NOTIFY: nothing subscribes to this recorder (subscribe() says so), and on
        PostgreSQL a notifying commit queues behind every other one."""
        if not stored_events:
            return []
        connection = session.connection()
        digests = self._seal(session, stored_events)
        table = self.events_record_cls.__table__
        if connection.dialect.name == "postgresql":
            lock_table(connection, table)
        records = [
            {
                "originator_id": e.originator_id,
                "originator_version": e.originator_version,
                "topic": e.topic,
                "state": e.state,
            }
            for e in stored_events
        ]
        inserted = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = [int(i) for i in connection.execute(inserted, records).scalars()]
        connection.execute(insert(self.digests), digests)
        return ids

    def subscribe(self, gt: int | None = None, topics: Sequence[str] = ()) -> Any:
        raise NotImplementedError("records are not announced: read them with select_notifications")

    def read_head(self, session: Session, originator_id: UUID) -> int | None:
        """The originator's latest stored version, its chain digest kept in the session for
        the next seal (one statement: the version and the digest stored with it)."""
        table = self.events_record_cls.__table__
        digests = self.digests
        head = (
            select(func.max(table.c.originator_version).label("v"))
            .where(table.c.originator_id == originator_id)
            .subquery()
        )
        # The digest as a scalar subquery on its whole key, not a join: PostgreSQL keeps the
        # generic plan it chose while the tables were small, and a join planned then reads
        # every digest of the originator (a hash join), so writes slowed as history grew.
        digest_at_head = (
            select(digests.c.digest)
            .where(
                digests.c.originator_id == str(originator_id),
                digests.c.originator_version == head.c.v,
            )
            .scalar_subquery()
        )
        query = select(head.c.v, digest_at_head)
        version, digest = session.execute(query).one()
        if version is None:
            return None
        if digest is not None:  # none at the head: a store older than the chain
            session.info.setdefault(HEADS_KEY, {})[str(originator_id)] = (version, str(digest))
        return int(version)

    def stored_bytes(self, originator_id: UUID, gt: int, lte: int) -> int:
        """The stored bytes of one originator's records after version `gt` up to `lte`."""
        table = self.events_record_cls.__table__
        query = select(func.coalesce(func.sum(func.length(table.c.state)), 0)).where(
            table.c.originator_id == originator_id,
            table.c.originator_version > gt,
            table.c.originator_version <= lte,
        )
        with self.transaction(commit=False) as session:
            return int(session.execute(query).scalar() or 0)

    def _seal(self, session: Session, stored_events: Sequence[StoredEvent]) -> list[dict[str, Any]]:
        """Each record's digest row, chained to the one before it."""
        heads: dict[str, str] = {}
        read: dict[str, tuple[int, str]] = session.info.pop(HEADS_KEY, {})
        rows = []
        for event in stored_events:
            originator = str(event.originator_id)
            previous = heads.get(originator)
            if previous is None:
                held = read.get(originator)
                if held is not None and held[0] == event.originator_version - 1:
                    previous = held[1]  # read under the hold, in this transaction
                else:
                    previous = self._stored_digest(
                        session, originator, event.originator_version - 1
                    )
            record = RawRecord(
                originator, event.originator_version, event.topic, bytes(event.state)
            )
            digest = link_digest(self.key, record, previous)
            heads[originator] = digest
            rows.append(
                {
                    "originator_id": originator,
                    "originator_version": event.originator_version,
                    "digest": digest,
                }
            )
        return rows

    def _stored_digest(self, session: Session, originator: str, version: int) -> str:
        if version < 1:
            return GENESIS
        value = session.execute(
            select(self.digests.c.digest).where(
                self.digests.c.originator_id == originator,
                self.digests.c.originator_version == version,
            )
        ).scalar()
        # a missing predecessor leaves the chain visibly broken there rather than refusing writes
        return str(value) if value is not None else GENESIS


# The factory's topic, for the eventsourcing environment's PERSISTENCE_MODULE.
FACTORY_TOPIC = "adapters.integrity:ChainedSQLAlchemyFactory"


class ChainedSQLAlchemyFactory(TunedSQLAlchemyFactory):
    """Tuned SQLAlchemy persistence whose application recorder chains every record it stores."""

    def application_recorder(self) -> ApplicationRecorder:
        prefix = self.env.name.lower() or "stored"
        recorder = ChainedRecorder(
            datastore=self.datastore,
            events_table_name=prefix + "_events",
            key=self._key(),
            schema_name=self.schema_name,
        )
        if self.env_create_table() and recorder.datastore.engine is not None:
            recorder.create_table()
        return recorder

    def aggregate_recorder(self, purpose: str = "events") -> AggregateRecorder:
        if purpose != "snapshots":
            return super().aggregate_recorder(purpose)
        prefix = self.env.name.lower() or "stored"
        recorder = SealedSnapshotRecorder(
            datastore=self.datastore,
            events_table_name=prefix + "_snapshots",
            key=self._key(),
            digests=digest_table(prefix + "_events", self.schema_name),
            schema_name=self.schema_name,
        )
        if self.env_create_table() and recorder.datastore.engine is not None:
            recorder.create_table()
        return recorder

    def _key(self) -> bytes:
        return chain_key(self.env.get(SECRET_SETTING) or INSECURE_DEVELOPMENT_SECRET)


class RawEventLog:
    """Stored event records and their digests, read from the tables, not through the domain."""

    def __init__(
        self, recorder: ChainedRecorder, snapshots: SealedSnapshotRecorder | None = None
    ) -> None:
        self.recorder = recorder
        self.snapshots = snapshots
        self.key = recorder.key
        self.events = recorder.events_record_cls.__table__
        self.digests = recorder.digests

    def records(self, evaluation_id: str, upto: int | None = None) -> list[RawRecord]:
        """Every stored record of one evaluation, in version order."""
        try:
            key = UUID(str(evaluation_id))
        except ValueError:
            return []
        query = select(
            self.events.c.originator_id,
            self.events.c.originator_version,
            self.events.c.topic,
            self.events.c.state,
        ).where(self.events.c.originator_id == key)
        if upto is not None:
            query = query.where(self.events.c.originator_version <= upto)
        with self.recorder.transaction(commit=False) as session:
            rows = session.execute(query.order_by(self.events.c.originator_version)).all()
        return [
            RawRecord(str(r.originator_id), int(r.originator_version), r.topic, bytes(r.state))
            for r in rows
        ]

    def stored_digests(self, evaluation_id: str) -> dict[int, str]:
        """The digests written with the records, by version."""
        query = (
            select(self.digests.c.originator_version, self.digests.c.digest)
            .where(self.digests.c.originator_id == str(evaluation_id).lower())
            .order_by(self.digests.c.originator_version)
        )
        with self.recorder.transaction(commit=False) as session:
            return {int(v): str(d) for v, d in session.execute(query).all()}

    def digest_at(self, evaluation_id: str, version: int) -> str | None:
        """The digest sealing one version (None before the first): one indexed lookup."""
        query = select(self.digests.c.digest).where(
            self.digests.c.originator_id == str(evaluation_id).lower(),
            self.digests.c.originator_version == version,
        )
        with self.recorder.transaction(commit=False) as session:
            value = session.execute(query).scalar()
        return None if value is None else str(value)

    def snapshot_checks(self, evaluation_id: str) -> list[SnapshotCheck]:
        """Every stored snapshot of one evaluation with its seal checked."""
        if self.snapshots is None:
            return []
        return self.snapshots.check_all(str(UUID(str(evaluation_id))))

    def snapshot_records(self, evaluation_id: str) -> list[dict[str, Any]]:
        """Every stored snapshot of one evaluation as stored: version, topic, state, seal."""
        if self.snapshots is None:
            return []
        return [
            {
                "version": s.originator_version,
                "topic": s.topic,
                "state": bytes(s.state),
                "seal": seal,
            }
            for s, seal in self.snapshots.sealed(str(UUID(str(evaluation_id))))
        ]

    def evaluation_ids(self) -> list[str]:
        """Every evaluation with a stored record or a digest, whatever the read models say."""
        with self.recorder.transaction(commit=False) as session:
            sealed = session.execute(select(self.digests.c.originator_id).distinct()).scalars()
            stored = session.execute(select(self.events.c.originator_id).distinct()).scalars()
            found = {str(UUID(str(value))) for value in (*sealed, *stored)}
        return sorted(found)
