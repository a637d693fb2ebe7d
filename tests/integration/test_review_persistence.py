"""Disputes and notes survive snapshots, and dispute ids are made by the application layer."""

from __future__ import annotations

from uuid import UUID

from adapters.bootstrap import build_review_service, build_service
from application.app import EvaluationStore
from domain.evaluation import Actor
from tests.cases import small_case

EVA = Actor("eva", "evaluator", "c1")
REX = Actor("rex", "reviewer", "c2")
UNIT = Actor("unit", "subject", "c3")


def test_disputes_and_notes_survive_a_snapshot() -> None:
    service = build_service("sqlite:///:memory:")
    ids = iter(f"id-{n}" for n in range(100))
    reviews = build_review_service(service)
    reviews.new_id = lambda: next(ids)
    evaluation_id = service.import_evaluation(small_case(), EVA).id
    service.submit(evaluation_id, by=REX)
    dispute = reviews.raise_dispute(evaluation_id, indicator="2.2", grounds="样本少", by=UNIT)
    note = reviews.add_note(evaluation_id, "2.2", text="看问卷", by=REX)
    assert (dispute["id"], note["id"]) == ("id-0", "id-1")
    for n in range(EvaluationStore.snapshot_interval):
        service.record_data_entry(evaluation_id, key=f"k{n}", value=n, by=EVA)

    snapshots = list(service.store.snapshots.get(UUID(evaluation_id)))  # type: ignore[union-attr]
    assert snapshots, "the history is long enough to be snapshotted"
    decided = reviews.decide_dispute(
        evaluation_id, "id-0", outcome="amended", points="27", reason="复核", by=REX
    )
    assert decided["evaluation"]["indicators"][-1]["score"] == "27.00"
    assert reviews.resolve_note(evaluation_id, "id-1", by=REX)["status"] == "resolved"
    assert service.document(evaluation_id) == service.replayed_document(evaluation_id)
