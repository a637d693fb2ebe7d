"""A change that loses a race is run again on fresh state, unless a version was pinned."""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError

from application.errors import ConcurrentChange, StaleVersion
from application.service import EvaluationService
from domain.evaluation import Actor

FRAMEWORK = [
    {"code": "1", "name": "决策", "weight": "100"},
    {"code": "1.1", "name": "立项", "parent": "1", "weight": "100", "method": "deduction"},
]


@pytest.fixture
def evaluation(service: EvaluationService, actor: Actor) -> str:
    created = service.create_evaluation(
        title="t", subject="s", fiscal_year=2024, kind="project", by=actor
    ).document()
    service.define_framework(created["id"], FRAMEWORK, actor)
    return str(created["id"])


def lose_races(service: EvaluationService, times: int) -> list[int]:
    """Make the next `times` saves fail as if another change had been saved first."""
    save = service.store.save
    calls: list[int] = []

    def racing_save(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= times:
            raise IntegrityError("duplicate originator version")
        return save(*args, **kwargs)

    service.store.save = racing_save  # type: ignore[method-assign]
    return calls


def test_a_lost_race_is_run_again_and_recorded_once(
    service: EvaluationService, evaluation: str, actor: Actor
) -> None:
    before = service.document(evaluation)["version"]
    calls = lose_races(service, 2)

    result = service.record_deduction(evaluation, "1.1", points="1", reason="r", by=actor)

    assert len(calls) == 3
    assert result.version == before + 2
    assert [d["id"] for d in service.document(evaluation)["indicators"][1]["deductions"]] == [
        result.record["id"]
    ]


def test_races_lost_past_the_bound_answer_concurrent_change_and_record_nothing(
    service: EvaluationService, evaluation: str, actor: Actor
) -> None:
    before = service.document(evaluation)["version"]
    service.conflict_retries = 1
    calls = lose_races(service, 5)

    with pytest.raises(ConcurrentChange):
        service.record_deduction(evaluation, "1.1", points="1", reason="r", by=actor)
    assert len(calls) == 2
    assert service.document(evaluation)["version"] == before


def test_a_pinned_version_is_not_run_again(
    service: EvaluationService, evaluation: str, actor: Actor
) -> None:
    version = service.document(evaluation)["version"]
    calls = lose_races(service, 1)

    with pytest.raises(ConcurrentChange):
        service.record_deduction(
            evaluation, "1.1", points="1", reason="r", by=actor, expected_version=version
        )
    assert len(calls) == 1


def test_a_stale_pinned_version_is_refused_before_anything_runs(
    service: EvaluationService, evaluation: str, actor: Actor
) -> None:
    version = service.document(evaluation)["version"]

    with pytest.raises(StaleVersion) as refused:
        service.submit(evaluation, by=actor, expected_version=version - 1)
    assert refused.value.values == {"current": version, "expected": version - 1}
    assert service.document(evaluation)["status"] == "draft"
