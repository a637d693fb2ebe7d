"""The projection: read-model tables kept by the events, in the transaction that saves them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy import table as named_table
from sqlalchemy.orm import Session

from adapters.assembly import assemble
from adapters.batch_records import BatchRecords
from adapters.document_seals import seal_documents
from adapters.form_projection import form_handlers
from adapters.form_tables import FORM_TABLES
from adapters.history_tables import HISTORY_TABLES
from adapters.pending_writes import SESSION_KEY, pending
from adapters.review_projection import review_handlers
from adapters.review_tables import REVIEW_TABLES
from adapters.store import lock_table
from adapters.tables import (
    ITEM_COLUMNS,
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
from adapters.target_projection import target_handlers
from adapters.target_tables import TARGET_TABLES
from adapters.temporal_mirror import Statements
from application.documents import indicator_fields
from application.event_facts import (
    event_row,
    score_change,
    touched_indicator,
)
from application.ports import ActiveView
from domain.evaluation import event_class
from domain.framework import build_tree
from domain.ledger import DeductionStatus
from domain.state import Status
from domain.values import fmt

TRACKING_NAME = "read_models"
ALL_TABLES: tuple[Table, ...] = (*READ_MODEL_TABLES, *REVIEW_TABLES, *TARGET_TABLES)
ALL_TABLES += (*FORM_TABLES, *HISTORY_TABLES, tracking)
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
    "indicator",
    "reason",
    "cause",
)
HISTORY_COLUMNS = ("evaluation_id", "code", *ITEM_COLUMNS)  # the page reads items in this order


class SqlProjection:
    """Keeps the read-model tables equal to the events, in the transaction that saves them."""

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
        self.statements = Statements()  # the row writes' statements, made once each
        named: dict[str, Handler] = {
            "Created": self._created,
            "FrameworkDefined": self._framework_defined,
            "DataEntryRecorded": self._data_entry_recorded,
            "DeductionRecorded": self._deduction_recorded,
            "DeductionWithdrawn": self._deduction_withdrawn,
            "DeductionAmended": self._deduction_amended,
            "ScoreOverridden": self._score_overridden,
            "OverrideCleared": self._override_cleared,
            "ScoreChanged": self._score_changed,
            "Submitted": self._status(Status.SUBMITTED),
            "Finalized": self._status(Status.FINALIZED),
            "Reopened": self._status(Status.SUBMITTED),
            **review_handlers(),
        }
        # keyed by the event classes: a renamed event fails here instead of going unprojected
        self.handlers: dict[type, Handler] = {event_class(n): h for n, h in named.items()}
        # Handlers that only queue row writes; any other handler sees them flushed first.
        self.deferring: set[Handler] = {
            self._deduction_recorded,
            self._deduction_withdrawn,
            self._deduction_amended,
            self._score_overridden,
            self._override_cleared,
            self._score_changed,
            *(named[name] for name in ("Submitted", "Finalized", "Reopened")),
        }
        self.deferring |= {self._created, self._framework_defined, self._data_entry_recorded}
        self.deferring |= set(review_handlers().values())
        for kind, extra in {**target_handlers(), **form_handlers()}.items():
            # all of these only queue row writes; one that shares an event chains after
            self.handlers[kind] = _chain(self.handlers.get(kind), extra)
            self.deferring.add(self.handlers[kind])

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
        for table in ALL_TABLES:
            table.drop(self.datastore.engine, checkfirst=True)
        metadata.create_all(self.datastore.engine)

    # ------------------------------------------------------------- projection
    # Handlers queue their row writes (adapters.pending_writes): a batch sends them together.
    def project(
        self,
        batch: Sequence[tuple[int, Any]],
        documents: Mapping[str, ActiveView] | None = None,
    ) -> None:
        if not batch:
            return
        with self.datastore.transaction(commit=True) as session:
            writes = pending(session, self.statements, self.key)
            records = BatchRecords()
            try:
                for notification_id, event in batch:
                    writes.mirror.version = event.originator_version  # the rows' versions
                    handler = self.handlers.get(type(event))
                    if handler is not None and handler not in self.deferring:
                        writes.flush(session)  # a handler we know nothing about: play safe
                    self._record_event(session, records, notification_id, event)
                    if handler is not None:
                        handler(session, event)
                writes.flush(session)
            finally:
                session.info.pop(SESSION_KEY, None)
            if self.key is not None:
                touched = (str(event.originator_id) for _, event in batch)
                seal_documents(session, self.key, touched, assemble, documents)
            self._track(session, batch[-1][0])

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as session:
            if self.events_table and session.get_bind().dialect.name == "postgresql":
                # The lock writers take to append events: they wait until the rebuild has
                # committed, so none of their projections can land in half-rebuilt tables.
                lock_table(session.connection(), named_table(self.events_table))
            for table in ALL_TABLES:
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

    def _record_event(
        self, session: Session, records: BatchRecords, notification_id: int, event: Any
    ) -> None:
        evaluation_id = str(event.originator_id)
        records.note(type(event).__name__, evaluation_id, event)
        indicator = touched_indicator(event) or records.indicator_of(session, event)
        row = event_row(event, indicator)
        row.update(evaluation_id=evaluation_id, notification_id=notification_id)
        writes = pending(session)
        writes.append(events, EVENT_COLUMNS, [row[c] for c in EVENT_COLUMNS], evaluation_id)
        if row["type"] != "Created":
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
                "status": Status.DRAFT.value,
                "version": event.originator_version,
                "total_weight": fmt(event.total_weight),
                "total": None,
                "grade": None,
                "grade_bands": event.grade_bands,
                "created_at": event.timestamp,
                "updated_at": event.timestamp,
                "time_zone": getattr(event, "time_zone", None),
                "target_rules": getattr(event, "target_rules", None),
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
                    **indicator_fields(node),
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
                "status": DeductionStatus.ACTIVE.value,
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
            {"status": DeductionStatus.WITHDRAWN.value, "withdrawal_reason": event.reason},
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
        change = score_change(event)
        if change is None:
            return  # only the note changed: not a change of score
        values = [evaluation_id, event.code, *(change[c] for c in ITEM_COLUMNS)]
        writes.append(indicator_history, HISTORY_COLUMNS, values, evaluation_id)

    @staticmethod
    def _status(status: str) -> Handler:
        def handler(session: Session, event: Any) -> None:
            pending(session).update(
                evaluations, {"id": str(event.originator_id)}, {"status": status}
            )

        return handler


def _chain(first: Handler | None, then: Handler) -> Handler:
    if first is None:
        return then

    def both(session: Session, event: Any) -> None:
        first(session, event)
        then(session, event)

    return both
