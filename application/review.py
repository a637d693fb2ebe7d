"""Review use cases: disputes over deductions and scores, and reviewers' notes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Protocol

from application.errors import EvaluationNotFound
from application.service import EvaluationService
from domain.errors import UnknownDispute
from domain.evaluation import Actor


class ReviewQueries(Protocol):
    """Read models of the dispute queue and the review notes."""

    def disputes(self, evaluation_id: str, status: str | None) -> list[dict[str, Any]]: ...

    def dispute(self, evaluation_id: str, dispute_id: str) -> dict[str, Any] | None: ...

    def notes(self, evaluation_id: str, status: str | None) -> list[dict[str, Any]]: ...

    def queue(self, status: str, subject: str | None, limit: int) -> list[dict[str, Any]]:
        """Disputes of one status across evaluations (of one subject when given)."""

    def note(self, evaluation_id: str, note_id: str) -> dict[str, Any] | None: ...

    def subject_of(self, evaluation_id: str) -> str | None:
        """The evaluation's subject, or None when there is no such evaluation."""


class ReviewService:
    """Raises and decides disputes, attaches and resolves notes; ids are made here."""

    def __init__(
        self,
        evaluations: EvaluationService,
        queries: ReviewQueries,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self.evaluations = evaluations
        self.queries = queries
        self.new_id = new_id

    # ---------------------------------------------------------------- disputes
    def raise_dispute(
        self,
        evaluation_id: str,
        *,
        grounds: str | None,
        deduction_id: str | None = None,
        indicator: str | None = None,
        evidence: list[dict[str, Any]] | None = None,
        by: Actor,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        """Contest a deduction or a leaf's score; returns the open dispute."""
        dispute_id = self.new_id()
        self.evaluations.change(
            evaluation_id,
            lambda e: e.raise_dispute(dispute_id, deduction_id, indicator, grounds, evidence, by),
            expected_version,
        )
        return self._dispute(evaluation_id, dispute_id)

    def decide_dispute(
        self,
        evaluation_id: str,
        dispute_id: str,
        *,
        outcome: str,
        reason: str | None,
        points: object = None,
        confirm_worse: bool = False,
        by: Actor,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        """Decide a dispute; returns it with the updated evaluation under `evaluation`."""
        document = self.evaluations.change(
            evaluation_id,
            lambda e: e.decide_dispute(dispute_id, outcome, points, reason, by, confirm_worse),
            expected_version,
        )
        return {**self._dispute(evaluation_id, dispute_id), "evaluation": document.document()}

    def disputes(self, evaluation_id: str, status: str | None = None) -> dict[str, Any]:
        self._require(evaluation_id)
        items = self.queries.disputes(evaluation_id, status)
        return {"items": items, "total": len(items)}

    def queue(
        self, status: str = "open", subject: str | None = None, limit: int = 200
    ) -> dict[str, Any]:
        """The dispute queue across evaluations, oldest first; `subject` narrows it to one."""
        items = self.queries.queue(status, subject, limit)
        return {"items": items, "total": len(items)}

    def dispute(self, evaluation_id: str, dispute_id: str) -> dict[str, Any]:
        self._require(evaluation_id)
        found = self.queries.dispute(evaluation_id, dispute_id)
        if found is None:
            raise UnknownDispute(f"dispute {dispute_id} does not exist", id=dispute_id)
        return found

    def _dispute(self, evaluation_id: str, dispute_id: str) -> dict[str, Any]:
        found = self.queries.dispute(evaluation_id, dispute_id)
        assert found is not None, "the dispute was projected in the same transaction"
        return found

    # ------------------------------------------------------------------- notes
    def add_note(
        self,
        evaluation_id: str,
        code: str,
        *,
        text: str | None,
        by: Actor,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        note_id = self.new_id()
        self.evaluations.change(
            evaluation_id, lambda e: e.add_note(note_id, code, text, by), expected_version
        )
        return self._note(evaluation_id, note_id)

    def resolve_note(
        self,
        evaluation_id: str,
        note_id: str,
        *,
        reason: str | None = None,
        by: Actor,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        self.evaluations.change(
            evaluation_id, lambda e: e.resolve_note(note_id, reason, by), expected_version
        )
        return self._note(evaluation_id, note_id)

    def notes(self, evaluation_id: str, status: str | None = None) -> dict[str, Any]:
        self._require(evaluation_id)
        items = self.queries.notes(evaluation_id, status)
        return {"items": items, "total": len(items)}

    def _note(self, evaluation_id: str, note_id: str) -> dict[str, Any]:
        found = self.queries.note(evaluation_id, note_id)
        assert found is not None, "the note was projected in the same transaction"
        return found

    def _require(self, evaluation_id: str) -> None:
        if self.queries.subject_of(evaluation_id) is None:
            raise EvaluationNotFound(f"evaluation {evaluation_id} does not exist")
