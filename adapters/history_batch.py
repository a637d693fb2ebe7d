"""On PostgreSQL, every history table's rows at a version in one statement: one round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from adapters.history_tables import MIRRORED, Mirrored
from adapters.interval_tree import path
from adapters.tables import UTCDateTime, deductions, evaluations, events

Fetched = dict[str, list[dict[str, Any]]]
_STATEMENTS: dict[bool, str] = {}


def fetch_at(
    connection: Connection, evaluation_id: str, version: int, everything: bool
) -> tuple[int | None, datetime | None, Fetched]:
    """The version the read model reached, the time of `version`, and each source table's
    rows as they held at `version` (by table name), as the per-table queries give them.

    Each row travels as JSON text (`row_to_json`), so that tables of different columns
    share one result; the values come back as the driver would have given them.
    """
    params = batch_parameters(evaluation_id, version, everything)
    reached: int | None = None
    moment: datetime | None = None
    fetched: Fetched = {spec.source.name: [] for spec in MIRRORED}
    for tag, text in connection.exec_driver_sql(batch_statement(everything), params):
        value = json.loads(text)
        if tag == "":
            reached, recorded = value
            moment = None if recorded is None else _utc(recorded)
            continue
        for name in ("lower", "upper", "node"):
            del value[name]
        fetched[tag].append(value)
    for spec in MIRRORED:
        times = [c for c in spec.columns if isinstance(spec.history.c[c].type, UTCDateTime)]
        for row in fetched[spec.source.name]:
            for name in times:
                if row[name] is not None:
                    row[name] = _utc(row[name])
    return reached, moment, fetched


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _partition(spec: Mirrored, everything: bool) -> dict[str, Any] | None:
    return None if everything or spec.source is not deductions else {"status": "active"}


def batch_parameters(evaluation_id: str, version: int, everything: bool) -> tuple[Any, ...]:
    """The statement's parameters: the path's nodes as two arrays per table."""
    at_or_above, below = path(version)
    params: list[Any] = [evaluation_id, evaluation_id, version]
    for spec in MIRRORED:
        same = list((_partition(spec, everything) or {}).values())
        params += [evaluation_id, at_or_above, *same, version]
        params += [evaluation_id, below, *same, version]
    return tuple(params)


def batch_statement(everything: bool) -> str:
    """The one statement: the version reached and the time, then each table's range query
    (nodes at or above the version with lower <= it, nodes below with upper >= it)."""
    sql = _STATEMENTS.get(everything)
    if sql is None:
        parts = [
            "SELECT '', json_build_array("
            f"(SELECT version FROM {evaluations.name} WHERE id = %s), "
            f"(SELECT recorded_at FROM {events.name} WHERE evaluation_id = %s AND version = %s)"
            ")::text"
        ]
        for spec in MIRRORED:
            same = "".join(f" AND {c} = %s" for c in _partition(spec, everything) or ())
            where = f"WHERE {spec.evaluation} = %s AND node = ANY(%s){same}"
            held = (
                f"SELECT * FROM {spec.history.name} {where} AND lower <= %s UNION ALL "
                f"SELECT * FROM {spec.history.name} {where} AND upper >= %s"
            )
            parts.append(f"SELECT '{spec.source.name}', row_to_json(x)::text FROM ({held}) x")
        sql = _STATEMENTS[everything] = " UNION ALL ".join(parts)
    return sql
