"""Reads on SQL stores answer what is asked: active deductions, pages, one indicator."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.bootstrap import build_service
from application.errors import EvaluationNotFound
from application.service import EvaluationService
from domain.errors import UnknownIndicator
from domain.evaluation import Actor
from tests.integration.conftest import dispose

BY = Actor(name="alice", role="evaluator", correlation_id="c")


@pytest.fixture
def service(store_url: str) -> Any:
    built = build_service(store_url)
    yield built
    dispose(built)


def churned(service: EvaluationService, case: dict[str, Any]) -> str:
    evaluation_id = str(service.import_evaluation(case, BY)["id"])
    for n in range(12):
        made = service.record_deduction(evaluation_id, "3.1.1", points="0.1", reason=f"r{n}", by=BY)
        if n % 3:
            service.withdraw_deduction(evaluation_id, made["id"], reason="w", by=BY)
    return evaluation_id


def test_read_model_documents_match_the_replay_in_both_views(
    service: EvaluationService, reference_case: dict[str, Any]
) -> None:
    evaluation_id = churned(service, reference_case)
    for view in ("active", "all"):
        assert service.document(evaluation_id, deductions=view) == service.replayed_document(
            evaluation_id, view
        )
    standing = service.document(evaluation_id, deductions="active")
    assert all(d["status"] == "active" for i in standing["indicators"] for d in i["deductions"])
    listed = [
        d["status"] for i in service.document(evaluation_id)["indicators"] for d in i["deductions"]
    ]
    assert listed.count("withdrawn") == 8


def test_deduction_pages_cover_every_deduction_once_in_recorded_order(
    service: EvaluationService, reference_case: dict[str, Any]
) -> None:
    evaluation_id = churned(service, reference_case)
    everything = service.document(evaluation_id, deductions="all")
    expected = [d["id"] for i in everything["indicators"] for d in i["deductions"]]
    seen: list[dict[str, Any]] = []
    for page in range(1, 20):
        answer = service.deductions(evaluation_id, page=page, per_page=5)
        assert answer["total"] == len(expected)
        seen += answer["items"]
    assert sorted(d["id"] for d in seen) == sorted(expected)
    withdrawn = service.deductions(evaluation_id, status="withdrawn", per_page=100)
    assert withdrawn["total"] == 8
    assert [d["version"] for d in seen] == sorted(d["version"] for d in seen)


def test_indicator_history_refuses_unknown_indicators_and_evaluations(
    service: EvaluationService, reference_case: dict[str, Any]
) -> None:
    evaluation_id = churned(service, reference_case)
    assert len(service.indicator_history(evaluation_id, "3.1.1", per_page=1000)["items"]) > 12
    with pytest.raises(UnknownIndicator):
        service.indicator_history(evaluation_id, "9.9.9")
    with pytest.raises(EvaluationNotFound):
        service.indicator_history("00000000-0000-4000-8000-000000000000", "3.1.1")


def test_a_sqlite_store_commits_through_a_write_ahead_log_synced_at_each_commit(
    sqlite_url: str, reference_case: dict[str, Any]
) -> None:
    service = build_service(sqlite_url)
    try:
        service.import_evaluation(reference_case, BY)
        with service.store.factory.datastore.engine.connect() as connection:  # type: ignore[attr-defined]
            mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            sync = connection.exec_driver_sql("PRAGMA synchronous").scalar()
        # WAL: a commit appends to the log and syncs it once; FULL (2): that sync is kept
        assert (mode, sync) == ("wal", 2)
    finally:
        dispose(service)
