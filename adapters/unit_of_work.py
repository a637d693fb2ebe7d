"""The unit of work on SQL: one transaction the event store, projections and keys all join."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from uuid import UUID

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy.orm import Session

from adapters.commit_hooks import CommitHooks

# Advisory-lock class of per-evaluation write locks (PostgreSQL).
EVALUATION_LOCK_CLASS = 0x5C07F
LOCK_SQL = "SELECT pg_advisory_xact_lock(%s, hashtext(%s))"
Before = tuple[str, tuple[Any, ...]]  # a statement and its parameters


class SqlUnitOfWork:
    """The datastore's session transaction; nested uses join the outer one."""

    def __init__(
        self,
        datastore: SQLAlchemyDatastore,
        read_head: Callable[[Session, UUID, Before | None], int | None] | None = None,
    ) -> None:
        self.datastore = datastore
        # the event store's latest version of an evaluation (ChainedRecorder.read_head)
        self.read_head = read_head
        # run after each outermost commit (the change feed wakes its waiting readers)
        self.after_commit = CommitHooks()

    def transaction(self) -> AbstractContextManager[Any]:
        return self.after_commit.around(self.datastore.transaction(commit=True))

    def hold(self, evaluation_id: str) -> int | None:
        with self.datastore.transaction(commit=True) as session:
            lock: Before | None = None
            if session.get_bind().dialect.name == "postgresql":
                # Released when the transaction ends; waiting is bounded by lock_timeout.
                lock = (LOCK_SQL, (EVALUATION_LOCK_CLASS, evaluation_id))
            key = _uuid(evaluation_id)
            if self.read_head is None or key is None:  # no such evaluation: its load says so
                if lock is not None:
                    session.connection().exec_driver_sql(*lock)
                return None
            # The head is read after the lock is held (its own statement, so on PostgreSQL
            # its own snapshot): whatever another writer committed before is counted.
            return self.read_head(session, key, lock)


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None
