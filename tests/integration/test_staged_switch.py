"""SQLite's switch: the built rows are staged in the serving file before the writers' lock,
which then covers only the evaluations written since, and a rename."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, inspect

from adapters import tables
from adapters.bootstrap import build_beside, build_service
from adapters.projection import ALL_TABLES
from adapters.staged_switch import RETIRED, STAGED, StagedSwitch
from tests.integration.conftest import dispose
from tests.integration.test_online_rebuild import EVA, seeded


def serving_tables_and_indexes(url: str) -> tuple[set[str], dict[str, int]]:
    engine = create_engine(url)
    try:
        found = inspect(engine)
        names = set(found.get_table_names())
        return names, {t.name: len(found.get_indexes(t.name)) for t in ALL_TABLES}
    finally:
        engine.dispose()


def test_the_switch_copies_under_the_lock_only_the_evaluations_written_after_staging(
    sqlite_url: str, reference_case: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    service, ids = seeded(sqlite_url, reference_case, copies=4)
    writer = build_service(sqlite_url)  # the running service: its own connections
    staged_rows = StagedSwitch.stage

    def stage_then_write(self: StagedSwitch, engine: Any, position: int, progress: Any) -> int:
        staged = staged_rows(self, engine, position, progress)
        writer.record_deduction(ids[2], "4.2.1", points="0.4", reason="after staging", by=EVA)
        return staged

    monkeypatch.setattr(StagedSwitch, "stage", stage_then_write)
    result = build_beside(service).run()
    assert result.staged_evaluations == 4
    assert result.switch_evaluations == 1  # ids[2] alone, not the whole read model
    assert "after staging" in {d["reason"] for d in service.deductions(ids[2])["items"]}
    for evaluation_id in ids:
        assert service.document(evaluation_id) == service.replayed_document(evaluation_id)
    dispose(writer)
    dispose(service)


def test_switches_in_a_row_leave_the_serving_tables_with_all_their_indexes(
    sqlite_url: str, reference_case: dict[str, Any]
) -> None:
    service, ids = seeded(sqlite_url, reference_case)
    names, before = serving_tables_and_indexes(sqlite_url)
    for round_ in range(2):  # the second stages its indexes under the names the first freed
        build_beside(service).run()
        after_names, after = serving_tables_and_indexes(sqlite_url)
        assert after == before, round_
        assert after_names == names  # nothing staged or retired is left behind
        service.record_deduction(ids[1], "4.2.1", points="0.1", reason=str(round_), by=EVA)
    assert service.document(ids[1]) == service.replayed_document(ids[1])
    dispose(service)


def test_a_switch_clears_what_an_interrupted_one_left_in_the_serving_file(
    sqlite_url: str, reference_case: dict[str, Any]
) -> None:
    service, ids = seeded(sqlite_url, reference_case)
    names, _ = serving_tables_and_indexes(sqlite_url)
    beside = build_beside(service)
    engine = create_engine(sqlite_url)
    StagedSwitch(ALL_TABLES).stage(engine, 0)  # staged, then the process died
    engine.dispose()
    assert f"rm_events{STAGED}" in serving_tables_and_indexes(sqlite_url)[0]
    beside.run()
    assert serving_tables_and_indexes(sqlite_url)[0] == names
    assert not any(n.endswith((STAGED, RETIRED)) for n in names)
    assert service.document(ids[0]) == service.replayed_document(ids[0])
    dispose(service)


def test_staging_reports_its_progress_as_a_stage_of_its_own(
    sqlite_url: str, reference_case: dict[str, Any]
) -> None:
    service, _ = seeded(sqlite_url, reference_case, copies=3)
    head = service.store.recorder.max_notification_id() or 0
    seen: list[tuple[int, int, str | None]] = []
    build_beside(service).run(lambda done, total, stage=None: seen.append((done, total, stage)))
    staging = [(done, total) for done, total, stage in seen if stage is not None]
    assert staging and staging[-1] == (head, head)  # every built event's rows staged
    assert [done for done, _ in staging] == sorted(done for done, _ in staging)
    dispose(service)


def test_rows_staged_by_a_build_left_beside_are_kept_and_followed_by_the_next_run(
    sqlite_url: str, reference_case: dict[str, Any]
) -> None:
    service, ids = seeded(sqlite_url, reference_case, copies=3)
    left = build_beside(service).run(switch=False)
    assert left.staged_evaluations == 3
    assert f"rm_events{STAGED}" in serving_tables_and_indexes(sqlite_url)[0]
    cut = service.record_deduction(ids[1], "4.2.1", points="0.2", reason="since", by=EVA)
    resumed = build_beside(service).run()
    assert resumed.staged_evaluations == 0  # nothing staged again
    assert resumed.switch_evaluations == 1  # only the evaluation written since
    assert cut.record["id"] in {d["id"] for d in service.deductions(ids[1])["items"]}
    for evaluation_id in ids:
        assert service.document(evaluation_id) == service.replayed_document(evaluation_id)
    dispose(service)


def test_rows_staged_for_another_schema_version_are_staged_again(
    sqlite_url: str, reference_case: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    service, ids = seeded(sqlite_url, reference_case, copies=2)
    build_beside(service).run(switch=False)
    new = tables.SCHEMA_VERSION + 1
    for module in ("adapters.tables", "adapters.projection", "adapters.beside"):
        monkeypatch.setattr(f"{module}.SCHEMA_VERSION", new)
    again = build_beside(service).run()
    assert again.staged_evaluations == 2
    assert service.document(ids[0]) == service.replayed_document(ids[0])
    dispose(service)
