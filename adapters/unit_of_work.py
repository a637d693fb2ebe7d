"""The unit of work on SQL: one transaction the event store, projections and keys all join."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import text

# Advisory-lock class of per-evaluation write locks (PostgreSQL).
EVALUATION_LOCK_CLASS = 0x5C07F


class SqlUnitOfWork:
    """The datastore's session transaction; nested uses join the outer one."""

    def __init__(self, datastore: SQLAlchemyDatastore) -> None:
        self.datastore = datastore

    def transaction(self) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=True)

    def hold(self, evaluation_id: str) -> None:
        with self.datastore.transaction(commit=True) as session:
            if session.get_bind().dialect.name == "postgresql":
                # Released when the transaction ends; waiting is bounded by lock_timeout.
                session.execute(
                    text("SELECT pg_advisory_xact_lock(:cls, hashtext(:id))"),
                    {"cls": EVALUATION_LOCK_CLASS, "id": evaluation_id},
                )
