"""Rows as they held at a version, closed ranges and current rows: every table's at once."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, Integer, Text, bindparam, cast, func, literal, select, true, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.sql.selectable import CompoundSelect

from adapters.history_tables import BY_NAME, MIRRORED, Mirrored, Stored, json_row
from adapters.interval_tree import LEVELS, OPEN, path
from adapters.tables import evaluations

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
    """The range query over the interval tree (adapters.interval_tree), made once per table
    with bound parameters: nodes at or above the version on its path (`up`) with lower <=
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
    """The range queries' parameters; `last`: the version the read model has reached, read
    in the same transaction (no closed range ends beyond it, so no node above it is sought)."""
    up, down = path(version, last)
    # node 0 holds no interval: it stands in for an empty side and fills the unused slots
    params = {"evaluation_id": evaluation_id, "version": version, "up": up, "down": down or [0]}
    for side, nodes in (("up", up), ("down", down)):
        params.update({f"{side}_{k}": nodes[k] if k < len(nodes) else 0 for k in range(LEVELS)})
    return {**params, **(partition or {})}


def _seeks(spec: Mirrored, partitioned: bool) -> Any:
    """`_held` for PostgreSQL: the path's nodes joined to a seek each (unnest, LATERAL).
    Given `node = ANY(...)` instead, a planner without statistics of the table ranges over
    the evaluation's whole history and filters by node: a cost that grows with it."""
    h = spec.history
    same = [h.c[c] == bindparam(c) for c in spec.partition] if partitioned else []
    version: Any = bindparam("version")
    # no closed range ends beyond the version the read model has reached (read in the same
    # statement, so in the same snapshot): the path's nodes above it are skipped unsought
    reached = select(evaluations.c.version).where(evaluations.c.id == bindparam("evaluation_id"))
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
        side = select(*seek.c).select_from(path).join(seek, true())
        sides.append(side.where(path.c.n <= reached.scalar_subquery()))
    return union_all(*sides, current_rows(spec, partitioned))


def _all_tables(dialect: str, everything: bool) -> Any:
    parts = []
    for spec in MIRRORED:
        query = _seeks if dialect == "postgresql" else _held
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
    share one result (a row per table). `last` as for `held_parameters` (PostgreSQL reads it
    in the statement)."""
    dialect = connection.dialect.name
    partition = None if everything else {"status": "active"}
    params = held_parameters(
        evaluation_id, version, partition, OPEN if dialect != "sqlite" else last
    )
    fetched: Fetched = {spec.source.name: [] for spec in MIRRORED}
    for tag, text in connection.execute(ALL_TABLES[(dialect, everything)], params):
        fetched[tag] = [json_row(BY_NAME[tag], row) for row in json.loads(text or "[]")]
    return fetched
