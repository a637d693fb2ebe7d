"""The history rows' side of a batch of read-model writes: intervals opened, closed, folded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from adapters.history_tables import BY_SOURCE, Convert, Mirrored, json_row, result_converters
from adapters.interval_tree import OPEN, ROOT, fork_node

Key = tuple[Any, ...]


@dataclass
class Interval:
    """A row's values since `lower`, open; `stored` once its row is in the history table."""

    values: dict[str, Any]
    lower: int
    stored: bool


@dataclass
class HistoryWrites:
    """What a flush sends to the history tables, in this order: deletes, closes, inserts."""

    # (history table, key columns + "upper") -> key values + [OPEN]
    deletes: dict[tuple[Any, tuple[str, ...]], list[list[Any]]] = field(default_factory=dict)
    # (history table, key columns + "upper") -> [upper, node, *key values, OPEN]
    closes: dict[tuple[Any, tuple[str, ...]], list[list[Any]]] = field(default_factory=dict)
    # (history table, columns) -> rows of values in that order
    inserts: dict[tuple[Any, tuple[str, ...]], list[list[Any]]] = field(default_factory=dict)


class TemporalMirror:
    """Notes each write to a mirrored table at the version of the event being projected;
    at flush turns them into history rows.

    Updates are partial: the first time a flush meets a row it has not seen it reads the
    row's open interval (one seek per key); after that it keeps the row's full image for
    the rest of the batch. A change at a new version closes the open interval at the
    version before and opens one; changes at the same version, and intervals opened and
    closed within a batch, fold into one row. A write that changes no kept column (the
    header's version and time on every event) opens nothing.
    """

    def __init__(self) -> None:
        self.version = 0
        self.log: list[tuple[str, Mirrored, Any, dict[str, Any] | None, int]] = []
        # every row seen in this batch: its open interval, or None when it has none
        self.known: dict[tuple[Mirrored, Key], Interval | None] = {}

    # ------------------------------------------------------------------ notes
    def put(self, table: Any, row: dict[str, Any]) -> None:
        spec = BY_SOURCE.get(table)
        if spec is not None:
            values = {c: row.get(c) for c in spec.columns}
            self.log.append(("put", spec, tuple(row[c] for c in spec.key), values, self.version))

    def set(self, table: Any, key: dict[str, Any], values: dict[str, Any]) -> None:
        spec = BY_SOURCE.get(table)
        if spec is None:
            return
        kept = {c: v for c, v in values.items() if c in spec.columns}
        if kept:
            self.log.append(("set", spec, tuple(key[c] for c in spec.key), kept, self.version))

    def delete(self, table: Any, key: dict[str, Any]) -> None:
        spec = BY_SOURCE.get(table)
        if spec is None:
            return
        if set(key) == set(spec.key):
            self.log.append(("del", spec, tuple(key[c] for c in spec.key), None, self.version))
        else:  # every row whose columns equal `key`
            self.log.append(("del_where", spec, dict(key), None, self.version))

    def __bool__(self) -> bool:
        return bool(self.log)

    # ------------------------------------------------------------------ flush
    def resolve(self, connection: Connection) -> HistoryWrites:
        """The history writes the noted changes make; clears the notes."""
        self._read_open(connection)
        out = HistoryWrites()
        known = self.known
        for op, spec, key, values, version in self.log:
            if op == "del_where":
                for (s, k), held in list(known.items()):
                    if s is spec and held is not None and _matches(held.values, key):
                        self._close(out, spec, k, held, version)
                        known[(s, k)] = None
                continue
            held = known.get((spec, key))
            if op == "put":
                if held is not None:
                    self._close(out, spec, key, held, version)
                known[(spec, key)] = Interval(values or {}, version, False)
            elif op == "del":
                if held is not None:
                    self._close(out, spec, key, held, version)
                known[(spec, key)] = None
            elif held is not None:  # set: an update of a row that does not exist changes nothing
                changed = {**held.values, **(values or {})}
                if changed == held.values:
                    continue
                if held.lower == version:  # the same version: the interval takes the new values
                    if held.stored:
                        _add(out.deletes, spec, key, [*key, OPEN])
                        held.stored = False
                    held.values = changed
                else:
                    self._close(out, spec, key, held, version)
                    known[(spec, key)] = Interval(changed, version, False)
        for (spec, _), held in known.items():
            if held is not None and not held.stored:
                row = {**held.values, "lower": held.lower, "upper": OPEN, "node": ROOT}
                out.inserts.setdefault((spec.history, tuple(row)), []).append(list(row.values()))
                held.stored = True
        self.log = []
        return out

    @staticmethod
    def _close(out: HistoryWrites, spec: Mirrored, key: Key, held: Interval, version: int) -> None:
        """End the interval at the version before `version` (drop it if it began there)."""
        if held.lower >= version:
            if held.stored:
                _add(out.deletes, spec, key, [*key, OPEN])
            return
        upper = version - 1
        node = fork_node(held.lower, upper)
        if held.stored:
            _add(out.closes, spec, key, [upper, node, *key, OPEN])
        else:
            row = {**held.values, "lower": held.lower, "upper": upper, "node": node}
            out.inserts.setdefault((spec.history, tuple(row)), []).append(list(row.values()))

    def _read_open(self, connection: Connection) -> None:
        """Load the open intervals the notes need and this batch has not seen yet."""
        wanted: dict[Mirrored, set[Key]] = {}
        first_seen: set[tuple[Mirrored, Key]] = set()
        for op, spec, key, _, _ in self.log:
            if op == "del_where":
                self._read_where(connection, spec, key)
                continue
            if (spec, key) in self.known or (spec, key) in first_seen:
                continue
            first_seen.add((spec, key))
            if op == "put":
                continue  # a new row (the source table would refuse a second)
            wanted.setdefault(spec, set()).add(key)
        if connection.dialect.name == "postgresql" and 1 < len(wanted) <= TOGETHER_TABLES:
            # every table's open rows in one statement: one round trip, not one per table
            together = open_rows_together(connection, {s: list(k) for s, k in wanted.items()})
        else:
            together = {
                spec: open_rows(connection, spec, list(keys)) for spec, keys in wanted.items()
            }
        for spec, keys in wanted.items():
            found = together[spec]
            for key in keys:
                held = found.get(key)
                self.known[(spec, key)] = None if held is None else Interval(held[0], held[1], True)

    def _read_where(self, connection: Connection, spec: Mirrored, where: dict[str, Any]) -> None:
        h = spec.history
        conditions = [h.c[c] == v for c, v in where.items()]
        rows = connection.execute(
            select(h).where(and_(h.c.node == ROOT, h.c.upper == OPEN, *conditions))
        )
        for r in rows.mappings():
            key = tuple(r[c] for c in spec.key)
            if (spec, key) not in self.known:
                self.known[(spec, key)] = Interval(_values(spec, r), r["lower"], True)


def _values(spec: Mirrored, row: Any) -> dict[str, Any]:
    return {c: row[c] for c in spec.columns}


def _matches(values: dict[str, Any], where: dict[str, Any]) -> bool:
    return all(values.get(c) == v for c, v in where.items())


def _add(
    target: dict[tuple[Any, tuple[str, ...]], list[list[Any]]],
    spec: Mirrored,
    key: Key,
    params: list[Any],
) -> None:
    target.setdefault((spec.history, (*spec.key, "upper")), []).append(params)


# keys read per statement, padded up to one of a few sizes so each size's SQL is made once
CHUNKS = (1, 4, 16, 64)
_OPEN_ROWS: dict[tuple[str, str, int], tuple[str, list[tuple[int, Convert]]]] = {}


def open_rows(
    connection: Connection, spec: Mirrored, keys: list[Key]
) -> dict[Key, tuple[dict[str, Any], int]]:
    """The open interval (values, lower) of each key that has one: driver-level SQL, one
    primary-key seek per key (SQLAlchemy's statement building costs more than the reads)."""
    found: dict[Key, tuple[dict[str, Any], int]] = {}
    dialect = connection.dialect
    columns = spec.columns
    start = 0
    while start < len(keys):
        chunk = keys[start : start + CHUNKS[-1]]
        start += len(chunk)
        size = next(c for c in CHUNKS if c >= len(chunk))
        chunk += [chunk[-1]] * (size - len(chunk))  # a key asked twice is found once
        sql, converters = _open_rows_statement(dialect, spec, size)
        params: list[Any] = []
        for key in chunk:
            params.extend(key)
        for row in connection.exec_driver_sql(sql, tuple(params)):
            values = list(row)
            for i, convert in converters:
                if values[i] is not None:
                    values[i] = convert(values[i])
            image = dict(zip(columns, values[:-1], strict=True))
            found[tuple(image[c] for c in spec.key)] = (image, values[-1])
    return found


# At most this many tables' reads share a statement (a command touches two or three): a
# statement's SQL is made once per shape, and a rebuild's batches make many other shapes.
TOGETHER_TABLES = 4
TOGETHER_SHAPES = 256
_TOGETHER: dict[tuple[tuple[str, int], ...], str] = {}


def open_rows_together(
    connection: Connection, wanted: dict[Mirrored, list[Key]]
) -> dict[Mirrored, dict[Key, tuple[dict[str, Any], int]]]:
    """`open_rows` of several tables in one statement (PostgreSQL): each table's primary-key
    seeks as one branch of a UNION ALL, its rows as JSON text (tables of different columns
    share one result), converted back as adapters.history_batch converts past rows."""
    shape: list[tuple[str, int]] = []
    params: list[Any] = []
    by_name: dict[str, Mirrored] = {}
    for spec, keys in wanted.items():
        by_name[spec.history.name] = spec
        start = 0
        while start < len(keys):
            chunk = keys[start : start + CHUNKS[-1]]
            start += len(chunk)
            size = next(c for c in CHUNKS if c >= len(chunk))
            chunk += [chunk[-1]] * (size - len(chunk))
            shape.append((spec.history.name, size))
            for key in chunk:
                params.extend(key)
    sql = _TOGETHER.get(tuple(shape))
    if sql is None:
        parts = []
        for name, size in shape:
            spec = by_name[name]
            one = " AND ".join([*(f"{c} = %s" for c in spec.key), f"upper = {OPEN}"])
            # one branch per key, never ORed terms: on a table not analyzed yet the planner
            # reads an OR of primary keys as a scan of the whole table, whose cost then grows
            # with the history; a branch that names the whole key is always an index seek
            branch = f"(SELECT {', '.join(spec.columns)}, lower FROM {name} WHERE {one})"
            rows = " UNION ALL ".join([branch] * size)
            parts.append(f"SELECT '{name}', row_to_json(x)::text FROM ({rows}) x")
        if len(_TOGETHER) >= TOGETHER_SHAPES:
            _TOGETHER.clear()  # a bound on what unusual batches leave behind
        sql = _TOGETHER[tuple(shape)] = " UNION ALL ".join(parts)
    found: dict[Mirrored, dict[Key, tuple[dict[str, Any], int]]] = {s: {} for s in wanted}
    for name, text in connection.exec_driver_sql(sql, tuple(params)):
        spec = by_name[name]
        image = json_row(spec, text)
        lower = image.pop("lower")
        found[spec][tuple(image[c] for c in spec.key)] = (image, lower)
    return found


def _open_rows_statement(
    dialect: Any, spec: Mirrored, size: int
) -> tuple[str, list[tuple[int, Convert]]]:
    shape = (dialect.name, spec.history.name, size)
    made = _OPEN_ROWS.get(shape)
    if made is None:
        quote = dialect.identifier_preparer.quote
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        # each term the whole primary key (key, upper): a seek, however long the key's history
        one = " AND ".join(
            [*(f"{quote(c)} = {mark}" for c in spec.key), f"{quote('upper')} = {OPEN}"]
        )
        columns = f"{', '.join(quote(c) for c in spec.columns)}, {quote('lower')}"
        table = dialect.identifier_preparer.format_table(spec.history)
        if dialect.name == "postgresql":  # branches, as in open_rows_together (why: there)
            sql = " UNION ALL ".join([f"(SELECT {columns} FROM {table} WHERE {one})"] * size)
        else:  # SQLite turns ORed primary-key terms into one seek each by itself
            sql = f"SELECT {columns} FROM {table} WHERE {' OR '.join([f'({one})'] * size)}"
        made = _OPEN_ROWS[shape] = (sql, result_converters(dialect, spec.history, spec.columns))
    return made
