"""What first-version events did implicitly, copied where they are replayed."""

from __future__ import annotations

from decimal import Decimal

from domain.disputes import DISPUTE_OUTCOME_NOTE, Dispute, Outcome
from domain.leaf import Override
from domain.ledger import DeductionStatus, note_withdrawn
from domain.state import EvaluationState


def copy_first_shape_consequence(evaluation: EvaluationState, dispute: Dispute) -> None:
    """A first-version decision changed the deduction or override it named in place."""
    note = DISPUTE_OUTCOME_NOTE.format(
        id=dispute.id, outcome=dispute.outcome, reason=dispute.reason
    )
    if dispute.deduction_id is not None and dispute.outcome == Outcome.OVERTURNED:
        evaluation.deductions[dispute.deduction_id].status = DeductionStatus.WITHDRAWN
        evaluation.deductions[dispute.deduction_id].withdrawal_reason = note
        note_withdrawn(evaluation.__dict__, evaluation.deductions[dispute.deduction_id])
    elif dispute.deduction_id is not None and dispute.outcome == Outcome.AMENDED:
        evaluation.deductions[dispute.deduction_id].points = Decimal(dispute.points or 0)
    elif dispute.outcome == Outcome.OVERTURNED:
        evaluation.leaves[dispute.code].override = None
    elif dispute.outcome == Outcome.AMENDED and dispute.points is not None:
        # the first version kept the override's earlier version: keep citing that one
        old = evaluation.leaves[dispute.code].override
        evaluation.leaves[dispute.code].override = Override(
            dispute.points, note, old.version if old else None
        )
