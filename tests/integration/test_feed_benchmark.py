"""The feed benchmark runs end to end on tiny sizes (the figures themselves are not checked)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import feed
from benchmarks.common import Stores


@pytest.fixture
def stores() -> Iterator[Stores]:
    made = Stores("sqlite")
    yield made
    made.close()


def test_the_feed_benchmark_reports_rates_lags_and_ratios(stores: Stores, tmp_path: Path) -> None:
    read = feed.read_rate(stores.url("read"), 300, starts=2, pages=1, rounds=1)
    lag = feed.delivery_lag(stores.url("lag"), rate=20, seconds=0.5, folder=str(tmp_path))
    ratio = feed.write_ratio(stores, writes=4, rounds=2, folder=str(tmp_path))
    scope = feed.scoped_reads(stores.url("scope"), copies=3, samples=1)

    assert read["events_in_store"] >= 300 and read["service_ratio"] > 0
    assert lag["events_delivered"] == lag["events"] > 0
    assert ratio["ratio"] > 0
    assert scope["events_in_store"] > 300 and scope["one_evaluation_subject_page_ms"] > 0
