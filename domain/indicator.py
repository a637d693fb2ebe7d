"""One node of the indicator tree, as the aggregate and the rules read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Indicator:
    """One node of the tree; leaves carry a scoring method, parents sum their children."""

    code: str
    name: str
    parent: str | None
    weight: Decimal
    level: int
    position: int
    method: str | None = None
    explanation: str | None = None
    criteria: str | None = None
    items: tuple[tuple[str, Decimal], ...] = ()
    numerator: str | None = None
    denominator: str | None = None
    cap: Decimal | None = Decimal(1)
    choices: tuple[tuple[str, Decimal], ...] = ()
    children: tuple[str, ...] = field(default=())
    # what a method added by its own module reads from the definition (see ScoringMethod)
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def is_leaf(self) -> bool:
        return not self.children
