"""How long filtered history reads take as histories grow: the answer's size, not the past's.

Builds one evaluation with ~100 events and one with ~10,000 in a temporary SQLite file
(a checklist re-assessed over and over), then the same short tail on each: a submission and
three re-assessments by another person. Times `history(from=submission)`,
`history(actor=…)` and `history(indicator=…, type=…)` on both and prints the
10,000 : 100 ratio measured in the same run (1.0: history length does not matter).

    python benchmarks/history_filters.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.bootstrap import build_service
from benchmarks.time_travel import SIZES, Timer, spec
from domain.evaluation import Actor

BY = Actor(name="benchmark", role="evaluator", correlation_id="benchmark")
LATE = Actor(name="rita", role="reviewer", correlation_id="benchmark-tail")
FILTERS = {
    "since submission": {"start": "submission"},
    "one person": {"actor": "rita"},
    "indicator and type": {"indicator": "1", "type": ["ChecklistAssessed"], "start": "submission"},
}


def build(service: Any, events: int) -> str:
    evaluation_id = str(service.import_evaluation(spec(events), BY).id)
    service.submit(evaluation_id, by=LATE)
    for n in range(3):
        service.assess_checklist(
            evaluation_id, "1", met=[n % 2 == 1, n % 2 == 0], justification=f"复核 {n}", by=LATE
        )
    return evaluation_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        service = build_service(f"sqlite:///{folder}/benchmark.sqlite3")
        built = {size: build(service, size) for size in SIZES}
        calls: dict[str, Callable[[], Any]] = {}
        for size, evaluation_id in built.items():
            for name, filters in FILTERS.items():
                calls[f"{name} {size}"] = partial(service.history, evaluation_id, 1, 100, **filters)
        answers = {label: call()["total"] for label, call in calls.items()}
        timer = Timer()
        for _ in range(args.repeat):
            for label, call in calls.items():
                timer.time(label, call)
    small, large = SIZES
    for name in FILTERS:
        a, b = f"{name} {small}", f"{name} {large}"
        print(
            f"{name:<20} {answers[a]:>3} events: {timer.median(a) * 1000:6.2f} ms at {small}, "
            f"{timer.median(b) * 1000:6.2f} ms at {large:,}; ratio "
            f"{timer.median(b) / timer.median(a):.2f}"
        )


if __name__ == "__main__":
    main()
