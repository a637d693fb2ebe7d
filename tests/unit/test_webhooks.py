"""Webhooks in memory: address refusals, signatures, retries with backoff, at least once."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from application.service import EvaluationService
from application.webhooks import (
    POSITION_HEADER,
    SIGNATURE_HEADER,
    AddressPolicy,
    DeliveryWorker,
    Reply,
    WebhookRefused,
    Webhooks,
    sign,
)
from domain.evaluation import Actor
from tests.cases import small_case
from tests.fakes.feed import memory_feed
from tests.fakes.webhooks import MemoryWebhookStore

SECRET = "k" * 32
PUBLIC = "93.184.216.34"


def resolver(table: dict[str, list[str]]) -> Any:
    def resolve(host: str, port: int) -> list[str]:
        if host.replace(".", "").isdigit() or ":" in host:  # an address literal, as given
            return [host]
        if host not in table:
            raise OSError("unknown host")
        return table[host]

    return resolve


HOSTS = {
    "receiver.example": [PUBLIC],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": [PUBLIC, "10.0.0.8"],
    "localhost": ["127.0.0.1", "::1"],
}


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9000/hook",
        "http://[::1]/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest",
        "http://metadata.example/",
        "http://[fe80::1]/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.10/hook",
        "http://0.0.0.0/hook",
        "http://mixed.example/hook",  # one private address among public ones is enough
        "http://nowhere.example/hook",  # does not resolve
        "ftp://receiver.example/hook",
        "receiver.example/hook",
    ],
)
def test_receivers_that_are_not_public_http_are_refused(url: str) -> None:
    with pytest.raises(WebhookRefused):
        AddressPolicy(resolver(HOSTS)).check(url)


def test_loopback_is_allowed_only_by_the_setting_and_never_the_service_itself() -> None:
    policy = AddressPolicy(resolver(HOSTS), frozenset({("127.0.0.1", 8000)}), allow_loopback=True)

    policy.check("http://127.0.0.1:9000/hook")
    policy.check("http://receiver.example/hook")
    with pytest.raises(WebhookRefused):
        policy.check("http://localhost:8000/hook")
    with pytest.raises(WebhookRefused):
        policy.check("http://127.0.0.1:9001/hook", served_at="127.0.0.1:9001")
    with pytest.raises(WebhookRefused):
        policy.check("http://10.1.2.3/hook")  # private stays refused


def test_the_signature_is_an_hmac_of_the_time_and_the_body() -> None:
    body = b'{"items":[]}'
    header = sign(SECRET, body, 1_700_000_000)
    expected = hmac.new(SECRET.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


class Receiver:
    """Answers with the next status of its script (200 when the script is used up)."""

    def __init__(self, *statuses: int | None) -> None:
        self.statuses = list(statuses)
        self.calls: list[tuple[str, dict[str, Any], dict[str, str]]] = []

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> Reply:
        self.calls.append((url, json.loads(body), headers))
        status = self.statuses.pop(0) if self.statuses else 200
        return Reply(status, None if status else "ConnectionRefusedError")

    def positions(self) -> list[int]:
        return [item["position"] for _, body, _ in self.calls for item in body["items"]]


def after(feed: Any, start: int) -> list[dict[str, Any]]:
    return list(feed.queries.events_after(start, 100_000))


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def setup(service: EvaluationService, receiver: Receiver, **kw: Any) -> Any:
    feed = memory_feed(service)
    store = MemoryWebhookStore(feed.queries)
    clock = Clock()
    hooks = Webhooks(store, AddressPolicy(resolver(HOSTS)), clock)
    worker = DeliveryWorker(store, feed.queries, receiver, clock, retry_seconds=30, **kw)
    return feed, hooks, worker, clock


def test_events_from_registration_on_are_posted_signed_with_their_position(
    service: EvaluationService, actor: Actor
) -> None:
    receiver = Receiver()
    feed, hooks, worker, clock = setup(service, receiver)
    service.import_evaluation(small_case("早先单位"), actor)  # before registration: not sent
    registered = hooks.register("http://receiver.example/hook", SECRET, by="adam")
    start = feed.head()
    service.import_evaluation(small_case(), actor)

    worker.run_once()

    url, body, headers = receiver.calls[0]
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    assert url == "http://receiver.example/hook"
    assert headers[SIGNATURE_HEADER] == sign(SECRET, raw, int(clock.now.timestamp()))
    assert receiver.positions() == [i["position"] for i in after(feed, start)]
    assert headers[POSITION_HEADER] == str(receiver.positions()[-1])
    log = hooks.deliveries(registered["id"])
    assert [(a["status"], a["response_code"]) for a in log] == [("delivered", 200)]


def test_a_failing_receiver_is_retried_with_doubling_waits_and_then_gets_everything(
    service: EvaluationService, actor: Actor
) -> None:
    receiver = Receiver(500, None, 503)
    feed, hooks, worker, clock = setup(service, receiver)
    registered = hooks.register("http://receiver.example/hook", SECRET, by="adam")
    start = feed.head()
    service.import_evaluation(small_case(), actor)

    worker.run_once()  # 500
    waits = []
    for _ in range(3):
        due = hooks.store.get(registered["id"])["next_attempt_at"]
        waits.append((due - clock.now).total_seconds())
        worker.run_once()  # not due yet: nothing posted
        clock.now = due
        worker.run_once()

    assert waits == [30, 60, 120]
    assert len(receiver.calls) == 4
    assert receiver.positions()[-len(after(feed, start)) :] == [
        i["position"] for i in after(feed, start)
    ]
    statuses = [a["status"] for a in hooks.deliveries(registered["id"])]
    assert statuses == ["delivered", "failed", "failed", "failed"]  # newest first


def test_a_worker_that_dies_mid_burst_is_replaced_and_nothing_is_lost(
    service: EvaluationService, actor: Actor
) -> None:
    receiver = Receiver()
    feed, hooks, worker, clock = setup(service, receiver, batch=3)
    hooks.register("http://receiver.example/hook", SECRET, by="adam")
    start = feed.head()
    service.import_evaluation(small_case(), actor)

    class Killed(Exception):
        pass

    def dies_after_posting(receiver_row: dict[str, Any]) -> bool:
        receiver(receiver_row["url"], b'{"items":[]}', {})  # posted, but never acknowledged
        raise Killed

    worker.run_once()  # one batch delivered
    dying = DeliveryWorker(worker.store, feed.queries, receiver, clock, batch=3)
    dying._deliver = dies_after_posting  # type: ignore[method-assign]
    with pytest.raises(Killed):
        dying.run_once()  # leaves its lease behind
    assert not worker.run_once() and len(receiver.calls) == 2  # leased: the others wait
    clock.now += timedelta(seconds=worker.lease_seconds + 1)
    while worker.run_once():
        pass

    expected = [i["position"] for i in after(feed, start)]
    assert sorted(set(receiver.positions())) == expected


def test_a_receiver_of_some_types_gets_those_only(service: EvaluationService, actor: Actor) -> None:
    receiver = Receiver()
    _, hooks, worker, _ = setup(service, receiver)
    hooks.register("http://receiver.example/hook", SECRET, ["ScoreChanged"], by="adam")
    service.import_evaluation(small_case(), actor)

    worker.run_once()

    assert receiver.calls
    assert {item["type"] for _, body, _ in receiver.calls for item in body["items"]} == {
        "ScoreChanged"
    }
