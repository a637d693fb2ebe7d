"""Online rebuilds: tables built beside the serving ones while commands keep being recorded,
resumed after an interruption, switched in with writers held only briefly."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from adapters import tables
from adapters.beside import BesideBuild
from adapters.bootstrap import build_beside, build_service
from adapters.projection import ALL_TABLES
from application.reading import iter_notifications
from application.service import EvaluationService
from domain.evaluation import Actor
from tests.integration.conftest import dispose

EVA = Actor("eva", "evaluator", "c1")


def all_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                t.name: sorted(map(tuple, connection.execute(select(t))), key=repr)
                for t in ALL_TABLES
            }
    finally:
        engine.dispose()


def in_small_batches(service: EvaluationService, beside: BesideBuild, size: int = 7) -> None:
    """Read the events a few at a time, so a build has many batches to act between."""

    def read(first: int, last: int) -> Iterator[list[tuple[int, Any]]]:
        return iter_notifications(service.store, last, size, start=first)

    beside.read = read


def seeded(url: str, case: dict[str, Any], copies: int = 2) -> tuple[EvaluationService, list[str]]:
    service = build_service(url)
    ids = [str(service.import_evaluation(case, EVA).id) for _ in range(copies)]
    service.record_deduction(ids[0], "4.2.1", points="0.2", reason="r", by=EVA)
    return service, ids


def test_a_build_beside_ends_equal_to_a_fresh_rebuild_with_the_commands_made_meanwhile(
    store_url: str, reference_case: dict[str, Any]
) -> None:
    service, ids = seeded(store_url, reference_case)
    before = len(all_rows(store_url)["rm_deductions"])
    writer = build_service(store_url)  # the running service: its own connections
    beside = build_beside(service)
    in_small_batches(service, beside)
    served: list[bool] = []

    def meanwhile(done: int, total: int, stage: str | None = None) -> None:
        if len(served) < 3:  # commands recorded, and read back, while the build runs
            cut = writer.record_deduction(ids[1], "4.2.1", points="0.1", reason="m", by=EVA).record
            served.append(any(d["id"] == cut["id"] for d in writer.deductions(ids[1])["items"]))

    result = beside.run(meanwhile)
    assert served == [True, True, True]  # the old tables served the writes as they came
    assert result.switched_at == service.store.recorder.max_notification_id()
    built = all_rows(store_url)
    assert len(built["rm_deductions"]) == before + 3
    service.rebuild_read_models()
    assert all_rows(store_url) == built
    for evaluation_id in ids:
        assert service.document(evaluation_id) == service.replayed_document(evaluation_id)
    dispose(writer)
    dispose(service)


class Interrupted(Exception):
    pass


def test_an_interrupted_build_resumes_where_it_stopped_with_the_same_rows(
    store_url: str, reference_case: dict[str, Any]
) -> None:
    service, _ = seeded(store_url, reference_case)
    head = service.store.recorder.max_notification_id() or 0
    first = build_beside(service)
    in_small_batches(service, first)

    def killed(done: int, total: int) -> None:
        if done > head // 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        first.run(killed)
    again = build_beside(service)
    in_small_batches(service, again)
    seen: list[int] = []

    def projected(done: int, total: int, stage: str | None = None) -> None:
        if stage is None:  # the build's own stage; SQLite's staging counts its own rows
            seen.append(done)

    result = again.run(projected)
    assert head // 2 < result.resumed_from < head
    assert min(seen) > result.resumed_from  # no event projected twice
    assert result.events == head - result.resumed_from
    resumed = all_rows(store_url)
    service.rebuild_read_models()
    assert all_rows(store_url) == resumed
    dispose(service)


def test_a_writer_held_off_by_the_switch_completes_into_the_new_tables(
    store_url: str, reference_case: dict[str, Any]
) -> None:
    service, ids = seeded(store_url, reference_case)
    writer = build_service(store_url)
    beside = build_beside(service)
    started, outcome = threading.Event(), dict[str, Any]()

    def write() -> None:
        started.set()
        try:
            outcome["cut"] = writer.record_deduction(
                ids[0], "4.2.1", points="0.3", reason="during the switch", by=EVA
            ).record
        except Exception as error:  # reported below: the writer must not fail
            outcome["error"] = error

    thread = threading.Thread(target=write)

    def during_switch() -> None:
        thread.start()
        started.wait()

    beside.on_switch = during_switch
    beside.run()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert "error" not in outcome, outcome
    assert outcome["cut"]["id"] in {d["id"] for d in service.deductions(ids[0])["items"]}
    assert service.document(ids[0]) == service.replayed_document(ids[0])
    dispose(writer)
    dispose(service)


def test_start_up_after_a_schema_change_builds_beside_and_switches(
    store_url: str, reference_case: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    service, ids = seeded(store_url, reference_case)
    expected = all_rows(store_url)
    monkeypatch.setattr(tables, "SCHEMA_VERSION", tables.SCHEMA_VERSION + 1)
    monkeypatch.setattr("adapters.projection.SCHEMA_VERSION", tables.SCHEMA_VERSION)
    monkeypatch.setattr("adapters.beside.SCHEMA_VERSION", tables.SCHEMA_VERSION)
    started = build_service(store_url)
    rows = all_rows(store_url)
    assert rows.pop("rm_tracking") != expected.pop("rm_tracking")  # the new version's row
    assert rows == expected
    assert started.document(ids[0]) == service.replayed_document(ids[0])
    dispose(started)
    dispose(service)


def test_the_rebuild_command_builds_beside_and_restores_lost_rows(
    store_url: str, reference_case: dict[str, Any]
) -> None:
    from click.testing import CliRunner

    from web.cli import main

    service, _ = seeded(store_url, reference_case)
    expected = all_rows(store_url)
    engine = create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(tables.indicators.delete())
    engine.dispose()
    result = CliRunner().invoke(
        main, ["rebuild-projections", "--beside", "--database-url", store_url]
    )
    assert result.exit_code == 0, result.output
    head = service.store.recorder.max_notification_id()
    assert f"rebuilt read models beside from {head} events" in result.output
    assert all_rows(store_url) == expected
    dispose(service)


def test_a_build_left_beside_is_resumed_and_switched_by_the_next_start_up(
    store_url: str, reference_case: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from adapters.bootstrap import build_components
    from web.cli import main

    running, ids = seeded(store_url, reference_case)  # the release serving now
    old = tables.SCHEMA_VERSION
    new = {"SCHEMA_VERSION": old + 1}
    for module in ("adapters.tables", "adapters.projection", "adapters.beside"):
        monkeypatch.setattr(f"{module}.SCHEMA_VERSION", new["SCHEMA_VERSION"])
    result = CliRunner().invoke(
        main, ["rebuild-projections", "--beside", "--no-switch", "--database-url", store_url]
    )
    assert result.exit_code == 0, result.output
    assert "start this release to switch" in result.output
    assert all_rows(store_url)["rm_tracking"][0][2] == old  # still serving the old tables
    # the running release records a command with its own code (its schema version)
    monkeypatch.setattr("adapters.projection.SCHEMA_VERSION", old)
    cut = running.record_deduction(ids[0], "4.2.1", points="0.4", reason="later", by=EVA).record
    monkeypatch.setattr("adapters.projection.SCHEMA_VERSION", new["SCHEMA_VERSION"])
    started = build_components(store_url)
    assert started.rebuilt is not None and 0 < started.rebuilt <= 2  # resumed, not redone
    service = started.service
    assert cut["id"] in {d["id"] for d in service.deductions(ids[0])["items"]}
    assert all_rows(store_url)["rm_tracking"][0][2] == new["SCHEMA_VERSION"]
    switched = all_rows(store_url)
    service.rebuild_read_models()
    assert all_rows(store_url) == switched
    for evaluation_id in ids:
        assert service.document(evaluation_id) == service.replayed_document(evaluation_id)
    started.dispose()
    dispose(running)


def test_an_old_release_writing_after_the_switch_is_rebuilt_by_the_next_start_up(
    store_url: str, reference_case: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters.bootstrap import build_components

    running, ids = seeded(store_url, reference_case)  # the old release, still serving
    old, new = tables.SCHEMA_VERSION, tables.SCHEMA_VERSION + 1
    for module in ("adapters.tables", "adapters.projection", "adapters.beside"):
        monkeypatch.setattr(f"{module}.SCHEMA_VERSION", new)
    build_beside(running).run()  # the new release's command switches at once
    assert all_rows(store_url)["rm_tracking"][0][2] == new
    # the old release records a command with its own code, into the switched-in tables
    monkeypatch.setattr("adapters.projection.SCHEMA_VERSION", old)
    cut = running.record_deduction(ids[1], "4.2.1", points="0.5", reason="old code", by=EVA)
    assert all_rows(store_url)["rm_tracking"][0][2] == old  # marked as its own
    monkeypatch.setattr("adapters.projection.SCHEMA_VERSION", new)
    started = build_components(store_url)
    assert started.rebuilt is not None  # found outdated: built beside again
    assert all_rows(store_url)["rm_tracking"][0][2] == new
    service = started.service
    assert cut.record["id"] in {d["id"] for d in service.deductions(ids[1])["items"]}
    for evaluation_id in ids:
        assert service.document(evaluation_id) == service.replayed_document(evaluation_id)
    started.dispose()
    dispose(running)


@pytest.mark.postgres
def test_the_builds_indexes_are_made_without_the_statement_timeout_requests_get(
    postgres_url: str, reference_case: dict[str, Any]
) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from adapters.beside import deferred_indexes

    service, _ = seeded(postgres_url, reference_case)
    timeouts: dict[str, str] = {}  # by index, as last made (the prepared tables' come first)

    def note(connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("CREATE INDEX"):
            name = statement.split()[2]
            timeouts[name] = connection.exec_driver_sql("SHOW statement_timeout").scalar()

    event.listen(Engine, "after_cursor_execute", note)
    try:
        build_beside(service).run()
    finally:
        event.remove(Engine, "after_cursor_execute", note)
    from adapters.history_tables import made_on

    indexes = (i for t in ALL_TABLES for i in deferred_indexes(t) if made_on(i, "postgresql"))
    deferred = {str(i.name) for i in indexes}
    assert "rm_indicators_history_range_idx" in deferred <= set(timeouts)
    # made at the end over every row: a request's 30 s would stop a large build
    assert {timeouts[name] for name in deferred} == {"0"}
    dispose(service)
