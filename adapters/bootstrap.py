"""Composition of the persistence: one URL picks SQLite (default) or PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory

from adapters.integrity import SECRET_SETTING, ChainedRecorder, RawEventLog
from adapters.read_model import SqlReadModel
from adapters.review_read_model import SqlReviewQueries
from adapters.sheets.codec import WorkbookCodec
from adapters.tokens import SqlTokenStore
from application.app import EvaluationStore
from application.audit import AuditService
from application.integrity import INSECURE_DEVELOPMENT_SECRET
from application.review import ReviewService
from application.service import EvaluationService
from application.sheets import SheetTransfer
from application.tokens import TokenService

DEFAULT_DATABASE_URL = "sqlite:///var/scoretrail.sqlite3"


def normalise_url(url: str) -> str:
    """Accept postgres:// spellings and make sure a SQLite file's folder exists."""
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url


def build_service(database_url: str | None = None, secret: str | None = None) -> EvaluationService:
    """Event store and read models on one database, sharing each transaction.

    `secret` keys the event chain (default: the SCORETRAIL_SECRET environment variable, else
    a development key that offers no protection).
    """
    url = normalise_url(
        database_url or os.environ.get("SCORETRAIL_DATABASE_URL") or DEFAULT_DATABASE_URL
    )
    env: dict[str, Any] = {
        # the SQLAlchemy persistence, with every stored record chained by a keyed hash
        "PERSISTENCE_MODULE": "adapters.integrity:ChainedSQLAlchemyFactory",
        "SQLALCHEMY_URL": url,
        "CREATE_TABLE": "y",
        SECRET_SETTING: secret or os.environ.get(SECRET_SETTING) or INSECURE_DEVELOPMENT_SECRET,
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


def datastore_of(service: EvaluationService) -> SQLAlchemyDatastore:
    """The database session factory the service's store and read models share."""
    factory = service.store.factory
    assert isinstance(factory, SQLAlchemyFactory)
    return factory.datastore


def build_token_service(service: EvaluationService) -> TokenService:
    """API tokens on the database the evaluation service already uses."""
    return TokenService(SqlTokenStore(datastore_of(service)))


def build_review_service(service: EvaluationService) -> ReviewService:
    """Disputes and notes, recorded through the evaluation service's unit of work."""
    return ReviewService(service, SqlReviewQueries(datastore_of(service)))


def build_audit(service: EvaluationService) -> AuditService:
    """The auditors' use cases over a service built by `build_service`."""
    recorder = service.store.recorder
    assert isinstance(recorder, ChainedRecorder), "the store was not built by build_service"
    return AuditService(service, RawEventLog(recorder))


def build_sheets(service: EvaluationService) -> SheetTransfer:
    """Sheet import and report export over the service, with the xlsx/csv/html/json codec."""
    return SheetTransfer(service, WorkbookCodec())
