"""SQL read models kept by projections in the same transaction as the events."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from decimal import Decimal
from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import and_, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from adapters.document_seals import document_problem, seal_documents
from adapters.integrity import digest_table
from adapters.pending_writes import SESSION_KEY, EncodedJSON, pending
from adapters.review_read_model import review_handlers
from adapters.review_tables import REVIEW_TABLES
from adapters.tables import (
    READ_MODEL_TABLES,
    SCHEMA_VERSION,
    data_entries,
    deductions,
    evaluations,
    events,
    indicator_history,
    indicators,
    metadata,
    tracking,
)
from adapters.target_read_model import TARGET_TABLES, document_parts, target_handlers
from application.documents import event_payload_json, event_type, iso, survey_rates
from domain.framework import build_tree
from domain.values import fmt, rate_percent

TRACKING_NAME = "read_models"
# Advisory-lock class of per-evaluation write locks (PostgreSQL).
EVALUATION_LOCK_CLASS = 0x5C07F
Handler = Callable[[Session, Any], None]
EVENT_COLUMNS = (
    "evaluation_id",
    "version",
    "notification_id",
    "type",
    "recorded_at",
    "actor",
    "role",
    "correlation_id",
    "data",
)
HISTORY_COLUMNS = (
    "evaluation_id",
    "code",
    "version",
    "recorded_at",
    "actor",
    "role",
    "type",
    "cause_version",
    "score_before",
    "score_after",
    "rule_score",
    "overridden",
    "reason",
    "dispute_id",
)


class SqlReadModel:
    """Projections into SQL tables and the queries that read them."""

    def __init__(
        self,
        datastore: SQLAlchemyDatastore,
        events_table: str | None = None,
        key: bytes | None = None,
    ) -> None:
        self.datastore = datastore
        # The event store's table: a rebuild on PostgreSQL locks it to hold writers off.
        self.events_table = events_table
        # Seals the documents (adapters.document_seals); None leaves them unsealed.
        self.key = key
        self.digests = digest_table(events_table, None) if events_table else None
        self.handlers: dict[str, Handler] = {
            "Created": self._created,
            "FrameworkDefined": self._framework_defined,
            "DataEntryRecorded": self._data_entry_recorded,
            "DeductionRecorded": self._deduction_recorded,
            "DeductionWithdrawn": self._deduction_withdrawn,
            "DeductionAmended": self._deduction_amended,
            "ScoreOverridden": self._score_overridden,
            "OverrideCleared": self._override_cleared,
            "ScoreChanged": self._score_changed,
            "Submitted": self._status("submitted"),
            "Finalized": self._status("finalized"),
            "Reopened": self._status("submitted"),
        }
        self.handlers.update(review_handlers())
        # Handlers that only queue row writes; any other handler sees them flushed first.
        self.deferring: set[Handler] = {
            self._deduction_recorded,
            self._deduction_withdrawn,
            self._deduction_amended,
            self._score_overridden,
            self._override_cleared,
            self._score_changed,
            *(self.handlers[name] for name in ("Submitted", "Finalized", "Reopened")),
        }
        self.deferring |= {self._created, self._framework_defined, self._data_entry_recorded}
        self.deferring |= set(review_handlers().values())
        for name, extra in target_handlers().items():
            # all of these only queue row writes; one that shares an event chains after
            self.handlers[name] = _chain(self.handlers.get(name), extra)
            self.deferring.add(self.handlers[name])

    # ------------------------------------------------------------------ schema
    def create_tables(self) -> bool:
        """Create missing tables; True when the read models need a rebuild."""
        assert self.datastore.engine is not None
        metadata.create_all(self.datastore.engine)
        with self.datastore.transaction(commit=False) as session:
            row = session.execute(
                select(tracking.c.schema_version).where(tracking.c.name == TRACKING_NAME)
            ).first()
        return row is not None and row.schema_version != SCHEMA_VERSION

    def drop_and_create(self) -> None:
        """Recreate the read-model tables in the current shape (events are untouched)."""
        assert self.datastore.engine is not None
        for table in (*READ_MODEL_TABLES, *REVIEW_TABLES, *TARGET_TABLES, tracking):
            table.drop(self.datastore.engine, checkfirst=True)
        metadata.create_all(self.datastore.engine)

    # ------------------------------------------------------------- projection
    # Handlers queue their row writes (adapters.pending_writes): a batch sends them together.
    def transaction(self) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=True)

    def hold(self, evaluation_id: str) -> None:
        with self.datastore.transaction(commit=True) as session:
            if session.get_bind().dialect.name == "postgresql":
                # Released when the transaction ends; waiting is bounded by lock_timeout.
                session.execute(
                    text("SELECT pg_advisory_xact_lock(:cls, hashtext(:id))"),
                    {"cls": EVALUATION_LOCK_CLASS, "id": evaluation_id},
                )

    def project(self, batch: Sequence[tuple[int, Any]]) -> None:
        if not batch:
            return
        with self.datastore.transaction(commit=True) as session:
            writes = pending(session)
            try:
                for notification_id, event in batch:
                    handler = self.handlers.get(event_type(event))
                    if handler is not None and handler not in self.deferring:
                        writes.flush(session)  # a handler we know nothing about: play safe
                    self._record_event(session, notification_id, event)
                    if handler is not None:
                        handler(session, event)
                writes.flush(session)
            finally:
                session.info.pop(SESSION_KEY, None)
            if self.key is not None:
                touched = (str(event.originator_id) for _, event in batch)
                seal_documents(session, self.key, touched, self._assemble)
            self._track(session, batch[-1][0])

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as session:
            if self.events_table and session.get_bind().dialect.name == "postgresql":
                # The lock writers take to append events: they wait until the rebuild has
                # committed, so none of their projections can land in half-rebuilt tables.
                session.execute(text(f"LOCK TABLE {self.events_table} IN EXCLUSIVE MODE"))
            for table in (*READ_MODEL_TABLES, *REVIEW_TABLES, *TARGET_TABLES, tracking):
                session.execute(delete(table))

    def position(self) -> int:
        with self.datastore.transaction(commit=False) as session:
            value = session.execute(
                select(tracking.c.position).where(tracking.c.name == TRACKING_NAME)
            ).scalar()
        return int(value or 0)

    def _track(self, session: Session, position: int) -> None:
        updated = session.execute(
            update(tracking)
            .where(tracking.c.name == TRACKING_NAME)
            .values(position=position, schema_version=SCHEMA_VERSION)
        )
        if updated.rowcount == 0:  # type: ignore[attr-defined]
            session.execute(
                insert(tracking).values(
                    name=TRACKING_NAME, position=position, schema_version=SCHEMA_VERSION
                )
            )

    def _record_event(self, session: Session, notification_id: int, event: Any) -> None:
        meta = getattr(event, "meta", None) or {}
        evaluation_id = str(event.originator_id)
        kind = type(event).__name__
        writes = pending(session)
        writes.append(
            events,
            EVENT_COLUMNS,
            [
                evaluation_id,
                event.originator_version,
                notification_id,
                kind,
                event.timestamp,
                meta.get("actor", ""),
                meta.get("role", ""),
                meta.get("correlation_id", ""),
                EncodedJSON(event_payload_json(event)),
            ],
            evaluation_id,
        )
        if kind != "Created":
            writes.update(
                evaluations,
                {"id": evaluation_id},
                {"version": event.originator_version, "updated_at": event.timestamp},
            )

    def _created(self, session: Session, event: Any) -> None:
        evaluation_id = str(event.originator_id)
        pending(session).insert(
            evaluations,
            {
                "id": evaluation_id,
                "title": event.title,
                "subject": event.subject,
                "fiscal_year": event.fiscal_year,
                "kind": event.kind,
                "evaluator": event.evaluator,
                "status": "draft",
                "version": event.originator_version,
                "total_weight": fmt(event.total_weight),
                "total": None,
                "grade": None,
                "grade_bands": event.grade_bands,
                "created_at": event.timestamp,
                "updated_at": event.timestamp,
            },
            evaluation=evaluation_id,
        )

    def _framework_defined(self, session: Session, event: Any) -> None:
        evaluation_id = str(event.originator_id)
        writes = pending(session)
        writes.flush_if_touched(session, [indicators, deductions], evaluation_id)
        writes.delete(indicators, {"evaluation_id": evaluation_id})
        writes.delete(deductions, {"evaluation_id": evaluation_id})
        writes.update(evaluations, {"id": evaluation_id}, {"total": None, "grade": None})
        for node in build_tree(event.indicators).values():
            writes.insert(
                indicators,
                {
                    "evaluation_id": evaluation_id,
                    "code": node.code,
                    "position": node.position,
                    "parent": node.parent,
                    "name": node.name,
                    "level": node.level,
                    "weight": fmt(node.weight),
                    "method": node.method,
                    "explanation": node.explanation,
                    "criteria": node.criteria,
                    "score": None,
                    "rule_score": None,
                    "overridden": False,
                    "override_justification": None,
                    "note": None,
                },
            )

    def _data_entry_recorded(self, session: Session, event: Any) -> None:
        evaluation_id = str(event.originator_id)
        pending(session).replace(
            data_entries,
            {"evaluation_id": evaluation_id, "key": event.key},
            {
                "evaluation_id": evaluation_id,
                "key": event.key,
                "value": str(event.value),
                "unit": event.unit,
                "source": event.source,
                "version": event.originator_version,
            },
        )

    def _deduction_recorded(self, session: Session, event: Any) -> None:
        pending(session).insert(
            deductions,
            {
                "id": event.deduction_id,
                "evaluation_id": str(event.originator_id),
                "code": event.code,
                "points": fmt(event.points),
                "reason": event.reason,
                "status": "active",
                "evidence": event.evidence,
                "version": event.originator_version,
                "actor": event.meta.get("actor", ""),
                "withdrawal_reason": None,
            },
        )

    def _deduction_withdrawn(self, session: Session, event: Any) -> None:
        pending(session).update(
            deductions,
            {"id": event.deduction_id},
            {"status": "withdrawn", "withdrawal_reason": event.reason},
            evaluation=str(event.originator_id),
        )

    def _deduction_amended(self, session: Session, event: Any) -> None:
        pending(session).update(
            deductions,
            {"id": event.deduction_id},
            {"points": fmt(event.points)},
            evaluation=str(event.originator_id),
        )

    def _override_cleared(self, session: Session, event: Any) -> None:
        pending(session).update(
            indicators,
            {"evaluation_id": str(event.originator_id), "code": event.code},
            {"override_justification": None},
        )

    def _score_overridden(self, session: Session, event: Any) -> None:
        pending(session).update(
            indicators,
            {"evaluation_id": str(event.originator_id), "code": event.code},
            {"override_justification": event.justification},
        )

    def _score_changed(self, session: Session, event: Any) -> None:
        evaluation_id = str(event.originator_id)
        writes = pending(session)
        rule_score = fmt(event.rule_score)
        after = fmt(event.after)
        writes.update(
            indicators,
            {"evaluation_id": evaluation_id, "code": event.code},
            {
                "score": after,
                "rule_score": rule_score,
                "overridden": event.overridden,
                "note": event.note,
                "rates": [str(r) for r in event.rates],
            },
        )
        for code, score in event.parents.items():
            writes.update(
                indicators, {"evaluation_id": evaluation_id, "code": code}, {"score": fmt(score)}
            )
        writes.update(
            evaluations, {"id": evaluation_id}, {"total": fmt(event.total), "grade": event.grade}
        )
        if event.before is None and event.after is None:
            return  # only the note changed: not a change of score
        meta = getattr(event, "meta", None) or {}
        writes.append(
            indicator_history,
            HISTORY_COLUMNS,
            [
                evaluation_id,
                event.code,
                event.originator_version,
                event.timestamp,
                meta.get("actor", ""),
                meta.get("role", ""),
                event.cause,
                event.cause_version,
                fmt(event.before),
                after,
                rule_score,
                event.overridden,
                event.reason,
                getattr(event, "dispute_id", None),
            ],
            evaluation_id,
        )

    @staticmethod
    def _status(status: str) -> Handler:
        def handler(session: Session, event: Any) -> None:
            pending(session).update(
                evaluations, {"id": str(event.originator_id)}, {"status": status}
            )

        return handler

    @staticmethod
    def _indicator(evaluation_id: str, code: str) -> Any:
        return and_(indicators.c.evaluation_id == evaluation_id, indicators.c.code == code)

    # ----------------------------------------------------------------- queries
    @staticmethod
    def _rows_of(session: Session, table: Any, evaluation_id: str, order: Any) -> Sequence[Any]:
        """One evaluation's rows of a read-model table, in the given order."""
        query = select(table).where(table.c.evaluation_id == evaluation_id).order_by(order)
        return session.execute(query).mappings().all()

    def _page_of(
        self, table: Any, where: Any, order: tuple[Any, ...], page: int, per_page: int
    ) -> tuple[Sequence[Any], int]:
        """One page of a table's matching rows, in order, and how many match in all."""
        with self.datastore.transaction(commit=False) as session:
            counted = session.execute(select(func.count()).select_from(table).where(where))
            total = int(counted.scalar() or 0)
            query = (
                select(table)
                .where(where)
                .order_by(*order)
                .offset((page - 1) * per_page)
                .limit(per_page)
            )
            return session.execute(query).mappings().all(), total

    def document(self, evaluation_id: str) -> dict[str, Any] | None:
        """The stored document; `integrity_problem` names why it fails its seal, if it does."""
        with self.datastore.transaction(commit=False) as session:
            document = self._assemble(session, evaluation_id)
            if document is None or self.key is None:
                return document
            problem = document_problem(session, self.key, evaluation_id, document, self.digests)
        return document if problem is None else {**document, "integrity_problem": problem}

    def _assemble(self, session: Session, evaluation_id: str) -> dict[str, Any] | None:
        head = (
            session.execute(select(evaluations).where(evaluations.c.id == evaluation_id))
            .mappings()
            .first()
        )
        if head is None:
            return None
        nodes = self._rows_of(session, indicators, evaluation_id, indicators.c.position)
        cuts = self._rows_of(session, deductions, evaluation_id, deductions.c.version)
        entries = self._rows_of(session, data_entries, evaluation_id, data_entries.c.version)
        parts = document_parts(session, evaluation_id)
        by_code: dict[str, list[dict[str, Any]]] = {}
        for d in cuts:
            by_code.setdefault(d["code"], []).append(
                {
                    "id": d["id"],
                    "points": d["points"],
                    "reason": d["reason"],
                    "status": d["status"],
                    "evidence": d["evidence"],
                }
            )
        return {
            **self._summary(head),
            "grade_bands": head["grade_bands"],
            "indicators": [
                _with_target(self._indicator_row(n, by_code.get(n["code"], [])), parts["targets"])
                for n in nodes
            ],
            "data_entries": [
                {k: e[k] for k in ("key", "value", "unit", "source", "version")} for e in entries
            ],
            "sign_offs": parts["sign_offs"],
            "required_sign_offs": parts["required_sign_offs"],
        }

    @staticmethod
    def _indicator_row(n: Any, cuts: list[dict[str, Any]]) -> dict[str, Any]:
        score = Decimal(n["score"]) if n["score"] is not None else None
        return {
            "code": n["code"],
            "parent": n["parent"],
            "name": n["name"],
            "level": n["level"],
            "weight": n["weight"],
            "method": n["method"],
            "explanation": n["explanation"],
            "criteria": n["criteria"],
            "score": n["score"],
            "rate": fmt(rate_percent(score, Decimal(n["weight"]))),
            "rule_score": n["rule_score"],
            "overridden": bool(n["overridden"]),
            "override_justification": n["override_justification"] if n["overridden"] else None,
            "note": n["note"],
            "survey_rates": survey_rates(n["method"], n["rates"]),
            "deductions": cuts,
        }

    @staticmethod
    def _summary(head: Any) -> dict[str, Any]:
        return {
            "id": head["id"],
            "title": head["title"],
            "subject": head["subject"],
            "fiscal_year": head["fiscal_year"],
            "kind": head["kind"],
            "evaluator": head["evaluator"],
            "status": head["status"],
            "version": head["version"],
            "total_weight": head["total_weight"],
            "total": head["total"],
            "grade": head["grade"],
            "created_at": iso(head["created_at"]),
            "updated_at": iso(head["updated_at"]),
        }

    def list_evaluations(
        self, filters: dict[str, Any], page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]:
        conditions = [
            getattr(evaluations.c, name) == value
            for name, value in filters.items()
            if value is not None
        ]
        where = and_(True, *conditions)
        order = (evaluations.c.created_at, evaluations.c.id)
        rows, count = self._page_of(evaluations, where, order, page, per_page)
        return [self._summary(r) for r in rows], count

    def history(
        self, evaluation_id: str, page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]:
        where = events.c.evaluation_id == evaluation_id
        rows, total = self._page_of(events, where, (events.c.version,), page, per_page)
        items = [
            {
                "version": r["version"],
                "type": r["type"],
                "recorded_at": iso(r["recorded_at"]),
                "actor": r["actor"],
                "role": r["role"],
                "correlation_id": r["correlation_id"],
                "data": r["data"],
            }
            for r in rows
        ]
        return items, total

    def indicator_history(
        self, evaluation_id: str, code: str, page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]:
        where = and_(
            indicator_history.c.evaluation_id == evaluation_id, indicator_history.c.code == code
        )
        order = (indicator_history.c.version,)
        rows, total = self._page_of(indicator_history, where, order, page, per_page)
        items = [
            {
                "version": r["version"],
                "recorded_at": iso(r["recorded_at"]),
                "actor": r["actor"],
                "role": r["role"],
                "type": r["type"],
                "cause_version": r["cause_version"],
                "score_before": r["score_before"],
                "score_after": r["score_after"],
                "rule_score": r["rule_score"],
                "overridden": bool(r["overridden"]),
                "reason": r["reason"],
                "dispute_id": r["dispute_id"],
            }
            for r in rows
        ]
        return items, total

    def version_at(self, evaluation_id: str, when: datetime) -> int | None:
        # the last event recorded at or before `when` (event times rise with the version):
        # one seek down the (evaluation_id, recorded_at, version) index, never a range scan
        with self.datastore.transaction(commit=False) as session:
            value = session.execute(
                select(events.c.version)
                .where(and_(events.c.evaluation_id == evaluation_id, events.c.recorded_at <= when))
                .order_by(events.c.recorded_at.desc(), events.c.version.desc())
                .limit(1)
            ).scalar()
        return int(value) if value is not None else None

    def find(self, title: str, subject: str, fiscal_year: int) -> str | None:
        with self.datastore.transaction(commit=False) as session:
            value = session.execute(
                select(evaluations.c.id)
                .where(
                    and_(
                        evaluations.c.title == title,
                        evaluations.c.subject == subject,
                        evaluations.c.fiscal_year == fiscal_year,
                    )
                )
                .limit(1)
            ).scalar()
        return str(value) if value is not None else None

    def iter_ids(self) -> Iterator[str]:
        with self.datastore.transaction(commit=False) as session:
            ids = list(
                session.execute(select(evaluations.c.id).order_by(evaluations.c.id)).scalars()
            )
        yield from ids


def _chain(first: Handler | None, then: Handler) -> Handler:
    if first is None:
        return then

    def both(session: Session, event: Any) -> None:
        first(session, event)
        then(session, event)

    return both


def _with_target(row: dict[str, Any], views: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A target leaf's row carries its `target` object (other rows carry none)."""
    view = views.get(row["code"])
    if view is not None:
        row["target"] = view
    return row
