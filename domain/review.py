"""Disputes (异议) and review notes (复核意见): their records and the rules that guard them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from domain.errors import (
    DisputeRefused,
    InvalidValue,
    NoteRefused,
    NotPermitted,
    UnknownDispute,
    UnknownNote,
)
from domain.values import to_amount

OPEN, DECIDED, RESOLVED = "open", "decided", "resolved"
UPHELD, OVERTURNED, AMENDED = "upheld", "overturned", "amended"
OUTCOMES = (UPHELD, OVERTURNED, AMENDED)
DEDUCTION, INDICATOR = "deduction", "indicator"
# How a decision reads as a withdrawal reason or an override's justification.
DISPUTE_OUTCOME_NOTE = "dispute {id} {outcome}: {reason}"


@dataclass
class Dispute:
    """A contested deduction or leaf score: grounds and evidence, then a reviewer's decision."""

    id: str
    target: str
    code: str
    deduction_id: str | None
    grounds: str
    evidence: list[dict[str, str | None]]
    raised_by: str
    version: int
    status: str = OPEN
    outcome: str | None = None
    points: Decimal | None = None
    reason: str | None = None
    decided_by: str | None = None
    decided_version: int | None = None


@dataclass
class ReviewNote:
    """A reviewer's note on an indicator, open until resolved."""

    id: str
    code: str
    text: str
    author: str
    version: int
    status: str = OPEN
    resolution: str | None = None
    resolved_by: str | None = None
    resolved_version: int | None = None


def check_target(deduction_id: str | None, code: str | None) -> None:
    """A dispute names exactly one target: a deduction or a leaf."""
    if bool(deduction_id) == bool(code):
        raise InvalidValue(
            "a dispute names either deduction_id or indicator, not both and not neither",
            field="deduction_id",
        )


def check_no_open_dispute(
    disputes: Mapping[str, Dispute], deduction_id: str | None, code: str
) -> None:
    """One open dispute per deduction, and one per leaf score, at a time."""
    for dispute in disputes.values():
        if dispute.status != OPEN:
            continue
        same = (
            dispute.deduction_id == deduction_id
            if deduction_id
            else dispute.target == INDICATOR and dispute.code == code
        )
        if same:
            what = f"deduction {deduction_id}" if deduction_id else f"the score of {code}"
            raise DisputeRefused(
                f"{what} is already disputed by {dispute.id}, still open",
                dispute_id=dispute.id,
            )


def find_dispute(disputes: Mapping[str, Dispute], dispute_id: str) -> Dispute:
    dispute = disputes.get(dispute_id)
    if dispute is None:
        raise UnknownDispute(f"dispute {dispute_id} does not exist", id=dispute_id)
    return dispute


def check_undecided(dispute: Dispute) -> None:
    if dispute.status != OPEN:
        raise DisputeRefused(
            f"dispute {dispute.id} is already decided ({dispute.outcome})",
            id=dispute.id,
            outcome=dispute.outcome,
        )


def check_outcome(outcome: str, points: object) -> Decimal | None:
    """Points come with an amended decision and only with it."""
    if outcome not in OUTCOMES:
        raise InvalidValue(
            f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}", field="outcome"
        )
    if outcome == AMENDED:
        if points is None:
            raise InvalidValue("an amended decision needs points", field="points")
        return to_amount(points, "points")
    if points is not None:
        raise InvalidValue(
            f"points are given with an amended decision only, not with {outcome}", field="points"
        )
    return None


def check_decider(dispute: Dispute, recorded_by: Iterable[str], decider: str) -> None:
    """Nobody judges their own cause: not the one who raised it, nor anyone who recorded what
    it disputes (the deduction; for an indicator, its score, override, checklist, survey or
    an active deduction on it)."""
    if decider in set(recorded_by):
        what = "the disputed deduction" if dispute.deduction_id else f"indicator {dispute.code}"
        raise NotPermitted(
            f"{decider} recorded {what} and may not decide dispute {dispute.id}",
            id=dispute.id,
            actor=decider,
        )
    if dispute.raised_by == decider:
        raise NotPermitted(
            f"{decider} raised dispute {dispute.id} and may not decide it",
            id=dispute.id,
            actor=decider,
        )


def check_amended_deduction(
    code: str, weight: Decimal, others: Decimal, current: Decimal, amount: Decimal
) -> None:
    """Amended points follow the deduction rules, and must differ from the current points."""
    if amount <= 0:
        raise DisputeRefused(
            f"amended points must be greater than 0, got {amount}; "
            "to remove the deduction, overturn it",
            code=code,
            points=str(amount),
        )
    if amount == current:
        raise DisputeRefused(
            f"the deduction already takes {current}; to keep it, uphold it",
            code=code,
            points=str(amount),
        )
    if others + amount > weight:
        raise DisputeRefused(
            f"deducting {amount} from {code} would take its score below 0 "
            f"(weight {weight}, other deductions {others})",
            code=code,
            points=str(amount),
            weight=str(weight),
        )


def open_disputes(disputes: Mapping[str, Dispute]) -> list[str]:
    return [d.id for d in disputes.values() if d.status == OPEN]


def find_open_note(notes: Mapping[str, ReviewNote], note_id: str) -> ReviewNote:
    note = notes.get(note_id)
    if note is None:
        raise UnknownNote(f"note {note_id} does not exist", id=note_id)
    if note.status != OPEN:
        raise NoteRefused(f"note {note_id} is already resolved", id=note_id)
    return note


def check_note_text(text: str | None) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidValue("a note needs text", field="text")
    return cleaned
