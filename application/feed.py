"""The change feed: every committed event a caller may read, in commit order, after a position."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from application.access import Action, Principal

MAX_LIMIT = 1000
MAX_WAIT_SECONDS = 30.0
# Events a caller without the trail permission does not see: the review notes, which only
# READ_TRAIL lists (the history and the notes endpoints need it as well).
TRAIL_ONLY_TYPES = ("NoteAdded", "NoteResolved")


class RawJSON(str):
    """JSON text as the read model stored it: spliced into answers as it is, instead of
    being decoded and encoded again for every item (most of a page's cost otherwise)."""


def item_json(item: dict[str, Any]) -> str:
    """One feed item as compact JSON text (its `data` last, as the history renders it)."""
    data = item.get("data")
    if not isinstance(data, RawJSON):
        return json.dumps(item, ensure_ascii=False, separators=(",", ":"))
    head = json.dumps(
        {k: v for k, v in item.items() if k != "data"}, ensure_ascii=False, separators=(",", ":")
    )
    return f'{head[:-1]},"data":{data}}}'


def items_json(items: list[dict[str, Any]]) -> str:
    """`"items":[…]`, the part of a page or a delivery that lists the items."""
    return '"items":[' + ",".join(item_json(item) for item in items) + "]"


def page_json(page: dict[str, Any]) -> str:
    """A feed page as JSON text."""
    return "{" + items_json(page["items"]) + f',"next_after":{int(page["next_after"])}}}'


class FeedQueries(Protocol):
    """Reads the events in the event store's order (its notification ids are the positions)."""

    def events_after(
        self,
        after: int,
        limit: int,
        subject: str | None = None,
        hidden_types: tuple[str, ...] = (),
        types: tuple[str, ...] | None = None,
    ) -> list[dict[str, Any]]:
        """Up to `limit` items with a position above `after`, in position order; `subject`
        narrows to that subject's evaluations, `hidden_types` leaves types out, `types`
        keeps only those (None: all)."""
        ...

    def head(self) -> int:
        """The highest position committed (0: none)."""
        ...


class CommitSignal:
    """Wakes waiting readers when a unit of work commits, without polling.

    A generation counter under a condition: a reader notes the generation before it reads,
    and waits only while it is unchanged, so a commit landing between the read and the wait
    is never missed. `committed` is called after every commit of this process, and by a
    listener for commits of other processes (adapters.feed_signal).
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._generation = 0
        self.after_commit: list[Callable[[], None]] = []  # e.g. tell other processes
        self.before_wait: Callable[[], None] | None = None  # e.g. start hearing them

    @property
    def generation(self) -> int:
        with self._condition:
            return self._generation

    def committed(self, local: bool = True) -> None:
        with self._condition:
            self._generation += 1
            self._condition.notify_all()
        if local:
            for hook in self.after_commit:
                hook()

    def wait(self, seen: int, timeout: float) -> int:
        """Block until the generation moves past `seen` or `timeout` seconds pass."""
        if self.before_wait is not None:
            self.before_wait()
        with self._condition:
            self._condition.wait_for(lambda: self._generation != seen, timeout=max(timeout, 0))
            return self._generation


class ChangeFeed:
    """Pages of the feed for a caller; long polls wait on the commit signal.

    `poll_seconds`: when commits of other processes cannot announce themselves (SQLite), a
    waiting reader also looks again after this long; None waits on the signal alone.
    """

    def __init__(
        self,
        queries: FeedQueries,
        signal: CommitSignal,
        poll_seconds: float | None = None,
        max_wait: float = MAX_WAIT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.queries = queries
        self.signal = signal
        self.poll_seconds = poll_seconds
        self.max_wait = max_wait
        self.clock = clock

    def page(
        self, principal: Principal, after: int = 0, limit: int = 100, wait: float = 0
    ) -> dict[str, Any]:
        """`{items, next_after}`: the events after `after` that the principal may read.

        With `wait`, an empty answer is held until something newer is committed or the
        wait (at most `max_wait`) ends; then items is empty and next_after is `after`.
        """
        limit = max(1, min(int(limit), MAX_LIMIT))
        deadline = self.clock() + max(0.0, min(float(wait), self.max_wait))
        subject = principal.subject if principal.scoped else None
        hidden = () if principal.may(Action.READ_TRAIL) else TRAIL_ONLY_TYPES
        while True:
            seen = self.signal.generation
            items = self.queries.events_after(after, limit, subject, hidden)
            remaining = deadline - self.clock()
            if items or remaining <= 0:
                break
            if self.poll_seconds is not None:
                remaining = min(remaining, self.poll_seconds)
            self.signal.wait(seen, remaining)
        return {"items": items, "next_after": items[-1]["position"] if items else after}

    def head(self) -> int:
        return self.queries.head()
