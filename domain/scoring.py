"""Roll-up: parents sum their scored children, the total sums the roots."""

from __future__ import annotations

from decimal import Decimal

from domain.indicator import Indicator

ZERO = Decimal(0)


def rollup(
    tree: dict[str, Indicator], leaf_scores: dict[str, Decimal | None]
) -> tuple[dict[str, Decimal | None], Decimal | None]:
    """Parents sum their scored children; the total sums the roots (None until anything scores)."""
    scores: dict[str, Decimal | None] = {}

    def score_of(code: str) -> Decimal | None:
        if code in scores:
            return scores[code]
        node = tree[code]
        if node.is_leaf:
            value = leaf_scores.get(code)
        else:
            parts = [score_of(child) for child in node.children]
            known = [p for p in parts if p is not None]
            value = sum(known, ZERO) if known else None
        scores[code] = value
        return value

    roots = [score_of(code) for code, node in tree.items() if node.parent is None]
    known_roots = [r for r in roots if r is not None]
    total = sum(known_roots, ZERO) if known_roots else None
    return {c: s for c, s in scores.items() if not tree[c].is_leaf}, total


class Rollup:
    """Parent scores and the total, kept equal to `rollup` while leaves change one at a time.

    Rescoring changes a leaf or two out of dozens: walking up from the changed leaf costs
    its depth, where a full rollup per change costs the whole tree.
    """

    def __init__(self, tree: dict[str, Indicator], leaf_scores: dict[str, Decimal | None]) -> None:
        self.tree = tree
        self.leaves = dict(leaf_scores)
        self.parents, self.total = rollup(tree, self.leaves)
        self.roots = [code for code, node in tree.items() if node.parent is None]

    def _score(self, code: str) -> Decimal | None:
        return self.leaves.get(code) if self.tree[code].is_leaf else self.parents[code]

    def set_leaf(self, code: str, score: Decimal | None) -> None:
        """Change one leaf's score; its ancestors and the total follow."""
        self.leaves[code] = score
        for parent in ancestors(self.tree, code):
            known = [s for s in map(self._score, self.tree[parent].children) if s is not None]
            self.parents[parent] = sum(known, ZERO) if known else None
        known_roots = [s for s in map(self._score, self.roots) if s is not None]
        self.total = sum(known_roots, ZERO) if known_roots else None


def ancestors(tree: dict[str, Indicator], code: str) -> list[str]:
    """Codes from the leaf's parent up to its root."""
    chain: list[str] = []
    parent = tree[code].parent
    while parent is not None:
        chain.append(parent)
        parent = tree[parent].parent
    return chain
