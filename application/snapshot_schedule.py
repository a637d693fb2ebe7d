"""When to snapshot an evaluation: by the bytes recorded since its last snapshot, not by count."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock
from typing import Generic, TypeVar

K = TypeVar("K")


@dataclass(frozen=True)
class Mark:
    """What the schedule knows of one evaluation's snapshots, as of its version `at`."""

    at: int  # the evaluation's version this mark describes
    version: int  # the version of its latest snapshot (0: none yet)
    size: int  # that snapshot's stored bytes
    since: int  # stored bytes of the events recorded after that snapshot, up to `at`


# Where a mark is missing or describes another version: the latest snapshot's
# (version, size) and the stored bytes of the events after it up to a version, from the store.
LatestSnapshot = Callable[[], tuple[int, int] | None]
BytesBetween = Callable[[int, int], int]


class SnapshotSchedule(Generic[K]):
    """Snapshot when the events since the last snapshot weigh `fraction` of it, after `floor`.

    A snapshot costs about its size to write, and the events after it cost about their size
    to replay. Counting events instead made every snapshot of a long-argued evaluation (one
    that keeps every withdrawn deduction) cost more than the last, at the same pace, so the
    write rate fell with the history. Taken by size, the snapshot work per recorded byte
    stays below 1 / `fraction`, and loading the current evaluation replays events weighing
    at most `fraction` of the snapshot it starts from (or `floor` events, for a small state).

    The marks live in memory, each valid for one version: a save that starts from another
    version than its mark's (another process wrote, or a save was rolled back) asks the store
    first, so a mark never needs to be told about a rollback.
    """

    def __init__(self, floor: int, fraction: float, maxsize: int = 4096) -> None:
        self.floor = floor
        self.fraction = fraction
        self.maxsize = maxsize
        self._marks: OrderedDict[K, Mark] = OrderedDict()
        self._lock = Lock()

    def due(self, mark: Mark, version: int) -> bool:
        """Whether a snapshot is due at `version`, given the mark as of that version."""
        if version - mark.version < self.floor:
            return False
        return mark.since >= self.fraction * mark.size

    def mark(self, key: K, at: int, latest: LatestSnapshot, between: BytesBetween) -> Mark:
        """The mark of `key` as of version `at`: the one kept, or one read from the store."""
        if at == 0:  # a new evaluation: nothing stored to ask about
            return Mark(0, 0, 0, 0)
        with self._lock:
            kept = self._marks.get(key)
        if kept is not None and kept.at == at:
            return kept
        found = latest()
        version, size = found if found is not None else (0, 0)
        if version > at:  # a snapshot past what this save starts from: never taken as the base
            version, size = 0, 0
        since = between(version, at) if at > version else 0
        return Mark(at, version, size, since)

    def keep(self, key: K, mark: Mark) -> None:
        with self._lock:
            self._marks[key] = mark
            self._marks.move_to_end(key)
            while len(self._marks) > self.maxsize:
                self._marks.popitem(last=False)

    def forget(self, key: K) -> None:
        with self._lock:
            self._marks.pop(key, None)
