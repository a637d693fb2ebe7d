"""The unit of work on SQL: one transaction the event store, projections and keys all join."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any
from uuid import UUID

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import Table, func, select, text

# Advisory-lock class of per-evaluation write locks (PostgreSQL).
EVALUATION_LOCK_CLASS = 0x5C07F


class SqlUnitOfWork:
    """The datastore's session transaction; nested uses join the outer one."""

    def __init__(self, datastore: SQLAlchemyDatastore, events: Table | None = None) -> None:
        self.datastore = datastore
        self.events = events  # the event store's records: where hold() reads the head version

    def transaction(self) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=True)

    def hold(self, evaluation_id: str) -> int | None:
        with self.datastore.transaction(commit=True) as session:
            if session.get_bind().dialect.name == "postgresql":
                # Released when the transaction ends; waiting is bounded by lock_timeout.
                session.execute(
                    text("SELECT pg_advisory_xact_lock(:cls, hashtext(:id))"),
                    {"cls": EVALUATION_LOCK_CLASS, "id": evaluation_id},
                )
            if self.events is None:
                return None
            try:
                key = UUID(evaluation_id)
            except ValueError:
                return None  # no such evaluation: the command's load says so
            # Read after the lock (its own statement, so on PostgreSQL its own snapshot):
            # whatever another writer committed before we got the lock is counted.
            head = session.execute(
                select(func.max(self.events.c.originator_version)).where(
                    self.events.c.originator_id == key
                )
            ).scalar()
            return None if head is None else int(head)
