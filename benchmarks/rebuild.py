"""Rebuild: events per second projected from scratch, against reading them without projecting."""

from __future__ import annotations

import time
from typing import Any

from application.reading import REBUILD_BATCH
from application.service import EvaluationService
from benchmarks import synthetic
from benchmarks.common import Sizes, Stores, dispose, median, open_service, ratio

READ_BATCH = REBUILD_BATCH  # the batch size the rebuild itself reads with


def read_all(service: EvaluationService, stop: int) -> int:
    """The bare read: select_notifications in batches, each turned into a domain event."""
    recorder, mapper = service.store.recorder, service.store.mapper
    start, count = 1, 0
    while start <= stop:
        notifications = recorder.select_notifications(start, READ_BATCH, stop=stop)
        if not notifications:
            break
        for notification in notifications:
            mapper.to_domain_event(notification)
        count += len(notifications)
        start = notifications[-1].id + 1
    return count


def run(stores: Stores, sizes: Sizes) -> dict[str, Any]:
    service = open_service(stores.url("rebuild"))
    template = synthetic.make_template(service)
    copies = max(0, (sizes.rebuild_events - len(template.events)) // len(template.events))
    synthetic.clone(service, template, copies)
    stop = service.store.recorder.max_notification_id() or 0
    expected = service.replayed_document(template.evaluation_id)
    reads, rebuilds = [], []
    rounds = max(1, sizes.rounds // 3)
    for _ in range(rounds):
        start = time.perf_counter()
        count = read_all(service, stop)
        reads.append(time.perf_counter() - start)
        start = time.perf_counter()
        projected = service.rebuild_read_models()
        rebuilds.append(time.perf_counter() - start)
        assert projected == count == stop, (projected, count, stop)
    assert service.document(template.evaluation_id) == expected
    dispose(service)
    read_rate = stop / median(reads)
    rebuild_rate = stop / median(rebuilds)
    return {
        "events": stop,
        "rounds": rounds,
        "rebuild_events_per_s": rebuild_rate,
        "bare_read_events_per_s": read_rate,
        "ratio": ratio(rebuild_rate, read_rate),
    }
