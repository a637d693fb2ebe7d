"""`python -m benchmarks.peer`: ScoreTrail against SQLAlchemy-Continuum on one workload.

One evaluation of 20 deduction leaves of weight 50; N operations alternating "record a 1–5
point deduction" and "withdraw it", each its own transaction; then the state as of the
middle of the history and one indicator's history. ScoreTrail runs every figure on two
paths, the answer-sized one (writes answer with the changes, as-of lists the active
deductions, the history is one page) and the API's default (the whole document, every
deduction, pages of the default size), checked to give the same answer. The peer runs in
its own environment (`var/peer-venv`, made on first use with `pip install
sqlalchemy-continuum`), as a subprocess driven line by line; the sides take turns in
chunks, so a change in the machine's load hits them alike.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_ACTOR, ROOT, Stores, dispose, median, open_service
from benchmarks.common import postgres_problem as pg_problem
from benchmarks.machine import describe
from benchmarks.peer_report import (
    SIDES,
    DifferentAnswers,
    Figures,
    answered_figures,
    check_same_document,
    check_same_items,
    check_same_writes,
    figures,
    table,
)
from web.answers import document_or_record_changes, record_with_evaluation

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
    """The ScoreTrail side: the service, as the HTTP handlers call it. Writes answer with
    `answer`: "changes" (the answer-sized path: what the write changed and the new totals,
    `Prefer: return=minimal`) or "document" (the API's default: the whole updated document);
    what each answer says the scores are is kept, outside the timing, for the check."""

    def __init__(self, url: str, answer: str = "changes") -> None:
        self.service = open_service(url)
        self.id = str(self.service.import_evaluation(spec(), BENCH_ACTOR).id)
        self.minimal = answer == "changes"
        self.op = 0
        self.open: str | None = None
        self.marks: dict[int, datetime] = {}
        self.answered: list[Figures] = []

    def step(self) -> float:
        pair = self.op // 2
        code = f"1.{pair % LEAVES + 1}"
        start = time.perf_counter()
        if self.open is None:
            written = self.service.record_deduction(
                self.id,
                code,
                points=str(1 + pair % 5),
                reason=f"deduction {self.op}",
                by=BENCH_ACTOR,
            )
            # shaped as the API shapes it (web.answers), inside the timing
            result = record_with_evaluation(written, self.minimal)
        else:
            written = self.service.withdraw_deduction(
                self.id, self.open, reason="withdrawn on review", by=BENCH_ACTOR
            )
            result = document_or_record_changes(written, self.minimal)
        elapsed = time.perf_counter() - start
        self.open = str(result["id"]) if self.open is None else None
        self.answered.append(answered_figures(result, ("1", code)))
        self.op += 1
        return elapsed

    def write(self, count: int, mark: int | None) -> list[float]:
        times = []
        for _ in range(count):
            times.append(self.step())
            if self.op == mark:
                self.marks[mark] = datetime.now(UTC)
        return times

    def as_of(self, mark: int, deductions: str) -> dict[str, Any]:
        """The state at the mark: "active" (the answer-sized view, as the peer's query
        answers) or "all" (the API's default, every deduction with its status)."""
        return self.service.document(self.id, as_of=self.marks[mark], deductions=deductions)

    def history(self, per_page: int | None) -> list[dict[str, Any]]:
        """Leaf 1.1's whole history: one page of up to 1,000 (answer-sized), or, with None,
        page after page of the API's default size (a client asking with no options)."""
        if per_page is not None:
            return list(self.service.indicator_history(self.id, "1.1", per_page=per_page)["items"])
        page = self.service.indicator_history(self.id, "1.1")
        items = list(page["items"])
        while page["page"] < page["pages"]:
            page = self.service.indicator_history(self.id, "1.1", page=page["page"] + 1)
            items += page["items"]
        return items


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run_store(kind: str, n: int, postgres_url: str | None, rounds: int) -> dict[str, Any]:
    stores = Stores(kind, postgres_url)
    peer = PeerProcess()
    made: list[Ours] = []
    try:
        peer_versions = peer.ask(cmd="setup", url=stores.url("peer"), leaves=LEAVES, weight=WEIGHT)
        ours = Ours(stores.url("ours"), "changes")
        made.append(ours)
        default = Ours(stores.url("default"), "document")
        made.append(default)
        side: dict[str, list[float]] = {who: [] for who in SIDES}
        reads: dict[str, Any] = {}
        middle = n // 2
        done = 0
        while done < n:
            count = min(100 if done < 1000 else 500, n - done)
            mark = next((m for m in (50, middle) if done < m <= done + count), None)
            # each chunk the three sides take turns going first
            turn = len(side["peer"]) // 100 % len(SIDES)
            for who in SIDES[turn:] + SIDES[:turn]:
                if who == "peer":
                    side["peer"] += peer.ask(cmd="write", count=count, mark=mark)["times"]
                else:
                    side[who] += (ours if who == "ours" else default).write(count, mark)
            done += count
            if done == 100:
                reads["100"] = _reads(ours, peer, 50, rounds)
        reads[str(n)] = _reads(ours, peer, middle, rounds)
        result = figures(side, reads, n, peer_versions)
        problems = [p for r in reads.values() for p in r["problems"]]
        writes = _checked(problems, lambda: check_same_writes(ours.answered, default.answered))
        checked_reads = sum(r["checked"] for r in reads.values())
        result["checked"] = {"writes": writes or 0, "reads": checked_reads, "problems": problems}
        return result
    finally:
        peer.close()
        for made_side in made:
            dispose(made_side.service)
        stores.close()


def _reads(ours: Ours, peer: PeerProcess, mark: int, rounds: int) -> dict[str, Any]:
    """As-of and history reads on both paths, checked to give the same answer, then timed,
    five of each in turn with the peer's, `rounds` times."""
    problems: list[str] = []
    sized_items = ours.history(1000)
    checks = (
        lambda: check_same_document(ours.as_of(mark, "active"), ours.as_of(mark, "all"), "as of"),
        lambda: check_same_items(sized_items, ours.history(None)),
    )
    checked = sum(_checked(problems, check) is not False for check in checks)
    reads: dict[str, Callable[[], Any]] = {
        "ours_as_of": lambda: ours.as_of(mark, "active"),
        "ours_default_as_of": lambda: ours.as_of(mark, "all"),
        "ours_h": lambda: ours.history(1000),
        "ours_default_h": lambda: ours.history(None),
    }
    t: dict[str, list[float]] = {name: [] for name in (*reads, "peer_as_of", "peer_h")}
    peer_rows = 0
    for r in range(rounds):
        for who in ("ours", "peer") if r % 2 == 0 else ("peer", "ours"):
            if who == "ours":
                for name, read in reads.items():
                    t[name] += [_timed(read) for _ in range(5)]
            else:
                t["peer_as_of"] += peer.ask(cmd="as_of", mark=mark, repeat=5)["times"]
                answer = peer.ask(cmd="history", repeat=5)
                t["peer_h"] += answer["times"]
                peer_rows = answer["size"]

    def ms(read: str) -> dict[str, float]:
        return {who: median(t[f"{who}_{read}"]) * 1e3 for who in SIDES}

    return {
        "as_of_ms": ms("as_of"),
        "history_ms": ms("h"),
        "history_rows": {"ours_history": len(sized_items), "peer_history": peer_rows},
        "checked": checked,  # the as-of document and the history, each on both paths
        "problems": problems,
    }


def _checked(problems: list[str], check: Callable[[], Any]) -> Any:
    """The check's result, or False with what differed noted (the run goes on: its figures
    are written, and the command fails at the end)."""
    try:
        return check()
    except DifferentAnswers as error:
        problems.append(str(error))
        return False


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
    given = sys.argv[1:] if argv is None else argv
    report["command"] = " ".join(["python", "-m", "benchmarks.peer", *given])
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
    problems = [
        f"{kind}: {p}"
        for kind, r in report["stores"].items()
        for p in r.get("checked", {}).get("problems", [])
    ]
    for problem in problems:
        print(f"DIFFERENT ANSWERS, {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
