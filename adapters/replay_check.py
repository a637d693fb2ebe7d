"""Rebuild every read model from the events in a scratch database and compare with the live rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import Table, select

from adapters.projection import SqlProjection
from adapters.tables import READ_MODEL_TABLES, metadata
from application.service import EvaluationService, iter_notifications

Difference = dict[str, Any]
Rows = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


def read_model_differences(
    service: EvaluationService, progress: Callable[[int, int], None] | None = None
) -> list[Difference]:
    """Every live read-model row that a replay of the events would not produce, and vice versa."""
    live_model = service.projection
    assert isinstance(live_model, SqlProjection)
    live, position = _snapshot(live_model)
    differences: list[Difference] = []
    last = service.store.recorder.max_notification_id() or 0
    if position != last:
        differences.append(
            {
                "table": "rm_tracking",
                "key": {"name": "read_models"},
                "column": "position",
                "live": position,
                "replayed": last,
            }
        )
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
    for table in READ_MODEL_TABLES:
        differences.extend(_compare(table, live[table.name], replayed[table.name]))
    return differences


def _snapshot(model: SqlProjection) -> tuple[Rows, int]:
    """Every read-model row by primary key, and the position, read in one transaction."""
    rows: Rows = {}
    with model.datastore.transaction(commit=False) as session:
        position = model.position()
        for table in READ_MODEL_TABLES:
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
        if key not in replayed:
            found.append(
                {
                    "table": table.name,
                    "key": named,
                    "column": None,
                    "live": "row present",
                    "replayed": "no such row",
                }
            )
            continue
        if key not in live:
            found.append(
                {
                    "table": table.name,
                    "key": named,
                    "column": None,
                    "live": "no such row",
                    "replayed": "row present",
                }
            )
            continue
        for column, value in live[key].items():
            if value != replayed[key][column]:
                found.append(
                    {
                        "table": table.name,
                        "key": named,
                        "column": column,
                        "live": value,
                        "replayed": replayed[key][column],
                    }
                )
    return found
