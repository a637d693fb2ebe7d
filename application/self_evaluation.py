"""Self-evaluation use cases: target values and sign-offs (ids, clock and digests made here)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from application.documents import iso
from application.service import EvaluationService
from domain.evaluation import Actor

DigestAt = Callable[[str, int], str | None]


class SelfEvaluationService:
    """Records target values and sign-offs through the evaluation service's unit of work."""

    def __init__(
        self,
        evaluations: EvaluationService,
        digest_at: DigestAt,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self.evaluations = evaluations
        self.digest_at = digest_at
        self.clock = clock
        self.new_id = new_id

    def record_target_value(
        self,
        evaluation_id: str,
        code: str,
        *,
        stage: str,
        value: object = None,
        outcome: str | None = None,
        score: object = None,
        justification: str | None = None,
        deviation_reason: str | None = None,
        improvement: str | None = None,
        source: str | None = None,
        evidence: list[dict[str, Any]] | None = None,
        reason: str | None = None,
        by: Actor,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        """A monitored or final value of a target leaf; returns the updated document."""
        return self.evaluations.change(
            evaluation_id,
            lambda e: e.record_target_value(
                code,
                stage=stage,
                value=value,
                outcome=outcome,
                score=score,
                justification=justification,
                deviation_reason=deviation_reason,
                improvement=improvement,
                source=source,
                evidence=evidence,
                reason=reason,
                by=by,
            ),
            expected_version,
        ).document()

    def sign_off(
        self,
        evaluation_id: str,
        *,
        capacity: str,
        opinion: str | None = None,
        title: str | None = None,
        organization: str | None = None,
        phone: str | None = None,
        by: Actor,
    ) -> dict[str, Any]:
        """Sign the current version in a capacity, with the signer's optional 职务/职称,
        单位 and 联系电话; returns the sign-off with the document."""
        signer = {"title": title, "organization": organization, "phone": phone}
        sign_off_id = self.new_id()
        signed_at = iso(self.clock())

        def command(evaluation: Any) -> None:
            # the head digest of the version being signed, read before the sign-off is added
            digest = self.digest_at(str(evaluation.id), evaluation.version)
            evaluation.sign_off(sign_off_id, capacity, opinion, digest, signed_at, by, signer)

        document = self.evaluations.change(evaluation_id, command).document()
        signed = next(s for s in document["sign_offs"] if s["id"] == sign_off_id)
        return {**signed, "evaluation": document}

    def sign_offs(self, evaluation_id: str) -> dict[str, Any]:
        """Every sign-off with its status now, and the capacities still missing."""
        document = self.evaluations.document(evaluation_id)
        items = document.get("sign_offs") or []
        current = {s["capacity"] for s in items if s["status"] == "current"}
        required = document.get("required_sign_offs") or []
        return {
            "items": items,
            "required": required,
            "missing": [c for c in required if c not in current],
        }
