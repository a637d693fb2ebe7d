"""Rows of the history tables as they held at a version: per table, or (PostgreSQL) all at once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text, cast, func, literal, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.sql.selectable import CompoundSelect

from adapters.history_tables import MIRRORED, Mirrored, json_row
from adapters.interval_tree import path
from adapters.tables import deductions

Fetched = dict[str, list[dict[str, Any]]]


def held_query(
    spec: Mirrored, evaluation_id: str, version: int, partition: dict[str, Any] | None = None
) -> CompoundSelect:
    """Rows of the history table holding at `version`, by the interval tree
    (adapters.interval_tree): nodes at or above it on its path with lower <= version, nodes
    below it with upper >= version, each node an index seek. Its cost follows the rows that
    held then, not how many ever did."""
    h = spec.history
    at_or_above, below = path(version)
    same = [h.c[c] == v for c, v in (partition or {}).items()]

    def branch(nodes: list[int], bound: Any) -> Any:
        # node 0 holds no interval: it stands in for an empty side
        where = [h.c[spec.evaluation] == evaluation_id, h.c.node.in_(nodes or [0]), *same]
        return select(*(h.c[c] for c in spec.columns)).where(*where, bound)

    return union_all(branch(at_or_above, h.c.lower <= version), branch(below, h.c.upper >= version))


def partition_of(spec: Mirrored, everything: bool) -> dict[str, Any] | None:
    """Which rows of the table a document reads: the active deductions, unless all asked."""
    return None if everything or spec.source is not deductions else {"status": "active"}


def fetch_all(
    connection: Connection, evaluation_id: str, version: int, everything: bool
) -> Fetched:
    """Each source table's rows as they held at `version` (by table name), as `held_query`
    gives them, in one statement: one round trip instead of one per table. Each row travels
    as JSON text (`to_json` of the row, PostgreSQL), so that tables of different columns share one
    result; `json_row` gives the values back as the per-table query would."""
    parts = []
    for spec in MIRRORED:
        rows = held_query(spec, evaluation_id, version, partition_of(spec, everything)).subquery()
        row = cast(func.to_json(rows.table_valued()), Text)
        parts.append(select(literal(spec.source.name).label("tag"), row.label("row")))
    fetched: Fetched = {spec.source.name: [] for spec in MIRRORED}
    by_name = {spec.source.name: spec for spec in MIRRORED}
    for tag, text in connection.execute(union_all(*parts)):
        fetched[tag].append(json_row(by_name[tag], text))
    return fetched
