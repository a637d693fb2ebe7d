"""A command reads the events only when another writer moved the evaluation on since."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from application.service import EvaluationService
from domain.evaluation import Actor


class EventReads:
    """Counts the event store's reads of one originator's events."""

    def __init__(self, service: EvaluationService, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        recorder = service.store.recorder
        original = recorder.select_events

        def counting(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(recorder, "select_events", counting)


def test_a_command_on_an_evaluation_kept_at_the_latest_version_reads_no_events(
    store_url: str,
    make_app: Callable[..., Any],
    reference_case: dict[str, Any],
    actor: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = make_app(store_url).extensions["scoretrail"]
    second = make_app(store_url).extensions["scoretrail"]
    evaluation_id = first.import_evaluation(reference_case, actor)["id"]
    first.record_deduction(evaluation_id, "4.2.1", points="1", reason="a", by=actor)
    reads = EventReads(first, monkeypatch)
    first.record_deduction(evaluation_id, "4.2.1", points="1", reason="b", by=actor)
    assert reads.count == 0
    second.record_deduction(evaluation_id, "4.2.1", points="1", reason="c", by=actor)
    document = first.record_deduction(evaluation_id, "4.2.1", points="1", reason="d", by=actor)
    assert reads.count == 1  # the other writer's events, read once
    leaf = next(i for i in document["evaluation"]["indicators"] if i["code"] == "4.2.1")
    assert [d["reason"] for d in leaf["deductions"]] == ["a", "b", "c", "d"]
    assert first.document(evaluation_id) == first.replayed_document(evaluation_id)
