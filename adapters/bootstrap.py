"""Composition of the persistence: one URL picks SQLite (default) or PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory

from adapters.read_model import SqlReadModel
from adapters.sheets.codec import WorkbookCodec
from application.app import EvaluationStore
from application.service import EvaluationService
from application.sheets import SheetTransfer

DEFAULT_DATABASE_URL = "sqlite:///var/scoretrail.sqlite3"


def normalise_url(url: str) -> str:
    """Accept postgres:// spellings and make sure a SQLite file's folder exists."""
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url


def build_service(database_url: str | None = None) -> EvaluationService:
    """Event store and read models on one database, sharing each transaction."""
    url = normalise_url(
        database_url or os.environ.get("SCORETRAIL_DATABASE_URL") or DEFAULT_DATABASE_URL
    )
    env: dict[str, Any] = {
        "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
        "SQLALCHEMY_URL": url,
        "CREATE_TABLE": "y",
    }
    store = EvaluationStore(env=env)
    factory = store.factory
    assert isinstance(factory, SQLAlchemyFactory)
    read_model = SqlReadModel(factory.datastore)
    service = EvaluationService(store, read_model)
    if read_model.create_tables():
        read_model.drop_and_create()
        service.rebuild_read_models()
    return service


def build_sheets(service: EvaluationService) -> SheetTransfer:
    """Sheet import and report export over the service, with the xlsx/csv/html/json codec."""
    return SheetTransfer(service, WorkbookCodec())
