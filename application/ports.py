"""Ports the service layer needs: the unit of work, the projection, queries, sheet codecs."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, NamedTuple, Protocol

from eventsourcing.domain import DomainEventProtocol

# A document that lists its active deductions, and how many withdrawn ones it leaves out.
ActiveView = tuple[dict[str, Any], int]


class StoredDocument(NamedTuple):
    """A current document as the read model keeps it, ready to send: JSON text and version,
    or why its seal does not vouch for it (`problem`; the text is then never served)."""

    text: str
    version: int
    problem: str | None = None


class UnitOfWork(Protocol):
    """One transaction that the event store, the projection and the idempotency keys join,
    and a lock that makes other changes to the same evaluation wait for it."""

    def transaction(self) -> AbstractContextManager[Any]:
        """Events, read-model rows and keys commit together or not at all; nested uses
        join the outer transaction."""

    def hold(self, evaluation_id: str) -> int | None:
        """Inside a transaction: make other changes to this evaluation wait until it ends, so
        they load what this one saves instead of racing it (a no-op where writes are
        serialised anyway). Returns the evaluation's latest stored version as read once
        held (None: unknown, or nothing stored), so a command on an evaluation kept in
        memory at that version need not read its events again."""


class Projection(Protocol):
    """Read models kept equal to the events, written in the unit of work that saves them."""

    def project(
        self,
        events: Sequence[tuple[int, DomainEventProtocol[Any]]],
        documents: Mapping[str, ActiveView] | None = None,
    ) -> None:
        """Apply events (with their notification ids) to every read model. `documents`: the
        document of an evaluation as these events leave it, active deductions only, with the
        number of withdrawn ones (`active_document`), when the caller has it in hand; a
        sealing read model then seals and stores it instead of reading it back."""

    def reset(self) -> None:
        """Drop every read-model row, ready for a rebuild; no new events are recorded
        until the enclosing transaction ends."""

    def position(self) -> int:
        """The last notification id projected."""


class EvaluationQueries(Protocol):
    """Answers from the read models: the current document, lists and histories."""

    def document(self, evaluation_id: str, deductions: str = "all") -> dict[str, Any] | None:
        """The current document; `deductions="active"` leaves withdrawn deductions out."""

    def stored_document(self, evaluation_id: str, deductions: str = "all") -> StoredDocument | None:
        """The current document as stored ready to send, when the stored text answers this
        view; None when it must be assembled (or the evaluation does not exist)."""

    def past_document(
        self,
        evaluation_id: str,
        version: int | None,
        as_of: datetime | None,
        deductions: str = "all",
    ) -> tuple[int | None, dict[str, Any] | None]:
        """The version asked (`version`, or the last one recorded at or before `as_of`,
        the earlier of the two when both are given; None when nothing was recorded by
        then) and the document at it (None when the read model cannot tell; only
        `integrity_problem` when a stored row it would be made of fails its seal)."""

    def bad_row(self, evaluation_id: str) -> dict[str, Any] | None:
        """The first stored row of the evaluation's documents, past and current, that fails
        its seal (table, key, lower, upper, problem); None when all hold or none are sealed."""

    def exists(self, evaluation_id: str, code: str | None = None) -> bool:
        """Whether the evaluation (and its indicator `code`, when given) exists."""

    def deduction_page(
        self, evaluation_id: str, status: str | None, page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]:
        """One evaluation's deductions with `status` (any when None), oldest first."""

    def list_evaluations(
        self, filters: dict[str, Any], page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]: ...

    def history(
        self,
        evaluation_id: str,
        page: int,
        per_page: int,
        filters: dict[str, Any] | None = None,
    ) -> tuple[list[dict[str, Any]], int]: ...

    def last_version_of(self, evaluation_id: str, kind: str) -> int | None: ...

    def time_zone_of(self, evaluation_id: str) -> str | None: ...

    def indicator_history(
        self, evaluation_id: str, code: str, page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]: ...

    def version_at(self, evaluation_id: str, when: datetime) -> int | None: ...

    def find(self, title: str, subject: str, fiscal_year: int) -> str | None: ...


Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ParsedSheet:
    """An upload read into the fixture format, and where each of its parts came from.

    `sources` holds locations `{sheet, row, column}`: under "evaluation" the header's, under
    "indicators" per code a dict with "name", "weight", "method" and "score", under
    "data_entries" and "actions" one per item of the spec's lists, in order.
    """

    spec: dict[str, Any]
    sources: dict[str, Any]


@dataclass(frozen=True)
class Rendered:
    """A document rendered in one format, ready to be written or sent."""

    content: bytes
    media_type: str
    extension: str


class SheetCodec(Protocol):
    """Reads score sheets people keep (xlsx, csv, fixture JSON) and writes reports they read."""

    formats: tuple[str, ...]  # the formats render() accepts

    def parse(
        self,
        data: bytes,
        filename: str,
        defaults: Mapping[str, Any] | None = None,
        progress: Progress | None = None,
    ) -> ParsedSheet:
        """The upload as a fixture-format spec; raises SheetRejected listing every problem."""

    def render(self, document: Mapping[str, Any], fmt: str) -> Rendered:
        """The evaluation document as a score sheet report in one of `formats`."""

    def render_history(
        self, events: Sequence[Mapping[str, Any]], fmt: str, zone: tzinfo | None = None
    ) -> Rendered:
        """History items (version, type, recorded_at, actor, role, correlation_id, data)."""
