"""Big stores, fast: clone one real evaluation's stored events and read-model rows in bulk.

A template evaluation is recorded through the service (the reference case grown to 100
events). Its stored events are then inserted again, in large multi-row batches straight
into the recorder's table, under fresh aggregate ids; deduction ids inside the event state
are replaced so every clone stays valid (a rebuild can project it). The matching read-model
rows are cloned the same way, history tables included, so the events table and the
read-model tables are all big; each cloned row of a document table is sealed again (its seal
covers its evaluation's id).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.engine import Engine

from adapters import tables
from adapters.history_tables import BY_SOURCE
from application.documents import active_view
from application.seals import canonical, row_seal, text_seal
from application.service import EvaluationService
from benchmarks.common import extend_history, load_reference
from domain.evaluation import Evaluation

TEMPLATE_EVENTS = 100
BATCH_ROWS = 20_000
# Read-model tables keyed by evaluation, in the order rows are cloned.
CLONED_TABLES = (
    tables.evaluations,
    tables.indicators,
    tables.deductions,
    tables.data_entries,
    tables.events,
    tables.indicator_history,
    tables.document_seals,
    *(BY_SOURCE[t].history for t in (tables.evaluations, tables.indicators)),
    *(BY_SOURCE[t].history for t in (tables.deductions, tables.data_entries)),
)
# the cloned document tables, current and history, by name: (its rows' spec, current or not)
SEALED = {
    **{t.name: (BY_SOURCE[t], True) for t in CLONED_TABLES if t in BY_SOURCE},
    **{s.history.name: (s, False) for s in BY_SOURCE.values() if s.history in CLONED_TABLES},
}


@dataclass
class Template:
    """One recorded evaluation: its stored events, and its read-model rows per table."""

    evaluation_id: str
    events: list[dict[str, Any]]
    # per event: the deduction ids (as bytes) its state mentions
    event_deductions: list[list[bytes]]
    deduction_ids: list[str]
    rows: dict[str, list[dict[str, Any]]]
    # the read-model document as served, and the key that seals it (clones are sealed alike)
    document: dict[str, Any] | None = None
    key: bytes | None = None


def engine_of(service: EvaluationService) -> Engine:
    engine = service.store.factory.datastore.engine  # type: ignore[attr-defined]
    assert isinstance(engine, Engine)
    return engine


def events_table(service: EvaluationService) -> Table:
    table = service.store.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def evaluation_key(table: Table) -> Any:
    """The column naming the evaluation a read-model row belongs to."""
    return table.c.evaluation_id if "evaluation_id" in table.c else table.c.id


def make_template(service: EvaluationService, events: int = TEMPLATE_EVENTS) -> Template:
    """Record the reference case, grow it to `events` events, and read everything back."""
    (evaluation_id,) = load_reference(service)
    extend_history(service, evaluation_id, events)
    key = uuid.UUID(evaluation_id)
    stored = service.store.recorder.select_events(key)
    evaluation: Evaluation = service.store.repository.get(key)
    deduction_ids = list(evaluation.deductions)
    event_rows: list[dict[str, Any]] = [
        {"originator_version": e.originator_version, "topic": e.topic, "state": bytes(e.state)}
        for e in stored
    ]
    mentions = [[d.encode() for d in deduction_ids if d.encode() in r["state"]] for r in event_rows]
    rows: dict[str, list[dict[str, Any]]] = {}
    with engine_of(service).connect() as connection:
        for table in CLONED_TABLES:
            rows[table.name] = [
                dict(r)
                for r in connection.execute(
                    select(table).where(evaluation_key(table) == evaluation_id)
                ).mappings()
            ]
    key = getattr(service.queries, "key", None)
    document = service.queries.document(evaluation_id)
    return Template(evaluation_id, event_rows, mentions, deduction_ids, rows, document, key)


def clone(
    service: EvaluationService, template: Template, copies: int, read_models: bool = True
) -> dict[str, Any]:
    """Insert `copies` clones of the template; returns counts and how long it took.

    Rows go through the driver's executemany with values converted for the database once
    per template row (only ids and the few states naming a deduction change per clone):
    going through SQLAlchemy's per-row parameter processing would take several times longer.
    """
    engine = engine_of(service)
    table = events_table(service)
    start = time.perf_counter()
    with engine.begin() as connection:
        first_id = int(connection.execute(select(func.max(table.c.id))).scalar() or 0) + 1
    writer = BulkWriter(engine.dialect, table, template, read_models)
    next_id = first_id
    done = 0
    per_batch = max(1, BATCH_ROWS // len(template.events))
    while done < copies:
        count = min(per_batch, copies - done)
        batch = writer.rows(count, next_id)
        with engine.begin() as connection:
            for (statement, copy), rows in batch:
                if not rows:
                    continue
                if engine.dialect.name == "postgresql":
                    # COPY is several times faster than even pipelined executemany
                    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                    with cursor.copy(copy) as stream:
                        for row in rows:
                            stream.write_row(row)
                else:
                    connection.exec_driver_sql(statement, rows)
        next_id += count * len(template.events)
        done += count
    with engine.begin() as connection:
        last_id = int(connection.execute(select(func.max(table.c.id))).scalar() or 0)
        if read_models:
            connection.execute(update(tables.tracking).values(position=last_id))
    settle(engine)
    return {
        "copies": copies,
        "events": copies * len(template.events),
        "seconds": time.perf_counter() - start,
        "last_notification_id": last_id,
        "a_clone": writer.last_clone,
    }


def settle(engine: Engine) -> None:
    """What a database does on its own soon after a bulk load: fold SQLite's write-ahead log
    back into the file, refresh planner statistics. Without it the first reads after a load
    measure the load, not the store's size."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.exec_driver_sql("ANALYZE")
    elif engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


class BulkWriter:
    """Rows of clones as the driver takes them, with per-clone values put in their slots."""

    def __init__(self, dialect: Any, events: Table, template: Template, read_models: bool) -> None:
        self.dialect = dialect
        self.template = template
        self.events = events
        self.tables = [events, *(CLONED_TABLES if read_models else ())]
        self.statements = {t.name: self._statement(t) for t in self.tables}
        self.processors = {
            t.name: [
                c.type.dialect_impl(dialect).bind_processor(dialect)
                for c in t.columns
                if c.name != "id"
            ]
            if t is events
            else [c.type.dialect_impl(dialect).bind_processor(dialect) for c in t.columns]
            for t in self.tables
        }
        self.columns = {
            t.name: [c.name for c in t.columns if not (t is events and c.name == "id")]
            for t in self.tables
        }
        self.stored = [self._process(events.name, row) for row in template.events]
        self.last_clone: str | None = None
        self.read_rows = {
            t.name: [self._process(t.name, row) for row in template.rows[t.name]]
            for t in self.tables[1:]
        }

    def _statement(self, table: Table) -> tuple[str, str]:
        preparer = self.dialect.identifier_preparer
        names = [c.name for c in table.columns if not (table is self.events and c.name == "id")]
        mark = "?" if self.dialect.paramstyle == "qmark" else "%s"
        columns = ", ".join(preparer.quote(n) for n in names)
        insert = (
            f"INSERT INTO {preparer.format_table(table)} ({columns}) "
            f"VALUES ({', '.join([mark] * len(names))})"
        )
        return insert, f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN"

    def _process(self, name: str, row: dict[str, Any]) -> list[Any]:
        values = []
        for column, processor in zip(self.columns[name], self.processors[name], strict=True):
            value = row.get(column)
            values.append(processor(value) if processor and value is not None else value)
        return values

    def _value(self, name: str, column: str, value: Any) -> Any:
        processor = self.processors[name][self.columns[name].index(column)]
        return processor(value) if processor and value is not None else value

    def rows(
        self, copies: int, first_id: int
    ) -> list[tuple[tuple[str, str], list[tuple[Any, ...]]]]:
        t = self.template
        events_name = self.events.name
        out: dict[str, list[tuple[Any, ...]]] = {name: [] for name in self.statements}
        at = {name: self.columns[name] for name in self.statements}
        origin = at[events_name].index("originator_id")
        state_at = at[events_name].index("state")
        next_id = first_id
        for _ in range(copies):
            new_id = uuid.uuid4()
            text_id = self.last_clone = str(new_id)
            origin_value = self._value(events_name, "originator_id", new_id)
            renamed = {d: str(uuid.uuid4()) for d in t.deduction_ids}
            raw = {d.encode(): n.encode() for d, n in renamed.items()}
            for values, event, mentions in zip(
                self.stored, t.events, t.event_deductions, strict=True
            ):
                row = list(values)
                row[origin] = origin_value
                if mentions:
                    state = event["state"]
                    for old in mentions:
                        state = state.replace(old, raw[old])
                    row[state_at] = self._value(events_name, "state", state)
                out[events_name].append(tuple(row))
            for name, rows in self.read_rows.items():
                self._clone_rows(name, rows, out[name], text_id, renamed, next_id)
            next_id += len(t.events)
        return [(self.statements[name], rows) for name, rows in out.items()]

    def _sealed_text(self, evaluation_id: str, renamed: dict[str, str]) -> tuple[str, str] | None:
        """The clone's stored document text and its seal: the template's, ids replaced."""
        t = self.template
        if t.document is None or t.key is None:
            return None
        standing, withdrawn = active_view(t.document)
        text = canonical(standing).decode("utf-8").replace(t.evaluation_id, evaluation_id)
        for old, new in renamed.items():
            text = text.replace(old, new)
        return text, text_seal(t.key, evaluation_id, text.encode("utf-8"), withdrawn)

    def _clone_rows(
        self,
        name: str,
        rows: list[list[Any]],
        out: list[tuple[Any, ...]],
        evaluation_id: str,
        renamed: dict[str, str],
        first_notification: int,
    ) -> None:
        columns = self.columns[name]
        key_at = columns.index("evaluation_id" if "evaluation_id" in columns else "id")
        originals = self.template.rows[name]
        for values, original in zip(rows, originals, strict=True):
            row = list(values)
            row[key_at] = evaluation_id
            if name in (tables.deductions.name, BY_SOURCE[tables.deductions].history.name):
                row[columns.index("id")] = renamed[original["id"]]
            elif name == tables.document_seals.name:
                sealed = self._sealed_text(evaluation_id, renamed)
                if sealed is not None:
                    row[columns.index("text")], row[columns.index("seal")] = sealed
            elif name == tables.events.name:
                row[columns.index("notification_id")] = first_notification + original["version"] - 1
                deduction_id = (original["data"] or {}).get("deduction_id")
                if deduction_id in renamed:
                    data = {**original["data"], "deduction_id": renamed[deduction_id]}
                    row[columns.index("data")] = self._value(name, "data", data)
            if name in SEALED and self.template.key is not None:
                row[columns.index("seal")] = self._row_seal(name, original, evaluation_id, renamed)
            out.append(tuple(row))

    def _row_seal(
        self, name: str, original: dict[str, Any], evaluation_id: str, renamed: dict[str, str]
    ) -> str:
        """The seal of a cloned document row: the template row's, its ids replaced."""
        spec, current = SEALED[name]
        values = {c: original[c] for c in spec.columns}
        values[spec.evaluation] = evaluation_id
        if spec.source is tables.deductions:
            values["id"] = renamed[original["id"]]
        lower, upper = (
            (original["since"], None) if current else (original["lower"], original["upper"])
        )
        assert self.template.key is not None
        return row_seal(self.template.key, name, lower, upper, values)
