"""How long the state at a middle version takes, by ?version= and by ?as_of=, as histories grow.

Builds one evaluation with ~100 events and one with ~10,000 in a temporary SQLite file,
then times `document(version=middle)` and `document(as_of=time of middle)` for each, and
reports the 10,000 : 100 ratio measured in the same run (1.0 means length does not matter:
snapshots every 50 events bound the replay, an index maps the time to a version).

    python benchmarks/time_travel.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.bootstrap import build_service
from application.app import EvaluationStore
from application.service import EvaluationService
from domain.evaluation import Actor

BY = Actor(name="benchmark", role="evaluator", correlation_id="benchmark")
SIZES = (100, 10_000)
SNAPSHOT_INTERVAL = EvaluationStore.snapshot_interval


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
    document = service.import_evaluation(spec(events), BY).document()
    # halfway, moved to the worst case: 49 events past the nearest snapshot (every 50)
    half = document["version"] // 2
    middle = half - half % SNAPSHOT_INTERVAL + SNAPSHOT_INTERVAL - 1
    page = service.history(document["id"], page=middle, per_page=1)["items"][0]
    return document["id"], middle, datetime.fromisoformat(page["recorded_at"])


class Timer:
    """Median wall time per labelled call; calls of both sizes alternate, so load drifts evenly."""

    def __init__(self) -> None:
        self.timings: dict[str, list[float]] = {}

    def time(self, label: str, call: Callable[[], Any]) -> None:
        started = time.perf_counter()
        call()
        self.timings.setdefault(label, []).append(time.perf_counter() - started)

    def median(self, label: str) -> float:
        return statistics.median(self.timings[label])


def events_read(service: EvaluationService, call: Callable[[], Any]) -> tuple[int, int]:
    """How many snapshots and events the store hands back during `call`."""
    counts = {"snapshots": 0, "events": 0}
    snapshots = service.store.snapshots
    assert snapshots is not None
    recorders = {"events": service.store.recorder, "snapshots": snapshots.recorder}
    originals = {name: r.select_events for name, r in recorders.items()}

    def counting(name: str) -> Callable[..., Any]:
        def select(*args: Any, **kwargs: Any) -> Any:
            found = originals[name](*args, **kwargs)
            counts[name] += len(found)
            return found

        return select

    for name, recorder in recorders.items():
        recorder.select_events = counting(name)  # type: ignore[method-assign]
    try:
        call()
    finally:
        for name, recorder in recorders.items():
            recorder.select_events = originals[name]  # type: ignore[method-assign]
    return counts["snapshots"], counts["events"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        service = build_service(f"sqlite:///{folder}/benchmark.sqlite3")
        built = {size: build(service, size) for size in SIZES}
        calls: dict[str, Callable[[], Any]] = {}
        for size, (evaluation_id, middle, moment) in built.items():
            assert service.document(evaluation_id, as_of=moment)["version"] == middle
            calls[f"version {size}"] = partial(service.document, evaluation_id, version=middle)
            calls[f"as_of {size}"] = partial(service.document, evaluation_id, as_of=moment)
        timer = Timer()
        for call in calls.values():
            call()  # warm caches the way a running server has them
        for _ in range(args.repeat):
            for label, call in calls.items():
                timer.time(label, call)
        for size, (evaluation_id, middle, _) in built.items():
            total = service.document(evaluation_id)["version"]
            snapshots, events = events_read(service, calls[f"as_of {size}"])
            print(
                f"{total:>6} events: state at version {middle:>5} in "
                f"{timer.median(f'version {size}') * 1000:6.2f} ms, via as_of in "
                f"{timer.median(f'as_of {size}') * 1000:6.2f} ms "
                f"({snapshots} snapshot + {events} events read)"
            )
    small, large = SIZES
    print(
        f"ratio {large:,} : {small} events: by version "
        f"{timer.median(f'version {large}') / timer.median(f'version {small}'):.2f}, "
        f"by as_of {timer.median(f'as_of {large}') / timer.median(f'as_of {small}'):.2f}"
    )


if __name__ == "__main__":
    main()
