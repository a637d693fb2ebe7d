"""The snapshot schedule: due by size after a floor, marks trusted only at their own version."""

from __future__ import annotations

from application.snapshot_schedule import Mark, SnapshotSchedule


def test_a_snapshot_is_due_once_the_events_since_weigh_the_fraction_and_the_floor_passed() -> None:
    schedule: SnapshotSchedule[str] = SnapshotSchedule(floor=10, fraction=0.5)
    assert not schedule.due(Mark(at=19, version=10, size=1000, since=499), 19)
    assert not schedule.due(Mark(at=19, version=10, size=1000, since=5000), 19)  # floor
    assert schedule.due(Mark(at=20, version=10, size=1000, since=500), 20)
    assert schedule.due(Mark(at=10, version=0, size=0, since=1), 10)


def test_a_mark_kept_for_another_version_is_read_again_from_the_store() -> None:
    schedule: SnapshotSchedule[str] = SnapshotSchedule(floor=10, fraction=0.5)
    asked: list[tuple[int, int]] = []

    def between(gt: int, lte: int) -> int:
        asked.append((gt, lte))
        return 700

    schedule.keep("e", Mark(at=30, version=20, size=1000, since=300))
    assert schedule.mark("e", 30, lambda: (20, 1000), between) == Mark(30, 20, 1000, 300)
    assert asked == []
    # another writer moved the evaluation on: its events (and snapshot) come from the store
    assert schedule.mark("e", 34, lambda: (20, 1000), between) == Mark(34, 20, 1000, 700)
    assert asked == [(20, 34)]


def test_a_new_evaluation_asks_the_store_nothing() -> None:
    schedule: SnapshotSchedule[str] = SnapshotSchedule(floor=10, fraction=0.5)

    def fail(*_: object) -> None:
        raise AssertionError("asked the store")

    assert schedule.mark("e", 0, fail, fail) == Mark(0, 0, 0, 0)  # type: ignore[arg-type]
