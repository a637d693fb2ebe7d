"""Held-back read-model writes: what folds together, and what reaches the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from adapters import tables
from adapters.pending_writes import PendingWrites
from adapters.projection import EVENT_COLUMNS


def header(evaluation_id: str) -> dict[str, Any]:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    return {
        "id": evaluation_id,
        "title": "t",
        "subject": "s",
        "fiscal_year": 2026,
        "kind": "project",
        "evaluator": None,
        "status": "draft",
        "version": 1,
        "total_weight": "100.00",
        "total": None,
        "grade": None,
        "grade_bands": [],
        "created_at": moment,
        "updated_at": moment,
    }


def test_an_update_of_a_row_inserted_in_the_batch_folds_into_the_insert() -> None:
    writes = PendingWrites()
    writes.insert(tables.evaluations, header("e1"), evaluation="e1")
    writes.update(tables.evaluations, {"id": "e1"}, {"version": 2, "total": "90.00"})
    writes.update(tables.evaluations, {"id": "e1"}, {"total": "91.00"})
    assert writes.updates == {}
    (row,) = writes.inserts[tables.evaluations]
    assert (row["version"], row["total"]) == (2, "91.00")


def test_an_update_held_back_before_the_insert_stays_an_update_and_later_ones_join_it() -> None:
    writes = PendingWrites()
    writes.update(tables.evaluations, {"id": "e1"}, {"total": "1.00"})
    writes.insert(tables.evaluations, header("e1"), evaluation="e1")
    writes.update(tables.evaluations, {"id": "e1"}, {"grade": "良"})
    (row,) = writes.inserts[tables.evaluations]
    assert row["grade"] is None
    assert writes.updates == {
        (tables.evaluations, (("id", "e1"),)): {"total": "1.00", "grade": "良"}
    }


def test_folded_appended_and_plain_writes_reach_the_tables() -> None:
    engine = create_engine("sqlite://")
    tables.metadata.create_all(engine)
    moment = datetime(2026, 5, 6, 7, 8, 9, 10, tzinfo=UTC)
    with Session(engine) as session:
        writes = PendingWrites()
        writes.insert(tables.evaluations, header("e1"), evaluation="e1")
        writes.update(tables.evaluations, {"id": "e1"}, {"version": 3, "updated_at": moment})
        writes.append(
            tables.events,
            EVENT_COLUMNS,
            [
                "e1",
                3,
                3,
                "Submitted",
                moment,
                "a",
                "r",
                "c",
                {"x": "1.0"},
                None,
                None,
                None,
            ],
            "e1",
        )
        writes.flush(session)
        assert not writes
        session.commit()
        head = session.execute(select(tables.evaluations)).mappings().one()
        event = session.execute(select(tables.events)).mappings().one()
    assert (head["version"], head["updated_at"]) == (3, moment)
    assert (event["recorded_at"], event["data"]) == (moment, {"x": "1.0"})
