"""The incremental rollup equals a full one; the checkout shelf lends each aggregate once."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from application.checkouts import Checkouts
from domain.framework import build_tree
from domain.scoring import Rollup, rollup

# Three levels, uneven fan-out, two roots: every shape of ancestor walk occurs.
DEFS = [
    {
        "code": c,
        "name": c,
        "parent": p,
        "weight": Decimal(w),
        "method": None,
        "explanation": None,
        "criteria": None,
        "items": [],
        "numerator": None,
        "denominator": None,
        "cap": None,
        "choices": [],
    }
    for c, p, w in [
        ("1", None, "60"),
        ("1.1", "1", "30"),
        ("1.1.1", "1.1", "10"),
        ("1.1.2", "1.1", "20"),
        ("1.2", "1", "30"),
        ("2", None, "40"),
        ("2.1", "2", "15"),
        ("2.2", "2", "25"),
    ]
]
TREE = build_tree(DEFS)
LEAVES = [code for code, node in TREE.items() if node.is_leaf]
scores = st.one_of(st.none(), st.decimals(min_value=0, max_value=30, places=2))


@given(
    start=st.fixed_dictionaries({code: scores for code in LEAVES}),
    changes=st.lists(st.tuples(st.sampled_from(LEAVES), scores), max_size=12),
)
def test_incremental_rollup_matches_a_full_rollup_after_every_change(
    start: dict[str, Decimal | None], changes: list[tuple[str, Decimal | None]]
) -> None:
    sums = Rollup(TREE, start)
    leaves = dict(start)
    for code, score in changes:
        sums.set_leaf(code, score)
        leaves[code] = score
        assert (sums.parents, sums.total) == rollup(TREE, leaves)


def test_taking_an_aggregate_removes_it_so_no_two_commands_share_it() -> None:
    shelf: Checkouts[str, object] = Checkouts(maxsize=4)
    item = object()
    shelf.put("a", 3, item)
    assert shelf.take("a") is item
    assert shelf.take("a") is None


def test_an_older_version_does_not_replace_a_newer_one() -> None:
    shelf: Checkouts[str, str] = Checkouts(maxsize=4)
    shelf.put("a", 5, "v5")
    shelf.put("a", 4, "v4")
    assert shelf.take("a") == "v5"


def test_the_least_recently_shelved_goes_first_and_size_zero_keeps_nothing() -> None:
    shelf: Checkouts[str, str] = Checkouts(maxsize=2)
    for key in "abc":
        shelf.put(key, 1, key)
    assert (shelf.take("a"), shelf.take("b"), shelf.take("c")) == (None, "b", "c")
    off: Checkouts[str, str] = Checkouts(maxsize=0)
    off.put("a", 1, "a")
    assert len(off) == 0
