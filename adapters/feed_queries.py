"""The change feed on SQL: the event read model in the event store's notification order."""

from __future__ import annotations

from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import Text, cast, func, select

from adapters.history_query import history_item
from adapters.tables import evaluations, events
from application.feed import RawJSON

# every column, `data` as the JSON text stored (spliced into answers, never decoded)
COLUMNS = [c for c in events.c if c.name != "data"] + [cast(events.c.data, Text).label("data")]


class SqlFeedQueries:
    """Pages of `rm_events` by `notification_id`, the event store's id of each event.

    The projection writes each row in the transaction that stores the event, with the id the
    store gave it, and a rebuild writes the same ids again: a position outlives restarts and
    rebuilds. On PostgreSQL the event writer holds the events table in EXCLUSIVE mode from
    its insert to its commit (adapters.integrity), so ids are handed out in commit order and
    no reader can pass an id whose transaction is still to commit.
    """

    def __init__(self, datastore: SQLAlchemyDatastore) -> None:
        self.datastore = datastore

    def events_after(
        self,
        after: int,
        limit: int,
        subject: str | None = None,
        hidden_types: tuple[str, ...] = (),
        types: tuple[str, ...] | None = None,
    ) -> list[dict[str, Any]]:
        query = select(*COLUMNS).where(events.c.notification_id > after)
        if subject is not None:
            # the subject's evaluations first: their events are ranges of the primary key,
            # so a page costs what the subject has, not what the whole store holds
            mine = select(evaluations.c.id).where(evaluations.c.subject == subject)
            query = query.where(events.c.evaluation_id.in_(mine.scalar_subquery()))
        if hidden_types:
            query = query.where(events.c.type.not_in(list(hidden_types)))
        if types is not None:
            query = query.where(events.c.type.in_(list(types)))
        query = query.order_by(events.c.notification_id).limit(limit)
        with self.datastore.transaction(commit=False) as session:
            rows = session.execute(query).mappings().all()
        return [feed_item(row) for row in rows]

    def head(self) -> int:
        with self.datastore.transaction(commit=False) as session:
            value = session.execute(select(func.max(events.c.notification_id))).scalar()
        return int(value or 0)


def feed_item(row: Any) -> dict[str, Any]:
    """A history item (adapters.history_query) with its position and evaluation; its data
    stays the JSON text stored."""
    item = {
        "position": row["notification_id"],
        "evaluation_id": row["evaluation_id"],
        **history_item(row),
    }
    item["data"] = RawJSON(row["data"])
    return item
