"""History rows from a batch of writes: ranges closed and folded per version, rows sealed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, event, select
from sqlalchemy.orm import Session

from adapters import tables
from adapters.history_tables import BY_SOURCE
from adapters.interval_tree import fork_node
from adapters.pending_writes import PendingWrites
from application.seals import row_seal
from tests.unit.test_pending_writes import header

HEADER = BY_SOURCE[tables.evaluations].history


def history(session: Session) -> list[tuple[Any, ...]]:
    rows = session.execute(
        select(HEADER.c.total, HEADER.c.lower, HEADER.c.upper, HEADER.c.node).order_by(
            HEADER.c.lower
        )
    )
    return [tuple(r) for r in rows]


def at(writes: PendingWrites, version: int) -> PendingWrites:
    writes.mirror.version = version
    return writes


def current(session: Session) -> tuple[Any, ...]:
    e = tables.evaluations
    return tuple(session.execute(select(e.c.total, e.c.since, e.c.seal)).one())


def test_a_batch_keeps_one_row_per_closed_range_and_the_open_one_in_the_source_row() -> None:
    engine = create_engine("sqlite://")
    tables.metadata.create_all(engine)
    with Session(engine) as session:
        writes = PendingWrites()
        at(writes, 1).insert(tables.evaluations, header("e1"), evaluation="e1")
        at(writes, 2).update(tables.evaluations, {"id": "e1"}, {"version": 2})  # not kept
        at(writes, 3).update(tables.evaluations, {"id": "e1"}, {"total": "90.00"})
        writes.update(tables.evaluations, {"id": "e1"}, {"total": "91.00"})  # the same version
        at(writes, 4).update(tables.evaluations, {"id": "e1"}, {"total": "91.00"})  # no change
        at(writes, 5).update(tables.evaluations, {"id": "e1"}, {"total": "80.00"})
        writes.flush(session)
        assert history(session) == [
            (None, 1, 2, fork_node(1, 2)),
            ("91.00", 3, 4, fork_node(3, 4)),
        ]
        assert current(session) == ("80.00", 5, None)  # no key: no seal


def test_a_later_batch_reads_the_source_row_to_close_its_range() -> None:
    engine = create_engine("sqlite://")
    tables.metadata.create_all(engine)
    with Session(engine) as session:
        first = PendingWrites()
        at(first, 1).insert(tables.evaluations, header("e1"), evaluation="e1")
        at(first, 3).update(tables.evaluations, {"id": "e1"}, {"total": "90.00"})
        first.flush(session)
        second = PendingWrites()
        at(second, 6).update(tables.evaluations, {"id": "e1"}, {"total": "70.00"})
        second.flush(session)
        assert history(session) == [
            (None, 1, 2, fork_node(1, 2)),
            ("90.00", 3, 5, fork_node(3, 5)),
        ]
        assert current(session)[:2] == ("70.00", 6)


def test_history_rows_are_only_ever_inserted() -> None:
    engine = create_engine("sqlite://")
    tables.metadata.create_all(engine)
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    with Session(engine) as session:
        for version in range(1, 40):
            writes = PendingWrites()  # a batch per command
            if version == 1:
                at(writes, 1).insert(tables.evaluations, header("e1"), evaluation="e1")
            else:
                total = {"total": f"{version}.00"}
                at(writes, version).update(tables.evaluations, {"id": "e1"}, total)
            writes.flush(session)
        writes = PendingWrites()
        at(writes, 40).delete(tables.evaluations, {"id": "e1"})
        writes.flush(session)
        assert len(history(session)) == 39
    touching = [s.split()[0].upper() for s in seen if "_history" in s.split("WHERE")[0]]
    assert "INSERT" in touching
    assert "UPDATE" not in touching and "DELETE" not in touching


def test_each_row_is_sealed_over_its_values_and_range() -> None:
    engine = create_engine("sqlite://")
    tables.metadata.create_all(engine)
    key = b"k" * 32
    with Session(engine) as session:
        writes = PendingWrites(key=key)
        at(writes, 1).insert(tables.evaluations, header("e1"), evaluation="e1")
        at(writes, 2).update(tables.evaluations, {"id": "e1"}, {"total": "90.00"})
        writes.flush(session)
        spec = BY_SOURCE[tables.evaluations]
        old = session.execute(select(HEADER)).mappings().one()
        values = {c: old[c] for c in spec.columns}
        assert old["seal"] == row_seal(key, HEADER.name, 1, 1, values)
        now = session.execute(select(tables.evaluations)).mappings().one()
        values = {c: now[c] for c in spec.columns}
        assert now["seal"] == row_seal(key, tables.evaluations.name, 2, None, values)
        assert now["seal"] != row_seal(key, tables.evaluations.name, 1, None, values)


def test_a_later_batch_closes_the_range_it_reads_back() -> None:
    engine = create_engine("sqlite://")
    tables.metadata.create_all(engine)
    with Session(engine) as session:
        first = PendingWrites()
        at(first, 1).insert(tables.evaluations, header("e1"), evaluation="e1")
        first.flush(session)
        second = PendingWrites()  # knows nothing of the row: reads its current values
        at(second, 7).update(tables.evaluations, {"id": "e1"}, {"grade": "良"})
        at(second, 8).delete(tables.evaluations, {"id": "e1"})
        second.flush(session)
        rows = session.execute(
            select(HEADER.c.grade, HEADER.c.lower, HEADER.c.upper).order_by(HEADER.c.lower)
        )
        assert [tuple(r) for r in rows] == [(None, 1, 6), ("良", 7, 7)]


def test_a_row_inserted_and_deleted_at_one_version_leaves_no_history() -> None:
    engine = create_engine("sqlite://")
    tables.metadata.create_all(engine)
    with Session(engine) as session:
        writes = PendingWrites()
        at(writes, 4).insert(tables.evaluations, header("e1"), evaluation="e1")
        writes.delete(tables.evaluations, {"id": "e1"})
        writes.flush(session)
        assert history(session) == []
