"""Aggregates lent to one command at a time, so a write need not rebuild its aggregate."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Checkouts(Generic[K, V]):
    """A bounded, least-recently-used shelf of aggregates as they were after their last commit.

    `take` removes the aggregate, so no two commands ever hold the same object and nothing
    needs copying; a command puts it back only after its transaction committed, so a failed
    command (or a lost race) leaves nothing half-applied on the shelf. What comes off the
    shelf may be behind the store (another process wrote since): the caller brings it up to
    date from the events recorded after its version.
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[K, tuple[int, V]] = OrderedDict()
        self._lock = Lock()

    def take(self, key: K) -> V | None:
        with self._lock:
            item = self._items.pop(key, None)
        return None if item is None else item[1]

    def put(self, key: K, version: int, value: V) -> None:
        """Shelve `value` at `version`, unless a newer version is already there."""
        if self.maxsize <= 0:
            return
        with self._lock:
            held = self._items.get(key)
            if held is not None and held[0] > version:
                return
            self._items[key] = (version, value)
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
