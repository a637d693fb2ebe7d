"""The read side of the service: documents now and at any past moment, histories, rebuilds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from application.app import EvaluationStore
from application.documents import evaluation_document
from application.errors import EvaluationNotFound, VersionNotFound
from application.heap import frozen_heap
from application.history import page_of, search_history
from application.ports import EvaluationQueries, Projection, StoredDocument, UnitOfWork
from domain.errors import UnknownIndicator
from domain.evaluation import Evaluation


class EvaluationReads:
    """Answers from the read models, and loads evaluations from the event store."""

    def __init__(
        self,
        store: EvaluationStore,
        unit_of_work: UnitOfWork,
        projection: Projection,
        queries: EvaluationQueries,
    ) -> None:
        self.store = store
        self.unit_of_work = unit_of_work
        self.projection = projection
        self.queries = queries

    def _get(
        self,
        evaluation_id: str,
        version: int | None = None,
        *,
        checkout: bool = False,
        head: int | None = None,
    ) -> Evaluation:
        try:
            key = UUID(str(evaluation_id))
        except ValueError:
            raise EvaluationNotFound(f"evaluation {evaluation_id} does not exist") from None
        try:
            evaluation: Evaluation = (
                self.store.checkout(key, head)
                if checkout
                else self.store.repository.get(key, version=version)
            )
        except AggregateNotFoundError:
            raise EvaluationNotFound(f"evaluation {evaluation_id} does not exist") from None
        if version is not None and evaluation.version != version:
            raise VersionNotFound(
                f"evaluation {evaluation_id} has no version {version}",
                version=version,
                latest=evaluation.version,
            )
        return evaluation

    # ----------------------------------------------------------------- queries
    def document(
        self,
        evaluation_id: str,
        *,
        version: int | None = None,
        as_of: datetime | None = None,
        deductions: str = "all",
    ) -> dict[str, Any]:
        """The current document from the read model; an earlier one from the temporal read
        model, or replayed from the event store when that cannot tell (the same document).

        It lists every deduction with its status; `deductions="active"` leaves out the
        withdrawn ones.
        """
        if version is not None or as_of is not None:
            if as_of is None and version is not None and version < 1:
                raise VersionNotFound(f"version {version} does not exist", version=version)
            # the version for as_of and the document at it: one read of the read model
            found, past = self.queries.past_document(str(evaluation_id), version, as_of, deductions)
            if found is None:
                assert as_of is not None
                self._get(evaluation_id)  # 404 when the evaluation does not exist at all
                raise VersionNotFound(
                    f"evaluation {evaluation_id} did not exist at {as_of.isoformat()}",
                    as_of=as_of.isoformat(),
                )
            if found < 1:
                raise VersionNotFound(f"version {found} does not exist", version=found)
            if past is None:
                return self.replayed_document_at(evaluation_id, found, deductions)
            if "integrity_problem" in past:  # a stored row failed its seal: the events answer
                replayed = self.replayed_document_at(evaluation_id, found, deductions)
                return {**replayed, "integrity_problem": past["integrity_problem"]}
            return past
        document = self.queries.document(str(evaluation_id), deductions)
        if document is None:
            raise EvaluationNotFound(f"evaluation {evaluation_id} does not exist")
        if "integrity_problem" in document:  # never serve figures the seal does not vouch for
            return self._flagged(evaluation_id, deductions, document["integrity_problem"])
        return document

    def integrity_problem(self, evaluation_id: str, version: int | None = None) -> str | None:
        """What `document` would carry as `integrity_problem` for this version (the current
        one when None), without recomputing the figures: why a stored row the read model
        would answer from fails its seal, or None."""
        if version is None:
            found = self.queries.document(str(evaluation_id), "all")
        else:
            found = self.queries.past_document(str(evaluation_id), version, None, "all")[1]
        problem = (found or {}).get("integrity_problem")
        return None if problem is None else str(problem)

    def replayed_document_at(
        self, evaluation_id: str, version: int, deductions: str = "all"
    ) -> dict[str, Any]:
        """The document at a version recomputed from the events (what the temporal read
        model must equal)."""
        return evaluation_document(self._get(evaluation_id, version), deductions)

    def current_document(
        self, evaluation_id: str, deductions: str = "all"
    ) -> StoredDocument | dict[str, Any]:
        """The current document: as the read model stored it, JSON text ready to send, when
        that text answers this view and its seal holds; else as `document` gives it."""
        stored = self.queries.stored_document(str(evaluation_id), deductions)
        if stored is None:
            return self.document(evaluation_id, deductions=deductions)
        if stored.problem is not None:
            return self._flagged(evaluation_id, deductions, stored.problem)
        return stored

    def _flagged(self, evaluation_id: str, deductions: str, problem: str) -> dict[str, Any]:
        """The document recomputed from the events, carrying why the stored one was refused."""
        return {**self.replayed_document(evaluation_id, deductions), "integrity_problem": problem}

    def replayed_document(self, evaluation_id: str, deductions: str = "all") -> dict[str, Any]:
        """The current document recomputed from the events, bypassing the read models."""
        return evaluation_document(self._get(evaluation_id), deductions)

    def deductions(
        self, evaluation_id: str, status: str | None = None, page: int = 1, per_page: int = 100
    ) -> dict[str, Any]:
        """One evaluation's deductions, oldest first, paged; `status` picks active or withdrawn."""
        items, total = self.queries.deduction_page(str(evaluation_id), status, page, per_page)
        if total == 0:
            self._require(evaluation_id)
        return page_of(items, total, page, per_page)

    def list_evaluations(
        self, filters: dict[str, Any], page: int = 1, per_page: int = 50
    ) -> dict[str, Any]:
        items, total = self.queries.list_evaluations(filters, page, per_page)
        return page_of(items, total, page, per_page)

    def history(
        self, evaluation_id: str, page: int = 1, per_page: int = 100, **filters: Any
    ) -> dict[str, Any]:
        """Events oldest first, narrowed by application.history's filters."""
        queries, require = self.queries, self._require
        return search_history(queries, require, str(evaluation_id), page, per_page, filters)

    def indicator_history(
        self, evaluation_id: str, code: str, page: int = 1, per_page: int = 100
    ) -> dict[str, Any]:
        items, total = self.queries.indicator_history(str(evaluation_id), code, page, per_page)
        if total == 0 and not self.queries.exists(str(evaluation_id), code):
            self._require(evaluation_id)  # 404 for the evaluation before the indicator
            raise UnknownIndicator(f"indicator {code} does not exist", code=code)
        return page_of(items, total, page, per_page)

    def find(self, title: str, subject: str, fiscal_year: int) -> str | None:
        return self.queries.find(title, subject, fiscal_year)

    def _require(self, evaluation_id: str) -> None:
        if not self.queries.exists(str(evaluation_id)):
            raise EvaluationNotFound(f"evaluation {evaluation_id} does not exist")

    # ------------------------------------------------------------- maintenance
    def rebuild_read_models(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Drop every read-model row and project all events again; returns events projected."""
        recorder = self.store.recorder
        done = 0
        with frozen_heap(), self.unit_of_work.transaction():
            self.projection.reset()  # also holds new events off until this commits
            last = recorder.max_notification_id() or 0
            for batch in iter_notifications(self.store, last, REBUILD_BATCH):
                self.projection.project(batch)
                done += len(batch)
                if progress:
                    progress(done, last)
        return done


# Events projected per batch by a rebuild: more held-back writes fold together, fewer and
# longer statements (COPY on PostgreSQL) go out.
REBUILD_BATCH = 2000


def iter_notifications(
    store: EvaluationStore, stop: int, batch_size: int = 500, start: int = 1
) -> Iterator[list[tuple[int, Any]]]:
    """Domain events in notification order, in batches, from `start` up to `stop`."""
    while start <= stop:
        notifications = store.recorder.select_notifications(start, batch_size, stop=stop)
        if not notifications:
            return
        yield [(n.id, store.mapper.to_domain_event(n)) for n in notifications]
        start = notifications[-1].id + 1
