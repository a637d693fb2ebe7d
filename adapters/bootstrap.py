"""Composition of the persistence: one URL picks SQLite (default) or PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyAggregateRecorder
from sqlalchemy.engine import Engine

from adapters.beside import BesideBuild, Progress
from adapters.evidence_store import blob_store_for
from adapters.idempotency import SqlIdempotencyKeys
from adapters.integrity import FACTORY_TOPIC, SECRET_SETTING, ChainedRecorder, RawEventLog
from adapters.projection import SqlProjection
from adapters.queries import SqlEvaluationQueries
from adapters.review_queries import SqlReviewQueries
from adapters.sessions import SqlSessionStore
from adapters.setup import prepare
from adapters.sheets.codec import PdfWriter, WorkbookCodec
from adapters.snapshot_seals import SealedSnapshotRecorder
from adapters.store import StoreTuning
from adapters.tokens import SqlTokenStore
from adapters.unit_of_work import SqlUnitOfWork
from application.app import EvaluationStore
from application.audit import AuditService
from application.evidence import EvidenceFiles, EvidenceLimits
from application.integrity import INSECURE_DEVELOPMENT_SECRET
from application.reading import REBUILD_BATCH, iter_notifications
from application.records import RecordReports
from application.review import ReviewService
from application.self_evaluation import SelfEvaluationService
from application.service import EvaluationService
from application.sessions import SessionService
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


@dataclass
class Components:
    """Everything built on one store: the service and the idempotency keys beside it."""

    service: EvaluationService
    keys: SqlIdempotencyKeys
    rebuilt: int | None = None  # events the start-up's rebuild projected (None: none ran)

    def dispose(self) -> None:
        """Close the store's connections (the components are unusable afterwards)."""
        engine = self.keys.datastore.engine
        if engine is not None:
            engine.dispose()  # type: ignore[union-attr]


def build_components(
    database_url: str | None = None,
    tuning: StoreTuning | None = None,
    secret: str | None = None,
    progress: Progress | None = None,
    switch: bool = True,
) -> Components:
    """Event store, read models and idempotency keys on one database, sharing transactions.

    Every stored record is chained by a keyed hash: `secret` keys it (default: the
    SCORETRAIL_SECRET environment variable, else a development key that offers no protection).
    Tables are created and outdated read models rebuilt under a lock, so several workers
    starting at once on one store take turns. The rebuild is built beside the serving tables
    and switched in (adapters.beside): processes already running keep serving and writing
    meanwhile; `progress` is told (event, head) as it goes. Without `switch` the rebuilt
    tables are left beside (the service then still reads the old ones): a later start-up
    resumes them, catches up and switches.
    """
    url = normalise_url(
        database_url or os.environ.get("SCORETRAIL_DATABASE_URL") or DEFAULT_DATABASE_URL
    )
    env: dict[str, Any] = {
        "PERSISTENCE_MODULE": FACTORY_TOPIC,
        "SQLALCHEMY_URL": url,
        "CREATE_TABLE": "n",  # created below, under the set-up lock
        SECRET_SETTING: secret or os.environ.get(SECRET_SETTING) or INSECURE_DEVELOPMENT_SECRET,
        **(tuning or StoreTuning()).as_env(),
    }
    store = EvaluationStore(env=env)
    factory = store.factory
    assert isinstance(factory, SQLAlchemyFactory)
    datastore = factory.datastore
    assert datastore.engine is not None
    recorder = store.recorder
    assert isinstance(recorder, ChainedRecorder)
    events_table, key = recorder.events_table_name, recorder.key
    projection = SqlProjection(datastore, events_table=events_table, key=key)
    queries = SqlEvaluationQueries(datastore, events_table=events_table, key=key)
    unit_of_work = SqlUnitOfWork(datastore, recorder.read_head)
    service = EvaluationService(store, unit_of_work, projection, queries)
    keys = SqlIdempotencyKeys(datastore)

    def create_event_tables() -> None:
        recorder.create_table()  # the events and their digests
        if store.snapshots is not None:
            snapshots = store.snapshots.recorder
            assert isinstance(snapshots, SQLAlchemyAggregateRecorder)
            snapshots.create_table()

    beside = beside_build(store, datastore, projection)

    def read_models_outdated() -> bool:
        if projection.create_tables():  # the tables' shape changed
            if beside is None:  # in memory: nothing else is serving these tables
                projection.drop_and_create()
            return True
        # Behind the events (e.g. read-model rows lost): catch up by a rebuild. The head is
        # read first: a change committed in between only moves the position further.
        head = recorder.max_notification_id() or 0
        return projection.position() < head

    def rebuild() -> int:
        if beside is None:
            return service.rebuild_read_models()
        # beside the serving tables: processes of the running version keep serving and
        # writing on them until the switch
        return beside.run(progress, switch).events

    rebuilt = prepare(
        datastore.engine,  # type: ignore[arg-type]
        [create_event_tables, keys.create_table],
        read_models_outdated,
        rebuild,
    )
    return Components(service=service, keys=keys, rebuilt=rebuilt)


def beside_build(
    store: EvaluationStore, datastore: SQLAlchemyDatastore, projection: SqlProjection
) -> BesideBuild | None:
    """The online rebuild of this store's read models (None for an in-memory store)."""
    engine = datastore.engine
    if not isinstance(engine, Engine) or not BesideBuild.supported(engine):
        return None
    recorder = store.recorder
    assert isinstance(recorder, ChainedRecorder)

    def read(first: int, last: int) -> Iterator[list[tuple[int, Any]]]:
        return iter_notifications(store, last, REBUILD_BATCH, start=first)

    def head() -> int:
        return recorder.max_notification_id() or 0

    return BesideBuild(datastore, recorder.events_table_name, projection.key, read, head)


def build_beside(service: EvaluationService) -> BesideBuild:
    """The online rebuild of the service's store (PostgreSQL, or SQLite in a file)."""
    projection = service.projection
    assert isinstance(projection, SqlProjection), "the store was not built by build_service"
    beside = beside_build(service.store, datastore_of(service), projection)
    if beside is None:
        raise ValueError("an in-memory store cannot be rebuilt beside itself")
    return beside


def build_service(
    database_url: str | None = None,
    secret: str | None = None,
    tuning: StoreTuning | None = None,
) -> EvaluationService:
    """The service on the store at `database_url` (see build_components)."""
    return build_components(database_url, tuning, secret).service


def datastore_of(service: EvaluationService) -> SQLAlchemyDatastore:
    """The database session factory the service's store and read models share."""
    factory = service.store.factory
    assert isinstance(factory, SQLAlchemyFactory)
    return factory.datastore


def build_token_service(service: EvaluationService, cache_seconds: float = 0) -> TokenService:
    """API tokens on the database the evaluation service already uses."""
    return TokenService(SqlTokenStore(datastore_of(service)), cache_seconds=cache_seconds)


def build_session_service(service: EvaluationService, tokens: TokenService) -> SessionService:
    """Browser sessions, started with the tokens of `tokens`, on the same database."""
    return SessionService(SqlSessionStore(datastore_of(service)), tokens)


def build_review_service(service: EvaluationService) -> ReviewService:
    """Disputes and notes, recorded through the evaluation service's unit of work."""
    return ReviewService(service, SqlReviewQueries(datastore_of(service)))


def build_audit(service: EvaluationService, evidence: EvidenceFiles | None = None) -> AuditService:
    """The auditors' use cases over a service built by `build_service`; with `evidence`,
    verification also re-hashes the stored evidence files."""
    recorder = service.store.recorder
    assert isinstance(recorder, ChainedRecorder), "the store was not built by build_service"
    snapshots = service.store.snapshots.recorder if service.store.snapshots else None
    assert snapshots is None or isinstance(snapshots, SealedSnapshotRecorder)
    audit = AuditService(service, RawEventLog(recorder, snapshots))
    audit.evidence = evidence
    return audit


def build_evidence(
    service: EvaluationService,
    database_url: str | None = None,
    directory: str | None = None,
    limits: EvidenceLimits | None = None,
) -> EvidenceFiles:
    """Evidence files: bytes in `directory`, else beside a SQLite file, else in the database."""
    url = normalise_url(
        database_url or os.environ.get("SCORETRAIL_DATABASE_URL") or DEFAULT_DATABASE_URL
    )
    return EvidenceFiles(service, blob_store_for(datastore_of(service), url, directory), limits)


def build_records(
    audit: AuditService,
    sheets: SheetTransfer,
    zone: tzinfo,
    evidence: EvidenceFiles | None,
    pdf: PdfWriter | None = None,
) -> RecordReports:
    """Reports for the record (html, xlsx, pdf) with the workbook codec's renderers; PDFs
    written by `pdf` (a worker pool) when given, else in this process."""
    return RecordReports(audit, WorkbookCodec(pdf), zone, sheets, evidence)


def build_sheets(service: EvaluationService) -> SheetTransfer:
    """Sheet import and report export over the service, with the xlsx/csv/html/json codec."""
    return SheetTransfer(service, WorkbookCodec())


def build_self_evaluation(service: EvaluationService) -> SelfEvaluationService:
    """Target values and sign-offs; a sign-off records the head digest of the chain."""
    recorder = service.store.recorder
    assert isinstance(recorder, ChainedRecorder), "the store was not built by build_service"
    return SelfEvaluationService(service, RawEventLog(recorder).digest_at)
