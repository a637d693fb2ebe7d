"""`python -m benchmarks.indicator_history`: one indicator's history page, against baselines.

The peer comparison's workload (benchmarks.peer: 20 deduction leaves, N operations
alternating "record a deduction" and "withdraw it") is applied to the aggregate in memory
and saved through the service's unit of work in batches, so N = 10,000 takes seconds;
leaf 1.1 then has N / 20 + 1 score changes. In the same process, in alternating rounds:

- ours: `service.indicator_history(id, "1.1", page=1, per_page=1000)`;
- SQLAlchemy rows: the same page of the same table through SQLAlchemy Core, rows as
  mappings turned into the same items (how an application on SQLAlchemy would read it);
- driver fetch: the page query on the driver's cursor, rows fetched and nothing built
  (the database's and the driver's own work: a floor).

    python -m benchmarks.indicator_history [--n 10000] [--stores sqlite,postgresql] \
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1/scoretrail_bench] [--rounds 40]
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from adapters.queries import SqlEvaluationQueries
from adapters.tables import ITEM_COLUMNS, indicator_history
from application.service import EvaluationService
from benchmarks.common import BENCH_ACTOR, Stores, dispose, median, open_service, save_batch
from benchmarks.common import postgres_problem as pg_problem
from benchmarks.peer import LEAVES, spec
from domain.evaluation import Evaluation

CODE = "1.1"
OVERRIDDEN = "overridden"


def build(service: EvaluationService, n: int, batch: int = 400) -> str:
    """The peer workload's N operations on one evaluation; returns its id."""
    evaluation_id = str(service.import_evaluation(spec(), BENCH_ACTOR).id)
    evaluation: Evaluation = service.store.repository.get(uuid.UUID(evaluation_id))
    open_id: str | None = None
    for op in range(n):
        if open_id is None:
            pair = op // 2
            open_id = str(uuid.uuid4())
            evaluation.record_deduction(
                open_id,
                f"1.{pair % LEAVES + 1}",
                str(1 + pair % 5),
                f"deduction {op}",
                None,
                BENCH_ACTOR,
            )
        else:
            evaluation.withdraw_deduction(open_id, "withdrawn on review", BENCH_ACTOR)
            open_id = None
        if (op + 1) % batch == 0:
            save_batch(service, evaluation)
    save_batch(service, evaluation)
    return evaluation_id


def reads(service: EvaluationService, evaluation_id: str) -> dict[str, Callable[[], Any]]:
    queries = service.queries
    assert isinstance(queries, SqlEvaluationQueries)
    datastore = queries.datastore
    table = indicator_history
    query = (
        select(table)
        .where(table.c.evaluation_id == evaluation_id, table.c.code == CODE)
        .order_by(table.c.version)
        .offset(0)
        .limit(1000)
    )

    page = (
        select(*(table.c[c] for c in ITEM_COLUMNS))
        .where(table.c.evaluation_id == evaluation_id, table.c.code == CODE)
        .order_by(table.c.version)
        .offset(0)
        .limit(1000)
    )

    def ours() -> Any:
        return service.indicator_history(evaluation_id, CODE, page=1, per_page=1000)["items"]

    def sqlalchemy_rows() -> Any:
        with datastore.transaction(commit=False) as session:
            rows = session.execute(query).mappings().all()
        return [{**{c: r[c] for c in ITEM_COLUMNS}, OVERRIDDEN: bool(r[OVERRIDDEN])} for r in rows]

    def driver_fetch() -> Any:
        with queries.one_statement_reads() as connection:
            sql = str(page.compile(connection, compile_kwargs={"literal_binds": True}))
            cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            cursor.execute(sql)
            rows = cursor.fetchall()
            cursor.close()
        return rows

    return {"ours": ours, "sqlalchemy rows": sqlalchemy_rows, "driver fetch": driver_fetch}


def run_store(kind: str, n: int, postgres_url: str | None, rounds: int) -> dict[str, Any]:
    stores = Stores(kind, postgres_url)
    service = None
    try:
        service = open_service(stores.url(f"ih_{uuid.uuid4().hex[:8]}"))
        start = time.perf_counter()
        evaluation_id = build(service, n)
        built = time.perf_counter() - start
        calls = reads(service, evaluation_id)
        sizes = {name: len(call()) for name, call in calls.items()}
        assert len(set(sizes.values())) == 1, sizes
        assert calls["ours"]() == calls["sqlalchemy rows"]()
        times: dict[str, list[float]] = {name: [] for name in calls}
        names = list(calls)
        for r in range(rounds):
            # each round a different side goes first
            for name in names[r % len(names) :] + names[: r % len(names)]:
                for _ in range(5):
                    start = time.perf_counter()
                    calls[name]()
                    times[name].append(time.perf_counter() - start)
        medians = {name: median(t) for name, t in times.items()}
        return {"rows": sizes["ours"], "built_s": built, "median_ms": medians}
    finally:
        if service is not None:
            dispose(service)
        stores.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--stores", default="sqlite")
    parser.add_argument("--postgres-url")
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    for kind in args.stores.split(","):
        if kind == "postgresql" and (problem := pg_problem(args.postgres_url)):
            print(f"postgresql: skipped, {problem}")
            continue
        result = run_store(kind, args.n, args.postgres_url, args.rounds)
        m = result["median_ms"]
        print(
            f"{kind}: N = {args.n:,}, {result['rows']} rows (built in {result['built_s']:.0f} s); "
            + "; ".join(f"{name} {value * 1000:.2f} ms" for name, value in m.items())
            + f"; ours ÷ SQLAlchemy rows {m['ours'] / m['sqlalchemy rows']:.2f}"
            + f", ours ÷ driver fetch {m['ours'] / m['driver fetch']:.2f}"
        )


if __name__ == "__main__":
    main()
