"""`python -m benchmarks.run`: every benchmark on every store, a table, and a JSON file."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks import history, http_bench, rebuild, store_size, write_path
from benchmarks.common import FULL, QUICK, ROOT, Sizes, Stores, postgres_problem
from benchmarks.machine import describe

BENCHMARKS = ("write", "http", "history", "store", "rebuild")
TARGETS = {
    "write": ("≥", 0.5),
    "history": ("≤", 3.0),
    "store": ("≤", 1.5),
    "rebuild": ("≥", 0.5),
}


def redact(text: str) -> str:
    """Hide passwords in URLs."""
    return re.sub(r"(://[^:/@\s]+):[^@\s]+@", r"\1:***@", text)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="about a minute instead of ~15")
    parser.add_argument(
        "--stores", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("SCORETRAIL_BENCH_POSTGRES_URL"),
        help="database to create throw-away scoretrail_bench_* schemas in "
        "(default: $SCORETRAIL_BENCH_POSTGRES_URL)",
    )
    parser.add_argument(
        "--only", default=",".join(BENCHMARKS), help="comma-separated: " + ",".join(BENCHMARKS)
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "latest.json")
    parser.add_argument(
        "--token",
        default=os.environ.get("SCORETRAIL_BENCH_TOKEN"),
        help="bearer token for the HTTP benchmark (default: one issued through the service "
        "when it offers tokens, else none)",
    )
    return parser.parse_args(argv)


def run_one(name: str, stores: Stores, sizes: Sizes, args: argparse.Namespace) -> dict[str, Any]:
    runners: dict[str, Callable[[], dict[str, Any]]] = {
        "write": lambda: write_path.run(stores, sizes),
        "http": lambda: http_bench.run(stores, sizes, args.token),
        "history": lambda: history.run(stores, sizes),
        "store": lambda: store_size.run(stores, sizes),
        "rebuild": lambda: rebuild.run(stores, sizes),
    }
    start = time.perf_counter()
    try:
        result = runners[name]()
    except Exception as error:  # one failing benchmark must not lose the others' figures
        result = {"error": f"{type(error).__name__}: {error}", "trace": traceback.format_exc()}
    result["elapsed_s"] = time.perf_counter() - start
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    sizes = QUICK if args.quick else FULL
    console = Console(width=max(Console().width, 150))
    wanted = [s.strip() for s in args.stores.split(",") if s.strip()]
    only = [b.strip() for b in args.only.split(",") if b.strip()]
    unknown = [b for b in only if b not in BENCHMARKS] + [
        s for s in wanted if s not in ("sqlite", "postgresql")
    ]
    if unknown:
        console.print(f"[red]unknown benchmark or store: {', '.join(unknown)}[/red]")
        return 2
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(),
        "mode": "quick" if args.quick else "full",
        **describe(args.postgres_url if "postgresql" in wanted else None),
        "sizes": sizes.__dict__,
        "stores": {},
    }
    report["command"] = redact(report["command"])
    total_start = time.perf_counter()
    for kind in wanted:
        if kind == "postgresql":
            problem = postgres_problem(args.postgres_url)
            if problem:
                console.print(f"[yellow]PostgreSQL skipped: {redact(problem)}[/yellow]")
                report["stores"][kind] = {"skipped": redact(problem)}
                continue
        stores = Stores(kind, args.postgres_url)
        results: dict[str, Any] = {}
        try:
            for name in only:
                console.print(f"[dim]{kind}: {name}…[/dim]")
                results[name] = run_one(name, stores, sizes, args)
                if "error" in results[name]:
                    console.print(f"[red]{kind} {name} failed: {results[name]['error']}[/red]")
                else:
                    console.print(
                        f"[dim]{kind}: {name} took {results[name]['elapsed_s']:.0f}s[/dim]"
                    )
        finally:
            stores.close()
        report["stores"][kind] = results
    report["elapsed_s"] = time.perf_counter() - total_start
    console.print(table(report))
    console.print(
        f"machine: {report['machine']['cores']} cores, {report['machine']['cpu']}, "
        f"{report['machine']['memory_gib']} GiB; "
        + ", ".join(f"{k} {v}" for k, v in report["versions"].items() if v)
    )
    console.print(f"command: {report['command']}  ({report['elapsed_s']:.0f}s)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    console.print(f"written to {args.out}")
    return 0


def fmt(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def verdict(name: str, value: float | None) -> str:
    if name not in TARGETS or value is None or math.isnan(value):
        return ""
    sign, bound = TARGETS[name]
    met = value >= bound if sign == "≥" else value <= bound
    return f"{sign} {bound:g} " + ("[green]met[/green]" if met else "[red]not met[/red]")


def table(report: dict[str, Any]) -> Table:
    out = Table(title=f"ScoreTrail benchmarks ({report['mode']})")
    for column in ("store", "benchmark", "ScoreTrail", "baseline", "ratio", "target"):
        out.add_column(column, justify="right" if column in ("ratio",) else "left")
    for kind, results in report["stores"].items():
        if "skipped" in results:
            out.add_row(kind, "skipped", results["skipped"], "", "", "")
            continue
        for name, r in results.items():
            if "error" in r:
                out.add_row(kind, name, f"[red]{r['error'][:80]}[/red]", "", "", "")
                continue
            for row in rows(name, r):
                out.add_row(kind, *row)
    return out


def rows(name: str, r: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    if name == "write":
        return [
            (
                f"write: {r['deductions']} deductions",
                f"{fmt(r['ours_per_s'])}/s",
                f"bare get+save {fmt(r['bare_get_save_per_s'])}/s",
                fmt(r["ratio"], 2),
                verdict("write", r["ratio"]),
            ),
            (
                "write (context)",
                "",
                f"bare save only {fmt(r['bare_save_only_per_s'])}/s",
                fmt(r["ratio_vs_save_only"], 2),
                "",
            ),
        ]
    if name == "http":
        out = []
        kinds = (
            ("get", "GET document (default: every deduction)"),
            ("get_active", "GET document, ?deductions=active"),
            ("post", "POST deduction"),
            ("post_minimal", "POST deduction, Prefer: return=minimal"),
        )
        for kind, label in kinds:
            ours, bare = r[kind], r[f"bare_{kind}"]
            out.append(
                (
                    f"http {label}",
                    f"{fmt(ours['rps'])} rps, p50 {fmt(ours['p50_ms'], 2)} ms, "
                    f"p99 {fmt(ours['p99_ms'], 2)} ms"
                    + (
                        f", {ours['unexpected_statuses']} bad"
                        if ours["unexpected_statuses"]
                        else ""
                    ),
                    f"bare Flask {fmt(bare['rps'])} rps, p50 {fmt(bare['p50_ms'], 2)} ms, "
                    f"p99 {fmt(bare['p99_ms'], 2)} ms",
                    fmt(r[f"{kind}_ratio"], 2),
                    "",
                )
            )
        return out
    if name == "history":
        lengths = r["lengths"]
        detail = "; ".join(
            f"{v['events']:,} ev: {v['version_ms']:.2f}/{v['as_of_ms']:.2f} ms"
            for v in lengths.values()
        )
        return [
            (
                "history: version / as_of",
                detail,
                f"ratio {r['compared']} events",
                f"{fmt(r['version_ratio'], 2)} / {fmt(r['as_of_ratio'], 2)}",
                verdict("history", max(r["version_ratio"], r["as_of_ratio"])),
            )
        ]
    if name == "store":
        detail = "; ".join(
            f"{v['other_events']:,} others: {v['read_ms']:.2f} ms" for v in r["points"].values()
        )
        return [
            (
                "store size: read document",
                detail,
                f"ratio {r['compared']}",
                fmt(r["ratio"], 2),
                verdict("store", r["ratio"]),
            )
        ]
    if name == "rebuild":
        return [
            (
                f"rebuild: {r['events']:,} events",
                f"{fmt(r['rebuild_events_per_s'], 0)} ev/s",
                f"bare read {fmt(r['bare_read_events_per_s'], 0)} ev/s",
                fmt(r["ratio"], 2),
                verdict("rebuild", r["ratio"]),
            )
        ]
    return []


if __name__ == "__main__":
    raise SystemExit(main())
