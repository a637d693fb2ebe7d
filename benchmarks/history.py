"""History length: the state at a middle version and a middle time, short vs long histories.

The timed reads ask for the answer-sized view (`deductions="active"`): the history here is
deduction/withdrawal pairs, so the default view, which lists every withdrawn deduction too,
grows with the answer (reported beside it as `version_all_ms`), not with the history."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from benchmarks.common import (
    Sizes,
    Stores,
    dispose,
    extend_history,
    load_reference,
    median,
    open_service,
    ratio,
)


def run(stores: Stores, sizes: Sizes) -> dict[str, Any]:
    service = open_service(stores.url("history"))
    interval = service.store.snapshot_interval
    lengths: dict[str, Any] = {}
    built: dict[int, tuple[str, int, float]] = {}
    for length in sizes.history_lengths:
        start = time.perf_counter()
        (evaluation_id,) = load_reference(service)
        version = extend_history(service, evaluation_id, length)
        built[length] = (evaluation_id, version, time.perf_counter() - start)

    plans = {}
    for length, (evaluation_id, version, _) in built.items():
        # Versions spread over one snapshot interval around the middle, so the figure does not
        # depend on where the middle happens to fall between two snapshots.
        middle = version // 2
        versions = [
            middle + (i * interval) // sizes.history_samples for i in range(sizes.history_samples)
        ]
        moments = [recorded_at(service, evaluation_id, v) for v in versions]
        plans[length] = (evaluation_id, versions, moments)
    by_version: dict[int, list[float]] = {length: [] for length in built}
    by_time: dict[int, list[float]] = {length: [] for length in built}
    # Lengths take turns, one sample each, so drift in the machine's load hits all alike.
    # The two reads of a sample take turns going first: the second finds the same snapshot
    # and events in warm caches, which would otherwise always favour `as_of`.
    for i in range(sizes.history_samples):
        for length, (evaluation_id, versions, moments) in plans.items():
            for kind in ("version", "as_of") if i % 2 == 0 else ("as_of", "version"):
                start = time.perf_counter()
                if kind == "version":
                    document = service.document(
                        evaluation_id, version=versions[i], deductions="active"
                    )
                    by_version[length].append(time.perf_counter() - start)
                    assert document["version"] == versions[i]
                else:
                    document = service.document(
                        evaluation_id, as_of=moments[i], deductions="active"
                    )
                    by_time[length].append(time.perf_counter() - start)
                    # events recorded in the same microsecond share a time: as_of gives the last
                    assert document["version"] >= versions[i], (document["version"], versions[i])
    every: dict[int, list[float]] = {length: [] for length in built}
    for i in range(min(5, sizes.history_samples)):  # the default view, listing every deduction
        for length, (evaluation_id, versions, _) in plans.items():
            start = time.perf_counter()
            service.document(evaluation_id, version=versions[i])
            every[length].append(time.perf_counter() - start)
    for length, (_, version, build_s) in built.items():
        lengths[str(length)] = {
            "version_all_ms": median(every[length]) * 1000,
            "events": version,
            "build_s": build_s,
            "build_events_per_s": version / build_s,
            "version_ms": median(by_version[length]) * 1000,
            "as_of_ms": median(by_time[length]) * 1000,
        }
    dispose(service)
    shortest, longest = str(min(sizes.history_lengths)), str(max(sizes.history_lengths))
    return {
        "snapshot_interval": interval,
        "samples": sizes.history_samples,
        "lengths": lengths,
        "version_ratio": ratio(lengths[longest]["version_ms"], lengths[shortest]["version_ms"]),
        "as_of_ratio": ratio(lengths[longest]["as_of_ms"], lengths[shortest]["as_of_ms"]),
        "compared": f"{longest}:{shortest}",
    }


def recorded_at(service: Any, evaluation_id: str, version: int) -> datetime:
    """When the event of that version was recorded (from the history read model)."""
    page = service.history(evaluation_id, page=version, per_page=1)
    item = page["items"][0]
    assert item["version"] == version
    return datetime.fromisoformat(item["recorded_at"])
