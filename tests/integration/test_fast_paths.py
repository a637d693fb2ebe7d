"""Shortcuts taken for speed change nothing visible: shelved aggregates, compact snapshots,
batched projection writes."""

from __future__ import annotations

import uuid
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.application import project_aggregate
from eventsourcing.domain import Snapshot
from sqlalchemy import create_engine, select

from adapters import tables
from adapters.bootstrap import build_service
from application.documents import evaluation_document
from application.reading import iter_notifications
from application.service import EvaluationService
from application.snapshots import EvaluationSnapshot
from domain.evaluation import Actor, Evaluation, event_class


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


def busy_history(service: EvaluationService, case: dict[str, Any], by: Actor) -> str:
    """The reference case, then every kind of change a long argument brings."""
    evaluation_id = service.import_evaluation(case, by).id
    for n in range(30):
        made = service.record_deduction(
            evaluation_id, "3.1.1", points="0.1", reason=f"r{n}", evidence=[{"title": "t"}], by=by
        ).record
        if n % 3:
            service.withdraw_deduction(evaluation_id, made["id"], reason="w", by=by)
    service.record_score(evaluation_id, "2.1.3", score="5", justification="复核", by=by)
    service.record_data_entry(
        evaluation_id, key=case["data_entries"][0]["key"], value="1", reason="更正", by=by
    )
    service.submit(evaluation_id, by=by)
    service.finalize(evaluation_id, by=by)
    service.reopen(evaluation_id, reason="复议", by=by)
    return str(evaluation_id)


def replayed(service: EvaluationService, evaluation_id: str, version: int) -> dict[str, Any]:
    """The document at `version` from every event, ignoring snapshots."""
    key = uuid.UUID(evaluation_id)
    evaluation = project_aggregate(None, service.store.events.get(key, lte=version))
    assert isinstance(evaluation, Evaluation)
    return evaluation_document(evaluation)


def read_model_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        return {
            t.name: sorted(map(tuple, connection.execute(select(t))), key=repr)
            for t in tables.READ_MODEL_TABLES
        }


def test_writes_from_another_process_are_caught_up_before_the_next_command(
    url: str, reference_case: dict[str, Any], actor: Actor
) -> None:
    first, second = build_service(url), build_service(url)
    evaluation_id = first.import_evaluation(reference_case, actor).id
    first.record_deduction(evaluation_id, "4.2.1", points="1", reason="a", by=actor)
    second.record_deduction(evaluation_id, "4.2.1", points="1", reason="b", by=actor)
    document = first.record_deduction(
        evaluation_id, "4.2.1", points="1", reason="c", by=actor
    ).document()
    leaf = next(i for i in document["indicators"] if i["code"] == "4.2.1")
    assert [d["reason"] for d in leaf["deductions"]] == ["a", "b", "c"]
    assert first.document(evaluation_id) == first.replayed_document(evaluation_id)


def test_a_command_that_fails_to_commit_leaves_no_half_applied_aggregate_behind(
    url: str, reference_case: dict[str, Any], actor: Actor
) -> None:
    service = build_service(url)
    evaluation_id = service.import_evaluation(reference_case, actor).id
    good = service.projection.handlers[event_class("DeductionRecorded")]

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    service.projection.handlers[event_class("DeductionRecorded")] = broken
    with pytest.raises(RuntimeError):
        service.record_deduction(evaluation_id, "4.2.1", points="1", reason="lost", by=actor)
    service.projection.handlers[event_class("DeductionRecorded")] = good
    document = service.record_deduction(
        evaluation_id, "4.2.1", points="2", reason="kept", by=actor
    ).document()
    reasons = [d["reason"] for i in document["indicators"] for d in i["deductions"]]
    assert "lost" not in reasons and "kept" in reasons
    assert service.document(evaluation_id) == service.replayed_document(evaluation_id)


def test_every_version_reads_the_same_through_snapshots_as_from_all_events(
    url: str, reference_case: dict[str, Any], actor: Actor
) -> None:
    service = build_service(url)
    evaluation_id = busy_history(service, reference_case, actor)
    latest = service.document(evaluation_id)["version"]
    key = uuid.UUID(evaluation_id)
    snapshots = list(service.store.snapshots.get(key))  # type: ignore[union-attr]
    assert snapshots and all(isinstance(s, EvaluationSnapshot) for s in snapshots)
    gaps = [b.originator_version - a.originator_version for a, b in pairwise(snapshots)]
    assert max(gaps, default=0) <= 2 * 50
    for version in range(1, latest + 1, 7):
        assert service.document(evaluation_id, version=version) == replayed(
            service, evaluation_id, version
        )


def test_snapshots_written_in_the_library_format_still_load(
    url: str, reference_case: dict[str, Any], actor: Actor
) -> None:
    service = build_service(url)
    evaluation_id = service.import_evaluation(reference_case, actor).id
    service.record_deduction(evaluation_id, "4.2.1", points="1", reason="r", by=actor)
    key = uuid.UUID(evaluation_id)
    evaluation = service.store.repository.get(key)
    service.store.snapshots.put([Snapshot.take(evaluation)])  # type: ignore[union-attr]
    fresh = build_service(url)
    assert evaluation_document(fresh.store.repository.get(key)) == evaluation_document(evaluation)


@pytest.mark.parametrize("batch_size", [1, 7, 10_000])
def test_projecting_in_batches_gives_the_same_rows_as_one_event_at_a_time(
    url: str, reference_case: dict[str, Any], actor: Actor, batch_size: int
) -> None:
    service = build_service(url)
    evaluation_id = busy_history(service, reference_case, actor)
    other = service.import_evaluation(reference_case, actor).id
    service.record_deduction(other, "4.2.1", points="1", reason="r", by=actor)
    as_recorded = read_model_rows(url)
    stop = service.store.recorder.max_notification_id() or 0
    with service.unit_of_work.transaction():
        service.projection.reset()
        for batch in iter_notifications(service.store, stop, batch_size=batch_size):
            service.projection.project(batch)
    assert read_model_rows(url) == as_recorded
    assert service.document(evaluation_id) == service.replayed_document(evaluation_id)


def test_a_handler_the_batching_does_not_know_sees_every_earlier_write(
    url: str, reference_case: dict[str, Any], actor: Actor
) -> None:
    service = build_service(url)
    seen: list[str | None] = []

    def audit_total(session: Any, event: Any) -> None:
        seen.append(
            session.execute(
                select(tables.evaluations.c.total).where(
                    tables.evaluations.c.id == str(event.originator_id)
                )
            ).scalar()
        )

    service.projection.handlers[event_class("Submitted")] = audit_total
    evaluation_id = service.import_evaluation(reference_case, actor).id
    service.record_deduction(evaluation_id, "4.2.1", points="1", reason="r", by=actor)
    total = service.document(evaluation_id)["total"]
    stop = service.store.recorder.max_notification_id() or 0
    events = [e for batch in iter_notifications(service.store, stop) for e in batch]
    key = uuid.UUID(evaluation_id)
    submitted = service.store.repository.get(key)
    submitted.submit(actor)
    with service.unit_of_work.transaction():
        recordings = service.store.save(submitted)
        # the whole history again plus the submission, in one batch: its total is pending
        service.projection.reset()
        service.projection.project(
            [*events, (recordings[0].notification.id, recordings[0].domain_event)]
        )
    assert seen == [total]
