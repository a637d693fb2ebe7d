"""Change feed and webhooks: read rate against a bare SELECT, delivery lag, write-rate ratio.

    python -m benchmarks.feed --store postgres --postgres-url postgresql+psycopg://… \
        --events 1000000 --rate 50 --seconds 20 --writes 400

1. Read rate: a store grown to `--events` events by bulk-cloning one recorded evaluation
   (benchmarks.synthetic); pages of 1000 read at positions spread over the whole store,
   through `GET /events` (test client, JSON encoded) and through the service, against
   `SELECT * FROM rm_events WHERE notification_id > ? ORDER BY notification_id LIMIT 1000`
   on the same table, rounds interleaved.
2. Delivery lag: deductions recorded at `--rate` per second for `--seconds`, one receiver
   (a process of its own); the lag of each event is its arrival at the receiver minus its
   recorded_at.
3. Write rate with 3 receivers registered (and the delivery worker running) against none,
   two stores, rounds interleaved.
4. Subject scopes: a page for a subject owning one evaluation, and for one owning all the
   clones, against an auditor's page.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask

from application.access import Principal
from application.feed import ChangeFeed
from application.service import EvaluationService
from benchmarks.common import (
    BENCH_ACTOR,
    DEDUCTION_LEAVES,
    Stores,
    deduction_body,
    load_reference,
    median,
    percentile,
    ratio,
    reference_case,
)
from benchmarks.synthetic import clone, engine_of, make_template
from web import create_app

AUDITOR = Principal("benchmark", "auditor")
RARE = "只有一项评价的单位"
PAGE = 1000


def app_on(url: str, **config: Any) -> Flask:
    return create_app({"SCORETRAIL_DATABASE_URL": url, "SCORETRAIL_LOG_LEVEL": "WARNING", **config})


def parts(app: Flask) -> tuple[EvaluationService, ChangeFeed]:
    return app.extensions["scoretrail"], app.extensions["scoretrail.feed"]


# ------------------------------------------------------------------ 1. read rate
def read_rate(url: str, events: int, starts: int, pages: int, rounds: int) -> dict[str, Any]:
    app = app_on(url)
    service, feed = parts(app)
    template = make_template(service)
    built = clone(service, template, max(0, events // len(template.events) - 1))
    head = feed.head()
    _, token = app.extensions["scoretrail.tokens"].create("bench-reader", "auditor")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    engine = engine_of(service)
    positions = [head * n // starts for n in range(starts)]

    def http() -> int:
        read = 0
        for after in positions:
            for _ in range(pages):
                body = client.get(f"/api/v1/events?after={after}&limit={PAGE}", headers=headers)
                page = json.loads(body.get_data())
                read += len(page["items"])
                after = page["next_after"]
        return read

    def service_pages() -> int:
        read = 0
        for after in positions:
            for _ in range(pages):
                page = feed.page(AUDITOR, after, PAGE)
                read += len(page["items"])
                after = page["next_after"]
        return read

    def bare() -> int:
        read = 0
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        sql = (
            f"SELECT * FROM rm_events WHERE notification_id > {mark} "
            f"ORDER BY notification_id LIMIT {PAGE}"
        )
        with engine.connect() as connection:
            for after in positions:
                for _ in range(pages):
                    rows = connection.exec_driver_sql(sql, (after,)).fetchall()
                    read += len(rows)
                    after = rows[-1][2] if rows else after  # notification_id
        return read

    rates: dict[str, list[float]] = {"http": [], "service": [], "bare": []}
    for _ in range(rounds):
        for name, reader in (("http", http), ("service", service_pages), ("bare", bare)):
            start = time.perf_counter()
            count = reader()
            rates[name].append(count / (time.perf_counter() - start))
    best = {name: median(values) for name, values in rates.items()}
    dispose(app)
    return {
        "events_in_store": head,
        "store_built_seconds": round(built["seconds"], 1),
        "events_read_per_round": starts * pages * PAGE,
        "http_events_per_second": round(best["http"]),
        "service_events_per_second": round(best["service"]),
        "bare_select_events_per_second": round(best["bare"]),
        "http_ratio": ratio(best["http"], best["bare"]),
        "service_ratio": ratio(best["service"], best["bare"]),
    }


# ------------------------------------------------------------------ 4. subject scopes
def scoped_reads(url: str, copies: int, samples: int = 5) -> dict[str, Any]:
    """Pages of 1000 for a subject owning one evaluation and for one owning all the clones,
    against an auditor's, on a store of `copies` clones of 100 events."""
    app = app_on(url)
    service, feed = parts(app)
    case = reference_case()
    case["evaluation"]["subject"] = RARE
    service.import_evaluation(case, BENCH_ACTOR)
    template = make_template(service)
    clone(service, template, copies)
    common = str(service.document(template.evaluation_id)["subject"])
    head = feed.head()

    def ms(principal: Principal, after: int) -> float:
        start = time.perf_counter()
        for _ in range(samples):
            feed.page(principal, after, PAGE)
        return round((time.perf_counter() - start) / samples * 1000, 2)

    rare, owner = Principal("rare", "subject", RARE), Principal("owner", "subject", common)
    result = {
        "events_in_store": head,
        "auditor_page_ms": ms(AUDITOR, 0),
        "one_evaluation_subject_page_ms": ms(rare, 0),
        "one_evaluation_subject_empty_page_ms": ms(rare, feed.page(rare, 0, PAGE)["next_after"]),
        "all_clones_subject_page_ms": ms(owner, 0),
        "all_clones_subject_page_at_half_ms": ms(owner, head // 2),
    }
    dispose(app)
    return result


# ------------------------------------------------------------------ receivers
class Receiver:
    """benchmarks.feed_receiver in a process of its own."""

    def __init__(self, folder: str) -> None:
        self.log = Path(folder) / f"receiver-{os.getpid()}-{time.monotonic_ns()}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.feed_receiver", str(self.log)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = f"http://127.0.0.1:{int(self.process.stdout.readline())}/hook"

    def arrivals(self) -> list[tuple[float, int, str]]:
        if not self.log.exists():
            return []
        rows = [line.split(" ") for line in self.log.read_text().splitlines()]
        return [(float(a), int(p), r) for a, p, r in rows]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def record(service: EvaluationService, ids: list[str], n: int) -> None:
    body = deduction_body(n)
    service.record_deduction(
        ids[n % len(ids)],
        DEDUCTION_LEAVES[(n // len(ids)) % len(DEDUCTION_LEAVES)],
        points=body["points"],
        reason=body["reason"],
        by=BENCH_ACTOR,
    )


def start_delivery(app: Flask) -> None:
    app.extensions["scoretrail.delivery"].start()


def stop_delivery(app: Flask) -> None:
    app.extensions["scoretrail.delivery"].stop()


# ------------------------------------------------------------------ 2. delivery lag
def delivery_lag(url: str, rate: float, seconds: float, folder: str) -> dict[str, Any]:
    app = app_on(url, SCORETRAIL_WEBHOOK_ALLOW_LOOPBACK=1)
    service, feed = parts(app)
    ids = load_reference(service, 4)
    receiver = Receiver(folder)
    app.extensions["scoretrail.webhooks"].register(receiver.url, "s" * 32, by="benchmark")
    start_position = feed.head()
    start_delivery(app)
    writes = int(rate * seconds)
    began = time.perf_counter()
    for n in range(writes):
        due = began + n / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        record(service, ids, n)
    achieved = writes / (time.perf_counter() - began)
    expected = {i["position"] for i in feed.queries.events_after(start_position, 10**7)}
    deadline = time.monotonic() + 60
    while {p for _, p, _ in receiver.arrivals()} < expected and time.monotonic() < deadline:
        time.sleep(0.2)
    arrivals = receiver.arrivals()
    stop_delivery(app)
    receiver.stop()
    dispose(app)
    lags = [a - datetime.fromisoformat(r).timestamp() for a, p, r in arrivals if p in expected]
    return {
        "writes": writes,
        "writes_per_second": round(achieved, 1),
        "events": len(expected),
        "events_delivered": len({p for _, p, _ in arrivals} & expected),
        "lag_p50_ms": round(percentile(lags, 50) * 1000, 1),
        "lag_p95_ms": round(percentile(lags, 95) * 1000, 1),
        "lag_max_ms": round(max(lags) * 1000, 1),
    }


# ------------------------------------------------------------------ 3. write ratio
def write_ratio(stores: Stores, writes: int, rounds: int, folder: str) -> dict[str, Any]:
    plain = app_on(stores.url("feed_plain"), SCORETRAIL_WEBHOOK_ALLOW_LOOPBACK=1)
    hooked = app_on(stores.url("feed_hooked"), SCORETRAIL_WEBHOOK_ALLOW_LOOPBACK=1)
    receivers = [Receiver(folder) for _ in range(3)]
    for receiver in receivers:
        hooked.extensions["scoretrail.webhooks"].register(receiver.url, "s" * 32, by="bench")
    ids = {name: load_reference(parts(app)[0], 4) for name, app in (("p", plain), ("h", hooked))}
    for app in (plain, hooked):
        start_delivery(app)  # as `scoretrail serve` runs it; the plain store has no receivers
    times = {"p": 0.0, "h": 0.0}
    per_round = max(1, writes // rounds)
    done = 0
    for number in range(rounds):
        order = [("p", plain), ("h", hooked)]
        for name, app in order if number % 2 == 0 else order[::-1]:  # each goes first as often
            service = parts(app)[0]
            start = time.perf_counter()
            for n in range(done, done + per_round):
                record(service, ids[name], n)
            times[name] += time.perf_counter() - start
        done += per_round
    delivered = [len(r.arrivals()) for r in receivers]
    for app in (plain, hooked):
        stop_delivery(app)
        dispose(app)
    for receiver in receivers:
        receiver.stop()
    return {
        "writes_each": done,
        "writes_per_second_no_receivers": round(done / times["p"], 1),
        "writes_per_second_3_receivers": round(done / times["h"], 1),
        "ratio": ratio(done / times["h"], done / times["p"]),
        "events_delivered_per_receiver_meanwhile": delivered,
    }


def dispose(app: Flask) -> None:
    announcer = app.extensions.get("scoretrail.feed_announcer")
    if announcer is not None:
        announcer.stop()
    engine = engine_of(app.extensions["scoretrail"])
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.feed", description=__doc__)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("SCORETRAIL_BENCH_POSTGRES_URL"))
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--starts", type=int, default=10, help="read positions spread over it")
    parser.add_argument("--pages", type=int, default=5, help="pages of 1000 read at each")
    parser.add_argument("--rate", type=float, default=50.0, help="writes per second (lag)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--writes", type=int, default=400, help="writes per store (ratio)")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--only", choices=("read", "lag", "ratio", "scope"), action="append")
    parser.add_argument("--scope-copies", type=int, default=1000, help="clones (scope)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    stores = Stores(args.store, args.postgres_url)
    wanted = set(args.only or ("read", "lag", "ratio", "scope"))
    results: dict[str, Any] = {"store": args.store}
    try:
        with tempfile.TemporaryDirectory(prefix="scoretrail-feed-") as folder:
            if "read" in wanted:
                url = stores.url("feed_read")
                results["read"] = read_rate(url, args.events, args.starts, args.pages, args.rounds)
                print(json.dumps(results["read"]), flush=True)
            if "lag" in wanted:
                url = stores.url("feed_lag")
                results["lag"] = delivery_lag(url, args.rate, args.seconds, folder)
                print(json.dumps(results["lag"]), flush=True)
            if "ratio" in wanted:
                results["ratio"] = write_ratio(stores, args.writes, args.rounds, folder)
                print(json.dumps(results["ratio"]), flush=True)
            if "scope" in wanted:
                results["scope"] = scoped_reads(stores.url("feed_scope"), args.scope_copies)
                print(json.dumps(results["scope"]), flush=True)
    finally:
        stores.close()
    if args.out:
        args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
