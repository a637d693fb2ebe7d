"""Held-back read-model writes: what folds together, and values sent as SQLAlchemy would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import create_engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from adapters import tables
from adapters.pending_writes import EncodedJSON, PendingWrites, _sqlite_utc_text, converter
from adapters.projection import EVENT_COLUMNS

SQLITE = sqlite.dialect()
ZONES = st.builds(
    lambda minutes: UTC if minutes == 0 else timezone(timedelta(minutes=minutes)),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)


@given(st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=ZONES))
def test_times_for_sqlite_are_the_text_sqlalchemy_would_store(moment: datetime) -> None:
    column = tables.events.c.recorded_at
    sqlalchemys = column.type._cached_bind_processor(SQLITE)
    assert converter(column, SQLITE) is _sqlite_utc_text and sqlalchemys is not None
    assert _sqlite_utc_text(moment) == sqlalchemys(moment)


def test_other_databases_keep_sqlalchemys_own_conversion_of_times() -> None:
    dialect = postgresql.psycopg.dialect()  # type: ignore[attr-defined]
    column = tables.events.c.recorded_at
    assert converter(column, dialect) is not _sqlite_utc_text


def test_an_encoded_json_value_is_sent_as_it_is_and_others_are_encoded() -> None:
    convert = converter(tables.events.c.data, SQLITE)
    assert convert is not None
    assert convert(EncodedJSON('{"a": "1.50"}')) == '{"a": "1.50"}'
    assert convert({"a": "1.50"}) == '{"a": "1.50"}'


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
                EncodedJSON('{"x": "1.0"}'),
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
