"""The interval tree's math: a version's path finds exactly the intervals that hold at it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from adapters.interval_tree import OPEN, ROOT, fork_node, path

versions = st.integers(min_value=1, max_value=ROOT - 1)


@st.composite
def intervals(draw: st.DrawFn) -> tuple[int, int]:
    lower = draw(versions)
    upper = draw(st.one_of(st.just(OPEN), st.integers(min_value=lower, max_value=ROOT - 1)))
    return lower, upper


def found_by_path(lower: int, upper: int, version: int) -> bool:
    """What the range query decides for one stored interval."""
    node = fork_node(lower, upper)
    at_or_above, below = path(version)
    return (node in at_or_above and lower <= version) or (node in below and upper >= version)


@given(intervals(), versions)
def test_the_path_query_finds_an_interval_exactly_when_it_holds(
    interval: tuple[int, int], version: int
) -> None:
    lower, upper = interval
    assert found_by_path(lower, upper, version) == (lower <= version <= upper)


@given(intervals(), st.integers(min_value=0, max_value=10_000))
def test_an_intervals_node_lies_in_it_on_the_path_of_every_version_it_holds_at(
    interval: tuple[int, int], offset: int
) -> None:
    lower, upper = interval
    node = fork_node(lower, upper)
    assert lower <= node <= upper
    version = min(lower + offset, upper, ROOT - 1)
    at_or_above, below = path(version)
    assert node in at_or_above or node in below


@given(st.integers(min_value=1, max_value=ROOT - 1))
def test_every_open_interval_sits_at_the_root(lower: int) -> None:
    assert fork_node(lower, OPEN) == ROOT


def test_small_versions_against_every_interval() -> None:
    for lower in range(1, 40):
        for upper in (*range(lower, 40), OPEN):
            for version in range(1, 45):
                assert found_by_path(lower, upper, version) == (lower <= version <= upper)


@given(intervals(), st.integers(min_value=0, max_value=10_000), st.integers(0, 10_000))
def test_a_path_cut_at_the_last_version_still_finds_every_interval_up_to_it(
    interval: tuple[int, int], offset: int, beyond: int
) -> None:
    lower, upper = interval
    version = min(lower + offset, upper, ROOT - 1)
    at_or_above, below = path(version, upper + beyond)
    assert fork_node(lower, upper) in at_or_above + below
