"""Scoring rules: what each leaf's method gives, before any override."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.framework import Indicator

ZERO = Decimal(0)


@dataclass(frozen=True)
class RuleResult:
    """The unrounded score a method gives, or None with a note saying why it is unset."""

    exact: Decimal | None
    note: str | None = None
    rates: tuple[Decimal, ...] = ()


@dataclass(frozen=True)
class RuleInputs:
    """What rules read across the whole evaluation, gathered once per rescoring."""

    active_points: dict[str, list[Decimal]]
    entry_values: dict[str, Decimal]


def deduction_score(indicator: Indicator, active_points: list[Decimal]) -> RuleResult:
    """Weight minus the active deductions."""
    return RuleResult(indicator.weight - sum(active_points, ZERO))


def checklist_score(indicator: Indicator, met: list[bool] | None) -> RuleResult:
    """Sum of the points of the items marked met."""
    if met is None:
        return RuleResult(None, "checklist not assessed yet")
    return RuleResult(sum((p for (_, p), ok in zip(indicator.items, met, strict=True) if ok), ZERO))


def ratio_score(indicator: Indicator, entries: dict[str, Decimal]) -> RuleResult:
    """rate = numerator / denominator, capped; score = rate × weight; a zero denominator gives 0."""
    missing = [k for k in (indicator.numerator, indicator.denominator) if k not in entries]
    if missing:
        return RuleResult(None, "missing data entries: " + ", ".join(str(k) for k in missing))
    numerator = entries[str(indicator.numerator)]
    denominator = entries[str(indicator.denominator)]
    if denominator == 0:
        return RuleResult(ZERO, f"denominator {indicator.denominator} is 0: score set to 0")
    rate = max(numerator / denominator, ZERO)
    if indicator.cap is not None:
        rate = min(rate, indicator.cap)
    return RuleResult(rate * indicator.weight, rates=(rate,))


def survey_score(indicator: Indicator, tallies: list[list[int]] | None) -> RuleResult:
    """Satisfaction per question = Σ weight × count / (max weight × respondents), averaged."""
    if not tallies:
        return RuleResult(None, "survey tallies not recorded yet")
    top = max(w for _, w in indicator.choices)
    rates: list[Decimal] = []
    empty: list[int] = []
    for number, counts in enumerate(tallies, start=1):
        respondents = sum(counts)
        if respondents == 0:
            empty.append(number)
            rates.append(ZERO)
            continue
        points = sum((w * c for (_, w), c in zip(indicator.choices, counts, strict=True)), ZERO)
        rates.append(points / (top * respondents))
    satisfaction = sum(rates, ZERO) / len(rates)
    note = f"questions without respondents count as 0: {empty}" if empty else None
    return RuleResult(satisfaction * indicator.weight, note, tuple(rates))


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
