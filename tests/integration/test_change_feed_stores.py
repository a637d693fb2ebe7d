"""The change feed on both stores: stable positions, racing writers, wake-ups across workers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from application.access import Principal
from application.feed import ChangeFeed
from application.service import EvaluationService
from domain.evaluation import Actor
from tests.cases import small_case

MakeApp = Callable[..., Flask]
AUDITOR = Principal("audrey", "auditor")
ACTOR = Actor(name="alice", role="evaluator", correlation_id="feed-test")


def parts(app: Flask) -> tuple[EvaluationService, ChangeFeed]:
    return app.extensions["scoretrail"], app.extensions["scoretrail.feed"]


def everything(feed: ChangeFeed, after: int = 0) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while page := feed.page(AUDITOR, after, limit=7)["items"]:
        items.extend(page)
        after = page[-1]["position"]
    return items


def stored_ids(service: EvaluationService) -> list[int]:
    return [n.id for n in service.store.recorder.select_notifications(1, 1_000_000)]


def test_positions_are_the_stores_ids_and_survive_a_rebuild_and_a_restart(
    make_app: MakeApp, store_url: str
) -> None:
    service, feed = parts(make_app(store_url))
    for subject in ("甲单位", "乙单位"):
        evaluation_id = service.import_evaluation(small_case(subject), ACTOR).id
    service.record_deduction(evaluation_id, "1.1", points="1", reason="补扣", by=ACTOR)
    before = everything(feed)

    service.rebuild_read_models()
    after_rebuild = everything(feed)
    _, restarted = parts(make_app(store_url))

    assert [item["position"] for item in before] == stored_ids(service)
    assert after_rebuild == before
    assert everything(restarted) == before
    middle = before[len(before) // 2]["position"]
    assert everything(restarted, middle) == [i for i in before if i["position"] > middle]


@pytest.mark.postgres
def test_racing_writers_on_two_workers_are_followed_exactly_once_in_order(
    make_app: MakeApp, postgres_url: str
) -> None:
    apps = [make_app(postgres_url), make_app(postgres_url)]
    service, feed = parts(apps[0])
    evaluations = [service.import_evaluation(small_case(f"单位{n}"), ACTOR).id for n in range(4)]
    start = feed.head()
    writes = 15
    done = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def write(n: int) -> None:
        writer = parts(apps[n % 2])[0]
        try:
            for i in range(writes):
                reason = f"第{i}次"
                writer.record_deduction(
                    evaluations[n], "1.1", points="0.01", reason=reason, by=ACTOR
                )
        except BaseException as error:  # named by the assertion below
            errors.append(error)

    def read() -> None:
        after = start
        while True:
            finished = done.is_set()  # read once more after the writers stopped
            page = feed.page(AUDITOR, after, limit=5, wait=0.2)
            seen.extend(item["position"] for item in page["items"])
            after = page["next_after"]
            if finished and not page["items"]:
                return

    reader = threading.Thread(target=read)
    writers = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    reader.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    reader.join()

    assert errors == []
    assert seen == sorted(set(seen))  # increasing, none twice
    assert seen == [i for i in stored_ids(service) if i > start]  # none skipped
    assert len(seen) >= 4 * writes * 2  # each deduction and the score it moved


@pytest.mark.postgres
def test_a_reader_waiting_on_one_worker_wakes_on_a_commit_of_another(
    make_app: MakeApp, postgres_url: str
) -> None:
    _, feed = parts(make_app(postgres_url))
    other, _ = parts(make_app(postgres_url))
    head = feed.head()
    listening = threading.Event()
    feed.signal.before_wait, start_listening = listening.set, feed.signal.before_wait
    assert start_listening is not None
    start_listening()
    time.sleep(0.5)  # the listener's LISTEN is in place before the other worker commits

    timer = threading.Timer(0.2, lambda: other.import_evaluation(small_case(), ACTOR).document())
    started = time.monotonic()
    timer.start()
    page = feed.page(AUDITOR, head, limit=1, wait=25)
    elapsed = time.monotonic() - started
    timer.join()

    assert page["items"] and page["items"][0]["type"] == "Created"
    assert elapsed < 10  # the other worker's NOTIFY woke it, not the end of the wait
