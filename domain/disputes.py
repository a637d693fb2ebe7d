"""Disputes (异议): the entity that keeps an evaluation's disputes and the rules that guard them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.errors import (
    DisputeRefused,
    InvalidValue,
    NotPermitted,
    ReasonRequired,
    UnknownDispute,
)
from domain.indicator import Indicator
from domain.leaf import check_score
from domain.ledger import Deduction
from domain.values import round_half_up, to_amount


class Outcome(StrEnum):
    UPHELD = "upheld"
    OVERTURNED = "overturned"
    AMENDED = "amended"


class DisputeStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


class Target(StrEnum):
    DEDUCTION = "deduction"
    INDICATOR = "indicator"


OUTCOMES = tuple(o.value for o in Outcome)
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
    status: str = DisputeStatus.OPEN
    outcome: str | None = None
    points: Decimal | None = None
    reason: str | None = None
    decided_by: str | None = None
    decided_version: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status == DisputeStatus.OPEN


class Consequence(StrEnum):
    """What a decision changes besides the dispute; each is recorded as its own event."""

    NONE = "none"
    WITHDRAW_DEDUCTION = "withdraw_deduction"
    AMEND_DEDUCTION = "amend_deduction"
    CLEAR_OVERRIDE = "clear_override"
    OVERRIDE_SCORE = "override_score"


@dataclass(frozen=True)
class Decision:
    """A checked decision: what the DisputeDecided event records and what follows from it."""

    dispute: Dispute
    outcome: Outcome
    points: Decimal | None
    previous_points: Decimal | None
    reason: str
    consequence: Consequence

    @property
    def justification(self) -> str:
        return DISPUTE_OUTCOME_NOTE.format(
            id=self.dispute.id, outcome=self.outcome.value, reason=self.reason
        )


class Disputes(Mapping[str, Dispute]):
    """The disputes of one evaluation, keyed by id, with the rules for raising and deciding."""

    def __init__(self, items: dict[str, Dispute] | None = None) -> None:
        self.by_id: dict[str, Dispute] = items or {}

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_id)

    def __len__(self) -> int:
        return len(self.by_id)

    def __getitem__(self, dispute_id: str) -> Dispute:
        return self.by_id[dispute_id]

    def __repr__(self) -> str:
        return f"Disputes({self.by_id!r})"

    # --------------------------------------------------------------- checks
    @staticmethod
    def check_target(deduction_id: str | None, code: str | None) -> None:
        """A dispute names exactly one target: a deduction or a leaf."""
        if bool(deduction_id) == bool(code):
            raise InvalidValue(
                "a dispute names either deduction_id or indicator, not both and not neither",
                field="deduction_id",
            )

    @staticmethod
    def check_disputable_deduction(deduction: Deduction) -> None:
        if not deduction.active:
            raise DisputeRefused(
                f"deduction {deduction.id} is {deduction.status}; only an active one "
                "can be disputed",
                id=deduction.id,
            )

    @staticmethod
    def check_disputable_score(code: str, score: Decimal | None) -> None:
        if score is None:
            raise DisputeRefused(f"indicator {code} has no score to dispute yet", code=code)

    def check_no_open_dispute(self, deduction_id: str | None, code: str) -> None:
        """One open dispute per deduction, and one per leaf score, at a time."""
        for dispute in self.values():
            if not dispute.is_open:
                continue
            same = (
                dispute.deduction_id == deduction_id
                if deduction_id
                else dispute.target == Target.INDICATOR and dispute.code == code
            )
            if same:
                what = f"deduction {deduction_id}" if deduction_id else f"the score of {code}"
                raise DisputeRefused(
                    f"{what} is already disputed by {dispute.id}, still open",
                    dispute_id=dispute.id,
                )

    @staticmethod
    def check_grounds(grounds: str | None) -> str:
        text = (grounds or "").strip()
        if not text:
            raise ReasonRequired("a dispute needs its grounds", field="grounds")
        return text

    def find(self, dispute_id: str) -> Dispute:
        dispute = self.by_id.get(dispute_id)
        if dispute is None:
            raise UnknownDispute(f"dispute {dispute_id} does not exist", id=dispute_id)
        return dispute

    @staticmethod
    def check_undecided(dispute: Dispute) -> None:
        if not dispute.is_open:
            raise DisputeRefused(
                f"dispute {dispute.id} is already decided ({dispute.outcome})",
                id=dispute.id,
                outcome=dispute.outcome,
            )

    @staticmethod
    def check_outcome(outcome: str, points: object) -> tuple[Outcome, Decimal | None]:
        """Points come with an amended decision and only with it."""
        if outcome not in OUTCOMES:
            raise InvalidValue(
                f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}", field="outcome"
            )
        chosen = Outcome(outcome)
        if chosen == Outcome.AMENDED:
            if points is None:
                raise InvalidValue("an amended decision needs points", field="points")
            return chosen, to_amount(points, "points")
        if points is not None:
            raise InvalidValue(
                f"points are given with an amended decision only, not with {outcome}",
                field="points",
            )
        return chosen, None

    @staticmethod
    def check_decider(dispute: Dispute, recorded_by: Iterable[str], decider: str) -> None:
        """Nobody judges their own cause: not the one who raised it, nor anyone who recorded
        what it disputes (the deduction; for an indicator, its score, override, checklist,
        survey, target value or an active deduction on it)."""
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

    @staticmethod
    def check_deduction_still_active(deduction: Deduction) -> None:
        if not deduction.active:
            raise DisputeRefused(
                f"deduction {deduction.id} was {deduction.status} meanwhile; only upheld remains",
                id=deduction.id,
            )

    @staticmethod
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

    @staticmethod
    def check_worse_confirmed(
        dispute: Dispute, before: Decimal, after: Decimal, confirmed: bool
    ) -> None:
        """A decision that leaves the disputing party with a lower score must say it means it."""
        if after < before and not confirmed:
            before, after = round_half_up(before), round_half_up(after)
            raise DisputeRefused(
                f"amending dispute {dispute.id} takes the score of {dispute.code} from "
                f"{before} to {after}, below what was disputed; confirm with confirm_worse",
                id=dispute.id,
                code=dispute.code,
                score_before=str(before),
                score_after=str(after),
            )

    @staticmethod
    def check_override_to_overturn(code: str, override: Decimal | None) -> None:
        if override is None:
            raise DisputeRefused(
                f"the score of {code} stands on its rules, not on an override: "
                "there is nothing to overturn; amend it or uphold it",
                code=code,
            )

    # ------------------------------------------------------------- decisions
    def decide_on_deduction(
        self,
        dispute: Dispute,
        outcome: Outcome,
        amount: Decimal | None,
        reason: str,
        deduction: Deduction,
        node: Indicator,
        active_points: Decimal,
        score: Decimal | None = None,
        confirm_worse: bool = False,
    ) -> Decision:
        """Overturning withdraws the deduction; amending changes its points."""
        if outcome == Outcome.UPHELD:
            return Decision(dispute, outcome, None, None, reason, Consequence.NONE)
        self.check_deduction_still_active(deduction)
        if outcome == Outcome.OVERTURNED:
            return Decision(
                dispute, outcome, None, deduction.points, reason, Consequence.WITHDRAW_DEDUCTION
            )
        assert amount is not None
        others = active_points - deduction.points
        self.check_amended_deduction(node.code, node.weight, others, deduction.points, amount)
        if amount > deduction.points:
            before = node.weight - active_points if score is None else score
            after = before - (amount - deduction.points)
            self.check_worse_confirmed(dispute, before, after, confirm_worse)
        return Decision(
            dispute, outcome, amount, deduction.points, reason, Consequence.AMEND_DEDUCTION
        )

    def decide_on_score(
        self,
        dispute: Dispute,
        outcome: Outcome,
        amount: Decimal | None,
        reason: str,
        node: Indicator,
        override: Decimal | None,
        score: Decimal | None,
        confirm_worse: bool = False,
    ) -> Decision:
        """Overturning drops the override; amending overrides the leaf with the points."""
        if outcome == Outcome.UPHELD:
            return Decision(dispute, outcome, None, None, reason, Consequence.NONE)
        if outcome == Outcome.OVERTURNED:
            self.check_override_to_overturn(node.code, override)
            return Decision(dispute, outcome, None, override, reason, Consequence.CLEAR_OVERRIDE)
        assert amount is not None
        check_score(node, amount)
        if score is not None:
            self.check_worse_confirmed(dispute, score, amount, confirm_worse)
        return Decision(dispute, outcome, amount, score, reason, Consequence.OVERRIDE_SCORE)

    def open_ids(self) -> list[str]:
        return [d.id for d in self.values() if d.is_open]

    # ------------------------------------------------------ applied by events
    def add(self, dispute: Dispute) -> None:
        self.by_id[dispute.id] = dispute

    def record_decision(
        self,
        dispute_id: str,
        outcome: str,
        points: Decimal | None,
        reason: str,
        decided_by: str,
        version: int,
    ) -> None:
        dispute = self.by_id[dispute_id]
        dispute.status, dispute.outcome, dispute.points = DisputeStatus.DECIDED, outcome, points
        dispute.reason, dispute.decided_by, dispute.decided_version = reason, decided_by, version
