"""A leaf's state: the input its method reads, an override, and the score last recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from domain.errors import ScoreRefused
from domain.indicator import Indicator
from domain.methods.checklist import Checklist
from domain.methods.manual import ManualScore
from domain.methods.survey import Tallies


@dataclass(frozen=True)
class Override:
    """A score recorded over the rules, with its justification and the version behind it."""

    score: Decimal
    justification: str
    version: int | None


@dataclass(frozen=True)
class LeafScore:
    """What the last ScoreChanged recorded: the score, how the rule got there, and why."""

    score: Decimal | None = None
    exact: Decimal | None = None
    rule_exact: Decimal | None = None
    rule_score: Decimal | None = None
    overridden: bool = False
    note: str | None = None
    rates: tuple[Decimal, ...] = ()
    version: int | None = None


@dataclass
class LeafState:
    """The method's recorded input (a value object of its module), an override, the score."""

    inputs: Any = None
    override: Override | None = None
    result: LeafScore = field(default_factory=LeafScore)
    # who recorded this leaf's inputs (checklist, score, override, survey): never its judge
    recorded_by: list[str] = field(default_factory=list)

    @property
    def score(self) -> Decimal | None:
        return self.result.score

    def add_recorder(self, meta: dict[str, str]) -> None:
        # the list is replaced, not appended to: a snapshot's copy stays as it was
        actor = meta.get("actor", "")
        if actor and actor not in self.recorded_by:
            self.recorded_by = [*self.recorded_by, actor]

    @classmethod
    def from_legacy(cls, old: dict[str, Any]) -> LeafState:
        """The 19-field leaf state of snapshots written before the split, in the new shape."""
        inputs: Any = None
        if old.get("met") is not None:
            inputs = Checklist(
                tuple(old["met"]), old["checklist_justification"], old["checklist_version"]
            )
        elif old.get("tallies") is not None:
            inputs = Tallies(tuple(tuple(q) for q in old["tallies"]), old["tallies_version"])
        elif old.get("manual") is not None:
            inputs = ManualScore(old["manual"], old["manual_justification"], old["manual_version"])
        override = None
        if old.get("override") is not None:
            override = Override(
                old["override"], old["override_justification"], old["override_version"]
            )
        result = LeafScore(
            old.get("score"),
            old.get("exact"),
            old.get("rule_exact"),
            old.get("rule_score"),
            bool(old.get("overridden")),
            old.get("note"),
            tuple(old.get("rates") or ()),
            old.get("score_version"),
        )
        return cls(inputs, override, result, list(old.get("recorded_by") or []))


def check_score(node: Indicator, score: Decimal) -> None:
    """A recorded score lies between 0 and the leaf's weight."""
    if score < 0 or score > node.weight:
        raise ScoreRefused(
            f"score {score} for {node.code} must lie between 0 and the weight {node.weight}",
            code=node.code,
            score=str(score),
            weight=str(node.weight),
        )
