"""The current rows a flush closes ranges of are read by primary-key seeks, however many."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import insert

from adapters.bootstrap import build_service
from adapters.history_tables import BY_SOURCE
from adapters.tables import indicators
from adapters.temporal_mirror import Statements
from tests.integration.conftest import dispose


def _many_rows(engine: object, evaluations: int) -> str:
    """Twenty indicators for each of `evaluations` evaluations; returns the first one's id."""
    ids = [str(uuid.uuid4()) for _ in range(evaluations)]
    rows = [
        {
            "evaluation_id": eid, "code": str(code), "position": code, "name": "n",
            "level": 1, "weight": "50", "overridden": False, "since": code + 1,
        }
        for eid in ids
        for code in range(20)
    ]  # fmt: skip
    with engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(insert(indicators), rows)  # deliberately not analyzed
    return ids[0]


def test_current_rows_are_found_once_each_with_their_since(store_url: str) -> None:
    service = build_service(store_url)
    try:
        engine = service.store.factory.datastore.engine  # type: ignore[attr-defined]
        eid = _many_rows(engine, 3)
        keys = [(eid, "1"), (eid, "7"), (eid, "missing")]
        query = Statements().current(BY_SOURCE[indicators])
        with engine.connect() as connection:
            found = connection.execute(query, {"keys": keys}).mappings().all()
        assert sorted((r["code"], r["since"]) for r in found) == [("1", 2), ("7", 8)]
    finally:
        dispose(service)


@pytest.mark.postgres
def test_current_row_reads_seek_on_a_table_never_analyzed(postgres_url: str) -> None:
    service = build_service(postgres_url)
    try:
        engine = service.store.factory.datastore.engine  # type: ignore[attr-defined]
        eid = _many_rows(engine, 300)
        keys = [(eid, "1"), (eid, "2"), (eid, "3"), (eid, "4")]
        query = Statements().current(BY_SOURCE[indicators]).params(keys=keys)
        sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
        with engine.connect() as connection:
            plan = "\n".join(str(r[0]) for r in connection.exec_driver_sql(f"EXPLAIN {sql}"))
        assert "Seq Scan" not in plan, plan
        assert "rm_indicators_pkey" in plan, plan
    finally:
        dispose(service)
