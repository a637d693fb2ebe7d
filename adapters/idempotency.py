"""Idempotency keys in SQL, in the same database and transaction as the events."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)

from adapters.tables import UTCDateTime
from application.idempotency import KeptResponse, KeyRecord

# Not a read model: keys cannot be rebuilt from the events, so they live apart from the
# read-model tables that a schema change drops.
metadata = MetaData()

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("caller", Text, primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer),
    Column("headers", Text),
    Column("body", Text),
    Column("created_at", UTCDateTime, nullable=False),
)


class SqlIdempotencyKeys:
    """Keys and the responses they got, one row per (caller, key)."""

    def __init__(self, datastore: SQLAlchemyDatastore) -> None:
        self.datastore = datastore

    def create_table(self) -> None:
        assert self.datastore.engine is not None
        metadata.create_all(self.datastore.engine)

    def find(self, caller: str, key: str) -> KeyRecord | None:
        with self.datastore.transaction(commit=False) as session:
            row = (
                session.execute(
                    select(idempotency_keys).where(
                        idempotency_keys.c.caller == caller, idempotency_keys.c.key == key
                    )
                )
                .mappings()
                .first()
            )
        if row is None or row["status"] is None:
            # An unfinished claim is only visible inside its own transaction.
            return None
        response = KeptResponse(
            status=int(row["status"]), body=row["body"] or "", headers=json.loads(row["headers"])
        )
        return KeyRecord(fingerprint=row["fingerprint"], response=response)

    def claim(self, caller: str, key: str, fingerprint: str) -> None:
        with self.datastore.transaction(commit=True) as session:
            session.execute(
                insert(idempotency_keys).values(
                    caller=caller, key=key, fingerprint=fingerprint, created_at=datetime.now(UTC)
                )
            )

    def complete(self, caller: str, key: str, response: KeptResponse) -> None:
        with self.datastore.transaction(commit=True) as session:
            session.execute(
                update(idempotency_keys)
                .where(idempotency_keys.c.caller == caller, idempotency_keys.c.key == key)
                .values(
                    status=response.status,
                    headers=json.dumps(response.headers, ensure_ascii=False),
                    body=response.body,
                )
            )

    def purge(self, before: datetime) -> int:
        """Forget keys claimed before `before`; returns how many. A retry arriving later
        with a forgotten key runs as a new request."""
        with self.datastore.transaction(commit=True) as session:
            result = session.execute(
                delete(idempotency_keys).where(idempotency_keys.c.created_at < before)
            )
        return int(getattr(result, "rowcount", 0) or 0)
