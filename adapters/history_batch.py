"""Rows as they held at a version, closed ranges and current rows: every table's at once."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Integer,
    Text,
    bindparam,
    cast,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.selectable import CompoundSelect

from adapters.history_tables import BY_NAME, MIRRORED, Mirrored, Stored, json_row, span
from adapters.interval_tree import LEVELS, OPEN, path

Fetched = dict[str, list[Stored]]


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
    """SQLite's range query, over the interval tree (adapters.interval_tree), made once per
    table with bound parameters: nodes at or above the version on its path (`up`) with lower <=
    version, nodes below it (`down`) with upper >= version, each node an index seek (its
    cost follows the rows that held then, not how many ever did); and the current rows."""
    h = spec.history
    same = [h.c[c] == bindparam(c) for c in spec.partition] if partitioned else []

    def branch(nodes: str, bound: Any) -> Any:
        where = [h.c[spec.evaluation] == bindparam("evaluation_id"), *same, bound]
        # a slot per level, not an expanding list: the compiled SQL is then the same every
        # time, cached whole (no rendering of the list per read)
        nodes_in = h.c.node.in_([bindparam(f"{nodes}_{k}", type_=Integer) for k in range(LEVELS)])
        return select(*range_columns(h, spec)).where(nodes_in, *where)

    version: Any = bindparam("version")
    closed = (branch("up", h.c.lower <= version), branch("down", h.c.upper >= version))
    return union_all(*closed, current_rows(spec, partitioned))


def held_parameters(
    evaluation_id: str, version: int, partition: dict[str, Any] | None = None, last: int = OPEN
) -> dict[str, Any]:
    """`_held`'s parameters; `last`: the version the read model has reached, read in the
    same transaction (no closed range ends beyond it, so no node above it is sought)."""
    up, down = path(version, last)
    # node 0 holds no interval: it stands in for an empty side and fills the unused slots
    params = {"evaluation_id": evaluation_id, "version": version}
    for side, nodes in (("up", up), ("down", down)):
        params.update({f"{side}_{k}": nodes[k] if k < len(nodes) else 0 for k in range(LEVELS)})
    return {**params, **(partition or {})}


def _ranges(spec: Mirrored, partitioned: bool) -> CompoundSelect:
    """`_held` for PostgreSQL: the closed ranges containing the version, one descent of the
    table's GiST index on (evaluation, [status,] int8range(lower, upper, '[]')), whose cost
    follows the rows that held then; and the current rows."""
    h = spec.history
    same = [h.c[c] == bindparam(c) for c in spec.partition] if partitioned else []
    version = cast(bindparam("version", type_=Integer), BigInteger)
    held = select(*range_columns(h, spec)).where(
        h.c[spec.evaluation] == bindparam("evaluation_id"), *same, span(h).op("@>")(version)
    )
    return union_all(held, current_rows(spec, partitioned))


def _all_tables(dialect: str, everything: bool) -> Any:
    parts = []
    for spec in MIRRORED:
        query = _ranges if dialect == "postgresql" else _held
        rows = query(spec, bool(spec.partition) and not everything).subquery()
        # the table's rows as one JSON array of arrays: one text to fetch and parse, not one
        # a row (a past read listing every deduction brings thousands)
        if dialect == "postgresql":
            table = func.json_agg(func.json_build_array(*rows.c))  # NULL when there are none
        else:  # JSON columns nested as JSON, not quoted as text
            values = (func.json(c) if isinstance(c.type, JSON) else c for c in rows.c)
            table = func.json_group_array(func.json_array(*values))
        tag = literal(spec.source.name, Text).label("tag")
        parts.append(select(tag, cast(table, Text).label("rows")))
    return union_all(*parts)


# every table's range query in one statement, per dialect: all deductions, or the active ones
ALL_TABLES = {
    (dialect, everything): _all_tables(dialect, everything)
    for dialect in ("postgresql", "sqlite")
    for everything in (False, True)
}


def fetch_all(
    connection: Connection, evaluation_id: str, version: int, everything: bool, last: int
) -> Fetched:
    """Each source table's rows as they held at `version` (by table name) in one statement,
    each a JSON array of `range_columns` (`json_row`), so that tables of different columns
    share one result (a row per table). `last` as for `held_parameters` (SQLite's interval
    tree; PostgreSQL's range query needs no path)."""
    dialect = connection.dialect.name
    partition = None if everything else {"status": "active"}
    if dialect == "sqlite":
        params = held_parameters(evaluation_id, version, partition, last)
    else:
        params = {"evaluation_id": evaluation_id, "version": version, **(partition or {})}
    fetched: Fetched = {spec.source.name: [] for spec in MIRRORED}
    for tag, text in connection.execute(ALL_TABLES[(dialect, everything)], params):
        fetched[tag] = [json_row(BY_NAME[tag], row) for row in json.loads(text or "[]")]
    return fetched
