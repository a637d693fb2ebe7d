"""Webhook receivers and their delivery log in SQL: primary data, never dropped on rebuilds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from adapters.setup import create_missing
from adapters.tables import UTCDateTime, events

# Its own metadata: a rebuild of the read models leaves receivers and cursors alone.
webhook_metadata = MetaData()

webhooks = Table(
    "webhooks",
    webhook_metadata,
    Column("id", String(36), primary_key=True),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),  # signs every delivery: kept as given
    Column("types", JSON),  # null: every type
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", Text, nullable=False),
    # the last position the receiver acknowledged (2xx): everything after it is due
    Column("delivered_up_to", BigInteger, nullable=False),
    Column("failures", Integer, nullable=False, default=0),  # in a row, since the last 2xx
    Column("next_attempt_at", UTCDateTime),  # null: due now
    # the worker delivering to it, and until when the others leave it alone
    Column("lease_owner", String(36)),
    Column("leased_until", UTCDateTime),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    webhook_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("webhook_id", String(36), nullable=False),
    Column("first_position", BigInteger, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempted_at", UTCDateTime, nullable=False),
    Column("response_code", Integer),
    Column("error", Text),
    Index("webhook_deliveries_receiver_idx", "webhook_id", "id"),
)

RECEIVER_COLUMNS = ("id", "url", "secret", "types", "delivered_up_to", "failures")


class SqlWebhookStore:
    """Receivers on the database of the events; leases keep one worker per receiver.

    A lease is a conditional UPDATE (free, expired, or already ours): it works the same on
    SQLite and PostgreSQL, holds no transaction open while a receiver is posted to (so a
    slow receiver never blocks a writer), and lapses by itself when its worker dies.
    """

    def __init__(self, datastore: SQLAlchemyDatastore) -> None:
        self.datastore = datastore
        engine = datastore.engine
        assert engine is not None
        create_missing(engine, webhook_metadata)  # type: ignore[arg-type]

    def add(self, record: dict[str, Any]) -> None:
        with self.datastore.transaction(commit=True) as session:
            head = session.execute(select(func.max(events.c.notification_id))).scalar()
            session.execute(
                insert(webhooks).values(**record, delivered_up_to=int(head or 0), failures=0)
            )

    def all(self) -> list[dict[str, Any]]:
        query = select(webhooks).order_by(webhooks.c.created_at, webhooks.c.id)
        with self.datastore.transaction(commit=False) as session:
            return [dict(row) for row in session.execute(query).mappings()]

    def get(self, webhook_id: str) -> dict[str, Any] | None:
        with self.datastore.transaction(commit=False) as session:
            row = (
                session.execute(select(webhooks).where(webhooks.c.id == webhook_id))
                .mappings()
                .first()
            )
        return None if row is None else dict(row)

    def remove(self, webhook_id: str) -> bool:
        with self.datastore.transaction(commit=True) as session:
            session.execute(
                delete(webhook_deliveries).where(webhook_deliveries.c.webhook_id == webhook_id)
            )
            removed = session.execute(delete(webhooks).where(webhooks.c.id == webhook_id))
        return bool(removed.rowcount)  # type: ignore[attr-defined]

    def deliveries(self, webhook_id: str, limit: int) -> list[dict[str, Any]]:
        query = (
            select(webhook_deliveries)
            .where(webhook_deliveries.c.webhook_id == webhook_id)
            .order_by(webhook_deliveries.c.id.desc())
            .limit(limit)
        )
        with self.datastore.transaction(commit=False) as session:
            rows = session.execute(query).mappings().all()
        return [
            {
                "first_position": row["first_position"],
                "position": row["position"],
                "status": row["status"],
                "time": row["attempted_at"].isoformat(),
                "response_code": row["response_code"],
                "error": row["error"],
            }
            for row in rows
        ]

    def claim_due(self, owner: str, now: datetime, until: datetime) -> list[dict[str, Any]]:
        free = or_(
            webhooks.c.leased_until.is_(None),
            webhooks.c.leased_until < now,
            webhooks.c.lease_owner == owner,
        )
        due = and_(or_(webhooks.c.next_attempt_at.is_(None), webhooks.c.next_attempt_at <= now))
        with self.datastore.transaction(commit=False) as session:
            candidates = session.execute(select(webhooks.c.id).where(due, free)).scalars().all()
        claimed: list[dict[str, Any]] = []
        for webhook_id in candidates:
            with self.datastore.transaction(commit=True) as session:
                taken = session.execute(
                    update(webhooks)
                    .where(webhooks.c.id == webhook_id, due, free)
                    .values(lease_owner=owner, leased_until=until)
                )
                if not taken.rowcount:  # type: ignore[attr-defined]
                    continue  # another worker took it first
                row = (
                    session.execute(
                        select(*(webhooks.c[name] for name in RECEIVER_COLUMNS)).where(
                            webhooks.c.id == webhook_id
                        )
                    )
                    .mappings()
                    .one()
                )
            claimed.append(dict(row))
        return claimed

    def finish(
        self, webhook_id: str, owner: str, attempt: dict[str, Any] | None, schedule: dict[str, Any]
    ) -> None:
        with self.datastore.transaction(commit=True) as session:
            held = session.execute(
                update(webhooks)
                .where(webhooks.c.id == webhook_id, webhooks.c.lease_owner == owner)
                .values(**schedule, lease_owner=None, leased_until=None)
            )
            if held.rowcount and attempt is not None:  # type: ignore[attr-defined]
                session.execute(insert(webhook_deliveries).values(webhook_id=webhook_id, **attempt))
