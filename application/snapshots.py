"""Compact evaluation snapshots: quick to decode however many deductions they hold."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Snapshot

from domain.framework import build_tree
from domain.ledger import ACTIVE_INDEX, Deduction, active_index

COMPACT = "_compact"  # marks a state packed by EvaluationSnapshot (version of the packing)


@dataclass(frozen=True)
class EvaluationSnapshot(Snapshot):
    """An evaluation's state with its deductions as rows of plain values and no indicator tree.

    Withdrawn deductions stay in the state, so a long-argued evaluation holds thousands. As
    objects each costs the JSON decoder several Python callbacks; as a row of strings and
    numbers it costs almost none. The tree is rebuilt from the framework definitions it was
    built from (build_tree is pure), which halves the snapshot. Snapshots written before
    (plain `Snapshot`) still load as they are.
    """

    @classmethod
    def take(cls, aggregate: Any) -> EvaluationSnapshot:
        snapshot = super().take(aggregate)
        state = snapshot.state
        state.pop(ACTIVE_INDEX, None)  # derived: rebuilt on first use
        deductions = state.get("deductions")
        if "tree" in state and isinstance(deductions, dict):
            del state["tree"]
            state["deductions"] = pack(list(deductions.values()))
            state[COMPACT] = 1
        return snapshot

    def mutate(self, _: None) -> Any:
        aggregate = super().mutate(None)
        state = vars(aggregate)
        if state.pop(COMPACT, None):
            state["tree"] = build_tree(state["framework"])
            state["deductions"] = {d.id: d for d in unpack(state["deductions"])}
        if isinstance(state.get("deductions"), dict):
            active_index(state, state["deductions"])  # left out of the snapshot: rebuilt
        return aggregate


def pack(deductions: list[Deduction]) -> dict[str, Any]:
    """Deductions as a table: field names once, then one row of plain values per deduction."""
    names = [f.name for f in fields(Deduction)]
    decimals = sorted({n for d in deductions for n in names if isinstance(getattr(d, n), Decimal)})
    rows = [
        [str(v) if n in decimals and v is not None else v for n, v in zip(names, row, strict=True)]
        for row in ([getattr(d, n) for n in names] for d in deductions)
    ]
    return {"fields": names, "decimals": decimals, "rows": rows}


def unpack(table: dict[str, Any]) -> list[Deduction]:
    """The deductions of `pack`, rebuilt field by field (by position when the fields match)."""
    names: list[str] = table["fields"]
    decimals = set(table["decimals"])
    decimal_at = [i for i, n in enumerate(names) if n in decimals]
    positional = names == [f.name for f in fields(Deduction)]
    result = []
    for row in table["rows"]:
        for i in decimal_at:
            if row[i] is not None:
                row[i] = Decimal(row[i])
        result.append(
            Deduction(*row) if positional else Deduction(**dict(zip(names, row, strict=True)))
        )
    return result
