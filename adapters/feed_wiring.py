"""Builds the change feed over a service's SQL store."""

from __future__ import annotations

from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from sqlalchemy import Engine

from adapters.feed_queries import SqlFeedQueries
from adapters.feed_signal import PostgresCommitAnnouncer
from application.feed import MAX_WAIT_SECONDS, ChangeFeed, CommitSignal, FeedQueries
from application.service import EvaluationService


def build_feed(
    service: EvaluationService,
    poll_seconds: float = 1.0,
    max_wait: float = MAX_WAIT_SECONDS,
    queries: FeedQueries | None = None,
) -> tuple[ChangeFeed, PostgresCommitAnnouncer | None]:
    """The feed, woken by every commit of the service's unit of work (over `queries` when
    given, as tests give an in-memory fake's, else over the service's SQL store).

    On PostgreSQL commits of other processes arrive by LISTEN/NOTIFY (the announcer, to stop
    when the app closes). A SQLite file has no such channel: a waiting reader also looks
    again every `poll_seconds` for what another process (a console command, a second
    server) committed; commits of its own process wake it at once.
    """
    signal = CommitSignal()
    service.unit_of_work.after_commit.hooks.append(signal.committed)  # type: ignore[attr-defined]
    announcer = None
    poll: float | None = None
    if queries is None:
        factory = service.store.factory
        assert isinstance(factory, SQLAlchemyFactory)
        engine = factory.datastore.engine
        assert isinstance(engine, Engine)
        queries = SqlFeedQueries(factory.datastore)
        if engine.dialect.name == "postgresql":
            announcer = PostgresCommitAnnouncer(engine, signal)
        elif ":memory:" not in str(engine.url):
            poll = poll_seconds
    return ChangeFeed(queries, signal, poll, max_wait), announcer
