"""API token records in SQL: primary data (not a read model), never dropped on rebuilds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import Column, Index, MetaData, String, Table, Text, insert, select, update

from adapters.setup import create_missing
from adapters.tables import UTCDateTime

# Its own metadata: rebuilding the read models must never touch credentials.
token_metadata = MetaData()

api_tokens = Table(
    "api_tokens",
    token_metadata,
    Column("id", String(36), primary_key=True),
    Column("name", Text, nullable=False),
    Column("role", String(32), nullable=False),
    Column("subject", Text),
    Column("digest", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Index("api_tokens_name_idx", "name"),
)


class SqlTokenStore:
    """Token records on the same database as the events."""

    def __init__(self, datastore: SQLAlchemyDatastore) -> None:
        self.datastore = datastore
        assert datastore.engine is not None
        create_missing(datastore.engine, token_metadata)  # type: ignore[arg-type]

    def add(self, record: dict[str, Any]) -> None:
        with self.datastore.transaction(commit=True) as session:
            session.execute(insert(api_tokens).values(**record))

    def by_digest(self, digest: str) -> dict[str, Any] | None:
        with self.datastore.transaction(commit=False) as session:
            row = (
                session.execute(select(api_tokens).where(api_tokens.c.digest == digest))
                .mappings()
                .first()
            )
        return dict(row) if row is not None else None

    def all(self) -> list[dict[str, Any]]:
        with self.datastore.transaction(commit=False) as session:
            rows = (
                session.execute(
                    select(api_tokens).order_by(api_tokens.c.created_at, api_tokens.c.id)
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]

    def revoke(self, token_ids: list[str], when: datetime) -> None:
        with self.datastore.transaction(commit=True) as session:
            session.execute(
                update(api_tokens)
                .where(api_tokens.c.id.in_(token_ids), api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=when)
            )
