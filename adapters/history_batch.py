"""Rows as they held at a version, closed ranges and current rows: per table, or all at once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Text, bindparam, cast, func, literal, select, true, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.sql.selectable import CompoundSelect

from adapters.history_tables import MIRRORED, Mirrored, json_row
from adapters.interval_tree import OPEN, path

Fetched = dict[str, list[dict[str, Any]]]


def range_columns(table: Any, spec: Mirrored) -> list[Any]:
    """What a row read at a version carries: its values, range and seal."""
    return [*(table.c[c] for c in spec.columns), table.c.lower, table.c.upper, table.c.seal]


def current_rows(spec: Mirrored, partitioned: bool) -> Any:
    """The evaluation's current rows, each an open range [since, OPEN]: all of them, whether
    or not they held yet at the version (the reader checks every one's seal, `since` too)."""
    s = spec.source
    same = [s.c[c] == bindparam(c) for c in spec.partition] if partitioned else []
    columns = [*(s.c[c] for c in spec.columns), s.c.since.label("lower")]
    columns += [literal(OPEN, Integer).label("upper"), s.c.seal]
    return select(*columns).where(s.c[spec.evaluation] == bindparam("evaluation_id"), *same)


def _held(spec: Mirrored, partitioned: bool) -> CompoundSelect:
    """The range query over the interval tree (adapters.interval_tree), made once per table
    with bound parameters: nodes at or above the version on its path (`up`) with lower <=
    version, nodes below it (`down`) with upper >= version, each node an index seek (its
    cost follows the rows that held then, not how many ever did); and the current rows."""
    h = spec.history
    same = [h.c[c] == bindparam(c) for c in spec.partition] if partitioned else []

    def branch(nodes: str, bound: Any) -> Any:
        where = [h.c[spec.evaluation] == bindparam("evaluation_id"), *same, bound]
        nodes_in = h.c.node.in_(bindparam(nodes, expanding=True))
        return select(*range_columns(h, spec)).where(nodes_in, *where)

    version: Any = bindparam("version")
    closed = (branch("up", h.c.lower <= version), branch("down", h.c.upper >= version))
    return union_all(*closed, current_rows(spec, partitioned))


# per source table: its range query over all rows, and over one partition (if it has one)
HELD = {
    spec.source: (_held(spec, False), _held(spec, True) if spec.partition else None)
    for spec in MIRRORED
}


def held_query(
    spec: Mirrored, evaluation_id: str, version: int, partition: dict[str, Any] | None = None
) -> tuple[CompoundSelect, dict[str, Any]]:
    """The closed rows holding at `version` and the current rows (with the `partition`
    values): the statement and its parameters."""
    every, partitioned = HELD[spec.source]
    statement = partitioned if partition and partitioned is not None else every
    return statement, held_parameters(evaluation_id, version, partition)


def held_parameters(
    evaluation_id: str, version: int, partition: dict[str, Any] | None = None
) -> dict[str, Any]:
    up, down = path(version)
    # node 0 holds no interval: it stands in for an empty side
    params = {"evaluation_id": evaluation_id, "version": version, "up": up, "down": down or [0]}
    return {**params, **(partition or {})}


def _seeks(spec: Mirrored, partitioned: bool) -> Any:
    """`_held` for PostgreSQL: the path's nodes joined to a seek each (unnest, LATERAL).
    Given `node = ANY(...)` instead, a planner without statistics of the table ranges over
    the evaluation's whole history and filters by node: a cost that grows with it."""
    h = spec.history
    same = [h.c[c] == bindparam(c) for c in spec.partition] if partitioned else []
    version: Any = bindparam("version")
    sides = []
    for nodes, bound in (("up", h.c.lower <= version), ("down", h.c.upper >= version)):
        path = func.unnest(bindparam(nodes, type_=ARRAY(Integer))).table_valued("n")
        path = path.render_derived(name="path")
        seek = (
            select(*range_columns(h, spec))
            .where(h.c[spec.evaluation] == bindparam("evaluation_id"), *same)
            .where(h.c.node == path.c.n, bound)
            .offset(0)  # kept a subquery: one index seek per node
            .lateral()
        )
        sides.append(select(*seek.c).select_from(path).join(seek, true()))
    return union_all(*sides, current_rows(spec, partitioned))


def _all_tables(everything: bool) -> Any:
    parts = []
    for spec in MIRRORED:
        rows = _seeks(spec, bool(spec.partition) and not everything).subquery()
        row = cast(func.to_json(rows.table_valued()), Text)
        parts.append(select(literal(spec.source.name, Text).label("tag"), row.label("row")))
    return union_all(*parts)


# every table's range query in one statement: all deductions, or the active ones
ALL_TABLES = {everything: _all_tables(everything) for everything in (False, True)}


def fetch_all(
    connection: Connection, evaluation_id: str, version: int, everything: bool
) -> Fetched:
    """Each source table's rows as they held at `version` (by table name), as `held_query`
    gives them, in one statement: one round trip instead of one per table. Each row travels
    as JSON text (`to_json` of the row, PostgreSQL), so that tables of different columns
    share one result; `json_row` gives the values back as the per-table query would."""
    params = held_parameters(evaluation_id, version, None if everything else {"status": "active"})
    fetched: Fetched = {spec.source.name: [] for spec in MIRRORED}
    by_name = {spec.source.name: spec for spec in MIRRORED}
    for tag, text in connection.execute(ALL_TABLES[everything], params):
        fetched[tag].append(json_row(by_name[tag], text))
    return fetched
