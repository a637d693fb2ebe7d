"""Ports the service layer needs from the outside: the read models and their transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from eventsourcing.domain import DomainEventProtocol


class ReadModel(Protocol):
    """SQL read models kept by projections, written in the same transaction as the events."""

    def transaction(self) -> AbstractContextManager[Any]:
        """One unit of work: events and read-model rows commit together or not at all."""

    def hold(self, evaluation_id: str) -> None:
        """Inside a transaction: make other changes to this evaluation wait until it ends, so
        they load what this one saves instead of racing it (a no-op where writes are
        serialised anyway)."""

    def project(self, events: Sequence[tuple[int, DomainEventProtocol[Any]]]) -> None:
        """Apply events (with their notification ids) to every read model."""

    def reset(self) -> None:
        """Drop every read-model row, ready for a rebuild; no new events are recorded
        until the enclosing transaction ends."""

    def position(self) -> int:
        """The last notification id projected."""

    def document(self, evaluation_id: str) -> dict[str, Any] | None: ...

    def list_evaluations(
        self, filters: dict[str, Any], page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]: ...

    def history(
        self, evaluation_id: str, page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]: ...

    def indicator_history(
        self, evaluation_id: str, code: str, page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]: ...

    def version_at(self, evaluation_id: str, when: datetime) -> int | None: ...

    def find(self, title: str, subject: str, fiscal_year: int) -> str | None: ...

    def iter_ids(self) -> Iterator[str]: ...
