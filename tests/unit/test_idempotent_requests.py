"""IdempotentRequests: replay, refusal of a reused key, what is kept, bounded retries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from eventsourcing.persistence import IntegrityError

from application.errors import ConcurrentChange
from application.idempotency import (
    IdempotencyKeyReused,
    IdempotentRequests,
    KeptResponse,
    KeyRecord,
)


class MemoryKeys:
    """Keys in a dict; a claim becomes visible only when the transaction commits."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], KeyRecord] = {}
        self.pending: dict[tuple[str, str], KeyRecord] = {}
        self.commits = 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.pending = {}
        try:
            yield
        except BaseException:
            self.pending = {}
            raise
        self.records.update(self.pending)
        self.commits += 1

    def find(self, caller: str, key: str) -> KeyRecord | None:
        return self.records.get((caller, key))

    def claim(self, caller: str, key: str, fingerprint: str) -> None:
        if (caller, key) in self.records:
            raise IntegrityError("duplicate key")
        self.pending[(caller, key)] = KeyRecord(fingerprint, KeptResponse(0, ""))

    def complete(self, caller: str, key: str, response: KeptResponse) -> None:
        fingerprint = self.pending[(caller, key)].fingerprint
        self.pending[(caller, key)] = KeyRecord(fingerprint, response)


CREATED = KeptResponse(201, '{"id": "d1"}', {"ETag": '"5"'})


@pytest.fixture
def keys() -> MemoryKeys:
    return MemoryKeys()


@pytest.fixture
def requests(keys: MemoryKeys) -> IdempotentRequests:
    return IdempotentRequests(keys, keys.transaction, conflict_retries=2)


def test_the_first_request_runs_and_a_retry_gets_its_answer_without_running(
    requests: IdempotentRequests, keys: MemoryKeys
) -> None:
    runs: list[int] = []

    def handle() -> KeptResponse:
        runs.append(1)
        return CREATED

    first = requests.run("alice", "k", "fp", handle)
    again = requests.run("alice", "k", "fp", handle)

    assert first == (CREATED, False)
    assert again == (CREATED, True)
    assert len(runs) == 1
    assert keys.commits == 1


def test_the_same_key_for_another_request_is_refused(requests: IdempotentRequests) -> None:
    requests.run("alice", "k", "fp", lambda: CREATED)

    with pytest.raises(IdempotencyKeyReused) as refused:
        requests.run("alice", "k", "other-body", lambda: CREATED)
    assert refused.value.values == {"key": "k"}


def test_keys_belong_to_their_caller(requests: IdempotentRequests) -> None:
    requests.run("alice", "k", "fp", lambda: CREATED)
    other = KeptResponse(201, '{"id": "d2"}')

    assert requests.run("bob", "k", "fp-bob", lambda: other) == (other, False)


def test_an_error_answer_is_not_kept_so_a_retry_runs_again(
    requests: IdempotentRequests, keys: MemoryKeys
) -> None:
    refused = KeptResponse(409, '{"type": "deduction-refused"}')

    assert requests.run("alice", "k", "fp", lambda: refused) == (refused, False)
    assert keys.records == {}
    assert requests.run("alice", "k", "fp", lambda: CREATED) == (CREATED, False)


def test_an_exception_rolls_the_claim_back(requests: IdempotentRequests, keys: MemoryKeys) -> None:
    def fail() -> KeptResponse:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        requests.run("alice", "k", "fp", fail)
    assert keys.records == {}


def test_a_lost_race_runs_again_up_to_the_bound(requests: IdempotentRequests) -> None:
    attempts: list[int] = []

    def lose_twice() -> KeptResponse:
        attempts.append(1)
        if len(attempts) <= 2:
            raise IntegrityError("another change was saved first")
        return CREATED

    assert requests.run("alice", "k", "fp", lose_twice) == (CREATED, False)
    assert len(attempts) == 3


def test_a_race_lost_every_time_is_a_concurrent_change(requests: IdempotentRequests) -> None:
    attempts: list[int] = []

    def always_lose() -> KeptResponse:
        attempts.append(1)
        raise IntegrityError("another change was saved first")

    with pytest.raises(ConcurrentChange):
        requests.run("alice", "k", "fp", always_lose)
    assert len(attempts) == 3


def test_a_pinned_version_is_never_run_again(requests: IdempotentRequests) -> None:
    attempts: list[int] = []

    def lose() -> KeptResponse:
        attempts.append(1)
        raise IntegrityError("another change was saved first")

    with pytest.raises(ConcurrentChange):
        requests.run("alice", "k", "fp", lose, may_retry=False)
    assert len(attempts) == 1


def test_a_duplicate_that_claimed_the_key_first_is_replayed(
    requests: IdempotentRequests, keys: MemoryKeys
) -> None:
    def duplicate_commits_first() -> KeptResponse:
        # the concurrent duplicate commits while this one runs: this claim then conflicts
        keys.records[("alice", "k")] = KeyRecord("fp", CREATED)
        raise IntegrityError("duplicate key")

    assert requests.run("alice", "k", "fp", duplicate_commits_first) == (CREATED, True)
