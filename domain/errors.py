"""Domain errors: each names the rule it enforces and carries the offending values."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A command was refused by a domain rule."""

    title = "Refused by a domain rule"

    def __init__(self, detail: str, **values: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.values = values


class NotFound(DomainError):
    """Something the command names does not exist."""

    title = "Not found"


class UnknownIndicator(NotFound):
    """The indicator code is not in the framework."""

    title = "Unknown indicator"


class UnknownDeduction(NotFound):
    """The deduction id is not recorded on this evaluation."""

    title = "Unknown deduction"


class InvalidValue(DomainError):
    """A value is of the right shape but breaks a rule (e.g. a negative weight)."""

    title = "Invalid value"


class FrameworkRejected(DomainError):
    """The indicator tree breaks a structural rule; `problems` names each code."""

    title = "Framework rejected"

    def __init__(self, problems: list[dict[str, str]]) -> None:
        codes = sorted({p["code"] for p in problems})
        summary = "; ".join(f"{p['code']}: {p['message']}" for p in problems)
        super().__init__(f"framework rejected: {summary}", codes=codes, problems=problems)
        self.problems = problems


class FrameworkLocked(DomainError):
    """The framework cannot change once scoring has started."""

    title = "Framework locked"


class DeductionRefused(DomainError):
    """A deduction breaks the deduction rules."""

    title = "Deduction refused"


class ScoreRefused(DomainError):
    """A recorded score breaks the scoring rules."""

    title = "Score refused"


class MethodMismatch(DomainError):
    """The command does not apply to the leaf's scoring method."""

    title = "Scoring method mismatch"


class ReasonRequired(DomainError):
    """The rule asks for a reason and none was given."""

    title = "Reason required"


class EvaluationLocked(DomainError):
    """The evaluation's status forbids the change."""

    title = "Evaluation locked"


class LifecycleRefused(DomainError):
    """The lifecycle transition is not allowed from the current status."""

    title = "Transition refused"


class UnscoredLeaves(LifecycleRefused):
    """Submission and finalization wait until every leaf has something to score it."""

    title = "Leaves unscored"


class UnknownDispute(NotFound):
    """The dispute id is not raised on this evaluation."""

    title = "Unknown dispute"


class UnknownNote(NotFound):
    """The review note id is not attached to this evaluation."""

    title = "Unknown note"


class DisputeRefused(DomainError):
    """Raising or deciding a dispute breaks a dispute rule."""

    title = "Dispute refused"


class NoteRefused(DomainError):
    """The review note cannot change that way (e.g. resolved twice)."""

    title = "Note refused"


class NotPermitted(DomainError):
    """The caller may not do this to this record, whatever their role allows elsewhere."""

    title = "Not permitted"


class TargetRefused(DomainError):
    """A target, or a value recorded against it, breaks a target rule."""

    title = "Target refused"


class SignOffRefused(DomainError):
    """A sign-off, or a finalization waiting for sign-offs, breaks a sign-off rule."""

    title = "Sign-off refused"


class SignOffNotPermitted(NotPermitted):
    """The signer's party is not the one that signs in this capacity."""

    title = "Sign-off not permitted"


class UnknownEvidence(NotFound):
    """The evidence file id is not attached to this evaluation."""

    title = "Unknown evidence file"
