"""The unit of work on SQL: one transaction the event store, projections and keys all join."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from uuid import UUID

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adapters.commit_hooks import CommitHooks

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
        # run after each outermost commit (the change feed wakes its waiting readers)
        self.after_commit = CommitHooks()

    def transaction(self) -> AbstractContextManager[Any]:
        return self.after_commit.around(self.datastore.transaction(commit=True))

    def hold(self, evaluation_id: str) -> int | None:
        with self.datastore.transaction(commit=True) as session:
            if session.get_bind().dialect.name == "postgresql":
                # Released when the transaction ends; waiting is bounded by lock_timeout.
                lock = func.pg_advisory_xact_lock(
                    EVALUATION_LOCK_CLASS, func.hashtext(evaluation_id)
                )
                session.execute(select(lock))
            key = _uuid(evaluation_id)
            if self.read_head is None or key is None:  # no such evaluation: its load says so
                return None
            # The head is read after the lock is held (its own statement, so on PostgreSQL
            # its own snapshot): whatever another writer committed before is counted.
            return self.read_head(session, key)


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None
