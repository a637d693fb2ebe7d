"""Rebuild every read model from the events in a scratch database and compare with the live rows;
compare documents at sampled past versions from the temporal read model with replayed ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import Table, select

from adapters.history_tables import HISTORY_TABLES
from adapters.projection import SqlProjection
from adapters.queries import SqlEvaluationQueries
from adapters.tables import READ_MODEL_TABLES, evaluations, metadata
from application.reading import iter_notifications
from application.service import EvaluationService

Difference = dict[str, Any]
Rows = dict[str, dict[tuple[Any, ...], dict[str, Any]]]
COMPARED_TABLES = (*READ_MODEL_TABLES, *HISTORY_TABLES)
# Past versions per evaluation whose temporal document is checked against a replay (besides
# the first and the last).
SAMPLED_VERSIONS = 8


def read_model_differences(
    service: EvaluationService,
    progress: Callable[[int, int], None] | None = None,
    samples: int = SAMPLED_VERSIONS,
) -> list[Difference]:
    """Every live read-model row that a replay of the events would not produce, and vice
    versa; then every field in which a document at a sampled version (the first, the last,
    and `samples` spread between) differs between the temporal read model and a replay."""
    live_model = service.projection
    assert isinstance(live_model, SqlProjection)
    live, position = _snapshot(live_model)
    differences: list[Difference] = []
    last = service.store.recorder.max_notification_id() or 0
    if position != last:
        key = {"name": "read_models"}
        differences.append(_difference("rm_tracking", key, "position", position, last))
    scratch = SqlProjection(SQLAlchemyDatastore(url="sqlite:///:memory:"), key=live_model.key)
    assert scratch.datastore.engine is not None
    metadata.create_all(scratch.datastore.engine)
    done = 0
    # batch by batch: the live store and the scratch database never share a transaction
    for batch in iter_notifications(service.store, position):
        scratch.project(batch)
        done += len(batch)
        if progress:
            progress(done, position)
    replayed, _ = _snapshot(scratch)
    for table in COMPARED_TABLES:
        differences.extend(_compare(table, live[table.name], replayed[table.name]))
    differences.extend(temporal_differences(service, samples))
    return differences


def temporal_differences(service: EvaluationService, samples: int) -> list[Difference]:
    """Documents at sampled versions, temporal read model against a replay of the events."""
    queries = service.queries
    assert isinstance(queries, SqlEvaluationQueries)
    with queries.datastore.transaction(commit=False) as session:
        heads = session.execute(select(evaluations.c.id, evaluations.c.version)).all()
    found: list[Difference] = []
    for evaluation_id, latest in sorted(heads):
        for version in sampled_versions(latest, samples):
            for view in ("active", "all"):
                temporal = queries.document_at(evaluation_id, version, view)
                replayed = service.replayed_document_at(evaluation_id, version, view)
                key = {"evaluation_id": evaluation_id, "version": version, "deductions": view}
                if temporal is None:
                    found.append(_document_difference(key, None, "no document", "a document"))
                    continue
                problem = temporal.get("integrity_problem")
                if problem is not None:  # a row it would be made of fails its seal
                    found.append(_document_difference(key, "integrity_problem", problem, None))
                    continue
                for field in sorted(temporal.keys() | replayed.keys()):
                    if temporal.get(field) != replayed.get(field):
                        found.append(
                            _document_difference(
                                key, field, temporal.get(field), replayed.get(field)
                            )
                        )
    return found


def sampled_versions(latest: int, samples: int) -> list[int]:
    """The first and the last version and `samples` spread evenly between them."""
    if latest < 1:
        return []
    spread = {1 + (latest - 1) * n // (samples + 1) for n in range(1, samples + 1)}
    return sorted({1, latest} | spread)


def _difference(
    table: str, key: dict[str, Any], column: str | None, live: Any, replayed: Any
) -> Difference:
    return {"table": table, "key": key, "column": column, "live": live, "replayed": replayed}


def _document_difference(
    key: dict[str, Any], field: str | None, live: Any, replayed: Any
) -> Difference:
    return _difference("temporal document", key, field, live, replayed)


def _snapshot(model: SqlProjection) -> tuple[Rows, int]:
    """Every read-model row by primary key, and the position, read in one transaction."""
    rows: Rows = {}
    with model.datastore.transaction(commit=False) as session:
        position = model.position()
        for table in COMPARED_TABLES:
            keys = [c.name for c in table.primary_key.columns]
            rows[table.name] = {
                tuple(r[k] for k in keys): dict(r)
                for r in session.execute(select(table)).mappings()
            }
    return rows, position


def _compare(
    table: Table,
    live: dict[tuple[Any, ...], dict[str, Any]],
    replayed: dict[tuple[Any, ...], dict[str, Any]],
) -> list[Difference]:
    keys = [c.name for c in table.primary_key.columns]
    found: list[Difference] = []
    for key in sorted(live.keys() | replayed.keys(), key=repr):
        named = dict(zip(keys, key, strict=True))
        if key not in replayed or key not in live:
            there = ("row present", "no such row")
            found.append(
                _difference(table.name, named, None, *(there if key in live else there[::-1]))
            )
            continue
        for column, value in live[key].items():
            if value != replayed[key][column]:
                found.append(_difference(table.name, named, column, value, replayed[key][column]))
    return found
