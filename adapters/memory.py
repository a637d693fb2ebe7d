"""The service in memory: the library's in-memory store, a unit of work, projection, queries."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from adapters.commit_hooks import CommitHooks
from application.app import EvaluationStore
from application.documents import (
    evaluation_document,
    event_meta,
    event_payload,
    evidence_list,
    iso,
)
from application.event_facts import (
    INDICATOR_BY_RECORD,
    dispute_cause,
    stated_reason,
    touched_indicator,
)
from application.review import ReviewService
from application.self_evaluation import SelfEvaluationService
from application.service import EvaluationService
from domain.disputes import DisputeStatus
from domain.evaluation import Evaluation
from domain.review import OPEN, RESOLVED
from domain.values import fmt


class MemoryUnitOfWork:
    """One lock for the whole store: units of work run one at a time, nested ones join."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.after_commit = CommitHooks()  # as SqlUnitOfWork's

    def transaction(self) -> AbstractContextManager[Any]:
        return self.after_commit.around(self.lock)

    def hold(self, evaluation_id: str) -> int | None:
        """Units of work already run one at a time; the head version is left to the store."""
        return None


class MemoryReadModel:
    """Projection and queries in one: a replica of each evaluation kept by its events, the
    history rows, and the dispute and note rows, each in the shape the SQL read models give;
    targets and sign-offs come with the replica's document."""

    def __init__(self) -> None:
        self.replicas: dict[str, Evaluation] = {}
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.changes: dict[str, list[dict[str, Any]]] = {}
        self.disputes: dict[str, dict[str, Any]] = {}
        self.notes: dict[str, dict[str, Any]] = {}
        self.created: dict[str, datetime] = {}
        self.feed: list[dict[str, Any]] = []  # history rows with their positions, in order
        self.last = 0

    # ------------------------------------------------------------- projection
    def project(
        self, events: Sequence[tuple[int, Any]], documents: Mapping[str, Any] | None = None
    ) -> None:
        for notification_id, event in events:
            evaluation_id = str(event.originator_id)
            replica = event.mutate(self.replicas.get(evaluation_id))
            self.replicas[evaluation_id] = replica
            self.created.setdefault(evaluation_id, event.timestamp)
            row = self._history_row(event, replica)
            self.events.setdefault(evaluation_id, []).append(row)
            self.feed.append({"position": notification_id, "evaluation_id": evaluation_id, **row})
            self._project_review(event)
            if type(event).__name__ == "ScoreChanged" and not (
                event.before is None and event.after is None
            ):
                self.changes.setdefault(evaluation_id, []).append(self._change_row(event))
            self.last = max(self.last, notification_id)

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]

    def position(self) -> int:
        return self.last

    @staticmethod
    def _history_row(event: Any, replica: Evaluation) -> dict[str, Any]:
        indicator = touched_indicator(event)
        field = INDICATOR_BY_RECORD.get(type(event).__name__)
        if indicator is None and field is not None:
            records: Any = replica.deductions if field == "deduction_id" else replica.notes
            indicator = getattr(records.get(getattr(event, field)), "code", None)
        return {
            "version": event.originator_version,
            "type": type(event).__name__,
            "recorded_at": iso(event.timestamp),
            **event_meta(event),
            "indicator": indicator,
            "reason": stated_reason(event),
            "cause": dispute_cause(event),
            "data": event_payload(event),
        }

    @staticmethod
    def _change_row(event: Any) -> dict[str, Any]:
        meta = event_meta(event)
        return {
            "code": event.code,
            "version": event.originator_version,
            "recorded_at": iso(event.timestamp),
            "actor": meta["actor"],
            "role": meta["role"],
            "type": event.cause,
            "cause_version": event.cause_version,
            "score_before": fmt(event.before),
            "score_after": fmt(event.after),
            "rule_score": fmt(event.rule_score),
            "overridden": bool(event.overridden),
            "reason": event.reason,
            "dispute_id": getattr(event, "dispute_id", None),
        }

    def _project_review(self, event: Any) -> None:
        kind, meta, evaluation_id = (
            type(event).__name__,
            event_meta(event),
            str(event.originator_id),
        )
        if kind == "DisputeRaised":
            self.disputes[event.dispute_id] = {
                "id": event.dispute_id,
                "evaluation_id": evaluation_id,
                "status": OPEN,
                "target": event.target,
                "indicator": event.code,
                "deduction_id": event.deduction_id,
                "grounds": event.grounds,
                "evidence": event.evidence,
                "raised_by": meta["actor"],
                "raised_role": meta["role"],
                "raised_at": iso(event.timestamp),
                "version": event.originator_version,
                "decision": None,
            }
        elif kind == "DisputeDecided":
            self.disputes[event.dispute_id]["status"] = DisputeStatus.DECIDED.value
            self.disputes[event.dispute_id]["decision"] = {
                "outcome": event.outcome,
                "points": fmt(event.points),
                "previous_points": fmt(event.previous_points),
                "reason": event.reason,
                "decided_by": meta["actor"],
                "decided_role": meta["role"],
                "decided_at": iso(event.timestamp),
                "version": event.originator_version,
            }
        elif kind == "NoteAdded":
            self.notes[event.note_id] = {
                "id": event.note_id,
                "evaluation_id": evaluation_id,
                "indicator": event.code,
                "text": event.text,
                "status": OPEN,
                "author": meta["actor"],
                "author_role": meta["role"],
                "created_at": iso(event.timestamp),
                "version": event.originator_version,
                "resolution": None,
            }
        elif kind == "NoteResolved":
            self.notes[event.note_id]["status"] = RESOLVED
            self.notes[event.note_id]["resolution"] = {
                "reason": event.reason,
                "resolved_by": meta["actor"],
                "resolved_role": meta["role"],
                "resolved_at": iso(event.timestamp),
                "version": event.originator_version,
            }

    # ---------------------------------------------------------------- queries
    def stored_document(self, evaluation_id: str, deductions: str = "all") -> None:
        """Nothing is stored ready to send here: documents are rendered from the replicas."""
        return None

    def document(self, evaluation_id: str, deductions: str = "all") -> dict[str, Any] | None:
        replica = self.replicas.get(str(evaluation_id))
        return None if replica is None else evaluation_document(replica, deductions)

    def document_at(
        self, evaluation_id: str, version: int, deductions: str = "all"
    ) -> dict[str, Any] | None:
        return None  # no history kept in memory: the service replays the events

    def past_document(
        self,
        evaluation_id: str,
        version: int | None,
        as_of: datetime | None,
        deductions: str = "all",
    ) -> tuple[int | None, dict[str, Any] | None]:
        if as_of is None:
            return version, None
        found = self.version_at(evaluation_id, as_of)
        if found is None or version is None:
            return found, None
        return min(found, version), None

    def bad_row(self, evaluation_id: str) -> None:
        return None  # nothing stored, nothing sealed

    def exists(self, evaluation_id: str, code: str | None = None) -> bool:
        replica = self.replicas.get(str(evaluation_id))
        return replica is not None and (code is None or code in replica.tree)

    def deduction_page(
        self, evaluation_id: str, status: str | None, page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]:
        replica = self.replicas.get(str(evaluation_id))
        cuts = sorted(replica.deductions.values(), key=lambda d: d.version) if replica else []
        rows = [
            {
                "id": d.id,
                "indicator": d.code,
                "points": fmt(d.points),
                "reason": d.reason,
                "status": str(d.status),
                "evidence": evidence_list(d.evidence),
                "version": d.version,
                "withdrawal_reason": d.withdrawal_reason,
            }
            for d in cuts
            if status in (None, d.status)
        ]
        return rows[(page - 1) * per_page : page * per_page], len(rows)

    def list_evaluations(
        self, filters: dict[str, Any], page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]:
        found = [
            {k: v for k, v in document.items() if k not in DETAIL}
            for document in map(self.document, sorted(self.replicas, key=self._creation))
            if document is not None
            and all(v is None or document.get(k) == v for k, v in filters.items())
        ]
        return found[(page - 1) * per_page : page * per_page], len(found)

    def _creation(self, evaluation_id: str) -> tuple[datetime, str]:
        return self.created[evaluation_id], evaluation_id

    def history(
        self,
        evaluation_id: str,
        page: int,
        per_page: int,
        filters: dict[str, Any] | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        wanted = filters or {}
        rows = [r for r in self.events.get(str(evaluation_id), []) if _matches(r, wanted)]
        return rows[(page - 1) * per_page : page * per_page], len(rows)

    def time_zone_of(self, evaluation_id: str) -> str | None:
        replica = self.replicas.get(str(evaluation_id))
        return None if replica is None else replica.time_zone

    def last_version_of(self, evaluation_id: str, kind: str) -> int | None:
        rows = self.events.get(str(evaluation_id), [])
        return max((r["version"] for r in rows if r["type"] == kind), default=None)

    def indicator_history(
        self, evaluation_id: str, code: str, page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]:
        rows = [
            {k: v for k, v in r.items() if k != "code"}
            for r in self.changes.get(str(evaluation_id), [])
            if r["code"] == code
        ]
        return rows[(page - 1) * per_page : page * per_page], len(rows)

    def version_at(self, evaluation_id: str, when: datetime) -> int | None:
        moment = iso(when)
        # ISO strings in UTC compare as the times do
        versions = [
            r["version"]
            for r in self.events.get(str(evaluation_id), [])
            if r["recorded_at"] <= moment
        ]
        return max(versions, default=None)

    def find(self, title: str, subject: str, fiscal_year: int) -> str | None:
        for evaluation_id, replica in self.replicas.items():
            if (replica.title, replica.subject, replica.fiscal_year) == (
                title,
                subject,
                fiscal_year,
            ):
                return evaluation_id
        return None


def _matches(row: dict[str, Any], filters: dict[str, Any]) -> bool:
    """The history filters as adapters.history_query applies them in SQL."""
    for name in ("type", "actor", "role", "indicator", "cause"):
        wanted = filters.get(name)
        if wanted is None:
            continue
        if isinstance(wanted, list | tuple):
            if row[name] not in wanted:
                return False
        elif row[name] != wanted:
            return False
    low, high = filters.get("from_version"), filters.get("to_version")
    return (low is None or row["version"] >= int(low)) and (
        high is None or row["version"] <= int(high)
    )


# What a listing leaves out of the document.
DETAIL = {"grade_bands", "indicators", "data_entries", "sign_offs", "required_sign_offs"}
DETAIL |= {"form", "funds"}


class MemoryReviewQueries:
    """The dispute queue and the notes, from the rows the in-memory read model keeps."""

    def __init__(self, read_model: MemoryReadModel) -> None:
        self.read_model = read_model

    def disputes(self, evaluation_id: str, status: str | None) -> list[dict[str, Any]]:
        return self._of(self.read_model.disputes, evaluation_id, status)

    def dispute(self, evaluation_id: str, dispute_id: str) -> dict[str, Any] | None:
        found = self.read_model.disputes.get(dispute_id)
        return dict(found) if found and found["evaluation_id"] == str(evaluation_id) else None

    def notes(self, evaluation_id: str, status: str | None) -> list[dict[str, Any]]:
        return self._of(self.read_model.notes, evaluation_id, status)

    def note(self, evaluation_id: str, note_id: str) -> dict[str, Any] | None:
        found = self.read_model.notes.get(note_id)
        return dict(found) if found and found["evaluation_id"] == str(evaluation_id) else None

    def subject_of(self, evaluation_id: str) -> str | None:
        replica = self.read_model.replicas.get(str(evaluation_id))
        return None if replica is None else replica.subject

    def queue(self, status: str, subject: str | None, limit: int) -> list[dict[str, Any]]:
        """Disputes of one status across evaluations, oldest first, as the SQL queue gives them."""
        found = []
        rows = sorted(self.read_model.disputes.values(), key=lambda r: (r["raised_at"], r["id"]))
        for row in rows:
            replica = self.read_model.replicas[row["evaluation_id"]]
            if row["status"] != status or subject not in (None, replica.subject):
                continue
            cut = replica.deductions.get(row["deduction_id"] or "")
            contested = None
            if cut is not None:
                contested = {
                    "points": fmt(cut.points),
                    "reason": cut.reason,
                    "recorded_by": cut.actor,
                }
            score = replica.leaves[row["indicator"]].score
            found.append(
                {
                    **row,
                    "title": replica.title,
                    "subject": replica.subject,
                    "indicator_weight": fmt(replica.tree[row["indicator"]].weight),
                    "indicator_score": fmt(score),
                    "deduction": contested,
                }
            )
        return [dict(r) for r in found[:limit]]

    @staticmethod
    def _of(
        rows: dict[str, dict[str, Any]], evaluation_id: str, status: str | None
    ) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in sorted(rows.values(), key=lambda r: r["version"])
            if r["evaluation_id"] == str(evaluation_id) and status in (None, r["status"])
        ]


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
