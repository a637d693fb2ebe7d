"""Reads on SQL stores answer what is asked: active deductions, pages, one indicator."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from adapters.bootstrap import build_service
from application.errors import EvaluationNotFound
from application.event_facts import score_change
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
    evaluation_id = str(service.import_evaluation(case, BY).id)
    for n in range(12):
        made = service.record_deduction(
            evaluation_id, "3.1.1", points="0.1", reason=f"r{n}", by=BY
        ).record
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


def test_indicator_history_pages_give_each_change_as_its_event_records_it(
    service: EvaluationService, reference_case: dict[str, Any]
) -> None:
    evaluation_id = churned(service, reference_case)
    service.change(
        evaluation_id, lambda e: e.override_score("3.1.1", "1.5", "复核后改分", None, BY)
    )
    service.record_deduction(evaluation_id, "3.1.1", points="0.2", reason="又一次", by=BY)
    stored: list[Any] = list(service.store.events.get(UUID(evaluation_id)))
    expected = [
        c
        for c, e in ((score_change(e), e) for e in stored if type(e).__name__ == "ScoreChanged")
        if c is not None and e.code == "3.1.1"
    ]
    assert [c["overridden"] for c in expected].count(True) >= 2  # the override, then after it
    whole = service.indicator_history(evaluation_id, "3.1.1", per_page=1000)
    assert whole == {**whole, "items": expected, "total": len(expected)}
    assert all(type(c["overridden"]) is bool for c in whole["items"])
    paged = [service.indicator_history(evaluation_id, "3.1.1", page=p, per_page=4) for p in (1, 2)]
    assert [p["total"] for p in paged] == [len(expected)] * 2  # counted, not the page's end
    assert paged[0]["items"] + paged[1]["items"] == expected[:8]
    past = service.indicator_history(evaluation_id, "3.1.1", page=9, per_page=4)
    assert past["items"] == [] and past["total"] == len(expected)
    service.rebuild_read_models()
    assert service.indicator_history(evaluation_id, "3.1.1", per_page=1000) == whole
