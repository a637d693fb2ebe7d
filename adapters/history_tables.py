"""Temporal read model: each document table's closed rows with the version range they held in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    event,
    func,
    literal,
)

from adapters.form_tables import form_fields, funds
from adapters.range_index import ensure_btree_gist
from adapters.tables import (
    UTCDateTime,
    data_entries,
    deductions,
    evaluations,
    indicators,
    metadata,
)
from adapters.target_tables import requirements, sign_offs, targets


@dataclass(frozen=True)
class Mirrored:
    """A read-model table, its history table, and how rows of the two correspond."""

    source: Table
    history: Table
    key: tuple[str, ...]  # the source's primary key
    evaluation: str  # the column naming the evaluation
    columns: tuple[str, ...]  # the values a history row carries
    partition: tuple[str, ...]  # equality columns after the evaluation in the indexes
    times: tuple[str, ...]  # the columns holding times (UTCDateTime)
    flags: tuple[str, ...] = ()  # the Boolean columns


# a row read at a version: its values by column, lower, upper (OPEN: a current row), seal
Stored = tuple[dict[str, Any], Any, Any, Any]

# The index info key naming the one dialect an index is made on (Table.to_metadata copies an
# index without its DDL condition: a copy is checked against this instead).
DIALECT = "dialect"


def span(history: Table) -> ColumnElement[Any]:
    """A history row's inclusive range as PostgreSQL's int8range(lower, upper, '[]'): the
    GiST index's expression and the as-of query's alike (the bounds' text rendered in
    place, so that the planner matches the two)."""
    bounds = literal("[]", Text, literal_execute=True)
    return func.int8range(history.c.lower, history.c.upper, bounds)


def only_on(dialect: str, index: Index) -> Index:
    """The index made on `dialect`'s stores alone (creating and dropping it elsewhere does
    nothing); its info says so to copies of the table (`made_on`)."""
    index.info[DIALECT] = dialect
    return index.ddl_if(dialect=dialect)


def made_on(index: Index, dialect: str) -> bool:
    """Whether a table's index is made on `dialect`'s stores (`only_on`)."""
    return index.info.get(DIALECT, dialect) == dialect


def _history(
    source: Table, evaluation: str, left_out: tuple[str, ...] = (), partition: tuple[str, ...] = ()
) -> Mirrored:
    key = tuple(c.name for c in source.primary_key.columns)
    kept = [c for c in source.columns if c.name not in left_out]
    name = f"{source.name}_history"
    history = Table(
        name,
        metadata,
        *(Column(c.name, c.type, nullable=c.nullable) for c in kept),
        # the inclusive version range [lower, upper] in which the values held; a row is
        # inserted once its range has closed, complete, and never changed after
        Column("lower", Integer, nullable=False),
        Column("upper", Integer, nullable=False),
        # adapters.interval_tree.fork_node: read on SQLite, written on both (one projection)
        Column("node", Integer, nullable=False),
        Column("seal", String(64)),  # application.seals.row_seal; null in unsealed stores
        PrimaryKeyConstraint(*key, "upper", name=f"{name}_pkey"),
    )
    # The as-of range query (adapters.history_batch). SQLite: the interval tree's, one seek
    # per node of the version's path. PostgreSQL: a GiST index on the range after the
    # equality columns (btree_gist), one descent to the rows holding at the version.
    h = history.c
    first, rest = h[evaluation], [h[c] for c in partition]
    only_on("sqlite", Index(f"{name}_lower_idx", first, h.node, *rest, h.lower))
    only_on("sqlite", Index(f"{name}_upper_idx", first, h.node, *rest, h.upper))
    ranges = Index(f"{name}_range_idx", first, *rest, span(history), postgresql_using="gist")
    only_on("postgresql", ranges)
    event.listen(history, "before_create", ensure_btree_gist)
    # The open range lives in the source row itself: the version its values hold since, and
    # their seal (the history rows then need no update when a range closes).
    source.append_column(Column("since", Integer))
    source.append_column(Column("seal", String(64)))
    times = tuple(c.name for c in kept if isinstance(c.type, UTCDateTime))
    flags = tuple(c.name for c in kept if isinstance(c.type, Boolean))
    return Mirrored(
        source, history, key, evaluation, tuple(c.name for c in kept), partition, times, flags
    )


MIRRORED = (
    # version and updated_at change with every event: read from the version asked instead
    _history(evaluations, "id", left_out=("version", "updated_at")),
    _history(indicators, "evaluation_id"),
    # by status: the active deductions at a version are read without touching withdrawn ones
    _history(deductions, "evaluation_id", partition=("status",)),
    _history(data_entries, "evaluation_id"),
    _history(targets, "evaluation_id"),
    _history(sign_offs, "evaluation_id"),
    _history(requirements, "evaluation_id"),
    _history(form_fields, "evaluation_id"),
    _history(funds, "evaluation_id"),
)
BY_SOURCE = {m.source: m for m in MIRRORED}
BY_NAME = {m.source.name: m for m in MIRRORED}
HISTORY_TABLES = tuple(m.history for m in MIRRORED)


def json_row(spec: Mirrored, row: list[Any]) -> Stored:
    """A row sent as a JSON array of its values, lower, upper and seal, with the values the
    driver would have given: JSON columns parsed, as they are; times back to aware UTC;
    flags as booleans (SQLite gives 0 and 1)."""
    values = dict(zip(spec.columns, row, strict=False))
    for name in spec.times:
        if values[name] is not None:
            values[name] = datetime.fromisoformat(values[name]).replace(tzinfo=UTC)
    for name in spec.flags:
        values[name] = None if values[name] is None else bool(values[name])
    return values, row[-3], row[-2], row[-1]
