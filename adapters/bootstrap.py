"""Composition of the persistence: one URL picks SQLite (default) or PostgreSQL."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import (
    SQLAlchemyAggregateRecorder,
    SQLAlchemyApplicationRecorder,
)

from adapters.idempotency import SqlIdempotencyKeys
from adapters.read_model import SqlReadModel
from adapters.setup import prepare
from adapters.store import FACTORY_TOPIC, StoreTuning
from application.app import EvaluationStore
from application.service import EvaluationService

DEFAULT_DATABASE_URL = "sqlite:///var/scoretrail.sqlite3"


def normalise_url(url: str) -> str:
    """Accept postgres:// spellings and make sure a SQLite file's folder exists."""
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///").split("?", 1)[0]).parent.mkdir(
            parents=True, exist_ok=True
        )
    return url


@dataclass
class Components:
    """Everything built on one store: the service and the idempotency keys beside it."""

    service: EvaluationService
    keys: SqlIdempotencyKeys

    def dispose(self) -> None:
        """Close the store's connections (the components are unusable afterwards)."""
        engine = self.keys.datastore.engine
        if engine is not None:
            engine.dispose()  # type: ignore[union-attr]


def build_components(
    database_url: str | None = None, tuning: StoreTuning | None = None
) -> Components:
    """Event store, read models and idempotency keys on one database, sharing transactions.

    Tables are created and outdated read models rebuilt under a lock, so several workers
    starting at once on one store take turns.
    """
    url = normalise_url(
        database_url or os.environ.get("SCORETRAIL_DATABASE_URL") or DEFAULT_DATABASE_URL
    )
    env: dict[str, Any] = {
        "PERSISTENCE_MODULE": FACTORY_TOPIC,
        "SQLALCHEMY_URL": url,
        "CREATE_TABLE": "n",  # created below, under the set-up lock
        **(tuning or StoreTuning()).as_env(),
    }
    store = EvaluationStore(env=env)
    factory = store.factory
    assert isinstance(factory, SQLAlchemyFactory)
    datastore = factory.datastore
    assert datastore.engine is not None
    recorder = store.recorder
    assert isinstance(recorder, SQLAlchemyApplicationRecorder)
    read_model = SqlReadModel(datastore, events_table=recorder.events_table_name)
    service = EvaluationService(store, read_model)
    keys = SqlIdempotencyKeys(datastore)

    def create_event_tables() -> None:
        recorder.create_table()
        if store.snapshots is not None:
            snapshots = store.snapshots.recorder
            assert isinstance(snapshots, SQLAlchemyAggregateRecorder)
            snapshots.create_table()

    def read_models_outdated() -> bool:
        if read_model.create_tables():  # the tables' shape changed
            read_model.drop_and_create()
            return True
        # Behind the events (e.g. read-model rows lost): catch up by a rebuild. The head is
        # read first: a change committed in between only moves the position further.
        head = recorder.max_notification_id() or 0
        return read_model.position() < head

    prepare(
        datastore.engine,  # type: ignore[arg-type]
        [create_event_tables, keys.create_table],
        read_models_outdated,
        service.rebuild_read_models,
    )
    return Components(service=service, keys=keys)


def build_service(
    database_url: str | None = None, tuning: StoreTuning | None = None
) -> EvaluationService:
    """The service on the store at `database_url` (see build_components)."""
    return build_components(database_url, tuning).service
