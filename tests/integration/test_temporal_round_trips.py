"""Round trips to PostgreSQL for past documents and for the history side of each command."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from adapters.bootstrap import build_service
from adapters.history_tables import BY_SOURCE
from adapters.pending_writes import run_all
from adapters.row_sources import RowsAt
from adapters.tables import indicators
from adapters.temporal_mirror import Statements
from application.errors import VersionNotFound
from application.service import EvaluationService
from domain.evaluation import Actor
from tests.integration.conftest import dispose

pytestmark = pytest.mark.postgres

BY = Actor("alice", "evaluator", "round-trips")
START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


class Trips:
    """Counts the round trips the client starts on the connections of an engine (libpq's
    protocol trace: each Sync or simple Query the client sends waits for the server)."""

    def __init__(self, engine: Any) -> None:
        self.connections: list[Any] = []
        engine.dispose()  # every later connection is a new one, known from its start

        @event.listens_for(engine, "connect")
        def known(dbapi_connection: Any, record: Any) -> None:
            self.connections.append(dbapi_connection)

    def count(self, call: Callable[[], Any]) -> int:
        with tempfile.TemporaryFile("w+") as trace:
            live = [c for c in self.connections if not c.closed]
            for connection in live:
                connection.pgconn.trace(trace.fileno())
            try:
                call()
            finally:
                for connection in live:
                    connection.pgconn.untrace()  # flushes what it wrote
            trace.seek(0)
            sent = [line.split("\t") for line in trace]
        return sum(
            1 for p in sent if len(p) > 3 and p[1] == "F" and p[3].strip() in ("Sync", "Query")
        )


@pytest.fixture
def service(postgres_url: str) -> Iterator[EvaluationService]:
    built = build_service(postgres_url)
    yield built
    dispose(built)


def recorded(service: EvaluationService, pairs: int) -> str:
    """An evaluation of four leaves, then deductions recorded and withdrawn, a second apart."""
    with freeze_time(START, auto_tick_seconds=1):
        eid = str(
            service.create_evaluation(
                title="t", subject="s", fiscal_year=2025, kind="project", total_weight="200", by=BY
            ).id
        )
        tree = [{"code": "1", "name": "root", "weight": "200"}] + [
            {"code": f"1.{n}", "parent": "1", "name": f"leaf {n}", "weight": "50"}
            for n in (1, 2, 3, 4)
        ]
        service.define_framework(eid, tree, BY)
        for n in range(pairs):
            made = service.record_deduction(
                eid, f"1.{n % 4 + 1}", points="1", reason="r", by=BY
            ).record
            service.withdraw_deduction(eid, made["id"], reason="w", by=BY)
    return eid


def test_a_past_document_as_of_a_time_is_two_round_trips(
    service: EvaluationService,
) -> None:
    eid = recorded(service, 20)
    engine = service.store.factory.datastore.engine  # type: ignore[attr-defined]
    trips = Trips(engine)
    version = 17
    item = service.history(eid, page=version, per_page=1)["items"][0]
    moment = datetime.fromisoformat(item["recorded_at"]) + timedelta(milliseconds=500)
    expected = service.replayed_document_at(eid, version, "active")

    def read() -> dict[str, Any]:
        return service.document(eid, as_of=moment, deductions="active")

    for _ in range(3):  # every pooled connection opened
        assert read() == expected
    # the version for the time with its moment, then every table's rows (a connection used
    # moments ago is handed out without a ping)
    assert trips.count(read) == 2
    capped = service.document(eid, version=9, as_of=moment, deductions="active")
    assert capped == service.replayed_document_at(eid, 9, "active")
    with pytest.raises(VersionNotFound):
        service.document(eid, as_of=START - timedelta(days=1))


def test_the_current_rows_a_flush_reads_come_in_one_statement(
    service: EvaluationService,
) -> None:
    eid = recorded(service, 3)
    engine = service.store.factory.datastore.engine  # type: ignore[attr-defined]
    query = Statements().current(BY_SOURCE[indicators])
    trips = Trips(engine)
    found: list[Any] = []
    with engine.connect() as connection:
        connection.execute(select(1))  # as in a projection: the transaction begun

        def read() -> None:
            keys = [(eid, "1"), (eid, "1.2"), (eid, "9.9")]
            found.extend(r.code for r in connection.execute(query, {"keys": keys}))

        read()  # prepared on its first run on the connection (one round trip more, once)
        assert trips.count(read) == 1
    assert sorted(found) == ["1", "1", "1.2", "1.2"]  # the unknown key has none


def test_the_writes_of_a_flush_go_as_one_pipeline_and_fail_as_sqlalchemy_errors(
    service: EvaluationService,
) -> None:
    recorded(service, 1)
    engine = service.store.factory.datastore.engine  # type: ignore[attr-defined]
    history = BY_SOURCE[indicators].history
    with engine.connect() as connection:
        row = dict(connection.execute(select(history).limit(1)).mappings().one())
        before = connection.execute(select(func.count()).select_from(history)).scalar()
    far = [{**row, "upper": 10**6 + i, "lower": 10**6 + i, "node": 10**6 + i} for i in (1, 2)]
    trips = Trips(engine)
    with engine.begin() as connection:
        connection.execute(select(1))  # as in a projection: the transaction begun
        work = [(insert(history), far[:1]), (insert(history), far[1:])]
        assert trips.count(lambda: run_all(connection, work)) == 1
    before += 2
    # the same key twice: the second insert fails, and the first is rolled back with it
    again = {**row, "upper": 10**6, "lower": 10**6, "node": 10**6}
    with pytest.raises(IntegrityError), engine.begin() as connection:
        run_all(connection, [(insert(history), [again]), (insert(history), [dict(again)])])
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(history)).scalar() == before


def test_a_connection_lost_under_a_past_document_read_is_invalidated(
    service: EvaluationService,
) -> None:
    eid = recorded(service, 1)
    engine = service.store.factory.datastore.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with engine.connect() as other:
            other.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
        with pytest.raises(DBAPIError) as raised:
            RowsAt(connection, eid, 3).reached()
        assert raised.value.connection_invalidated
        assert connection.invalidated  # the pool opens a new one rather than reuse it
    assert service.document(eid, version=3) == service.replayed_document_at(eid, 3)
