"""`python -m benchmarks.flatness`: how the write rate holds as one evaluation's history grows.

Two stores side by side, each with one evaluation of the peer workload (benchmarks.peer):
one with 100 operations behind it, one with N; then rounds of writes to each in turn, so a
change in the machine's load hits both alike. Prints the rate at N ÷ the rate at 100.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from benchmarks.common import Stores, dispose
from benchmarks.peer import Ours
from benchmarks.peer_report import rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.flatness", description=__doc__)
    parser.add_argument("--store", default="postgresql", choices=("sqlite", "postgresql"))
    parser.add_argument("--postgres-url", default=os.environ.get("SCORETRAIL_BENCH_POSTGRES_URL"))
    parser.add_argument("--n", type=int, default=10_000, help="operations behind the long one")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=20)
    args = parser.parse_args(argv)
    stores = Stores(args.store, args.postgres_url)
    short, long = Ours(stores.url("short")), Ours(stores.url("long"))
    try:
        start = time.perf_counter()
        short.write(100, None)
        long.write(args.n, None)
        built = time.perf_counter() - start
        times: dict[int, list[float]] = {id(short): [], id(long): []}
        for r in range(args.rounds):
            for side in (short, long) if r % 2 == 0 else (long, short):
                times[id(side)] += side.write(args.per_round, None)
        at_100, at_n = rate(times[id(short)]), rate(times[id(long)])
        report = {"n": args.n, "build_s": built, "rate_at_100": at_100, "rate_at_n": at_n}
        report |= {"flatness": at_n / at_100, "load_average": os.getloadavg()}
        json.dump(report, sys.stdout)
        print()
    finally:
        dispose(short.service)
        dispose(long.service)
        stores.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
