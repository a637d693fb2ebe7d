"""A command reads the events only when another writer moved the evaluation on since."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError

from adapters.bootstrap import build_audit
from application.service import EvaluationService
from benchmarks.peer import spec
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
    evaluation_id = first.import_evaluation(reference_case, actor).id
    first.record_deduction(evaluation_id, "4.2.1", points="1", reason="a", by=actor)
    reads = EventReads(first, monkeypatch)
    first.record_deduction(evaluation_id, "4.2.1", points="1", reason="b", by=actor)
    assert reads.count == 0
    second.record_deduction(evaluation_id, "4.2.1", points="1", reason="c", by=actor)
    document = first.record_deduction(
        evaluation_id, "4.2.1", points="1", reason="d", by=actor
    ).document()
    assert reads.count == 1  # the other writer's events, read once
    leaf = next(i for i in document["indicators"] if i["code"] == "4.2.1")
    assert [d["reason"] for d in leaf["deductions"]] == ["a", "b", "c", "d"]
    assert first.document(evaluation_id) == first.replayed_document(evaluation_id)
    # the chain digest each seal started from (read under the hold) is the stored one
    assert build_audit(second).verification(evaluation_id)["ok"] is True


def test_records_inserted_in_one_statement_read_back_through_the_library_in_order(
    store_url: str, make_app: Callable[..., Any], actor: Actor
) -> None:
    service = make_app(store_url).extensions["scoretrail"]
    actions = [
        {"indicator": f"1.{n % 20 + 1}", "action": "deduct", "points": "1", "reason": f"r{n}"}
        for n in range(300)  # two events each: more than one statement's worth of records
    ]
    evaluation_id = service.import_evaluation({**spec(), "actions": actions}, actor).document()[
        "id"
    ]
    service.record_deduction(evaluation_id, "1.1", points="1", reason="last", by=actor)
    key = UUID(evaluation_id)
    stored = service.store.recorder.select_events(key)
    assert [e.originator_version for e in stored] == list(range(1, len(stored) + 1))
    assert len(stored) > 600
    notifications = service.store.recorder.select_notifications(start=None, limit=10_000)
    mine = [n for n in notifications if n.originator_id == key]
    assert [n.originator_version for n in mine] == list(range(1, len(stored) + 1))
    ids = [n.id for n in mine]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert [(n.topic, n.state) for n in mine] == [(e.topic, e.state) for e in stored]
    events = list(service.store.events.get(key))
    assert type(events[-1]).__name__ == "ScoreChanged"
    assert service.document(evaluation_id) == service.replayed_document(evaluation_id)
    assert build_audit(service).verification(evaluation_id)["ok"] is True


def test_a_second_save_of_the_same_version_is_a_lost_race_and_records_nothing(
    store_url: str, make_app: Callable[..., Any], reference_case: dict[str, Any], actor: Actor
) -> None:
    service = make_app(store_url).extensions["scoretrail"]
    evaluation_id = service.import_evaluation(reference_case, actor).id
    key = UUID(evaluation_id)
    first, second = (service.store.repository.get(key) for _ in range(2))
    first.record_deduction("d-1", "4.2.1", "1", "first", None, actor)
    second.record_deduction("d-2", "4.2.1", "1", "second", None, actor)
    with service.unit_of_work.transaction():
        service._save(first)
    with pytest.raises(IntegrityError), service.unit_of_work.transaction():
        service._save(second)
    reasons = [
        d["reason"]
        for i in service.replayed_document(evaluation_id)["indicators"]
        for d in i["deductions"]
    ]
    assert "first" in reasons and "second" not in reasons
    verdict = build_audit(service).verification(evaluation_id)
    assert verdict["ok"] is True, {k: v for k, v in verdict.items() if "digest" not in k}
