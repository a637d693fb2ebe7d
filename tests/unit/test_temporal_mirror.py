"""History rows from a batch of writes: intervals opened, closed and folded per version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from adapters import tables
from adapters.history_tables import BY_SOURCE
from adapters.interval_tree import OPEN, ROOT, fork_node
from adapters.pending_writes import PendingWrites
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


def test_a_batch_keeps_one_row_per_interval_and_leaves_the_last_open() -> None:
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
            ("80.00", 5, OPEN, ROOT),
        ]


def test_a_later_batch_closes_the_stored_open_row_it_reads_back() -> None:
    engine = create_engine("sqlite://")
    tables.metadata.create_all(engine)
    with Session(engine) as session:
        first = PendingWrites()
        at(first, 1).insert(tables.evaluations, header("e1"), evaluation="e1")
        first.flush(session)
        second = PendingWrites()  # knows nothing of the row: reads its open interval
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
