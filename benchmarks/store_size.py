"""Store size: reading one evaluation's current document beside 10k and beside 1M other events."""

from __future__ import annotations

import time
from typing import Any

from application.service import EvaluationService
from benchmarks import synthetic
from benchmarks.common import Sizes, Stores, dispose, median, open_service, ratio


def filled_store(stores: Stores, name: str, others: int) -> tuple[EvaluationService, str, dict]:
    """A store holding the template evaluation and `others` events of cloned evaluations."""
    service = open_service(stores.url(name))
    template = synthetic.make_template(service)
    filled = synthetic.clone(service, template, others // len(template.events))
    clone_id = filled["a_clone"]
    assert service.document(clone_id) == service.replayed_document(clone_id), "bad clone"
    return service, template.evaluation_id, filled


def run(stores: Stores, sizes: Sizes) -> dict[str, Any]:
    """Both stores are built first, then read in alternating rounds: drift in the machine's
    load then hits both sizes alike instead of whichever was measured later."""
    large = sizes.store_large_pg if stores.kind == "postgresql" else sizes.store_large
    built = {
        goal: filled_store(stores, f"store_{goal}", goal) for goal in (sizes.store_small, large)
    }
    samples: dict[int, list[float]] = {goal: [] for goal in built}
    for service, target, _ in built.values():
        expected = service.replayed_document(target)
        assert service.document(target) == expected
    per_round = max(1, sizes.store_reads // sizes.rounds)
    for _ in range(sizes.rounds):
        for goal, (service, target, _) in built.items():
            service.document(target)  # this store's pages back in the caches first
            for _ in range(per_round):
                start = time.perf_counter()
                service.document(target)
                samples[goal].append(time.perf_counter() - start)
    points: dict[str, Any] = {}
    for goal, (service, _, filled) in built.items():
        points[str(goal)] = {
            "other_events": filled["events"],
            "fill_s": filled["seconds"],
            "fill_events_per_s": filled["events"] / filled["seconds"],
            "read_ms": median(samples[goal]) * 1000,
        }
        dispose(service)
    small, big = points[str(sizes.store_small)], points[str(large)]
    return {
        "reads": per_round * sizes.rounds,
        "template_events": synthetic.TEMPLATE_EVENTS,
        "points": points,
        "ratio": ratio(big["read_ms"], small["read_ms"]),
        "compared": f"{big['other_events']}:{small['other_events']}",
    }
