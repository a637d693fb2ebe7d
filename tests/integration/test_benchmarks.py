"""The benchmark harness runs end to end on tiny sizes (the figures themselves are not checked)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import history, http_bench, rebuild, run, store_size, write_path
from benchmarks.common import Sizes, Stores, dispose, percentile
from benchmarks.peer import Ours
from benchmarks.peer_report import (
    DifferentAnswers,
    check_same_document,
    check_same_items,
    check_same_writes,
)

TINY = Sizes(
    write_deductions=6,
    write_evaluations=2,
    http_gets=8,
    http_posts=8,
    http_clients=2,
    history_lengths=(100, 200),
    history_samples=2,
    store_small=200,
    store_large=400,
    store_large_pg=400,
    store_reads=3,
    rebuild_events=300,
    rounds=2,
)


@pytest.fixture
def stores() -> Iterator[Stores]:
    made = Stores("sqlite")
    yield made
    made.close()


def test_in_process_benchmarks_report_their_ratios(stores: Stores) -> None:
    assert write_path.run(stores, TINY)["ratio"] > 0
    lengths = history.run(stores, TINY)
    assert [v["events"] for v in lengths["lengths"].values()] == [100, 200]
    assert store_size.run(stores, TINY)["points"]["400"]["other_events"] == 400
    rebuilt = rebuild.run(stores, TINY)
    assert rebuilt["events"] == 300 and rebuilt["ratio"] > 0


def test_http_benchmark_serves_both_apps_and_gets_only_expected_statuses(stores: Stores) -> None:
    result = http_bench.run(stores, TINY)
    phases = ("get", "get_active", "post", "post_minimal")
    for phase in (*phases, *(f"bare_{p}" for p in phases)):
        assert result[phase]["requests"] == 8, phase
        assert result[phase]["unexpected_statuses"] == 0, result[phase]["statuses"]
    assert result["documents_checked"] == 2 * 2 * 5  # each evaluation, before and after writes


def test_unreachable_postgresql_is_skipped_with_a_reason(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    code = run.main(
        [
            "--stores",
            "postgresql",
            "--postgres-url",
            "postgresql://nobody@127.0.0.1:1/none",
            "--out",
            str(out),
        ]
    )
    report = json.loads(out.read_text())
    assert code == 0
    assert report["stores"]["postgresql"]["skipped"].startswith("unreachable")
    assert report["machine"]["cores"] and report["versions"]["eventsourcing"]


def test_percentiles_are_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 101)]
    assert (percentile(samples, 50), percentile(samples, 99)) == (50.0, 99.0)


def test_peer_workload_gives_the_same_answer_on_the_answer_sized_and_the_default_path(
    stores: Stores,
) -> None:
    sized, default = Ours(stores.url("sized"), "changes"), Ours(stores.url("default"), "document")
    try:
        for side in (sized, default):
            side.write(40, mark=20)
        assert check_same_writes(sized.answered, default.answered) == 40
        every = sized.as_of(20, "all")
        assert sum(len(i["deductions"]) for i in every["indicators"]) == 10
        check_same_document(sized.as_of(20, "active"), every, "as of op 20")
        check_same_items(sized.history(1000), sized.history(None))
    finally:
        dispose(sized.service)
        dispose(default.service)


def test_peer_checks_refuse_answers_that_differ(stores: Stores) -> None:
    side = Ours(stores.url("sized"), "changes")
    try:
        side.write(4, mark=3)
        active, every = side.as_of(3, "active"), side.as_of(3, "all")
        items = side.history(1000)
    finally:
        dispose(side.service)
    moved = [*side.answered[:-1], (*side.answered[-1][:1], "999.00", *side.answered[-1][2:])]
    with pytest.raises(DifferentAnswers):
        check_same_writes(side.answered, moved)
    with pytest.raises(DifferentAnswers):
        check_same_document(active, {**every, "total": "0.00"}, "as of op 3")
    with pytest.raises(DifferentAnswers):
        check_same_items(items, items[:-1])
