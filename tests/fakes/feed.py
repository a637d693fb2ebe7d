"""The change feed on the in-memory read model, for fast tests."""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from adapters.feed_wiring import build_feed
from application.feed import ChangeFeed
from application.service import EvaluationService
from tests.fakes.memory import MemoryReadModel


class MemoryFeedQueries:
    """The read model's history rows in position order (as adapters.feed_queries gives them)."""

    def __init__(self, read_model: MemoryReadModel) -> None:
        self.read_model = read_model

    def events_after(
        self,
        after: int,
        limit: int,
        subject: str | None = None,
        hidden_types: tuple[str, ...] = (),
        types: tuple[str, ...] | None = None,
    ) -> list[dict[str, Any]]:
        rows = self.read_model.feed
        start = bisect_right(rows, after, key=lambda row: int(row["position"]))
        found: list[dict[str, Any]] = []
        for row in rows[start:]:
            if len(found) == limit:
                break
            if subject is not None and self._subject(row["evaluation_id"]) != subject:
                continue
            if row["type"] in hidden_types or (types is not None and row["type"] not in types):
                continue
            found.append(dict(row))
        return found

    def head(self) -> int:
        rows = self.read_model.feed
        return int(rows[-1]["position"]) if rows else 0

    def _subject(self, evaluation_id: str) -> str | None:
        replica = self.read_model.replicas.get(evaluation_id)
        return None if replica is None else str(replica.subject)


def memory_feed(service: EvaluationService) -> ChangeFeed:
    """The feed over an in-memory service, woken by its commits."""
    assert isinstance(service.queries, MemoryReadModel)
    feed, announcer = build_feed(service, queries=MemoryFeedQueries(service.queries))
    assert announcer is None
    return feed
