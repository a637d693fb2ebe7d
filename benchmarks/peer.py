"""`python -m benchmarks.peer`: ScoreTrail against SQLAlchemy-Continuum on one workload.

One evaluation of 20 deduction leaves of weight 50; N operations alternating "record a 1–5
point deduction" and "withdraw it", each its own transaction; then the state as of the
middle of the history and one indicator's history. The peer runs in its own environment
(`var/peer-venv`, made on first use with `pip install sqlalchemy-continuum`), as a
subprocess driven line by line; the two sides take turns in chunks, so a change in the
machine's load hits both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_ACTOR, ROOT, Stores, dispose, median, open_service
from benchmarks.common import postgres_problem as pg_problem
from benchmarks.machine import describe

PEER_VENV = ROOT / "var" / "peer-venv"
PEER_SCRIPT = Path(__file__).with_name("peer_continuum.py")
LEAVES = 20
WEIGHT = "50"


def peer_python() -> Path:
    """The peer environment's interpreter, made on first use."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "sqlalchemy-continuum", "psycopg[binary]"],
            check=True,
        )
    return python


class PeerProcess:
    """The Continuum side, one JSON request and answer a line."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [str(peer_python()), str(PEER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, **request: Any) -> dict[str, Any]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError("the peer process ended")
        return dict(json.loads(answer))

    def close(self) -> None:
        try:
            assert self.process.stdin
            self.process.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
            self.process.stdin.close()
            self.process.wait(timeout=30)
        except Exception:  # whatever happened, never leave it running
            self.process.kill()


def spec() -> dict[str, Any]:
    """The workload's evaluation: 20 deduction leaves of weight 50 under one root."""
    return {
        "evaluation": {
            "title": "peer workload",
            "subject": "benchmark",
            "fiscal_year": 2024,
            "kind": "project",
            "total_weight": str(LEAVES * int(WEIGHT)),
        },
        "indicators": [
            {"code": "1", "name": "root", "weight": str(LEAVES * int(WEIGHT))},
            *(
                {
                    "code": f"1.{n + 1}",
                    "parent": "1",
                    "name": f"leaf {n + 1}",
                    "weight": WEIGHT,
                    "method": "deduction",
                    "criteria": "1–5 points a finding",
                }
                for n in range(LEAVES)
            ),
        ],
    }


class Ours:
    """The ScoreTrail side: the service, as the HTTP handlers call it."""

    def __init__(self, url: str) -> None:
        self.service = open_service(url)
        self.id = str(self.service.import_evaluation(spec(), BENCH_ACTOR).id)
        self.op = 0
        self.open: str | None = None
        self.marks: dict[int, datetime] = {}

    def step(self) -> float:
        start = time.perf_counter()
        if self.open is None:
            pair = self.op // 2
            # what the write recorded; no document is rendered, as the peer's write gives none
            answer = self.service.record_deduction(
                self.id,
                f"1.{pair % LEAVES + 1}",
                points=str(1 + pair % 5),
                reason=f"deduction {self.op}",
                by=BENCH_ACTOR,
            ).record
            self.open = str(answer["id"])
        else:
            self.service.withdraw_deduction(
                self.id, self.open, reason="withdrawn on review", by=BENCH_ACTOR
            )
            self.open = None
        elapsed = time.perf_counter() - start
        self.op += 1
        return elapsed

    def write(self, count: int, mark: int | None) -> list[float]:
        times = []
        for _ in range(count):
            times.append(self.step())
            if self.op == mark:
                self.marks[mark] = datetime.now(UTC)
        return times

    def as_of(self, mark: int, repeat: int) -> list[float]:
        when = self.marks[mark]

        def read() -> Any:  # the active deductions only, as the peer's query answers
            return self.service.document(self.id, as_of=when, deductions="active")

        return [_timed(read) for _ in range(repeat)]

    def history(self, repeat: int) -> tuple[list[float], int]:
        def read() -> Any:
            return self.service.indicator_history(self.id, "1.1", page=1, per_page=1000)

        size = len(read()["items"])
        return [_timed(read) for _ in range(repeat)], size


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def rate(times: list[float]) -> float:
    return len(times) / sum(times) if times else float("nan")


def run_store(kind: str, n: int, postgres_url: str | None, rounds: int) -> dict[str, Any]:
    stores = Stores(kind, postgres_url)
    peer = PeerProcess()
    ours: Ours | None = None
    try:
        peer_versions = peer.ask(cmd="setup", url=stores.url("peer"), leaves=LEAVES, weight=WEIGHT)
        ours = Ours(stores.url("ours"))
        side: dict[str, list[float]] = {"ours": [], "peer": []}
        reads: dict[str, Any] = {}
        chunk = 100
        middle = n // 2
        done = 0
        while done < n:
            count = min(chunk if done < 1000 else 500, n - done)
            mark = next((m for m in (50, middle) if done < m <= done + count), None)
            # each chunk: the side that went second last time goes first
            first_ours = (done // 100) % 2 == 0
            for who in ("ours", "peer") if first_ours else ("peer", "ours"):
                if who == "ours":
                    side["ours"] += ours.write(count, mark)
                else:
                    side["peer"] += peer.ask(cmd="write", count=count, mark=mark)["times"]
            done += count
            if done == 100:
                reads["100"] = _reads(ours, peer, 50, rounds)
        reads[str(n)] = _reads(ours, peer, middle, rounds)
        return _figures(side, reads, n, peer_versions)
    finally:
        peer.close()
        if ours is not None:
            dispose(ours.service)
        stores.close()


def _reads(ours: Ours, peer: PeerProcess, mark: int, rounds: int) -> dict[str, Any]:
    """As-of and history reads, a few of each side in turn, `rounds` times."""
    t: dict[str, list[float]] = {"ours_as_of": [], "peer_as_of": [], "ours_h": [], "peer_h": []}
    sizes: dict[str, int] = {}
    for r in range(rounds):
        order = ("ours", "peer") if r % 2 == 0 else ("peer", "ours")
        for who in order:
            if who == "ours":
                t["ours_as_of"] += ours.as_of(mark, 5)
                times, sizes["ours_history"] = ours.history(5)
                t["ours_h"] += times
            else:
                t["peer_as_of"] += peer.ask(cmd="as_of", mark=mark, repeat=5)["times"]
                answer = peer.ask(cmd="history", repeat=5)
                t["peer_h"] += answer["times"]
                sizes["peer_history"] = answer["size"]
    return {
        "as_of_ms": {"ours": median(t["ours_as_of"]) * 1e3, "peer": median(t["peer_as_of"]) * 1e3},
        "history_ms": {"ours": median(t["ours_h"]) * 1e3, "peer": median(t["peer_h"]) * 1e3},
        "history_rows": sizes,
    }


def _figures(
    side: dict[str, list[float]], reads: dict[str, Any], n: int, peer_versions: dict[str, Any]
) -> dict[str, Any]:
    windows = {"overall": (0, n), "first_100": (0, 100), "first_1000": (0, 1000)}
    windows[f"last_100_at_{n}"] = (n - 100, n)
    write = {
        name: {who: rate(side[who][a:b]) for who in ("ours", "peer")}
        for name, (a, b) in windows.items()
    }
    for figures in write.values():
        figures["ratio"] = figures["ours"] / figures["peer"]
    small, large = reads["100"], reads[str(n)]
    return {
        "n": n,
        "peer": peer_versions.get("versions"),
        "write_ops_per_s": write,
        "write_end_to_start": {
            who: write[f"last_100_at_{n}"][who] / write["first_100"][who]
            for who in ("ours", "peer")
        },
        "reads": reads,
        "as_of_middle_ratio": large["as_of_ms"]["ours"] / large["as_of_ms"]["peer"],
        "as_of_growth": {
            who: large["as_of_ms"][who] / small["as_of_ms"][who] for who in ("ours", "peer")
        },
        "history_ratio": large["history_ms"]["ours"] / large["history_ms"]["peer"],
    }


def table(report: dict[str, Any]) -> str:
    lines = [
        "| store | figure | Continuum | ScoreTrail | ScoreTrail ÷ Continuum |",
        "|---|---|---|---|---|",
    ]
    for kind, r in report["stores"].items():
        if "skipped" in r:
            lines.append(f"| {kind} | skipped: {r['skipped']} | | | |")
            continue
        n = r["n"]
        for name, w in r["write_ops_per_s"].items():
            lines.append(
                f"| {kind} | write ops/s, {name.replace('_', ' ')} | {w['peer']:.1f} | "
                f"{w['ours']:.1f} | {w['ratio']:.2f} |"
            )
        e = r["write_end_to_start"]
        lines.append(
            f"| {kind} | write rate last 100 ÷ first 100 | {e['peer']:.2f} | {e['ours']:.2f} | |"
        )
        for size in ("100", str(n)):
            a, h = r["reads"][size]["as_of_ms"], r["reads"][size]["history_ms"]
            rows = r["reads"][size]["history_rows"]
            lines.append(
                f"| {kind} | state as of the middle, {int(size):,} ops | {a['peer']:.2f} ms | "
                f"{a['ours']:.2f} ms | {a['ours'] / a['peer']:.2f} |"
            )
            lines.append(
                f"| {kind} | one indicator's history ({rows.get('ours_history')} / "
                f"{rows.get('peer_history')} rows), {int(size):,} ops | {h['peer']:.2f} ms | "
                f"{h['ours']:.2f} ms | {h['ours'] / h['peer']:.2f} |"
            )
        g = r["as_of_growth"]
        lines.append(
            f"| {kind} | as-of cost {n:,} : 100 ops | {g['peer']:.2f} | {g['ours']:.2f} | |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peer", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="N = 2,000 instead of 10,000")
    parser.add_argument("--n", type=int, help="operations (overrides --quick)")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=os.environ.get("SCORETRAIL_BENCH_POSTGRES_URL"))
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "peer-latest.json"
    )
    args = parser.parse_args(argv)
    n = args.n or (2_000 if args.quick else 10_000)
    if n < 1000 or n % 100:
        parser.error("N must be a multiple of 100, at least 1,000")
    wanted = [s.strip() for s in args.stores.split(",") if s.strip()]
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(),
        "load_average_at_start": os.getloadavg(),
        **describe(args.postgres_url if "postgresql" in wanted else None),
        "stores": {},
    }
    start = time.perf_counter()
    for kind in wanted:
        problem = pg_problem(args.postgres_url) if kind == "postgresql" else None
        if problem:
            report["stores"][kind] = {"skipped": problem}
            continue
        print(f"{kind}: {n:,} operations on each side…", file=sys.stderr, flush=True)
        report["stores"][kind] = run_store(kind, n, args.postgres_url, args.rounds)
    report["load_average_at_end"] = os.getloadavg()
    report["elapsed_s"] = time.perf_counter() - start
    print(table(report))
    print(
        f"load average {report['load_average_at_start'][0]:.1f} → "
        f"{report['load_average_at_end'][0]:.1f}; {report['elapsed_s']:.0f} s"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
