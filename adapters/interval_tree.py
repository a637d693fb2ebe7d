"""Relational interval tree (Kriegel et al.) over versions: an interval's node, a version's path."""

from __future__ import annotations

# Intervals are inclusive [lower, upper]; an interval still open has upper = OPEN.
OPEN = 2**31 - 1
LEVELS = 31
# The fork node of every open interval (lower < ROOT): open rows all sit here.
ROOT = 1 << (LEVELS - 1)


def fork_node(lower: int, upper: int) -> int:
    """The interval's node: where the paths of lower and upper part (upper's bits above
    the highest bit in which the two differ, that bit, then zeros); it lies in the interval."""
    if lower == upper:
        return lower
    k = (lower ^ upper).bit_length() - 1
    return (upper >> k) << k


def path(version: int, last: int = OPEN) -> tuple[list[int], list[int]]:
    """The nodes on the version's path, split as the range query reads them: at a node
    >= the version an interval holds when its lower <= version; below, when its upper >=
    version. An interval holds at the version iff its node is on this path and that test
    passes, so each node is one index seek. Given `last`, the highest version any closed
    interval may reach, nodes above it (which lie in no such interval) are left out."""
    at_or_above: list[int] = []
    below: list[int] = []
    for k in range(LEVELS):
        node = ((version >> (k + 1)) << (k + 1)) | (1 << k)
        if node <= last:
            (at_or_above if version <= node else below).append(node)
    return at_or_above, below
