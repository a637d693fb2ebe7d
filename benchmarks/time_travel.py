"""How long the state at a middle version takes, by ?version= and by ?as_of=, as histories grow.

Builds one evaluation with ~100 events and one with ~10,000 in a temporary SQLite file,
then times `document(version=middle)` and `document(as_of=time of middle)` for each, and
reports the 10,000 : 100 ratio measured in the same run (1.0 means length does not matter:
snapshots every 50 events bound the replay, an index maps the time to a version).

    python benchmarks/time_travel.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.bootstrap import build_service
from application.app import EvaluationStore
from application.service import EvaluationService
from domain.evaluation import Actor, Evaluation

BY = Actor(name="benchmark", role="evaluator", correlation_id="benchmark")
SIZES = (100, 10_000)
SNAPSHOT_INTERVAL = EvaluationStore.snapshotting_intervals[Evaluation]


def spec(events: int) -> dict[str, Any]:
    """An evaluation with about `events` events whose state stays the same size.

    A checklist leaf is re-assessed over and over (each time two events: the assessment and
    the score change), so only the history grows: what is timed is the cost of history
    length, not of a larger score sheet.
    """
    assessments = max((events - 3) // 2, 1)  # Created, FrameworkDefined, ScoreChanged first
    return {
        "evaluation": {
            "title": f"benchmark {events}",
            "subject": "bench",
            "fiscal_year": 2024,
            "kind": "project",
        },
        "indicators": [
            {
                "code": "1",
                "name": "checklist leaf",
                "weight": "100",
                "method": "checklist",
                "items": [{"text": "a", "points": "60"}, {"text": "b", "points": "40"}],
            },
        ],
        "actions": [
            {
                "indicator": "1",
                "action": "checklist",
                "met": [n % 2 == 0, n % 2 == 1],
                "justification": f"assessment {n}",
            }
            for n in range(assessments)
        ],
    }


def build(service: EvaluationService, events: int) -> tuple[str, int, datetime]:
    """Record the evaluation; return its id, a middle version and that version's time."""
    document = service.import_evaluation(spec(events), BY)
    # halfway, moved to the worst case: 49 events past the nearest snapshot (every 50)
    half = document["version"] // 2
    middle = half - half % SNAPSHOT_INTERVAL + SNAPSHOT_INTERVAL - 1
    page = service.history(document["id"], page=middle, per_page=1)["items"][0]
    return document["id"], middle, datetime.fromisoformat(page["recorded_at"])


def median_seconds(call: Callable[[], Any], repeat: int) -> float:
    call()  # warm caches the way a running server has them
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        service = build_service(f"sqlite:///{folder}/benchmark.sqlite3")
        results: dict[int, tuple[float, float, int]] = {}
        for size in SIZES:
            evaluation_id, middle, moment = build(service, size)
            total = service.document(evaluation_id)["version"]
            assert service.document(evaluation_id, as_of=moment)["version"] == middle
            by_version = median_seconds(
                lambda e=evaluation_id, m=middle: service.document(e, version=m), args.repeat
            )
            by_time = median_seconds(
                lambda e=evaluation_id, t=moment: service.document(e, as_of=t), args.repeat
            )
            results[size] = (by_version, by_time, total)
            print(
                f"{total:>6} events: version {middle:>5} in {by_version * 1000:7.2f} ms, "
                f"as_of in {by_time * 1000:7.2f} ms"
            )
    small, large = results[SIZES[0]], results[SIZES[1]]
    print(
        f"ratio {SIZES[1]:,} : {SIZES[0]} events: by version {large[0] / small[0]:.2f}, "
        f"by as_of {large[1] / small[1]:.2f}"
    )


if __name__ == "__main__":
    main()
