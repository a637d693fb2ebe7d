"""What every scoring method provides: definition checks, a rule, and the steps it took."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from domain.errors import MethodMismatch
from domain.indicator import Indicator
from domain.ledger import DataEntry, Deduction
from domain.values import plain

ZERO = Decimal(0)

Problem = Callable[[str, str], None]


class Method(StrEnum):
    """The methods this release ships; a module under domain/methods may add another."""

    DEDUCTION = "deduction"
    CHECKLIST = "checklist"
    RATIO = "ratio"
    SURVEY = "survey"
    MANUAL = "manual"


@dataclass(frozen=True)
class Step:
    """One line of how a score was made: the figure and the event version it rests on."""

    kind: str
    text: str
    value: Decimal | None
    version: int | None
    details: dict[str, Any] = field(default_factory=dict)
    text_zh: str | None = None  # the same line in Chinese (None: `text` serves both)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "text_zh": self.text if self.text_zh is None else self.text_zh,
            "value": plain(self.value),
            "version": self.version,
            "details": self.details,
        }


@dataclass(frozen=True)
class RuleResult:
    """The unrounded score a method gives, or None with a note saying why it is unset."""

    exact: Decimal | None
    note: str | None = None
    rates: tuple[Decimal, ...] = ()


@dataclass(frozen=True)
class Context:
    """What rules read across the whole evaluation, gathered once per rescoring."""

    deductions: dict[str, Deduction]  # by id, active or withdrawn
    entries: dict[str, DataEntry]
    framework_version: int | None = None
    active_points: dict[str, Decimal] = field(default_factory=dict)  # summed per leaf


@dataclass(frozen=True)
class Setting:
    """Where a leaf definition stands: its parents' names (nearest first) and the
    evaluation's target rules (domain.targets.rules.TargetRules; None: the national ones)."""

    ancestors: tuple[str, ...] = ()
    target_rules: Any = None


class Trace:
    """Collects the steps of a rule when an explanation asks for them; a rescore passes None."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def add(
        self,
        kind: str,
        text: str,
        value: Decimal | None,
        version: int | None,
        zh: str | None = None,
        **details: Any,
    ) -> None:
        """One step; `text` in English, `zh` the same in Chinese."""
        self.steps.append(Step(kind, text, value, version, details, zh))


class ScoringMethod:
    """One way a leaf is scored. Subclass it in a module of this package to add a method.

    `inputs` is the leaf's recorded input (the value object the method's event carries, or
    None); `score_version` is the version of the leaf's last ScoreChanged, for the steps.
    """

    name: ClassVar[str]
    order: ClassVar[int] = 100  # place in listings

    def normalise(self, entry: dict[str, Any]) -> dict[str, Any]:
        """What this method reads from a leaf definition beyond the common fields, as the
        primitives the FrameworkDefined event stores; leaves find it in Indicator.params."""
        return {}

    def normalise_within(self, entry: dict[str, Any], setting: Setting) -> dict[str, Any]:
        """`normalise` for a method whose reading depends on where the leaf stands."""
        return self.normalise(entry)

    def check_definition(self, d: dict[str, Any], problem: Problem) -> None:
        """Report what is wrong with a leaf definition of this method (nothing by default)."""

    def check_input(self, node: Indicator, values: dict[str, Any]) -> dict[str, Any]:
        """Check an input given through Evaluation.record_leaf_input and return what the
        event stores (primitives and Decimals). Methods with their own command take none."""
        raise MethodMismatch(
            f"indicator {node.code} is scored by {self.name}, which takes no input this way",
            code=node.code,
            method=self.name,
        )

    def describe_input(self, node: Indicator, values: dict[str, Any]) -> str:
        """The reason the ScoreChanged events of this input give."""
        return f"{self.name} input recorded for {node.code}"

    def restore_input(self, values: dict[str, Any], version: int) -> Any:
        """The leaf's input value object from what check_input returned (apply bodies call it)."""
        return values

    def rule(
        self,
        node: Indicator,
        inputs: Any,
        context: Context,
        trace: Trace | None = None,
        score_version: int | None = None,
    ) -> RuleResult:
        raise NotImplementedError
