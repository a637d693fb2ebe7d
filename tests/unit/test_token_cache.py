"""A process trusts a looked-up token for a bounded time; its own revocations act at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from application.tokens import CACHE_ENTRIES, TokenService


class CountingStore:
    """Token records in a dict, counting the lookups that reach it."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.lookups = 0

    def add(self, record: dict[str, Any]) -> None:
        self.records[record["digest"]] = dict(record)

    def by_digest(self, digest: str) -> dict[str, Any] | None:
        self.lookups += 1
        return self.records.get(digest)

    def all(self) -> list[dict[str, Any]]:
        return list(self.records.values())

    def revoke(self, token_ids: list[str], when: datetime) -> None:
        for record in self.records.values():
            if record["id"] in token_ids:
                record["revoked_at"] = when


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_a_token_is_looked_up_once_within_the_cache_time() -> None:
    store, clock = CountingStore(), Clock()
    tokens = TokenService(store, clock, cache_seconds=10)
    _, secret = tokens.create("alice", "evaluator")
    for _ in range(5):
        assert tokens.authenticate(secret) is not None
    assert store.lookups == 1
    clock.now += timedelta(seconds=11)
    assert tokens.authenticate(secret) is not None
    assert store.lookups == 2


def test_a_revocation_elsewhere_takes_effect_when_the_cache_time_ends() -> None:
    store, clock = CountingStore(), Clock()
    tokens = TokenService(store, clock, cache_seconds=10)
    elsewhere = TokenService(store, clock, cache_seconds=10)  # another process's view
    record, secret = tokens.create("alice", "evaluator")
    assert tokens.authenticate(secret) is not None
    elsewhere.revoke(record["id"])
    clock.now += timedelta(seconds=9)
    assert tokens.authenticate(secret) is not None  # still trusted: within the bound
    clock.now += timedelta(seconds=2)
    assert tokens.authenticate(secret) is None


def test_a_revocation_in_the_same_process_takes_effect_at_once() -> None:
    store, clock = CountingStore(), Clock()
    tokens = TokenService(store, clock, cache_seconds=10)
    record, secret = tokens.create("alice", "evaluator")
    assert tokens.authenticate(secret) is not None
    tokens.revoke(record["id"])
    assert tokens.authenticate(secret) is None


def test_without_a_cache_time_every_request_asks_the_store() -> None:
    store = CountingStore()
    tokens = TokenService(store, Clock())
    _, secret = tokens.create("alice", "evaluator")
    for _ in range(3):
        tokens.authenticate(secret)
    assert store.lookups == 3


def test_the_cache_holds_a_bounded_number_of_tokens() -> None:
    store = CountingStore()
    tokens = TokenService(store, Clock(), cache_seconds=10)
    for n in range(CACHE_ENTRIES + 50):
        tokens.authenticate(f"st_unknown{n}")
    assert len(tokens._cache) == CACHE_ENTRIES
    tokens.authenticate("st_unknown0")  # the oldest was dropped: asked again
    assert store.lookups == CACHE_ENTRIES + 51
