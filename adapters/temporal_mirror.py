"""The history side of a batch of read-model writes: ranges closed, folded and sealed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, select, tuple_, update
from sqlalchemy.engine import Connection

from adapters.history_tables import BY_SOURCE, Mirrored
from adapters.interval_tree import fork_node
from application.seals import row_seal

Key = tuple[Any, ...]
KEY_PREFIX = "key_"  # names of the WHERE parameters of updates and deletes (never a column)
Rows = list[dict[str, Any]]


@dataclass
class Interval:
    """A row's values since `lower`, still holding."""

    values: dict[str, Any]
    lower: int


@dataclass
class HistoryWrites:
    """What a flush adds: closed ranges to insert ((history table, columns) -> rows), and
    the new `since` and `seal` of each source row whose kept values changed."""

    inserts: dict[tuple[Any, tuple[str, ...]], Rows] = field(default_factory=dict)
    stamps: dict[tuple[Mirrored, Key], dict[str, Any]] = field(default_factory=dict)


class TemporalMirror:
    """Notes each write to a mirrored table at the version of the event being projected;
    at flush turns them into closed history rows and the source rows' `since` and `seal`.

    Updates are partial: the first time a batch meets a row it has not seen it reads the
    row's current values and `since` from the source table (by primary key, before the
    batch's writes go out); after that it keeps the row's full image for the rest of the
    batch. A change at a new version closes the range at the version before (one history
    row, inserted complete, never changed after) and opens one in the source row; changes
    at the same version, and ranges opened and closed within a batch, fold in memory. A
    write that changes no kept column (the header's version and time on every event)
    opens nothing.
    """

    def __init__(self, statements: Statements | None = None, key: bytes | None = None) -> None:
        self.statements = statements or Statements()
        self.key = key  # seals the rows (application.seals.row_seal); None leaves them bare
        self.version = 0
        self.log: list[tuple[str, Mirrored, Any, dict[str, Any] | None, int]] = []
        # every row seen in this batch: its open range, or None when it has none
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
        """The history writes the noted changes make; clears the notes. Run it before the
        source tables' writes go out: it reads the rows as they stood."""
        self._read_current(connection)
        out = HistoryWrites()
        known = self.known
        changed: set[tuple[Mirrored, Key]] = set()
        for op, spec, key, values, version in self.log:
            if op == "del_where":
                for (s, k), held in list(known.items()):
                    if s is spec and held is not None and _matches(held.values, key):
                        self._close(out, spec, held, version)
                        known[(s, k)] = None
                continue
            held = known.get((spec, key))
            if op in ("put", "del"):
                if held is not None:
                    self._close(out, spec, held, version)
                known[(spec, key)] = Interval(values or {}, version) if op == "put" else None
            elif held is not None:  # set: an update of a row that does not exist changes nothing
                merged = {**held.values, **(values or {})}
                if merged == held.values:
                    continue
                if held.lower == version:  # the same version: the range takes the new values
                    held.values = merged
                else:
                    self._close(out, spec, held, version)
                    known[(spec, key)] = Interval(merged, version)
            changed.add((spec, key))
        for spec, key in changed:
            held = known[(spec, key)]
            if held is not None:
                seal = self._seal(spec.source.name, held.lower, None, held.values)
                out.stamps[(spec, key)] = {"since": held.lower, "seal": seal}
        self.log = []
        return out

    def _seal(self, table: str, lower: int, upper: int | None, values: Any) -> str | None:
        return None if self.key is None else row_seal(self.key, table, lower, upper, values)

    def _close(self, out: HistoryWrites, spec: Mirrored, held: Interval, version: int) -> None:
        """End the range at the version before `version` (nothing when it began there)."""
        if held.lower >= version:
            return
        upper = version - 1
        row = {**held.values, "lower": held.lower, "upper": upper}
        row["node"] = fork_node(held.lower, upper)
        row["seal"] = self._seal(spec.history.name, held.lower, upper, held.values)
        out.inserts.setdefault((spec.history, tuple(row)), []).append(row)

    def _read_current(self, connection: Connection) -> None:
        """Load the current rows the notes need and this batch has not seen yet."""
        wanted: dict[Mirrored, set[Key]] = {}
        first_seen: set[tuple[Mirrored, Key]] = set()
        for op, spec, key, _, _ in self.log:
            if op == "del_where":
                conditions = [spec.source.c[c] == v for c, v in key.items()]
                self._load(spec, connection.execute(self.statements.current(spec, conditions)))
                continue
            if (spec, key) in self.known or (spec, key) in first_seen:
                continue
            first_seen.add((spec, key))
            if op != "put":  # a put makes a new row (the source table would refuse a second)
                wanted.setdefault(spec, set()).add(key)
        for spec, keys in wanted.items():
            query = self.statements.current(spec)
            self._load(spec, connection.execute(query, {"keys": sorted(keys, key=repr)}))
            for key in keys:
                self.known.setdefault((spec, key), None)  # no such row

    def _load(self, spec: Mirrored, rows: Any) -> None:
        """Note the rows read, unless this batch already knows them (it wrote them)."""
        for r in rows.mappings():
            key = tuple(r[c] for c in spec.key)
            image = Interval({c: r[c] for c in spec.columns}, r["since"])
            self.known.setdefault((spec, key), image)


def _matches(values: dict[str, Any], where: dict[str, Any]) -> bool:
    return all(values.get(c) == v for c, v in where.items())


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

    def current(self, spec: Mirrored, conditions: list[Any] | None = None) -> Any:
        """The kept values and `since` of the source rows: those matching `conditions`, or
        (made once) those whose primary keys the parameter `keys` lists."""
        s = spec.source
        query = select(*(s.c[c] for c in spec.columns), s.c.since)
        if conditions is not None:
            return query.where(and_(*conditions))
        keys = tuple_(*(s.c[c] for c in spec.key))
        return self._get(
            ("current", s), lambda: query.where(keys.in_(bindparam("keys", expanding=True)))
        )


def _where(table: Any, keys: tuple[str, ...]) -> Any:
    return and_(*(table.c[k] == bindparam(KEY_PREFIX + k) for k in keys))
