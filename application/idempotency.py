"""Idempotent requests: a retried request with the same key gets the first answer back."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from eventsourcing.persistence import IntegrityError

from application.errors import ApplicationError, ConcurrentChange


@dataclass(frozen=True)
class KeptResponse:
    """What a request answered, kept so a retry can be answered the same way."""

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def keepable(self) -> bool:
        """Only successes are kept: an error recorded nothing, so running it again is safe."""
        return 200 <= self.status < 300


@dataclass(frozen=True)
class KeyRecord:
    """A key as stored: the request's fingerprint and the answer it got."""

    fingerprint: str
    response: KeptResponse


class IdempotencyKeyReused(ApplicationError):
    """The key was already used for a different request (method, path, caller or body)."""

    title = "Idempotency key reused"


class IdempotencyKeys(Protocol):
    """Where keys are kept: written in the same transaction as the events they guard."""

    def find(self, caller: str, key: str) -> KeyRecord | None:
        """The stored record of `key` for `caller`, if any."""

    def claim(self, caller: str, key: str, fingerprint: str) -> None:
        """Insert the key in the current transaction; a duplicate raises IntegrityError
        (on PostgreSQL it first waits for a concurrent claimer to commit or roll back)."""

    def complete(self, caller: str, key: str, response: KeptResponse) -> None:
        """Attach the response to the key claimed in the current transaction."""


class _NotKept(Exception):
    """Carries a response that must not be kept out of the transaction, rolling it back."""

    def __init__(self, response: KeptResponse) -> None:
        super().__init__(response.status)
        self.response = response


class IdempotentRequests:
    """Runs a request once per (caller, key): the key, the events and the read models
    commit together, so a crash can never leave a recorded change without its key."""

    def __init__(
        self,
        keys: IdempotencyKeys,
        transaction: Callable[[], AbstractContextManager[Any]],
        conflict_retries: int = 3,
    ) -> None:
        self.keys = keys
        self.transaction = transaction
        self.conflict_retries = conflict_retries

    def run(
        self,
        caller: str,
        key: str,
        fingerprint: str,
        handle: Callable[[], KeptResponse],
        *,
        may_retry: bool = True,
    ) -> tuple[KeptResponse, bool]:
        """The response and whether it is a replay of an earlier one.

        `handle` runs inside the transaction; exceptions it raises roll everything back and
        propagate. A lost race with another change is run again on the fresh state (the
        command is validated again) when `may_retry`, i.e. the caller pinned no version.
        """
        attempts = 1 + (self.conflict_retries if may_retry else 0)
        for _ in range(attempts):
            replay = self._replay(caller, key, fingerprint)
            if replay is not None:
                return replay, True
            try:
                with self.transaction():
                    self.keys.claim(caller, key, fingerprint)
                    response = handle()
                    if not response.keepable:
                        raise _NotKept(response)
                    self.keys.complete(caller, key, response)
                return response, False
            except _NotKept as outcome:
                return outcome.response, False
            except IntegrityError:
                # Either a duplicate claimed the key first (the next look-up replays it)
                # or another change to the evaluation was saved first (run it again).
                continue
        replay = self._replay(caller, key, fingerprint)
        if replay is not None:
            return replay, True
        raise ConcurrentChange(
            "another change to this evaluation was saved first; nothing was recorded"
        )

    def _replay(self, caller: str, key: str, fingerprint: str) -> KeptResponse | None:
        record = self.keys.find(caller, key)
        if record is None:
            return None
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used for a different request; "
                "use a new key for a new request",
                key=key,
            )
        return record.response
