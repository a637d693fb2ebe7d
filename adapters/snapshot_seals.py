"""Sealed snapshots: each stored snapshot carries a keyed seal bound to the event chain.

A snapshot is a shortcut past the events, so whoever edits one edits what the next command
computes. The seal (application.seals) covers the snapshot's stored bytes and the chain
digest at its version; a snapshot whose seal is missing or wrong is never loaded: the
repository falls back to the previous sound snapshot, or to the events from version 1.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.recorders import SQLAlchemyAggregateRecorder
from sqlalchemy import Column, Integer, MetaData, String, Table, delete, func, insert, select
from sqlalchemy.orm import Session

from application.seals import same, snapshot_seal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SnapshotCheck:
    """What checking one stored snapshot's seal found."""

    version: int
    ok: bool
    problem: str | None = None


def seal_table(snapshots_table_name: str, schema_name: str | None) -> Table:
    """One seal per stored snapshot, keyed like the snapshot."""
    return Table(
        snapshots_table_name.removesuffix("snapshots") + "snapshot_seals",
        MetaData(),
        Column("originator_id", String(36), primary_key=True),
        Column("originator_version", Integer, primary_key=True),
        Column("seal", String(64), nullable=False),
        schema=schema_name,
    )


class SealedSnapshotRecorder(SQLAlchemyAggregateRecorder):
    """Snapshot recorder that seals what it stores and loads only what its seal vouches for."""

    def __init__(
        self,
        datastore: SQLAlchemyDatastore,
        *,
        events_table_name: str,
        key: bytes,
        digests: Table,
        schema_name: str | None = None,
    ) -> None:
        super().__init__(
            datastore,
            events_table_name=events_table_name,
            schema_name=schema_name,
            for_snapshots=True,
        )
        self.key = key
        self.digests = digests  # the event chain's digests (written with the events)
        self.seals = seal_table(events_table_name, schema_name)
        self.tables.append(self.seals)

    # ----------------------------------------------------------------- writing
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Store the snapshots and their seals in one transaction: the parent's insert and
        the seals join the datastore's transaction open here (or the unit of work's, which
        this one joins). The snapshot rows are flushed at commit, after the seals."""
        with self.transaction(commit=True) as session:
            result = super().insert_events(stored_events, **kwargs)
            self._seal(session, stored_events)
        return result

    def _seal(self, session: Session, stored_events: Sequence[StoredEvent]) -> None:
        for snapshot in stored_events:
            originator = str(snapshot.originator_id)
            version = snapshot.originator_version
            chain = self._chain_digests(session, originator, [version]).get(version, "")
            seal = snapshot_seal(
                self.key, originator, version, snapshot.topic, bytes(snapshot.state), chain
            )
            key = {"originator_id": originator, "originator_version": version}
            session.execute(
                delete(self.seals).where(
                    self.seals.c.originator_id == originator,
                    self.seals.c.originator_version == version,
                )
            )
            session.execute(insert(self.seals).values(**key, seal=seal))

    # ----------------------------------------------------------------- reading
    def latest_size(self, originator_id: UUID) -> tuple[int, int] | None:
        """The version and stored size of the latest snapshot (seal unchecked: it only
        schedules the next one)."""
        table = self.events_record_cls.__table__
        query = (
            select(table.c.originator_version, func.length(table.c.state))
            .where(table.c.originator_id == originator_id)
            .order_by(table.c.originator_version.desc())
            .limit(1)
        )
        with self.transaction(commit=False) as session:
            row = session.execute(query).first()
        return None if row is None else (int(row[0]), int(row[1]))

    def select_events(
        self,
        originator_id: UUID | str,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        """Stored snapshots whose seal holds; a refused one is skipped for the next one."""
        found: list[StoredEvent] = []
        while True:
            batch = super().select_events(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)
            checks = self.check(batch)
            found.extend(s for s, c in zip(batch, checks, strict=True) if c.ok)
            for check in checks:
                if not check.ok:
                    log.warning(
                        "snapshot of %s at version %s refused: %s",
                        originator_id,
                        check.version,
                        check.problem,
                    )
            if limit is None or len(found) >= limit or len(batch) < limit:
                return found[:limit] if limit is not None else found
            last = batch[-1].originator_version
            if desc:
                lte = last - 1
            else:
                gt = last

    def check(self, snapshots: Sequence[StoredEvent]) -> list[SnapshotCheck]:
        """Each snapshot's seal recomputed from its stored bytes and the chain digest."""
        if not snapshots:
            return []
        originator = str(snapshots[0].originator_id)
        versions = [s.originator_version for s in snapshots]
        with self.transaction(commit=False) as session:
            chain = self._chain_digests(session, originator, versions)
            rows = session.execute(
                select(self.seals.c.originator_version, self.seals.c.seal).where(
                    self.seals.c.originator_id == originator,
                    self.seals.c.originator_version.in_(versions),
                )
            ).all()
        seals = {int(v): str(s) for v, s in rows}
        checks = []
        for snapshot in snapshots:
            version = snapshot.originator_version
            if version not in seals:
                checks.append(SnapshotCheck(version, False, "the snapshot has no seal"))
                continue
            if version not in chain:
                checks.append(
                    SnapshotCheck(version, False, "the event chain has no digest at its version")
                )
                continue
            expected = snapshot_seal(
                self.key, originator, version, snapshot.topic, bytes(snapshot.state), chain[version]
            )
            if same(seals[version], expected):
                checks.append(SnapshotCheck(version, True))
            else:
                checks.append(
                    SnapshotCheck(
                        version,
                        False,
                        "the snapshot does not match its seal: its content, its version "
                        "or the history it summarises was changed",
                    )
                )
        return checks

    def check_all(self, evaluation_id: str) -> list[SnapshotCheck]:
        """Every stored snapshot of one evaluation, checked, in version order."""
        stored = super().select_events(UUID(evaluation_id))
        return self.check(stored)

    def sealed(self, evaluation_id: str) -> list[tuple[StoredEvent, str | None]]:
        """Every stored snapshot of one evaluation with its stored seal, unchecked."""
        stored = super().select_events(UUID(evaluation_id))
        with self.transaction(commit=False) as session:
            rows = session.execute(
                select(self.seals.c.originator_version, self.seals.c.seal).where(
                    self.seals.c.originator_id == evaluation_id
                )
            ).all()
        seals = {int(v): str(s) for v, s in rows}
        return [(s, seals.get(s.originator_version)) for s in stored]

    def _chain_digests(
        self, session: Session, originator: str, versions: Sequence[int]
    ) -> dict[int, str]:
        rows = session.execute(
            select(self.digests.c.originator_version, self.digests.c.digest).where(
                self.digests.c.originator_id == originator,
                self.digests.c.originator_version.in_(list(versions)),
            )
        ).all()
        return {int(v): str(d) for v, d in rows}
