"""Stores for integration tests: a SQLite file, and a fresh schema on the real PostgreSQL.

`store_url` runs a test once per store. PostgreSQL comes from SCORETRAIL_TEST_POSTGRES_URL;
when it is unreachable the PostgreSQL runs are skipped, except in CI (CI set), where they
fail. Each test gets its own schema, dropped afterwards, so runs share the server safely.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from application.service import EvaluationService
from benchmarks.stores import postgres_schema
from web import create_app

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_server_url() -> str:
    return os.environ.get("SCORETRAIL_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The server's URL, once it answered; skip (fail in CI) when it does not."""
    url = postgres_server_url()
    try:
        ensure_database(url)
    except Exception as error:  # any failure to connect means: no server for these tests
        message = f"PostgreSQL at {url} is unreachable: {error}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url


def ensure_database(url: str) -> None:
    """Connect to the database, creating it first if the server lacks it."""
    target = make_url(url)
    engine = create_engine(target, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return
    except OperationalError as error:
        if "does not exist" not in str(error):
            raise
    finally:
        engine.dispose()
    admin = create_engine(
        target.set(database="postgres"),
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    except ProgrammingError:
        pass  # created meanwhile by another test process
    finally:
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A store in a schema of its own on the PostgreSQL server."""
    with postgres_schema(postgres_server, prefix="test") as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A store in a SQLite file (not in memory: several connections must share it)."""
    return f"sqlite:///{tmp_path / 'scoretrail.sqlite3'}"


@pytest.fixture(
    params=[
        pytest.param("sqlite"),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ]
)
def store_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs on a SQLite file and on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def make_app() -> Iterator[Callable[..., Flask]]:
    """Build apps (one per simulated worker) on a store; their connections close afterwards."""
    apps: list[Flask] = []

    def build(url: str, **config: Any) -> Flask:
        app = create_app(
            {"SCORETRAIL_DATABASE_URL": url, "SCORETRAIL_LOG_LEVEL": "WARNING", **config}
        )
        apps.append(app)
        return app

    yield build
    for app in apps:
        announcer = app.extensions.get("scoretrail.feed_announcer")
        if announcer is not None:
            announcer.stop()
        dispose(app.extensions["scoretrail"])


def dispose(service: EvaluationService) -> None:
    """Close a service's database connections (so its schema can be dropped)."""
    engine = service.store.factory.datastore.engine  # type: ignore[attr-defined]
    if engine is not None:
        engine.dispose()
