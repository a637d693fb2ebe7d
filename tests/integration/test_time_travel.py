"""Time travel stays cheap: snapshots bound the replay, an index maps a time to a version."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from freezegun import freeze_time

from adapters.bootstrap import build_audit
from application.app import EvaluationStore
from application.errors import VersionNotFound
from application.explanations import explain
from application.service import EvaluationService
from domain.evaluation import Actor

INTERVAL = EvaluationStore.snapshot_interval
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def long_history(assessments: int) -> dict[str, Any]:
    """A checklist leaf re-assessed again and again: two events each."""
    return {
        "evaluation": {"title": "t", "subject": "s", "fiscal_year": 2026, "kind": "project"},
        "indicators": [
            {
                "code": "1",
                "name": "checklist",
                "weight": "100",
                "method": "checklist",
                "items": [{"text": "a", "points": "60"}, {"text": "b", "points": "40"}],
            }
        ],
        "actions": [
            {
                "indicator": "1",
                "action": "checklist",
                "met": [n % 2 == 0, True],
                "justification": "j",
            }
            for n in range(assessments)
        ],
    }


@pytest.fixture
def recorded(service: EvaluationService, actor: Actor) -> str:
    # every clock reading one second after the last: each event has its own time
    with freeze_time(START, auto_tick_seconds=1):
        return str(service.import_evaluation(long_history(150), actor).id)


class Reads:
    """Counts the stored events and snapshots the store hands back."""

    def __init__(self, service: EvaluationService, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events = self.snapshots = 0
        events = service.store.recorder
        snapshots = service.store.snapshots
        assert snapshots is not None
        self._wrap(monkeypatch, events, "events")
        self._wrap(monkeypatch, snapshots.recorder, "snapshots")

    def _wrap(self, monkeypatch: pytest.MonkeyPatch, recorder: Any, name: str) -> None:
        original = recorder.select_events

        def counting(*args: Any, **kwargs: Any) -> Any:
            found = original(*args, **kwargs)
            setattr(self, name, getattr(self, name) + len(found))
            return found

        monkeypatch.setattr(recorder, "select_events", counting)


def test_the_state_at_a_version_replays_at_most_one_snapshot_interval(
    service: EvaluationService, recorded: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = service.document(recorded)["version"]
    assert total > 5 * INTERVAL
    reads = Reads(service, monkeypatch)
    target = 4 * INTERVAL + INTERVAL - 1  # the worst case: just before the next snapshot
    assert service.replayed_document_at(recorded, target)["version"] == target
    assert reads.snapshots == 1
    assert reads.events == INTERVAL - 1


def test_a_document_at_a_version_comes_from_the_temporal_read_model_without_a_replay(
    service: EvaluationService, recorded: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = 4 * INTERVAL + INTERVAL - 1
    expected = service.replayed_document_at(recorded, target)
    reads = Reads(service, monkeypatch)
    assert service.document(recorded, version=target) == expected
    assert (reads.snapshots, reads.events) == (0, 0)


def test_as_of_maps_a_time_to_the_last_version_recorded_by_then_without_a_scan(
    service: EvaluationService, recorded: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    version = 3 * INTERVAL + 7
    history = service.history(recorded, page=version, per_page=1)["items"][0]
    moment = datetime.fromisoformat(history["recorded_at"])
    reads = Reads(service, monkeypatch)
    assert service.document(recorded, as_of=moment)["version"] == version
    assert (
        service.document(recorded, as_of=moment + timedelta(milliseconds=999))["version"] == version
    )
    assert reads.events <= 2 * INTERVAL


def sqlite_steps(service: EvaluationService, call: Callable[[], Any]) -> int:
    """How many SQLite virtual-machine steps `call` takes: grows with the rows it visits."""
    engine = service.store.factory.datastore.engine  # type: ignore[attr-defined]
    raw = engine.raw_connection()  # in-memory SQLite: the one connection the store uses
    steps = 0

    def tick() -> int:
        nonlocal steps
        steps += 1
        return 0

    raw.driver_connection.set_progress_handler(tick, 1)
    try:
        call()
    finally:
        raw.driver_connection.set_progress_handler(None, 1)
    return steps


def test_the_time_to_version_lookup_costs_the_same_for_a_short_and_a_long_history(
    service: EvaluationService, recorded: str, actor: Actor
) -> None:
    with freeze_time(START, auto_tick_seconds=1):
        short = str(service.import_evaluation(long_history(5), actor).id)
    late = START + timedelta(days=1)  # after every event of both: the whole history is in range
    assert service.queries.version_at(short, late) == 2 * 5 + 3
    assert service.queries.version_at(recorded, late) == 2 * 150 + 3
    few = sqlite_steps(service, lambda: service.queries.version_at(short, late))
    many = sqlite_steps(service, lambda: service.queries.version_at(recorded, late))
    assert many <= few * 1.2, (few, many)  # 30 times the events, not 30 times the work


def test_a_time_before_the_evaluation_existed_is_a_missing_version(
    service: EvaluationService, recorded: str
) -> None:
    with pytest.raises(VersionNotFound):
        service.document(recorded, as_of=START - timedelta(days=1))


def test_an_explanation_loaded_from_a_snapshot_cites_what_a_full_replay_cites(
    service: EvaluationService, recorded: str
) -> None:
    target = 5 * INTERVAL + 3  # three events past the snapshot at 250
    from_snapshot = build_audit(service).explanation(recorded, "1", version=target)
    folded: Any = None
    for stored in service.store.events.get(UUID(recorded), lte=target):
        folded = stored.mutate(folded)
    assert from_snapshot == explain(folded, "1")
    [assessment] = [s for s in from_snapshot["steps"] if s["kind"] == "checklist_assessment"]
    assert INTERVAL * 5 < assessment["version"] <= target
