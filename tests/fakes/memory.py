"""The service in memory: the library's in-memory store, replicas kept by the events, the SQL
read side's own item shapes and the one document renderer."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from adapters.commit_hooks import CommitHooks
from adapters.history_query import history_item, matches
from adapters.queries import deduction_listing
from adapters.review_projection import REVIEW_ROWS
from adapters.review_queries import dispute_row, note_row
from application.aggregate_rows import AggregateRows
from application.app import EvaluationStore
from application.documents import evaluation_document
from application.event_facts import INDICATOR_BY_RECORD, event_row, score_change, touched_indicator
from application.rendering import summary
from application.review import ReviewService
from application.self_evaluation import SelfEvaluationService
from application.service import EvaluationService
from domain.evaluation import Evaluation
from domain.values import fmt

Rows = tuple[list[dict[str, Any]], int]


def paged(rows: list[dict[str, Any]], page: int, per_page: int) -> Rows:
    return rows[(page - 1) * per_page : page * per_page], len(rows)


class MemoryUnitOfWork:
    """One lock for the whole store: units of work run one at a time, nested ones join."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.after_commit = CommitHooks()  # as SqlUnitOfWork's

    def transaction(self) -> AbstractContextManager[Any]:
        return self.after_commit.around(self.lock)

    def hold(self, evaluation_id: str) -> int | None:
        return None  # units of work already run one at a time


class MemoryReadModel:
    """Projection and queries in one: each evaluation's replica and events, and the history
    items in store order (the feed). Everything else is read off the replicas."""

    def __init__(self) -> None:
        self.replicas: dict[str, Evaluation] = {}
        self.events: dict[str, list[Any]] = {}  # by evaluation, version n at n - 1
        self.items: dict[str, list[dict[str, Any]]] = {}  # history items, by evaluation
        self.feed: list[dict[str, Any]] = []  # history items with positions, in order
        self.tables: dict[str, dict[str, dict[str, Any]]] = {}  # the review handlers' rows

    def project(
        self, events: Sequence[tuple[int, Any]], documents: Mapping[str, Any] | None = None
    ) -> None:
        for position, event in events:
            key = str(event.originator_id)
            replica = self.replicas[key] = event.mutate(self.replicas.get(key))
            field = INDICATOR_BY_RECORD.get(type(event).__name__)
            records: Any = replica.deductions if field == "deduction_id" else replica.notes
            indicator = touched_indicator(event) or getattr(
                records.get(getattr(event, field or "", None)), "code", None
            )
            item = history_item(event_row(event, indicator))
            self.events.setdefault(key, []).append(event)
            self.items.setdefault(key, []).append(item)
            self.feed.append({"position": position, "evaluation_id": key, **item})
            if type(event).__name__ in REVIEW_ROWS:
                table, field, values = REVIEW_ROWS[type(event).__name__]
                rows = self.tables.setdefault(table, {})
                rows.setdefault(getattr(event, field), {}).update(values(event))

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]

    def position(self) -> int:
        return self.feed[-1]["position"] if self.feed else 0

    def stored_document(self, evaluation_id: str, deductions: str = "all") -> None:
        return None  # nothing is kept ready to send: documents render from the replicas

    def document(self, evaluation_id: str, deductions: str = "all") -> dict[str, Any] | None:
        replica = self.replicas.get(str(evaluation_id))
        return None if replica is None else evaluation_document(replica, deductions)

    def past_document(
        self,
        evaluation_id: str,
        version: int | None,
        as_of: datetime | None,
        deductions: str = "all",
    ) -> tuple[int | None, None]:
        found = version if as_of is None else self.version_at(evaluation_id, as_of)
        return (found if version is None or found is None else min(found, version)), None

    def bad_row(self, evaluation_id: str) -> None:
        return None  # nothing stored, nothing sealed

    def exists(self, evaluation_id: str, code: str | None = None) -> bool:
        replica = self.replicas.get(str(evaluation_id))
        return replica is not None and (code is None or code in replica.tree)

    def deduction_page(
        self, evaluation_id: str, status: str | None, page: int, per_page: int
    ) -> Rows:
        replica = self.replicas.get(str(evaluation_id))
        rows = AggregateRows(replica).deductions(True) if replica else []
        return paged(
            [deduction_listing(r) for r in rows if status in (None, r["status"])], page, per_page
        )

    def list_evaluations(self, filters: dict[str, Any], page: int, per_page: int) -> Rows:
        heads = [AggregateRows(r).head() for r in self.replicas.values()]
        heads.sort(key=lambda h: (h["created_at"], h["id"]))
        wanted = {k: v for k, v in filters.items() if v is not None}
        found = [
            summary(h, bands=False) for h in heads if all(h[k] == v for k, v in wanted.items())
        ]
        return paged(found, page, per_page)

    def history(
        self, evaluation_id: str, page: int, per_page: int, filters: dict[str, Any] | None = None
    ) -> Rows:
        found = [r for r in self.items.get(str(evaluation_id), []) if matches(r, filters or {})]
        return paged(found, page, per_page)

    def time_zone_of(self, evaluation_id: str) -> str | None:
        replica = self.replicas.get(str(evaluation_id))
        return None if replica is None else replica.time_zone

    def last_version_of(self, evaluation_id: str, kind: str) -> int | None:
        rows = self.items.get(str(evaluation_id), [])
        return max((r["version"] for r in rows if r["type"] == kind), default=None)

    def indicator_history(self, evaluation_id: str, code: str, page: int, per_page: int) -> Rows:
        events = self.events.get(str(evaluation_id), [])
        moved = [
            score_change(e) for e in events if type(e).__name__ == "ScoreChanged" and e.code == code
        ]
        return paged([c for c in moved if c is not None], page, per_page)

    def version_at(self, evaluation_id: str, when: datetime) -> int | None:
        events = self.events.get(str(evaluation_id), [])
        return max((e.originator_version for e in events if e.timestamp <= when), default=None)

    def find(self, title: str, subject: str, fiscal_year: int) -> str | None:
        wanted = (title, subject, fiscal_year)
        found = (
            k for k, r in self.replicas.items() if (r.title, r.subject, r.fiscal_year) == wanted
        )
        return next(found, None)


class MemoryReviewQueries:
    """The dispute queue and the notes from the rows the review handlers write."""

    def __init__(self, read_model: MemoryReadModel) -> None:
        self.read_model = read_model

    def _rows(self, table: str, evaluation_id: str, status: str | None) -> list[dict[str, Any]]:
        rows = self.read_model.tables.get(table, {}).values()
        return [
            dict(r)
            for r in rows
            if r["evaluation_id"] == str(evaluation_id) and status in (None, r["status"])
        ]

    def disputes(self, evaluation_id: str, status: str | None) -> list[dict[str, Any]]:
        return [dispute_row(r) for r in self._rows("disputes", evaluation_id, status)]

    def dispute(self, evaluation_id: str, dispute_id: str) -> dict[str, Any] | None:
        return next((d for d in self.disputes(evaluation_id, None) if d["id"] == dispute_id), None)

    def notes(self, evaluation_id: str, status: str | None) -> list[dict[str, Any]]:
        return [note_row(r) for r in self._rows("notes", evaluation_id, status)]

    def note(self, evaluation_id: str, note_id: str) -> dict[str, Any] | None:
        return next((n for n in self.notes(evaluation_id, None) if n["id"] == note_id), None)

    def subject_of(self, evaluation_id: str) -> str | None:
        replica = self.read_model.replicas.get(str(evaluation_id))
        return None if replica is None else replica.subject

    def queue(self, status: str, subject: str | None, limit: int) -> list[dict[str, Any]]:
        """Disputes of one status across evaluations, oldest first, as the SQL queue gives them."""
        found = []
        for row in self.read_model.tables.get("disputes", {}).values():
            replica = self.read_model.replicas[row["evaluation_id"]]
            if row["status"] != status or subject not in (None, replica.subject):
                continue
            cut = replica.deductions.get(row["deduction_id"] or "")
            node = next(n for n in AggregateRows(replica).indicators() if n["code"] == row["code"])
            found.append(
                {**dispute_row(row), "title": replica.title, "subject": replica.subject}
                | {
                    "indicator_weight": node["weight"],
                    "indicator_score": node["score"],
                    "deduction": cut
                    and {"points": fmt(cut.points), "reason": cut.reason, "recorded_by": cut.actor},
                }
            )
        return sorted(found, key=lambda r: (r["raised_at"], r["id"]))[:limit]


def memory_service() -> EvaluationService:
    """The evaluation service on the library's in-memory store, for fast tests."""
    read_model = MemoryReadModel()
    store = EvaluationStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    return EvaluationService(store, MemoryUnitOfWork(), read_model, read_model)


def memory_review_service(service: EvaluationService) -> ReviewService:
    """Disputes and notes on an in-memory evaluation service."""
    assert isinstance(service.queries, MemoryReadModel)
    return ReviewService(service, MemoryReviewQueries(service.queries))


def memory_self_evaluation(service: EvaluationService) -> SelfEvaluationService:
    """Target values and sign-offs on an in-memory evaluation service. The in-memory store
    keeps no hash chain, so a sign-off there records no head digest (as a loaded one)."""
    assert isinstance(service.queries, MemoryReadModel)
    return SelfEvaluationService(service, lambda evaluation_id, version: None)
