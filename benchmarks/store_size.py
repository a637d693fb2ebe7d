"""Store size: reading one evaluation's current document beside 10k and beside 1M other events."""

from __future__ import annotations

import time
from typing import Any

from benchmarks import synthetic
from benchmarks.common import Sizes, Stores, dispose, median, open_service, ratio


def run(stores: Stores, sizes: Sizes) -> dict[str, Any]:
    large = sizes.store_large_pg if stores.kind == "postgresql" else sizes.store_large
    service = open_service(stores.url("store_size"))
    template = synthetic.make_template(service)
    target = template.evaluation_id
    per_copy = len(template.events)
    points: dict[str, Any] = {}
    others = 0
    for goal in (sizes.store_small, large):
        copies = (goal - others) // per_copy
        filled = synthetic.clone(service, template, copies)
        others += filled["events"]
        expected = service.replayed_document(target)
        clone_id = filled["a_clone"]
        assert service.document(clone_id) == service.replayed_document(clone_id), "bad clone"
        service.document(target)  # warm connections and statement caches
        samples = []
        for _ in range(sizes.store_reads):
            start = time.perf_counter()
            document = service.document(target)
            samples.append(time.perf_counter() - start)
        assert document == expected
        points[str(goal)] = {
            "other_events": others,
            "fill_s": filled["seconds"],
            "fill_events_per_s": filled["events"] / filled["seconds"],
            "read_ms": median(samples) * 1000,
        }
    dispose(service)
    small, big = points[str(sizes.store_small)], points[str(large)]
    return {
        "reads": sizes.store_reads,
        "template_events": per_copy,
        "points": points,
        "ratio": ratio(big["read_ms"], small["read_ms"]),
        "compared": f"{big['other_events']}:{small['other_events']}",
    }
