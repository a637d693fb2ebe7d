"""Pooled PostgreSQL connections are checked only after sitting idle, and a dead one is replaced."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from freezegun import freeze_time
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from adapters.store import IDLE_PING_SECONDS, StoreTuning, engine_options, ping_when_idle
from tests.conftest import Api, signed_in

pytestmark = pytest.mark.postgres


def _pool_of_one(url: str, idle_seconds: float) -> Engine:
    options = {**engine_options(url, StoreTuning()), "pool_size": 1, "max_overflow": 0}
    engine = create_engine(url, **options)
    ping_when_idle(engine, idle_seconds)
    return engine


def _kill_pooled_backend(engine: Engine, url: str) -> int:
    with engine.connect() as connection:
        pid = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
    killer = create_engine(url)
    with killer.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()
    return pid


def test_a_connection_killed_while_idle_is_replaced_before_use(postgres_url: str) -> None:
    engine = _pool_of_one(postgres_url, idle_seconds=0.0)  # every reuse counts as idle
    try:
        killed = _kill_pooled_backend(engine, postgres_url)

        with engine.connect() as connection:
            pid = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
        assert pid != killed
    finally:
        engine.dispose()


def test_a_connection_used_moments_ago_is_not_pinged(postgres_url: str) -> None:
    engine = _pool_of_one(postgres_url, idle_seconds=3600.0)
    try:
        _kill_pooled_backend(engine, postgres_url)

        # no ping: the dead connection is handed out and its first statement fails
        with pytest.raises(OperationalError), engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        # the failure invalidated the pool: the next checkout connects afresh
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


POOL = 3
HEADER = {"title": "空闲连接", "subject": "示范单位", "fiscal_year": 2024, "kind": "project"}
FRAMEWORK = [
    {"code": "1", "name": "决策", "weight": "50", "method": "deduction"},
    {"code": "2", "name": "产出", "weight": "50", "method": "deduction"},
]


def _pooled_app(make_app: Callable[..., Flask], url: str, **config: Any) -> tuple[Flask, Engine]:
    app = make_app(url, SCORETRAIL_DB_POOL_SIZE=POOL, SCORETRAIL_DB_MAX_OVERFLOW=0, **config)
    engine = app.extensions["scoretrail"].store.factory.datastore.engine
    return app, engine


def _fill_pool(engine: Engine) -> list[int]:
    """Check out every pooled connection at once, so the pool holds POOL used connections."""
    connections = [engine.connect() for _ in range(POOL)]
    pids = [int(c.execute(text("SELECT pg_backend_pid()")).scalar_one()) for c in connections]
    for connection in connections:
        connection.close()
    return pids


def _kill_every_pooled_backend(engine: Engine, url: str) -> list[int]:
    killed = _fill_pool(engine)
    killer = create_engine(url)
    with killer.connect() as connection:
        for pid in killed:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()
    return killed


def _every_path_answers(api: Api, evaluation_id: str, rounds: int) -> list[int]:
    """Document reads (autocommit), history pages, deductions (pipelined writes)."""
    base = f"/evaluations/{evaluation_id}"
    statuses = []
    for n in range(rounds):
        statuses.append(api.get(base).status_code)
        statuses.append(api.get(f"{base}/indicators/1/history").status_code)
        body = {"points": "0.5", "reason": f"第{n}次扣分"}
        statuses.append(api.post(f"{base}/indicators/2/deductions", json=body).status_code)
        statuses.append(api.get(f"{base}/history").status_code)
    return statuses


def _expected(rounds: int) -> list[int]:
    return [200, 200, 201, 200] * rounds


def test_every_pooled_connection_idle_past_the_threshold_serves_every_path(
    postgres_url: str, make_app: Callable[..., Flask]
) -> None:
    with freeze_time("2026-03-02 09:00:00") as clock:
        app, engine = _pooled_app(make_app, postgres_url)
        api = signed_in(app)
        evaluation_id = str(api.post("/evaluations", json=HEADER).json["id"])
        framed = api.post(f"/evaluations/{evaluation_id}/framework", json={"indicators": FRAMEWORK})
        assert framed.status_code == 200
        for _ in range(2):  # two quiet spells: the pinged connections must idle well again
            _fill_pool(engine)
            clock.tick(IDLE_PING_SECONDS + 1)

            assert _every_path_answers(api, evaluation_id, rounds=2 * POOL) == _expected(2 * POOL)


def test_a_pinged_connection_is_handed_out_outside_any_transaction(postgres_url: str) -> None:
    engine = _pool_of_one(postgres_url, idle_seconds=0.0)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        with engine.connect() as connection:
            driver: Any = connection.connection.driver_connection
            assert driver.info.transaction_status == TransactionStatus.IDLE
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            assert autocommit.execute(text("SELECT 2")).scalar_one() == 2
    finally:
        engine.dispose()


def test_every_killed_pooled_backend_is_replaced_after_a_quiet_spell(
    postgres_url: str, make_app: Callable[..., Flask]
) -> None:
    with freeze_time("2026-03-02 09:00:00") as clock:
        app, engine = _pooled_app(make_app, postgres_url)
        api = signed_in(app)
        evaluation_id = str(api.post("/evaluations", json=HEADER).json["id"])
        framed = api.post(f"/evaluations/{evaluation_id}/framework", json={"indicators": FRAMEWORK})
        assert framed.status_code == 200
        killed = _kill_every_pooled_backend(engine, postgres_url)
        clock.tick(IDLE_PING_SECONDS + 1)

        assert _every_path_answers(api, evaluation_id, rounds=2 * POOL) == _expected(2 * POOL)
        assert set(_fill_pool(engine)).isdisjoint(killed)


def test_the_idle_threshold_is_a_setting(postgres_url: str, make_app: Callable[..., Flask]) -> None:
    # a threshold of 0 ms: every reuse counts as idle, so dead connections are replaced at once
    app, engine = _pooled_app(make_app, postgres_url, SCORETRAIL_DB_IDLE_PING_MS=0)
    api = signed_in(app)
    evaluation_id = str(api.post("/evaluations", json=HEADER).json["id"])
    framed = api.post(f"/evaluations/{evaluation_id}/framework", json={"indicators": FRAMEWORK})
    assert framed.status_code == 200
    killed = _kill_every_pooled_backend(engine, postgres_url)

    assert _every_path_answers(api, evaluation_id, rounds=POOL) == _expected(POOL)
    assert set(_fill_pool(engine)).isdisjoint(killed)


def test_a_connection_dropped_while_in_use_fails_one_read_with_503_then_reads_recover(
    postgres_url: str, make_app: Callable[..., Flask]
) -> None:
    # not idle long enough to be pinged: the dead connections are handed out as they are
    app, engine = _pooled_app(make_app, postgres_url, SCORETRAIL_DB_IDLE_PING_MS=3_600_000)
    api = signed_in(app)
    evaluation_id = str(api.post("/evaluations", json=HEADER).json["id"])
    framed = api.post(f"/evaluations/{evaluation_id}/framework", json={"indicators": FRAMEWORK})
    assert framed.status_code == 200
    _kill_every_pooled_backend(engine, postgres_url)

    failed = api.get(f"/evaluations/{evaluation_id}")

    assert failed.status_code == 503, failed.json
    assert failed.json["type"] == "urn:scoretrail:problem:store-busy"
    assert failed.headers["Retry-After"] == "1"
    # the failure discarded the whole pool: every path answers on fresh connections
    assert _every_path_answers(api, evaluation_id, rounds=POOL) == _expected(POOL)


def test_a_pinged_connection_can_still_be_switched_to_autocommit(postgres_url: str) -> None:
    engine = _pool_of_one(postgres_url, idle_seconds=0.0)  # every reuse is pinged
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()
