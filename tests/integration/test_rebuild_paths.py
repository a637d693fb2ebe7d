"""A rebuild's shortcuts leave every read-model row as projecting one event at a time does:
updates folded into held-back inserts, history rows appended as values, payloads encoded
once, disputes and notes batched like the rest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from adapters import tables
from adapters.bootstrap import build_review_service, build_service
from adapters.review_tables import REVIEW_TABLES
from application.documents import event_payload, event_payload_json
from application.reading import iter_notifications
from application.service import EvaluationService
from domain.evaluation import Actor

EVA = Actor("eva", "evaluator", "c1")
REX = Actor("rex", "reviewer", "c2")
UNIT = Actor("unit", "subject", "c3")


def reviewed_history(service: EvaluationService, case: dict[str, Any]) -> str:
    """Deductions, then disputes decided every way and notes, some in the same breath."""
    reviews = build_review_service(service)
    ids: Iterator[str] = (f"00000000-0000-0000-0000-{n:012d}" for n in range(1000))
    reviews.new_id = lambda: next(ids)
    evaluation_id = str(service.import_evaluation(case, EVA).id)
    cuts = [
        service.record_deduction(
            evaluation_id, "4.2.1", points="0.2", reason=f"r{n}", by=EVA
        ).record["id"]
        for n in range(4)
    ]
    service.submit(evaluation_id, by=EVA)
    outcomes = [("overturned", None), ("amended", "0.1"), ("upheld", None)]
    for cut, (outcome, points) in zip(cuts, outcomes, strict=False):
        dispute = reviews.raise_dispute(
            evaluation_id, deduction_id=cut, grounds="依据不足", evidence=[{"title": "t"}], by=UNIT
        )
        reviews.decide_dispute(
            evaluation_id, dispute["id"], outcome=outcome, points=points, reason="复核", by=REX
        )
    for outcome, points in [("amended", "1"), ("overturned", None)]:
        dispute = reviews.raise_dispute(evaluation_id, indicator="2.1.3", grounds="g", by=UNIT)
        reviews.decide_dispute(
            evaluation_id,
            dispute["id"],
            outcome=outcome,
            points=points,
            reason="r",
            confirm_worse=True,  # the amendment lowers the leaf: meant
            by=REX,
        )
    reviews.raise_dispute(evaluation_id, deduction_id=cuts[3], grounds="still open", by=UNIT)
    for n in range(3):
        note = reviews.add_note(evaluation_id, "4.2.1", text=f"note {n}", by=REX)
        if n % 2 == 0:
            reviews.resolve_note(evaluation_id, note["id"], reason="done", by=REX)
    return evaluation_id


def all_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                t.name: sorted(map(tuple, connection.execute(select(t))), key=repr)
                for t in (*tables.READ_MODEL_TABLES, *REVIEW_TABLES)
            }
    finally:
        engine.dispose()


def rebuild_in_batches(service: EvaluationService, batch_size: int) -> None:
    stop = service.store.recorder.max_notification_id() or 0
    with service.unit_of_work.transaction():
        service.projection.reset()
        for batch in iter_notifications(service.store, stop, batch_size=batch_size):
            service.projection.project(batch)


@pytest.mark.parametrize("batch_size", [1, 7, 10_000])
def test_disputes_and_notes_project_in_batches_as_one_event_at_a_time(
    store_url: str, reference_case: dict[str, Any], batch_size: int
) -> None:
    service = build_service(store_url)
    evaluation_id = reviewed_history(service, reference_case)
    service.import_evaluation(reference_case, EVA)  # a second evaluation in the same batches
    as_recorded = all_rows(store_url)
    assert as_recorded["rm_disputes"] and as_recorded["rm_notes"]
    rebuild_in_batches(service, batch_size)
    assert all_rows(store_url) == as_recorded
    assert service.document(evaluation_id) == service.replayed_document(evaluation_id)


def test_a_full_rebuild_gives_the_rows_recorded_command_by_command(
    store_url: str, reference_case: dict[str, Any]
) -> None:
    service = build_service(store_url)
    reviewed_history(service, reference_case)
    for _ in range(2):
        service.import_evaluation(reference_case, EVA)
    as_recorded = all_rows(store_url)
    assert service.rebuild_read_models() == len(as_recorded["rm_events"])
    assert all_rows(store_url) == as_recorded


def test_the_history_payload_is_the_text_json_dumps_makes_of_the_event(
    sqlite_url: str, reference_case: dict[str, Any]
) -> None:
    service = build_service(sqlite_url)
    reviewed_history(service, reference_case)
    stop = service.store.recorder.max_notification_id() or 0
    events = [e for batch in iter_notifications(service.store, stop) for _, e in batch]
    kinds = {type(e).__name__ for e in events}
    assert {"FrameworkDefined", "ScoreChanged", "DisputeDecided", "NoteResolved"} <= kinds
    for event in events:
        assert event_payload_json(event) == json.dumps(event_payload(event))
