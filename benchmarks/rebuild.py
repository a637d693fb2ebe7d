"""Rebuild: events per second projected from scratch, against reading them without projecting.

Two rebuilds are timed on the same store: in place (`rebuild_read_models`, writers held off
throughout) and beside the serving tables (adapters.beside: bulk load, indexes at the end,
catch-up, switch), with a writer recording a command during the switch to time its wait.
Run alone at any size: `python -m benchmarks.rebuild --events 1000000 --store sqlite`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import threading
import time
from typing import Any

from adapters.bootstrap import build_beside
from application.reading import REBUILD_BATCH
from application.service import EvaluationService
from benchmarks import synthetic
from benchmarks.common import (
    BENCH_ACTOR,
    QUICK,
    Sizes,
    Stores,
    dispose,
    median,
    open_service,
    ratio,
)

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


class SteadyWriter:
    """A writer recording a deduction every `pause` seconds for the whole build beside, as
    a serving process would: its slowest command and its failures are the build's cost to
    writers (a failure is a command a user saw refused)."""

    def __init__(self, url: str, evaluation_id: str, pause: float = 0.05) -> None:
        self.service = open_service(url)
        self.service.document(evaluation_id)  # its connections are open before the build
        self.evaluation_id, self.pause = evaluation_id, pause
        self.stop = threading.Event()
        self.seconds: list[float] = []
        self.errors: list[str] = []
        self.commands: list[tuple[float, float, bool]] = []  # (started, seconds, failed)
        self.thread = threading.Thread(target=self._write, daemon=True)  # a failed run ends

    def _write(self) -> None:
        recorded: str | None = None  # recorded, then withdrawn: the leaf never runs out
        while not self.stop.wait(self.pause):
            clock = time.perf_counter()
            try:
                if recorded is None:
                    written = self.service.record_deduction(
                        self.evaluation_id, "4.2.1", points="0.01", reason="s", by=BENCH_ACTOR
                    )
                    recorded = str(written.record["id"])
                else:
                    self.service.withdraw_deduction(
                        self.evaluation_id, recorded, reason="s", by=BENCH_ACTOR
                    )
                    recorded = None
            except Exception as error:  # a writer given up by its lock timeout: counted
                self.errors.append(type(error).__name__)
                failed = True
            else:
                failed = False
            self.seconds.append(time.perf_counter() - clock)
            self.commands.append((clock, self.seconds[-1], failed))

    def finish(self, started: float, phases: dict[str, float]) -> dict[str, Any]:
        """The writer's figures, in all and by the build's phase each command began in."""
        self.stop.set()
        self.thread.join()
        dispose(self.service)
        ordered = sorted(self.seconds) or [0.0]
        ends, at = [], started
        for name, seconds in phases.items():
            if name != "switch_lock_wait":  # counted within the switch
                at += seconds
                ends.append((at, name))
        by_phase: dict[str, dict[str, float]] = {}
        for began, seconds, failed in self.commands:
            phase = next((name for end, name in ends if began < end), "after")
            figures = by_phase.setdefault(phase, {"commands": 0, "failed": 0, "slowest_s": 0})
            figures["commands"] += 1
            figures["failed"] += failed
            figures["slowest_s"] = round(max(figures["slowest_s"], seconds), 3)
        return {
            "commands": len(self.seconds),
            "failed": len(self.errors),
            "errors": sorted(set(self.errors)),
            "median_s": round(median(ordered), 4),
            "slowest_s": round(ordered[-1], 3),
            "by_phase": by_phase,
        }


def beside_with_a_writer(
    service: EvaluationService, url: str, evaluation_id: str, steady: bool = False
) -> dict[str, Any]:
    """One build beside; a second service records a deduction while the switch holds the
    writers off: how long that command took is the writers' wait. With `steady`, a third
    records one every 50 ms throughout the build."""
    writer = open_service(url)
    writer.document(evaluation_id)  # its connections are open before the switch
    beside = build_beside(service)
    started, waited = threading.Event(), dict[str, Any]()

    def write() -> None:
        started.set()
        clock = time.perf_counter()
        try:
            writer.record_deduction(
                evaluation_id, "4.2.1", points="0.01", reason="w", by=BENCH_ACTOR
            )
        except Exception as error:  # a writer given up by its lock timeout: reported
            waited["error"] = type(error).__name__
        waited["seconds"] = time.perf_counter() - clock

    thread = threading.Thread(target=write)

    def during_switch() -> None:
        thread.start()
        started.wait()

    beside.on_switch = during_switch
    background = SteadyWriter(url, evaluation_id) if steady else None
    if background is not None:
        background.thread.start()
    clock = time.perf_counter()
    result = beside.run()
    seconds = time.perf_counter() - clock
    thread.join()
    dispose(writer)
    answer = {
        "seconds": seconds,
        "events": result.events,
        "phases_s": {k: round(v, 3) for k, v in result.phases.items()},
        "switch_hold_s": result.switch_seconds,
        "staged_evaluations": result.staged_evaluations,
        "switch_evaluations": result.switch_evaluations,
        "writer_wait_s": waited["seconds"],
        "writer_error": waited.get("error"),
    }
    if background is not None:
        answer["steady_writer"] = background.finish(clock, result.phases)
    return answer


def run(
    stores: Stores, sizes: Sizes, in_place: bool = True, steady: bool = False
) -> dict[str, Any]:
    url = stores.url("rebuild")
    service = open_service(url)
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
        if in_place:
            start = time.perf_counter()
            projected = service.rebuild_read_models()
            rebuilds.append(time.perf_counter() - start)
            assert projected == count == stop, (projected, count, stop)
    assert service.document(template.evaluation_id) == expected
    beside = beside_with_a_writer(service, url, template.evaluation_id, steady)
    assert beside["events"] >= stop, (beside["events"], stop)  # and the writers' since
    assert service.document(template.evaluation_id) == service.replayed_document(
        template.evaluation_id
    )
    dispose(service)
    read_rate = stop / median(reads)
    rebuild_rate = stop / median(rebuilds) if rebuilds else float("nan")
    beside_rate = stop / beside["seconds"]
    return {
        "events": stop,
        "rounds": rounds,
        "rebuild_events_per_s": rebuild_rate,
        "bare_read_events_per_s": read_rate,
        "ratio": ratio(rebuild_rate, read_rate),
        "beside_events_per_s": beside_rate,
        "beside_ratio": ratio(beside_rate, read_rate),
        "beside": beside,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rebuild", description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--rounds", type=int, default=3, help="bare reads (and in-place rebuilds)")
    parser.add_argument("--no-in-place", action="store_true", help="time only the build beside")
    parser.add_argument(
        "--steady-writer",
        action="store_true",
        help="record a deduction every 50 ms throughout the build beside; report its slowest",
    )
    args = parser.parse_args(argv)
    sizes = Sizes(**{**QUICK.__dict__, "rebuild_events": args.events, "rounds": args.rounds * 3})
    stores = Stores(args.store, args.postgres_url)
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    try:
        result = run(stores, sizes, in_place=not args.no_in_place, steady=args.steady_writer)
    finally:
        stores.close()
    after = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(json.dumps({"store": args.store, "uptime_before": load, "uptime_after": after, **result}))


if __name__ == "__main__":
    main()
