"""The history rows' side of a batch of read-model writes: intervals opened, closed, folded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, select, union_all, update
from sqlalchemy.engine import Connection

from adapters.history_tables import BY_SOURCE, Mirrored
from adapters.interval_tree import OPEN, ROOT, fork_node

Key = tuple[Any, ...]
KEY_PREFIX = "key_"  # names of the WHERE parameters of updates and deletes (never a column)
Rows = list[dict[str, Any]]


@dataclass
class Interval:
    """A row's values since `lower`, open; `stored` once its row is in the history table."""

    values: dict[str, Any]
    lower: int
    stored: bool


@dataclass
class HistoryWrites:
    """What a flush sends to the history tables, in this order: deletes, closes, inserts."""

    # (history table, key columns + "upper") -> the open rows' keys (KEY_PREFIX names)
    deletes: dict[tuple[Any, tuple[str, ...]], Rows] = field(default_factory=dict)
    # (history table, key columns + "upper") -> new upper and node, and the open rows' keys
    closes: dict[tuple[Any, tuple[str, ...]], Rows] = field(default_factory=dict)
    # (history table, columns) -> rows
    inserts: dict[tuple[Any, tuple[str, ...]], Rows] = field(default_factory=dict)


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

    def __init__(self, statements: Statements | None = None) -> None:
        self.statements = statements or Statements()
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
                        _add(out.deletes, spec, key, {})
                        held.stored = False
                    held.values = changed
                else:
                    self._close(out, spec, key, held, version)
                    known[(spec, key)] = Interval(changed, version, False)
        for (spec, _), held in known.items():
            if held is not None and not held.stored:
                row = {**held.values, "lower": held.lower, "upper": OPEN, "node": ROOT}
                out.inserts.setdefault((spec.history, tuple(row)), []).append(row)
                held.stored = True
        self.log = []
        return out

    @staticmethod
    def _close(out: HistoryWrites, spec: Mirrored, key: Key, held: Interval, version: int) -> None:
        """End the interval at the version before `version` (drop it if it began there)."""
        if held.lower >= version:
            if held.stored:
                _add(out.deletes, spec, key, {})
            return
        upper = version - 1
        node = fork_node(held.lower, upper)
        if held.stored:
            _add(out.closes, spec, key, {"upper": upper, "node": node})
        else:
            row = {**held.values, "lower": held.lower, "upper": upper, "node": node}
            out.inserts.setdefault((spec.history, tuple(row)), []).append(row)

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
        for spec, keys in wanted.items():
            found = open_rows(connection, spec, list(keys), self.statements)
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
    target: dict[tuple[Any, tuple[str, ...]], Rows],
    spec: Mirrored,
    key: Key,
    params: dict[str, Any],
) -> None:
    """Address the open row of `key` (the values in `params` are set on it, if any)."""
    for name, value in zip(spec.key, key, strict=True):
        params[KEY_PREFIX + name] = value
    params[KEY_PREFIX + "upper"] = OPEN
    target.setdefault((spec.history, (*spec.key, "upper")), []).append(params)


# keys read per statement, padded up to one of a few counts (SQLite allows 500 terms in
# one compound SELECT): few statement shapes, each made once (`Statements`)
CHUNKS = (1, 4, 16, 64)


class Statements:
    """The Core statements a projection runs, each made once per store (the projection owns
    this): SQLAlchemy caches their compiled form under a key it computes from the statement,
    and a statement object made once keeps its key, which costs more than the rest."""

    def __init__(self) -> None:
        self.made: dict[tuple[Any, ...], Any] = {}

    def _get(self, shape: tuple[Any, ...], make: Any) -> Any:
        found = self.made.get(shape)
        if found is None:
            found = self.made[shape] = make()
        return found

    def insert(self, table: Any) -> Any:
        return self._get(("insert", table), lambda: insert(table))

    def update(self, table: Any, keys: tuple[str, ...]) -> Any:
        """SET takes the columns the parameters name; WHERE the keys (KEY_PREFIX names)."""
        return self._get(("update", table, keys), lambda: update(table).where(_where(table, keys)))

    def delete(self, table: Any, keys: tuple[str, ...]) -> Any:
        return self._get(("delete", table, keys), lambda: delete(table).where(_where(table, keys)))

    def open_rows(self, spec: Mirrored, count: int) -> Any:
        return self._get(("open", spec.history, count), lambda: open_rows_query(spec, count))


def _where(table: Any, keys: tuple[str, ...]) -> Any:
    return and_(*(table.c[k] == bindparam(KEY_PREFIX + k) for k in keys))


def open_rows(
    connection: Connection, spec: Mirrored, keys: list[Key], statements: Statements | None = None
) -> dict[Key, tuple[dict[str, Any], int]]:
    """The open interval (values, lower) of each key that has one (see `open_rows_query`)."""
    statements = statements or Statements()
    found: dict[Key, tuple[dict[str, Any], int]] = {}
    for start in range(0, len(keys), CHUNKS[-1]):
        chunk = keys[start : start + CHUNKS[-1]]
        count = next(c for c in CHUNKS if c >= len(chunk))
        chunk += [chunk[-1]] * (count - len(chunk))  # a key asked twice is found once
        query = statements.open_rows(spec, count)
        for row in connection.execute(query, open_rows_params(spec, chunk)).mappings():
            image = {c: row[c] for c in spec.columns}
            found[tuple(image[c] for c in spec.key)] = (image, row["lower"])
    return found


def open_rows_params(spec: Mirrored, keys: list[Key]) -> dict[str, Any]:
    return {
        f"k{i}_{c}": v for i, key in enumerate(keys) for c, v in zip(spec.key, key, strict=True)
    }


def open_rows_query(spec: Mirrored, count: int) -> Any:
    """The open rows of `count` keys (parameters `open_rows_params`), with their lower bound.

    One branch of a UNION ALL per key, each naming the whole primary key (key, upper), never
    ORed terms: on a table not analyzed yet PostgreSQL's planner reads an OR of primary keys
    as a scan of the whole table, whose cost then grows with the history; a branch that
    names the whole key is an index seek, however long the key's history.
    """
    h = spec.history
    columns = [*(h.c[c] for c in spec.columns), h.c.lower]
    branches = [
        select(*columns).where(
            *(h.c[c] == bindparam(f"k{i}_{c}") for c in spec.key), h.c.upper == OPEN
        )
        for i in range(count)
    ]
    return branches[0] if count == 1 else union_all(*branches)
