"""The open intervals a flush closes are read by primary-key seeks, however long the history."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, text

from adapters.bootstrap import build_service
from adapters.history_tables import BY_SOURCE, HISTORY_TABLES
from adapters.tables import indicators
from adapters.temporal_mirror import open_rows, open_rows_params, open_rows_query
from tests.integration.conftest import dispose

OPEN = 2**31 - 1


def _long_history(engine: object, eid: str, changes: int) -> None:
    """Two indicators, each changed `changes` times: closed intervals and one open each."""
    spec = BY_SOURCE[indicators]
    columns = (*spec.columns, "lower", "upper", "node")
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"  # type: ignore[attr-defined]
    insert = (
        f"INSERT INTO {spec.history.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    rows = []
    for code in ("1", "1.1"):
        for n in range(1, changes + 1):
            upper = OPEN if n == changes else n
            values: dict[str, object] = {c: None for c in spec.columns}
            values.update(
                evaluation_id=eid, code=code, position=1, name=code, level=1,
                weight="50", score=str(n), overridden=False,
            )  # fmt: skip
            rows.append((*(values[c] for c in spec.columns), n, upper, n))
    with engine.begin() as connection:  # type: ignore[attr-defined]
        connection.exec_driver_sql(insert, rows)  # deliberately not analyzed


def test_open_intervals_are_found_once_each_however_long_the_history(
    store_url: str,
) -> None:
    service = build_service(store_url)
    try:
        engine = service.store.factory.datastore.engine  # type: ignore[attr-defined]
        eid = str(uuid.uuid4())
        _long_history(engine, eid, 300)
        spec = BY_SOURCE[indicators]
        keys = [(eid, "1"), (eid, "1.1"), (eid, "missing")]
        with engine.connect() as connection:
            alone = open_rows(connection, spec, list(keys))
        assert sorted(alone) == [(eid, "1"), (eid, "1.1")]
        assert all(lower == 300 and image["score"] == "300" for image, lower in alone.values())
    finally:
        dispose(service)


@pytest.mark.postgres
def test_open_interval_reads_seek_on_a_table_never_analyzed(postgres_url: str) -> None:
    service = build_service(postgres_url)
    try:
        engine = service.store.factory.datastore.engine  # type: ignore[attr-defined]
        eid = str(uuid.uuid4())
        _long_history(engine, eid, 3000)
        keys = [(eid, "1"), (eid, "1.1"), (eid, "1.2"), (eid, "2")]
        spec = BY_SOURCE[indicators]
        query = open_rows_query(spec, len(keys)).params(open_rows_params(spec, keys))
        sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
        with engine.connect() as connection:
            plan = [str(r[0]) for r in connection.exec_driver_sql(f"EXPLAIN {sql}")]
        text = "\n".join(plan)
        assert "Seq Scan" not in text, text
        assert text.count("rm_indicators_history_pkey") == 4, text
    finally:
        dispose(service)


@pytest.mark.postgres
def test_history_tables_are_vacuumed_after_a_fixed_number_of_changes(postgres_url: str) -> None:
    service = build_service(postgres_url)
    try:
        engine = service.store.factory.datastore.engine  # type: ignore[attr-defined]
        query = (
            select(text("reloptions"))
            .select_from(text("pg_class"))
            .where(text("oid = CAST(:name AS regclass)"))
        )
        with engine.connect() as connection:
            options = {
                history.name: connection.execute(query, {"name": history.name}).scalar_one()
                for history in HISTORY_TABLES  # the form's and funds' tables among them
            }
        assert BY_SOURCE[indicators].history.name in options
        for name, set_on in options.items():
            assert "autovacuum_vacuum_scale_factor=0" in set_on, name
            assert "autovacuum_analyze_threshold=1000" in set_on, name
    finally:
        dispose(service)
