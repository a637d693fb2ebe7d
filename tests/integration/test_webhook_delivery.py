"""Webhook delivery on both stores: a worker killed mid-burst, restarted, loses nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from application.delivery import DeliveryRunner
from application.feed import ChangeFeed
from application.service import EvaluationService
from application.webhooks import DeliveryWorker, Reply, Webhooks
from domain.evaluation import Actor
from tests.cases import small_case

MakeApp = Callable[..., Flask]
ACTOR = Actor(name="alice", role="evaluator", correlation_id="webhook-test")
SECRET = "w" * 32


class Killed(BaseException):
    """Ends the worker's thread where it stands, as a killed process would."""


class Receiver:
    def __init__(self, kill_at: int | None = None) -> None:
        self.positions: list[int] = []
        self.calls = 0
        self.kill_at = kill_at
        self.lock = threading.Lock()
        self.got = threading.Condition(self.lock)

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> Reply:
        import json

        with self.lock:
            self.calls += 1
            self.positions.extend(item["position"] for item in json.loads(body)["items"])
            self.got.notify_all()
            if self.calls == self.kill_at:
                raise Killed  # posted, never acknowledged, lease left behind
        return Reply(200)

    def wait_for(self, positions: set[int], timeout: float = 30) -> bool:
        with self.lock:
            return self.got.wait_for(lambda: positions <= set(self.positions), timeout)


def worker_for(app: Flask, send: Receiver, clock: Callable[[], datetime]) -> DeliveryWorker:
    hooks: Webhooks = app.extensions["scoretrail.webhooks"]
    feed: ChangeFeed = app.extensions["scoretrail.feed"]
    return DeliveryWorker(hooks.store, feed.queries, send, clock, batch=4, lease_seconds=60)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_worker_killed_mid_burst_and_restarted_loses_nothing(
    make_app: MakeApp, store_url: str
) -> None:
    app = make_app(store_url, SCORETRAIL_WEBHOOK_ALLOW_LOOPBACK=1)
    service: EvaluationService = app.extensions["scoretrail"]
    feed: ChangeFeed = app.extensions["scoretrail.feed"]
    hooks: Webhooks = app.extensions["scoretrail.webhooks"]
    hooks.register("http://127.0.0.1:9/hook", SECRET, by="adam")
    start = feed.head()
    receiver = Receiver(kill_at=2)
    dying = DeliveryRunner(worker_for(app, receiver, lambda: datetime.now(UTC)), feed.signal)
    dying.start()

    evaluation_id = service.import_evaluation(small_case(), ACTOR).id
    for n in range(5):
        service.record_deduction(evaluation_id, "1.1", points="0.1", reason=f"第{n}次", by=ACTOR)
    assert dying.thread is not None
    dying.thread.join(30)
    assert not dying.thread.is_alive() and receiver.calls == 2  # killed on its second post

    later = lambda: datetime.now(UTC) + timedelta(hours=1)  # noqa: E731 - the lease has lapsed
    restarted = DeliveryRunner(worker_for(app, receiver, later), feed.signal)
    restarted.start()
    expected = {item["position"] for item in feed.queries.events_after(start, 100_000)}
    delivered = receiver.wait_for(expected)
    restarted.stop()

    assert delivered, sorted(expected - set(receiver.positions))
    assert set(receiver.positions) == expected  # every one at least once, nothing else
    log: list[dict[str, Any]] = hooks.deliveries(hooks.all()[0]["id"], 1000)
    assert {a["status"] for a in log} == {"delivered"}
    assert max(a["position"] for a in log) == max(expected)
