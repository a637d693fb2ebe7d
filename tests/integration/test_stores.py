"""The same behaviours on a SQLite file and on PostgreSQL: recording, restarts, start-up
rebuilds, busy stores."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import create_engine, make_url, text

from adapters.bootstrap import Components, build_components
from adapters.tables import tracking
from domain.evaluation import Actor
from tests.conftest import load_through_api, signed_in
from web.cli import main

MakeApp = Callable[..., Flask]
LOADER = Actor("loader", "evaluator", "test-load")


@pytest.fixture
def open_store(store_url: str) -> Iterator[Callable[[], Components]]:
    """Start the components on the test's store, as a worker does; closed afterwards."""
    opened: list[Components] = []

    def start() -> Components:
        components = build_components(store_url)
        opened.append(components)
        return components

    yield start
    for components in opened:
        components.dispose()


def run_sql(url: str, statement: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()


@contextmanager
def write_lock_held(url: str) -> Iterator[None]:
    """Another connection holds the lock writers need, until the block ends."""
    if url.startswith("sqlite"):
        holder = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = create_engine(url)
    with engine.connect() as connection:
        connection.execute(text("LOCK TABLE scoretrail_events IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            connection.rollback()
    engine.dispose()


def test_the_reference_case_scores_the_same_and_read_models_equal_a_replay(
    store_url: str, make_app: MakeApp, reference_case: dict[str, Any]
) -> None:
    app = make_app(store_url)

    evaluation_id = load_through_api(signed_in(app), reference_case)

    service = app.extensions["scoretrail"]
    document = service.document(evaluation_id)
    assert (document["total"], document["grade"]) == ("88.66", "良")
    assert document == service.replayed_document(evaluation_id)


def test_records_and_idempotency_keys_survive_a_restart(
    store_url: str, make_app: MakeApp, reference_case: dict[str, Any]
) -> None:
    key = {"Idempotency-Key": "restart-1"}
    first = signed_in(make_app(store_url)).post(
        "/evaluations", json=reference_case["evaluation"], headers=key
    )

    restarted = signed_in(make_app(store_url))
    again = restarted.post("/evaluations", json=reference_case["evaluation"], headers=key)

    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert restarted.get("/evaluations").json["total"] == 1


def test_workers_starting_together_on_an_empty_store_all_start(
    open_store: Callable[[], Components],
) -> None:
    errors: list[BaseException] = []
    started: list[Components] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        try:
            started.append(open_store())
        except BaseException as error:  # collected: the assertion below names it
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(started) == 4
    assert started[0].service.list_evaluations({})["total"] == 0


def test_a_schema_change_rebuilds_the_read_models_once_when_workers_start_together(
    store_url: str,
    open_store: Callable[[], Components],
    reference_case: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = open_store()
    evaluation_id = first.service.import_evaluation(reference_case, LOADER).id
    first.dispose()
    # as if the read models had been built by an older release
    run_sql(store_url, f"UPDATE {tracking.name} SET schema_version = 0")
    run_sql(store_url, "DELETE FROM rm_indicators")
    caplog.set_level(logging.INFO, logger="scoretrail.setup")
    barrier = threading.Barrier(4)
    started: list[Components] = []

    def worker() -> None:
        barrier.wait()
        started.append(open_store())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    rebuilds = [r for r in caplog.records if "rebuilt the read models" in r.getMessage()]
    assert len(started) == 4
    assert len(rebuilds) == 1
    for components in started:
        service = components.service
        assert service.document(evaluation_id) == service.replayed_document(evaluation_id)
        assert service.projection.position() == service.store.recorder.max_notification_id()


def test_read_models_behind_the_events_catch_up_at_start(
    store_url: str, open_store: Callable[[], Components], reference_case: dict[str, Any]
) -> None:
    first = open_store()
    evaluation_id = first.service.import_evaluation(reference_case, LOADER).id
    first.dispose()
    run_sql(store_url, f"DELETE FROM {tracking.name}")
    run_sql(store_url, "DELETE FROM rm_evaluations")

    service = open_store().service

    assert service.document(evaluation_id) == service.replayed_document(evaluation_id)


def test_a_store_busy_past_the_lock_timeout_answers_503_and_records_nothing(
    store_url: str, make_app: MakeApp
) -> None:
    app = make_app(store_url, SCORETRAIL_DB_LOCK_TIMEOUT_MS=150)
    api = signed_in(app)
    created = api.post("/evaluations", json={**HEADER})
    evaluation_id = created.json["id"]
    api.post(f"/evaluations/{evaluation_id}/framework", json={"indicators": FRAMEWORK})
    url = f"/evaluations/{evaluation_id}/indicators/1.1/deductions"
    before = api.get(f"/evaluations/{evaluation_id}").json["version"]

    with write_lock_held(store_url):
        plain = api.post(url, json=CUT)
        keyed = api.post(url, json=CUT, headers={"Idempotency-Key": "busy-1"})
        ready = app.test_client().get("/readyz")

    assert [plain.status_code, keyed.status_code] == [503, 503]
    assert plain.headers["Retry-After"] == keyed.headers["Retry-After"] == "1"
    assert plain.json["type"] == "urn:scoretrail:problem:store-busy"
    assert ready.status_code == 200  # reads go on while a writer holds the lock
    assert api.get(f"/evaluations/{evaluation_id}").json["version"] == before
    retried = api.post(url, json=CUT, headers={"Idempotency-Key": "busy-1"})
    assert retried.status_code == 201
    assert retried.json["evaluation"]["version"] == before + 2


HEADER = {"title": "示范项目", "subject": "示范单位", "fiscal_year": 2024, "kind": "project"}
FRAMEWORK = [
    {"code": "1", "name": "决策", "weight": "100"},
    {"code": "1.1", "name": "立项依据", "parent": "1", "weight": "100", "method": "deduction"},
]
CUT = {"points": "1", "reason": "资料不全"}


def test_purged_keys_are_forgotten_and_younger_ones_kept(store_url: str, make_app: MakeApp) -> None:
    api = signed_in(make_app(store_url))
    with freeze_time("2026-01-01T00:00:00+00:00"):
        old = api.post("/evaluations", json=HEADER, headers={"Idempotency-Key": "old"})
    young = api.post("/evaluations", json=HEADER, headers={"Idempotency-Key": "young"})

    result = CliRunner().invoke(main, ["purge-keys", "--days", "7", "--database-url", store_url])

    assert result.exit_code == 0, result.output
    assert "forgot 1 idempotency keys" in result.output
    again = api.post("/evaluations", json=HEADER, headers={"Idempotency-Key": "young"})
    rerun = api.post("/evaluations", json=HEADER, headers={"Idempotency-Key": "old"})
    assert again.json["id"] == young.json["id"]
    assert rerun.json["id"] != old.json["id"]  # forgotten: recorded as a new request
