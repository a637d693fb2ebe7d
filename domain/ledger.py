"""What the assessor records besides scores: deductions (扣分) and raw figures (数据)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain.errors import DeductionRefused, UnknownDeduction


class DeductionStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


@dataclass
class Deduction:
    """Points taken off a deduction leaf, with the reason and evidence."""

    id: str
    code: str
    points: Decimal
    reason: str
    evidence: list[dict[str, str | None]]
    version: int
    actor: str
    status: str = DeductionStatus.ACTIVE
    withdrawal_reason: str | None = None
    withdrawn_version: int | None = None
    amended_version: int | None = None  # the version that set the points it takes now

    @property
    def active(self) -> bool:
        return self.status == DeductionStatus.ACTIVE


@dataclass
class DataEntry:
    """A raw figure (数据) with unit and source; corrections keep the earlier values."""

    key: str
    value: Decimal
    unit: str | None
    source: str | None
    evidence: list[dict[str, str | None]]
    version: int
    previous: list[dict[str, Any]] = field(default_factory=list)


# The aggregate's index of active deductions: per leaf code, their ids in the order recorded.
# Derived from `deductions` (rebuilt when absent; snapshots leave it out), so a command's
# rescoring sums what stands instead of walking every deduction ever withdrawn.
ACTIVE_INDEX = "_active_deductions"


def active_index(
    state: dict[str, Any], deductions: dict[str, Deduction]
) -> dict[str, dict[str, None]]:
    """The index in `state` (an aggregate's __dict__), built from `deductions` when absent."""
    index: dict[str, dict[str, None]] | None = state.get(ACTIVE_INDEX)
    if index is None:
        index = {}
        for d in deductions.values():
            if d.status == DeductionStatus.ACTIVE:
                index.setdefault(d.code, {})[d.id] = None
        state[ACTIVE_INDEX] = index
    return index


def note_recorded(state: dict[str, Any], deduction: Deduction) -> None:
    """In an apply body: a deduction now stands (the index is kept only once built)."""
    index = state.get(ACTIVE_INDEX)
    if index is not None:
        index.setdefault(deduction.code, {})[deduction.id] = None


def note_withdrawn(state: dict[str, Any], deduction: Deduction) -> None:
    """In an apply body: a deduction no longer stands."""
    index: dict[str, dict[str, None]] | None = state.get(ACTIVE_INDEX)
    if index is None:
        return
    standing = index.get(deduction.code)
    if standing is not None:
        standing.pop(deduction.id, None)
        if not standing:  # as a rebuild from the deductions would leave it
            del index[deduction.code]


def find_deduction(deductions: dict[str, Deduction], deduction_id: str) -> Deduction:
    deduction = deductions.get(deduction_id)
    if deduction is None:
        raise UnknownDeduction(f"deduction {deduction_id} does not exist", id=deduction_id)
    return deduction


def check_active(deduction: Deduction, refusal: str = "is already {status}") -> None:
    """Only an active deduction can be withdrawn, disputed or changed by a decision."""
    if not deduction.active:
        raise DeductionRefused(
            f"deduction {deduction.id} " + refusal.format(status=deduction.status),
            id=deduction.id,
            status=deduction.status,
        )
