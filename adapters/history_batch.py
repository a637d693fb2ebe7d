"""On PostgreSQL, a past document's version and every history table's rows in one statement."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from adapters.history_tables import MIRRORED, Mirrored, json_row, utc
from adapters.interval_tree import LEVELS
from adapters.pending_writes import as_sqlalchemy_error
from adapters.tables import deductions, evaluations, events

Fetched = dict[str, list[dict[str, Any]]]
_STATEMENTS: dict[bool, str] = {}


def fetch_at(
    connection: Connection,
    evaluation_id: str,
    version: int | None,
    everything: bool,
    as_of: datetime | None = None,
) -> tuple[int | None, int | None, datetime | None, Fetched]:
    """The version asked (`version`, or the last one recorded at or before `as_of`, the
    earlier of the two when both are given; None when nothing was recorded by then), the
    version the read model reached, the time of the version asked, and each source
    table's rows as they held at it (by table name), as the per-table queries give them.

    Each row travels as JSON text (`row_to_json`), so that tables of different columns
    share one result; the values come back as the driver would have given them.
    On a psycopg connection the statement is prepared on its first use on the connection:
    each later read skips parsing and, once the server keeps a generic plan, planning.
    """
    sql = batch_statement(everything)
    params = batch_parameters(evaluation_id, version, everything, as_of)
    driver: Any = connection.connection.driver_connection
    if hasattr(driver, "prepare_threshold"):  # psycopg 3
        dbapi: Any = connection.dialect.loaded_dbapi
        try:
            result: Any = driver.execute(sql, params, prepare=True).fetchall()
        except dbapi.Error as error:
            raise as_sqlalchemy_error(connection, sql, params, error) from error
    else:
        result = connection.exec_driver_sql(sql, params)
    asked: int | None = None
    reached: int | None = None
    moment: datetime | None = None
    fetched: Fetched = {spec.source.name: [] for spec in MIRRORED}
    by_name = {spec.source.name: spec for spec in MIRRORED}
    for tag, text in result:
        if tag == "":
            asked, reached, recorded = json.loads(text)
            moment = None if recorded is None else utc(recorded)
            continue
        value = json_row(by_name[tag], text)
        for name in ("lower", "upper", "node"):
            del value[name]
        fetched[tag].append(value)
    return asked, reached, moment, fetched


def _partition(spec: Mirrored, everything: bool) -> dict[str, Any] | None:
    return None if everything or spec.source is not deductions else {"status": "active"}


def batch_parameters(
    evaluation_id: str, version: int | None, everything: bool, as_of: datetime | None = None
) -> dict[str, Any]:
    """The statement's parameters, by name (each used as often as the statement needs)."""
    if as_of is not None and as_of.tzinfo is not None:  # stored as naive UTC
        as_of = as_of.astimezone(UTC).replace(tzinfo=None)
    params: dict[str, Any] = {"id": evaluation_id, "version": version, "as_of": as_of}
    for spec in MIRRORED:
        for name, value in (_partition(spec, everything) or {}).items():
            params[name] = value
    return params


def batch_statement(everything: bool) -> str:
    """The one statement. The version asked, then its path through the interval tree
    (adapters.interval_tree.path, computed by the server as the client would), then
    the version reached and the time, then each table's range query: nodes at or
    above the version with lower <= it, nodes below with upper >= it."""
    sql = _STATEMENTS.get(everything)
    if sql is None:
        asked = (
            "SELECT CASE WHEN %(as_of)s::timestamp IS NULL THEN %(version)s::integer ELSE ("
            f"SELECT LEAST(version, %(version)s::integer) FROM {events.name} "
            "WHERE evaluation_id = %(id)s AND recorded_at <= %(as_of)s::timestamp "
            "ORDER BY recorded_at DESC, version DESC LIMIT 1) END AS v"
        )
        nodes = (
            "SELECT v, array_agg(n) FILTER (WHERE n >= v) AS up, "
            "array_agg(n) FILTER (WHERE n < v) AS down FROM asked, LATERAL ("
            "SELECT ((v >> (k + 1)) << (k + 1)) | (1 << k) AS n "
            f"FROM generate_series(0, {LEVELS - 1}) AS k) AS path GROUP BY v"
        )
        parts = [
            "SELECT '', json_build_array((SELECT v FROM asked), "
            f"(SELECT version FROM {evaluations.name} WHERE id = %(id)s), "
            f"(SELECT recorded_at FROM {events.name} WHERE evaluation_id = %(id)s "
            "AND version = (SELECT v FROM asked)))::text"
        ]
        for spec in MIRRORED:
            same = "".join(f" AND {c} = %({c})s" for c in _partition(spec, everything) or ())
            # one index seek per node of the path (a join with the nodes, not `node = ANY`:
            # given that, the planner may range over the whole evaluation and filter)
            seek = f"SELECT * FROM {spec.history.name} WHERE {spec.evaluation} = %(id)s{same}"
            for side, bound in (("up", "lower <="), ("down", "upper >=")):
                parts.append(
                    f"SELECT '{spec.source.name}', row_to_json(h)::text "
                    f"FROM tree, unnest(tree.{side}) AS path(n), "
                    f"LATERAL ({seek} AND node = path.n AND {bound} tree.v OFFSET 0) AS h"
                )
        sql = _STATEMENTS[everything] = (
            f"WITH asked AS MATERIALIZED ({asked}), tree AS MATERIALIZED ({nodes}) "
            + " UNION ALL ".join(parts)
        )
    return sql
