"""The service layer on an in-memory store: primitives in and out, read models in step."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from freezegun import freeze_time

from application.errors import ConcurrentChange, EvaluationNotFound, StaleVersion, VersionNotFound
from application.service import EvaluationService
from domain.errors import DeductionRefused
from domain.evaluation import Actor


def scores(document: dict[str, Any]) -> dict[str, str | None]:
    return {i["code"]: i["score"] for i in document["indicators"]}


def test_reference_case_reproduces_the_published_scores(
    service: EvaluationService, reference_case: dict[str, Any], actor: Actor
) -> None:
    document = service.import_evaluation(reference_case, actor).document()
    expected = reference_case["expected"]
    assert (document["total"], document["grade"]) == (expected["total"], expected["grade"])
    by_code = scores(document)
    for code, value in {**expected["levels"], **expected["leaves"]}.items():
        assert by_code[code] == value, code


def test_read_model_document_equals_the_replayed_document(
    service: EvaluationService, reference_case: dict[str, Any], actor: Actor
) -> None:
    evaluation_id = service.import_evaluation(reference_case, actor).id
    service.record_deduction(evaluation_id, "4.2.1", points="0.5", reason="r", by=actor)
    assert service.document(evaluation_id) == service.replayed_document(evaluation_id)


def test_service_returns_primitives_only(
    service: EvaluationService, reference_case: dict[str, Any], actor: Actor
) -> None:
    document = service.import_evaluation(reference_case, actor).document()

    def walk(value: Any) -> None:
        assert isinstance(value, str | int | bool | type(None) | list | dict), type(value)
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        if isinstance(value, list):
            for item in value:
                walk(item)

    walk(document)
    walk(service.history(document["id"]))


def test_refused_command_records_nothing(
    service: EvaluationService, reference_case: dict[str, Any], actor: Actor
) -> None:
    evaluation_id = service.import_evaluation(reference_case, actor).id
    before = service.history(evaluation_id)["total"]
    with pytest.raises(DeductionRefused):
        service.record_deduction(evaluation_id, "3.1.1", points="6", reason="r", by=actor)
    assert service.history(evaluation_id)["total"] == before
    assert service.document(evaluation_id)["version"] == before


def test_earlier_versions_come_back_from_the_event_store(
    service: EvaluationService, reference_case: dict[str, Any], actor: Actor
) -> None:
    evaluation_id = service.import_evaluation(reference_case, actor).id
    current = service.document(evaluation_id)
    service.record_deduction(evaluation_id, "2.1.3", points="1", reason="r", by=actor)
    assert service.document(evaluation_id, version=current["version"])["total"] == "88.66"
    assert service.document(evaluation_id)["total"] == "87.66"
    assert service.document(evaluation_id, version=1)["indicators"] == []
    with pytest.raises(VersionNotFound):
        service.document(evaluation_id, version=10_000)


def test_as_of_a_time_maps_to_the_version_then(
    service: EvaluationService, reference_case: dict[str, Any], actor: Actor
) -> None:
    with freeze_time("2026-03-01T09:00:00Z"):
        evaluation_id = service.import_evaluation(reference_case, actor).id
    with freeze_time("2026-03-05T09:00:00Z"):
        service.record_deduction(evaluation_id, "2.1.3", points="1", reason="r", by=actor)
    march_3 = datetime(2026, 3, 3, tzinfo=UTC)
    assert service.document(evaluation_id, as_of=march_3)["total"] == "88.66"
    assert (
        service.document(evaluation_id, as_of=datetime(2026, 3, 6, tzinfo=UTC))["total"] == "87.66"
    )
    with pytest.raises(VersionNotFound):
        service.document(evaluation_id, as_of=datetime(2026, 2, 1, tzinfo=UTC))


def test_unknown_evaluation_is_not_found(service: EvaluationService, actor: Actor) -> None:
    with pytest.raises(EvaluationNotFound):
        service.document("not-a-uuid")
    with pytest.raises(EvaluationNotFound):
        service.record_deduction(
            "00000000-0000-4000-8000-000000000000", "1", points="1", reason="r", by=actor
        )


def test_stale_expected_version_is_refused(
    service: EvaluationService, reference_case: dict[str, Any], actor: Actor
) -> None:
    document = service.import_evaluation(reference_case, actor).document()
    with pytest.raises(StaleVersion):
        service.record_deduction(
            document["id"],
            "2.1.3",
            points="1",
            reason="r",
            by=actor,
            expected_version=document["version"] - 1,
        )


def test_concurrent_save_from_the_same_version_is_refused_not_lost(
    service: EvaluationService, reference_case: dict[str, Any], actor: Actor
) -> None:
    from uuid import UUID

    evaluation_id = service.import_evaluation(reference_case, actor).id
    first = service.store.repository.get(UUID(evaluation_id))
    second = service.store.repository.get(UUID(evaluation_id))
    first.record_deduction("a", "2.1.3", "1", "first", None, actor)
    second.record_deduction("b", "2.1.3", "2", "second", None, actor)
    with service.unit_of_work.transaction():
        service._save(first)
    service.conflict_retries = 0  # the lost race surfaces instead of being run again
    with pytest.raises(ConcurrentChange):
        service._change(evaluation_id, lambda e: _raise_conflict(service, second))
    document = service.document(evaluation_id)
    cuts = next(i for i in document["indicators"] if i["code"] == "2.1.3")["deductions"]
    assert [c["reason"] for c in cuts] == ["first"]


def _raise_conflict(service: EvaluationService, stale: Any) -> None:
    service._save(stale)


def test_rebuilding_the_read_models_gives_the_same_answers(
    service: EvaluationService, reference_case: dict[str, Any], actor: Actor
) -> None:
    evaluation_id = service.import_evaluation(reference_case, actor).id
    service.record_deduction(evaluation_id, "4.3.1", points="1.5", reason="r", by=actor)
    before = (
        service.document(evaluation_id),
        service.history(evaluation_id),
        service.indicator_history(evaluation_id, "4.3.1"),
        service.list_evaluations({}),
    )
    progress: list[tuple[int, int]] = []
    count = service.rebuild_read_models(lambda done, total: progress.append((done, total)))
    after = (
        service.document(evaluation_id),
        service.history(evaluation_id),
        service.indicator_history(evaluation_id, "4.3.1"),
        service.list_evaluations({}),
    )
    assert after == before
    assert count == before[0]["version"]
    assert progress[-1] == (count, count)
