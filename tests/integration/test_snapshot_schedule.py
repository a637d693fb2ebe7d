"""Snapshots are taken by size: their cost per recorded byte stays bounded as the state grows."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import project_aggregate

from adapters.bootstrap import build_service
from application.documents import evaluation_document
from application.service import EvaluationService
from application.snapshot_schedule import SnapshotSchedule
from benchmarks.peer import BENCH_ACTOR, spec
from domain.evaluation import Evaluation

FLOOR = 5  # small, so the size rule governs within a short history
FRACTION = 0.5


def scheduled(service: EvaluationService) -> EvaluationService:
    service.store.snapshot_schedule = SnapshotSchedule(FLOOR, FRACTION)
    return service


def argue(services: list[EvaluationService], evaluation_id: str, pairs: int) -> None:
    """Deductions recorded and withdrawn again: the state keeps every withdrawn one."""
    for n in range(pairs):
        service = services[n % len(services)]
        made = service.record_deduction(
            evaluation_id, f"1.{n % 20 + 1}", points="1", reason=f"deduction {n}", by=BENCH_ACTOR
        ).record
        service.withdraw_deduction(evaluation_id, made["id"], reason="withdrawn", by=BENCH_ACTOR)


def sizes(service: EvaluationService, evaluation_id: str) -> tuple[dict[int, int], dict[int, int]]:
    """Stored bytes by version: of every event, and of every snapshot."""
    key = UUID(evaluation_id)
    assert service.store.snapshots is not None
    events = service.store.recorder.select_events(key)
    snapshots = service.store.snapshots.recorder.select_events(key)
    return (
        {e.originator_version: len(e.state) for e in events},
        {s.originator_version: len(s.state) for s in snapshots},
    )


def check_spacing(events: dict[int, int], snapshots: dict[int, int]) -> None:
    """Each snapshot comes after `FLOOR` events and events weighing `FRACTION` of the last."""
    versions = sorted(snapshots)
    assert versions, "the history is long enough to be snapshotted"
    assert versions[0] >= FLOOR
    for before, after in pairwise(versions):
        assert after - before >= FLOOR
        weight = sum(events[v] for v in range(before + 1, after + 1))
        assert weight >= FRACTION * snapshots[before], (before, after)


@pytest.mark.parametrize("writers", [1, 2])
def test_snapshots_of_a_growing_state_come_further_apart_and_cost_a_bounded_share_of_the_writes(
    store_url: str, make_app: Callable[..., Any], writers: int
) -> None:
    services = [scheduled(make_app(store_url).extensions["scoretrail"]) for _ in range(writers)]
    evaluation_id = str(services[0].import_evaluation(spec(), BENCH_ACTOR).id)
    argue(services, evaluation_id, 120)
    events, snapshots = sizes(services[0], evaluation_id)
    check_spacing(events, snapshots)
    versions = sorted(snapshots)
    gaps = [b - a for a, b in pairwise(versions)]
    assert gaps[-1] > gaps[0], gaps  # counted by events, every gap would be the same
    assert sum(snapshots.values()) <= sum(events.values()) / FRACTION
    # no event is left out: every version from the first to the last is stored
    assert sorted(events) == list(range(1, max(events) + 1))


def test_the_current_evaluation_loads_from_its_latest_snapshot_as_the_events_give_it(
    store_url: str, make_app: Callable[..., Any]
) -> None:
    service = scheduled(make_app(store_url).extensions["scoretrail"])
    evaluation_id = str(service.import_evaluation(spec(), BENCH_ACTOR).id)
    argue([service], evaluation_id, 120)
    events, snapshots = sizes(service, evaluation_id)
    latest = max(snapshots)
    after = sum(size for version, size in events.items() if version > latest)
    # at the head no snapshot was due: what a load replays is bounded by the snapshot's size
    assert max(events) - latest < FLOOR or after < FRACTION * snapshots[latest]
    fresh = make_app(store_url).extensions["scoretrail"]
    key = UUID(evaluation_id)
    loaded = fresh.store.repository.get(key)
    replayed = project_aggregate(None, fresh.store.events.get(key))
    assert isinstance(loaded, Evaluation) and isinstance(replayed, Evaluation)
    assert loaded.version == replayed.version == max(events)
    assert evaluation_document(loaded, deductions="all") == evaluation_document(
        replayed, deductions="all"
    )
    assert service.document(evaluation_id, deductions="all") == fresh.replayed_document(
        evaluation_id, deductions="all"
    )


def test_a_save_recording_many_events_snapshots_along_the_way_by_size(sqlite_url: str) -> None:
    service = scheduled(build_service(sqlite_url))
    actions = [
        {"indicator": f"1.{n % 20 + 1}", "action": "deduct", "points": "1", "reason": f"r{n}"}
        for n in range(200)
    ]
    evaluation_id = str(service.import_evaluation({**spec(), "actions": actions}, BENCH_ACTOR).id)
    events, snapshots = sizes(service, evaluation_id)
    check_spacing(events, snapshots)
    assert len(snapshots) > 2
