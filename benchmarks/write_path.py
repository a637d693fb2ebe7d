"""Write path: deductions recorded through EvaluationService against bare eventsourcing saves."""

from __future__ import annotations

import time
from typing import Any

from benchmarks.bare import Tally, bare_application
from benchmarks.common import (
    BENCH_ACTOR,
    DEDUCTION_LEAVES,
    Sizes,
    Stores,
    deduction_body,
    dispose,
    load_reference,
    open_service,
    ratio,
)


def run(stores: Stores, sizes: Sizes) -> dict[str, Any]:
    """Interleave rounds of ours and the bare application so drift in load hits both alike."""
    service = open_service(stores.url("write"))
    ids = load_reference(service, sizes.write_evaluations)
    bare = bare_application(stores.url("write_bare"))
    tallies = [Tally(f"t{n}") for n in range(sizes.write_evaluations)]
    bare.save(*tallies)
    tally_ids = [t.id for t in tallies]
    bare_saves_only = bare_application(stores.url("write_bare_save"))
    kept = [Tally(f"k{n}") for n in range(sizes.write_evaluations)]
    bare_saves_only.save(*kept)

    per_round = max(1, sizes.write_deductions // sizes.rounds)
    ours_time = bare_time = save_time = 0.0
    done = 0
    for _ in range(sizes.rounds):
        numbers = range(done, done + per_round)
        start = time.perf_counter()
        for n in numbers:
            body = deduction_body(n)
            service.record_deduction(
                ids[n % len(ids)],
                DEDUCTION_LEAVES[(n // len(ids)) % len(DEDUCTION_LEAVES)],
                points=body["points"],
                reason=body["reason"],
                evidence=body["evidence"],
                by=BENCH_ACTOR,
            )
        ours_time += time.perf_counter() - start

        start = time.perf_counter()
        for n in numbers:
            tally: Tally = bare.repository.get(tally_ids[n % len(tally_ids)])
            tally.count_one("0.01", "r")
            bare.save(tally)
        bare_time += time.perf_counter() - start

        start = time.perf_counter()
        for n in numbers:
            held = kept[n % len(kept)]
            held.count_one("0.01", "r")
            bare_saves_only.save(held)
        save_time += time.perf_counter() - start
        done += per_round

    dispose(service)
    for app in (bare, bare_saves_only):
        app.close()
    ours = done / ours_time
    bare_rate = done / bare_time
    save_rate = done / save_time
    return {
        "deductions": done,
        "evaluations": len(ids),
        "ours_per_s": ours,
        "bare_get_save_per_s": bare_rate,
        "bare_save_only_per_s": save_rate,
        "ratio": ratio(ours, bare_rate),
        "ratio_vs_save_only": ratio(ours, save_rate),
    }
