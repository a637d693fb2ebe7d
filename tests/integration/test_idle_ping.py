"""Pooled PostgreSQL connections are checked only after sitting idle, and a dead one is replaced."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from adapters.store import StoreTuning, engine_options, ping_when_idle

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


def test_a_pinged_connection_can_still_be_switched_to_autocommit(postgres_url: str) -> None:
    engine = _pool_of_one(postgres_url, idle_seconds=0.0)  # every reuse is pinged
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()
