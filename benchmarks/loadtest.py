"""Load test on loopback: concurrent clients mix reads and deductions, then consistency checks.

    python -m benchmarks.loadtest --store both --clients 16 --duration 20

starts `scoretrail serve` (gunicorn) on a fresh SQLite file and/or a fresh PostgreSQL schema,
creates a few evaluations, lets N clients read and deduct for a bounded time and count, and
reports throughput, p50/p99 latency, answers by status, and whether every accepted deduction
is kept exactly once with every score adding up. Exit status 1 if anything is inconsistent.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.bootstrap import build_components, build_token_service
from benchmarks.client import Client, Reply, post_until_answered
from benchmarks.consistency import Accepted, check, fetch_snapshot, reason_for
from benchmarks.server import ServerProcess
from benchmarks.stores import postgres_schema, sqlite_file

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# Four deduction leaves of 25 points under two roots: room for thousands of small deductions.
FRAMEWORK = [
    {"code": "1", "name": "决策与过程", "weight": "50"},
    {"code": "1.1", "name": "立项依据", "parent": "1", "weight": "25", "method": "deduction"},
    {"code": "1.2", "name": "资金管理", "parent": "1", "weight": "25", "method": "deduction"},
    {"code": "2", "name": "产出与效益", "weight": "50"},
    {"code": "2.1", "name": "产出数量", "parent": "2", "weight": "25", "method": "deduction"},
    {"code": "2.2", "name": "满意度", "parent": "2", "weight": "25", "method": "deduction"},
]
LEAVES = ("1.1", "1.2", "2.1", "2.2")
POINTS = ("0.01", "0.02", "0.05")


@dataclass
class Tally:
    """What the clients saw, merged under a lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"read": [], "write": []})
    statuses: Counter[str] = field(default_factory=Counter)
    problems: Counter[str] = field(default_factory=Counter)
    accepted: list[Accepted] = field(default_factory=list)
    sends: int = 0
    requests: int = 0

    def add(self, kind: str, reply: Reply, sends: int = 1) -> None:
        with self.lock:
            self.latencies[kind].append(reply.seconds)
            self.statuses[f"{kind} {reply.status}"] += 1
            self.requests += 1
            self.sends += sends
            if reply.status >= 400 and isinstance(reply.body, dict):
                self.problems[str(reply.body.get("type", "")).rsplit(":", 1)[-1]] += 1


def seed(client: Client, count: int) -> list[str]:
    """Evaluations with the four-leaf framework, created through the API."""
    ids = []
    for n in range(count):
        header = {
            "title": f"负载测试 {n + 1}",
            "subject": "示范单位",
            "fiscal_year": 2024,
            "kind": "project",
        }
        created, _ = post_until_answered(client, "/api/v1/evaluations", header, str(uuid.uuid4()))
        assert created.status == 201, created.body
        evaluation_id = created.body["id"]
        framed, _ = post_until_answered(
            client,
            f"/api/v1/evaluations/{evaluation_id}/framework",
            {"indicators": FRAMEWORK},
            str(uuid.uuid4()),
        )
        assert framed.status == 200, framed.body
        ids.append(evaluation_id)
    return ids


def client_loop(
    base_url: str,
    evaluation_ids: list[str],
    tally: Tally,
    deadline: float,
    budget: threading.Semaphore,
    args: argparse.Namespace,
    seed_value: int,
) -> None:
    """Reads and deductions until the deadline or the request budget runs out."""
    rng = random.Random(seed_value)
    client = Client(base_url, token=args.token)
    etags: dict[str, str] = {}
    try:
        while time.monotonic() < deadline and budget.acquire(blocking=False):
            evaluation_id = rng.choice(evaluation_ids)
            base = f"/api/v1/evaluations/{evaluation_id}"
            if rng.random() >= args.write_ratio:
                reply = client.get(base)
                tally.add("read", reply)
                if reply.etag:
                    etags[evaluation_id] = reply.etag
                continue
            key = str(uuid.uuid4())
            body = {"points": rng.choice(POINTS), "reason": reason_for(key)}
            headers = {}
            if evaluation_id in etags and rng.random() < args.if_match_ratio:
                headers["If-Match"] = etags[evaluation_id]
            code = rng.choice(LEAVES)
            reply, sends = post_until_answered(
                client, f"{base}/indicators/{code}/deductions", body, key, headers=headers
            )
            tally.add("write", reply, sends)
            if reply.etag:
                etags[evaluation_id] = reply.etag
            if reply.status == 201:
                with tally.lock:
                    tally.accepted.append(Accepted(evaluation_id, reply.body["id"], key))
    finally:
        client.close()


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def mint_token(database_url: str) -> str:
    """An evaluator's token in the store the server will use (reads and deductions need one)."""
    components = build_components(database_url)
    try:
        _, secret = build_token_service(components.service).create("loadtest", "evaluator")
    finally:
        components.dispose()
    return secret


def run_store(store: str, database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    """One run against one store: serve, seed, load, check."""
    RESULTS.mkdir(exist_ok=True)
    log_path = RESULTS / f"server-{store}.log"
    log_path.unlink(missing_ok=True)
    server = ServerProcess(
        database_url,
        workers=args.workers,
        threads=args.threads,
        env={"SCORETRAIL_LOG_LEVEL": "WARNING"},
        log_path=log_path,
    )
    if not args.url and not args.token:
        # a token of this store only: each store gets its own run of the arguments
        args = argparse.Namespace(**{**vars(args), "token": mint_token(database_url)})
    base_url = args.url or server.start()
    try:
        admin = Client(base_url, token=args.token, timeout=60)
        assert admin.get("/healthz").status == 200
        evaluation_ids = seed(admin, args.evaluations)
        tally = Tally()
        budget = threading.Semaphore(args.max_requests)
        started = time.monotonic()
        deadline = started + args.duration
        threads = [
            threading.Thread(
                target=client_loop,
                args=(base_url, evaluation_ids, tally, deadline, budget, args, n),
            )
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        snapshots = {eid: fetch_snapshot(admin, eid) for eid in evaluation_ids}
        ready = admin.get("/readyz").body
        admin.close()
    finally:
        if not args.url:
            server.stop()
    findings = check(tally.accepted, snapshots)
    reads, writes = tally.latencies["read"], tally.latencies["write"]
    every = reads + writes

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 1)

    return {
        "store": store,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "clients": args.clients,
        "evaluations": args.evaluations,
        "workers": args.workers,
        "threads": args.threads,
        "seconds": round(elapsed, 2),
        "requests": tally.requests,
        "sends": tally.sends,
        "throughput_rps": round(tally.requests / elapsed, 1) if elapsed else None,
        "latency_ms": {
            "all": {"p50": ms(percentile(every, 50)), "p99": ms(percentile(every, 99))},
            "read": {"p50": ms(percentile(reads, 50)), "p99": ms(percentile(reads, 99))},
            "write": {"p50": ms(percentile(writes, 50)), "p99": ms(percentile(writes, 99))},
        },
        "statuses": dict(sorted(tally.statuses.items())),
        "problems": dict(sorted(tally.problems.items())),
        "consistency": findings.summary(),
        "examples": {
            "lost": findings.lost[:5],
            "duplicated": findings.duplicated[:5],
            "score_mismatches": findings.score_mismatches[:5],
            "half_written": findings.half_written[:5],
        },
        "readiness_after": ready,
    }


def render(result: dict[str, Any]) -> str:
    latency = result["latency_ms"]
    lines = [
        f"== {result['store']}: {result['clients']} clients, {result['evaluations']} evaluations,"
        f" {result['seconds']} s",
        f"throughput      {result['throughput_rps']} requests/s ({result['requests']} requests,"
        f" {result['sends']} sends incl. retries)",
        *(
            f"latency {kind:<7} p50 {values['p50']} ms, p99 {values['p99']} ms"
            for kind, values in latency.items()
        ),
        "answers         " + ", ".join(f"{k}: {v}" for k, v in result["statuses"].items()),
        "problems        " + (", ".join(f"{k}: {v}" for k, v in result["problems"].items()) or "-"),
        "consistency     " + ", ".join(f"{k}: {v}" for k, v in result["consistency"].items()),
    ]
    return "\n".join(lines)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("SCORETRAIL_BENCH_POSTGRES_URL")
        or os.environ.get("SCORETRAIL_TEST_POSTGRES_URL")
        or DEFAULT_POSTGRES_URL,
        help="database to run in (a fresh schema is made in it and dropped afterwards)",
    )
    parser.add_argument("--url", help="an already running server instead of starting one")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20, help="seconds (upper bound)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="upper bound")
    parser.add_argument("--evaluations", type=int, default=3)
    parser.add_argument("--write-ratio", type=float, default=0.5)
    parser.add_argument(
        "--if-match-ratio", type=float, default=0.1, help="share of writes sending If-Match"
    )
    parser.add_argument("--workers", type=int, default=None, help="server processes")
    parser.add_argument("--threads", type=int, default=None, help="threads per process")
    parser.add_argument("--token", help="send Authorization: Bearer TOKEN")
    parser.add_argument("--keep", action="store_true", help="keep the store afterwards")
    parser.add_argument("--output", type=Path, help="JSON results (default: benchmarks/results)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    stores = ("sqlite", "postgres") if args.store == "both" else (args.store,)
    results = []
    for store in stores:
        if store == "sqlite":
            with tempfile.TemporaryDirectory() as folder, sqlite_file(folder) as url:
                results.append(run_store(store, url, args))
        else:
            with postgres_schema(args.postgres_url, keep=args.keep) as url:
                results.append(run_store(store, url, args))
        print(render(results[-1]), flush=True)
    output = args.output or RESULTS / f"loadtest-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"results: {output}")
    return 0 if all(r["consistency"]["consistent"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
