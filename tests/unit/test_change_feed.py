"""The change feed in memory: positions, scopes, and long polls woken by commits."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from adapters.commit_hooks import CommitHooks
from application.access import Principal
from application.feed import ChangeFeed, CommitSignal
from application.service import EvaluationService
from domain.evaluation import Actor
from tests.cases import small_case
from tests.fakes.feed import memory_feed

AUDITOR = Principal("audrey", "auditor")


def feed_of(service: EvaluationService) -> ChangeFeed:
    return memory_feed(service)


def test_the_feed_gives_every_event_once_in_position_order(
    service: EvaluationService, actor: Actor
) -> None:
    feed = feed_of(service)
    first = service.import_evaluation(small_case("甲单位"), actor).id
    second = service.import_evaluation(small_case("乙单位"), actor).id

    items: list[dict[str, Any]] = []
    after = 0
    while page := feed.page(AUDITOR, after, limit=3)["items"]:
        items.extend(page)
        after = items[-1]["position"]

    positions = [item["position"] for item in items]
    assert positions == sorted(set(positions)) and len(positions) == feed.head()
    for evaluation_id in (first, second):
        history = service.history(evaluation_id, per_page=1000)["items"]
        mine = [i for i in items if i["evaluation_id"] == evaluation_id]
        assert [i["version"] for i in mine] == [h["version"] for h in history]


def test_a_subject_sees_its_own_subject_only(service: EvaluationService, actor: Actor) -> None:
    feed = feed_of(service)
    own = service.import_evaluation(small_case("甲单位"), actor).id
    service.import_evaluation(small_case("乙单位"), actor)

    unit = Principal("unit", "subject", subject="甲单位")
    seen = feed.page(unit, 0, limit=1000)["items"]

    assert seen and {item["evaluation_id"] for item in seen} == {own}


def test_a_long_poll_wakes_when_another_thread_commits(
    service: EvaluationService, actor: Actor
) -> None:
    feed = feed_of(service)
    service.import_evaluation(small_case(), actor)
    head = feed.head()
    opened = threading.Event()

    def write() -> None:
        opened.wait(5)
        service.import_evaluation(small_case("乙单位"), actor)

    writer = threading.Thread(target=write)
    writer.start()
    feed.signal.before_wait = opened.set  # the reader is about to wait: commit now
    page = feed.page(AUDITOR, head, limit=1, wait=30)
    writer.join()

    assert page["items"][0]["type"] == "Created"
    assert page["next_after"] == page["items"][0]["position"] > head


def test_a_long_poll_ends_at_its_bound_empty_with_the_same_cursor(
    service: EvaluationService,
) -> None:
    now = [100.0]
    feed = feed_of(service)
    feed.clock = lambda: now[0]

    def time_passes(seen: int, timeout: float) -> int:
        now[0] += timeout  # nothing commits while the reader waits
        return seen

    feed.signal.wait = time_passes  # type: ignore[method-assign]
    assert feed.page(AUDITOR, 7, wait=12) == {"items": [], "next_after": 7}
    assert now[0] == pytest.approx(112.0)
    assert feed.page(AUDITOR, 7, wait=500)["next_after"] == 7
    assert now[0] == pytest.approx(142.0)  # cut to the longest wait, 30 seconds


def test_a_commit_between_the_read_and_the_wait_is_not_missed() -> None:
    signal = CommitSignal()
    seen = signal.generation
    signal.committed()
    # the reader had read before this commit: its wait returns at once
    assert signal.wait(seen, timeout=30) == seen + 1


def test_hooks_run_once_after_the_outermost_commit_and_never_after_an_error() -> None:
    hooks = CommitHooks()
    calls: list[str] = []
    hooks.hooks.append(lambda: calls.append("committed"))
    lock = threading.RLock()

    with hooks.around(lock):
        with hooks.around(lock):
            pass
        assert calls == []
    assert calls == ["committed"]

    with pytest.raises(RuntimeError), hooks.around(lock):
        raise RuntimeError("rolled back")
    assert calls == ["committed"]
