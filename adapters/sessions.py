"""Browser sessions in SQL beside the API tokens they were started with."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import Column, Index, MetaData, String, Table, delete, insert, select

from adapters.setup import create_missing
from adapters.tables import UTCDateTime
from adapters.tokens import api_tokens

# Its own metadata, like the tokens: rebuilding the read models must not sign anyone out.
session_metadata = MetaData()

ui_sessions = Table(
    "ui_sessions",
    session_metadata,
    Column("digest", String(64), primary_key=True),
    Column("token_id", String(36), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)
# The purge finds expired sessions by this index, however many live ones there are.
by_expiry = Index("ix_ui_sessions_expires_at", ui_sessions.c.expires_at)


class SqlSessionStore:
    """Session records on the same database as the events and tokens."""

    def __init__(self, datastore: SQLAlchemyDatastore) -> None:
        self.datastore = datastore
        assert datastore.engine is not None
        # by_expiry: also on tables made before the index existed
        create_missing(datastore.engine, session_metadata, by_expiry)  # type: ignore[arg-type]

    def add(self, record: dict[str, Any]) -> None:
        with self.datastore.transaction(commit=True) as session:
            session.execute(insert(ui_sessions).values(**record))

    def by_digest(self, digest: str) -> dict[str, Any] | None:
        query = (
            select(
                ui_sessions,
                api_tokens.c.name,
                api_tokens.c.role,
                api_tokens.c.subject,
                api_tokens.c.revoked_at,
            )
            .join(api_tokens, api_tokens.c.id == ui_sessions.c.token_id)
            .where(ui_sessions.c.digest == digest)
        )
        with self.datastore.transaction(commit=False) as session:
            row = session.execute(query).mappings().first()
        return dict(row) if row is not None else None

    def remove(self, digest: str) -> None:
        with self.datastore.transaction(commit=True) as session:
            session.execute(delete(ui_sessions).where(ui_sessions.c.digest == digest))

    def purge_expired(self, now: datetime, limit: int) -> int:
        """Delete up to `limit` sessions that expired by `now`, oldest first; how many went."""
        oldest = (
            select(ui_sessions.c.digest)
            .where(ui_sessions.c.expires_at <= now)
            .order_by(ui_sessions.c.expires_at)
            .limit(limit)
        )
        with self.datastore.transaction(commit=True) as session:
            result = session.execute(delete(ui_sessions).where(ui_sessions.c.digest.in_(oldest)))
        return int(getattr(result, "rowcount", 0) or 0)
