"""Commands of the review: submit, finalize, reopen, disputes (异议) and notes (复核意见)."""

from __future__ import annotations

from typing import Any

from domain.actor import Actor
from domain.disputes import Consequence, Decision, Dispute, Target
from domain.errors import DisputeRefused, LifecycleRefused, UnscoredLeaves
from domain.ledger import Deduction, find_deduction
from domain.review import check_note_text, find_open_note
from domain.signoffs import check_signed
from domain.state import EvaluationState, Status

DRAFT, SUBMITTED, FINALIZED = Status.DRAFT, Status.SUBMITTED, Status.FINALIZED


class ReviewCommands(EvaluationState):
    """Lifecycle and review: a decided dispute records its consequences as their own events."""

    def submit(self, by: Actor) -> None:
        """Hand the scores to the evaluated unit: views are exchanged, disputes may be raised."""
        self.check_status(DRAFT, "only a draft can be submitted")
        self.check_all_scored("submission")
        self._submitted(meta=by.as_meta())

    def finalize(self, by: Actor) -> None:
        """Close the evaluation: nothing changes until it is reopened."""
        self.check_status(SUBMITTED, "only a submitted evaluation can be finalized")
        self.check_no_open_disputes()
        self.check_all_scored("finalization")
        check_signed(self.required_sign_offs, self.sign_offs)
        self._finalized(meta=by.as_meta())

    def check_all_scored(self, step: str) -> None:
        """Every leaf needs a score (from its inputs or an override): the total is final."""
        leaves = self.leaves
        unscored = [c for c, n in self.tree.items() if n.is_leaf and leaves[c].score is None]
        if unscored:
            raise UnscoredLeaves(
                f"{step} waits for a score on every leaf; unscored: {', '.join(unscored)}",
                step=step,
                unscored=unscored,
            )

    def reopen(self, reason: str | None, by: Actor) -> None:
        """Reopen a finalized evaluation, with a reason."""
        self.check_status(FINALIZED, "only a finalized evaluation can be reopened")
        text = self.check_reason(reason, "reopening")
        self._reopened(reason=text, meta=by.as_meta())

    def raise_dispute(
        self,
        dispute_id: str,
        deduction_id: str | None,
        code: str | None,
        grounds: str | None,
        evidence: list[dict[str, Any]] | None,
        by: Actor,
    ) -> None:
        """Contest a deduction or a leaf's score, with grounds and evidence."""
        self.check_submitted("disputes can be raised")
        self.disputes.check_target(deduction_id, code)
        if deduction_id:
            deduction = find_deduction(self.deductions, deduction_id)
            self.disputes.check_disputable_deduction(deduction)
            code = deduction.code
        else:
            code = self.check_leaf(str(code)).code
            self.disputes.check_disputable_score(code, self.leaves[code].score)
        self.disputes.check_no_open_dispute(deduction_id, code)
        text = self.disputes.check_grounds(grounds)
        self._dispute_raised(
            dispute_id=dispute_id,
            target=Target.DEDUCTION if deduction_id else Target.INDICATOR,
            code=code,
            deduction_id=deduction_id or None,
            grounds=text,
            evidence=self.check_evidence(evidence),
            meta=by.as_meta(),
        )

    def decide_dispute(
        self,
        dispute_id: str,
        outcome: str,
        points: object,
        reason: str | None,
        by: Actor,
        confirm_worse: bool = False,
    ) -> None:
        """Uphold, overturn or amend; what the decision changes is recorded as its own events.

        An amendment that lowers the disputed score needs `confirm_worse`: the points of a
        deduction are easily mistaken for the score they leave."""
        dispute = self.disputes.find(dispute_id)
        self.check_submitted("disputes can be decided")
        self.disputes.check_undecided(dispute)
        chosen, amount = self.disputes.check_outcome(outcome, points)
        text = self.check_reason(reason, "a dispute decision")
        deduction = self.deductions.get(dispute.deduction_id or "")
        self.disputes.check_decider(dispute, self.recorders_of(dispute, deduction), by.name)
        node = self.tree[dispute.code]
        leaf = self.leaves[node.code]
        if deduction is not None:
            decision = self.disputes.decide_on_deduction(
                dispute,
                chosen,
                amount,
                text,
                deduction,
                node,
                self.active_points(node.code),
                leaf.score,
                confirm_worse,
            )
        else:
            override = leaf.override.score if leaf.override else None
            decision = self.disputes.decide_on_score(
                dispute, chosen, amount, text, node, override, leaf.score, confirm_worse
            )
        self._dispute_decided(
            dispute_id=dispute_id,
            outcome=chosen.value,
            points=amount,
            previous_points=decision.previous_points,
            reason=text,
            deduction_id=dispute.deduction_id,
            code=dispute.code,
            meta=by.as_meta(),
            consequences_follow=True,
        )
        decided_version = self.version
        self._record_consequence(decision, by)
        self._rescore("DisputeDecided", text, by, dispute_id, cause_version=decided_version)

    def recorders_of(self, dispute: Dispute, deduction: Deduction | None) -> list[str]:
        """Who recorded what a dispute is about: the deduction, or the indicator's inputs."""
        if deduction is not None:
            return [deduction.actor]
        cuts = self.deductions.values()
        active = [d.actor for d in cuts if d.code == dispute.code and d.active]
        return [*self.leaves[dispute.code].recorded_by, *active]

    def _record_consequence(self, decision: Decision, by: Actor) -> None:
        dispute, meta = decision.dispute, by.as_meta()
        if decision.consequence == Consequence.WITHDRAW_DEDUCTION:
            self._deduction_withdrawn(
                deduction_id=str(dispute.deduction_id),
                reason=decision.justification,
                meta=meta,
                dispute_id=dispute.id,
            )
        elif decision.consequence == Consequence.AMEND_DEDUCTION:
            self._deduction_amended(
                deduction_id=str(dispute.deduction_id),
                points=decision.points,
                previous_points=decision.previous_points,
                reason=decision.justification,
                dispute_id=dispute.id,
                meta=meta,
            )
        elif decision.consequence == Consequence.CLEAR_OVERRIDE:
            self._override_cleared(
                code=dispute.code, reason=decision.justification, dispute_id=dispute.id, meta=meta
            )
        elif decision.consequence == Consequence.OVERRIDE_SCORE:
            self._score_overridden(
                code=dispute.code,
                score=decision.points,
                justification=decision.justification,
                evidence=[],
                meta=meta,
                dispute_id=dispute.id,
            )

    def add_note(self, note_id: str, code: str, text: str | None, by: Actor) -> None:
        """A reviewer's note on any indicator, open until resolved."""
        self.check_open()
        self.check_indicator(code)
        self._note_added(note_id=note_id, code=code, text=check_note_text(text), meta=by.as_meta())

    def resolve_note(self, note_id: str, reason: str | None, by: Actor) -> None:
        """Close a review note, optionally saying how it was addressed."""
        self.check_open()
        find_open_note(self.notes, note_id)
        text = (reason or "").strip() or None
        self._note_resolved(note_id=note_id, reason=text, meta=by.as_meta())

    # -------------------------------------------------------------------- checks
    def check_status(self, expected: Status, refusal: str) -> None:
        if self.status != expected:
            raise LifecycleRefused(f"{refusal}, not {self.status}", status=self.status)

    def check_submitted(self, what: str) -> None:
        self.check_open()
        if self.status != SUBMITTED:
            raise DisputeRefused(
                f"{what} only while the evaluation is submitted, not {self.status}",
                status=self.status,
            )

    def check_no_open_disputes(self) -> None:
        if pending := self.disputes.open_ids():
            raise LifecycleRefused(
                f"{len(pending)} dispute(s) are still open; decide them before finalizing",
                disputes=pending,
            )
