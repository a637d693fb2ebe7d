"""The unit of work on SQL: one transaction the event store, projections and keys all join."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from uuid import UUID

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import text
from sqlalchemy.orm import Session

# Advisory-lock class of per-evaluation write locks (PostgreSQL).
EVALUATION_LOCK_CLASS = 0x5C07F


class SqlUnitOfWork:
    """The datastore's session transaction; nested uses join the outer one."""

    def __init__(
        self,
        datastore: SQLAlchemyDatastore,
        read_head: Callable[[Session, UUID], int | None] | None = None,
    ) -> None:
        self.datastore = datastore
        # the event store's latest version of an evaluation (ChainedRecorder.read_head)
        self.read_head = read_head

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
            if self.read_head is None:
                return None
            try:
                key = UUID(evaluation_id)
            except ValueError:
                return None  # no such evaluation: the command's load says so
            # Read after the lock (its own statement, so on PostgreSQL its own snapshot):
            # whatever another writer committed before we got the lock is counted.
            return self.read_head(session, key)
