"""Commands of the self-evaluation form: target values, required sign-offs, sign-offs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from domain.actor import Actor
from domain.signoffs import check_phone, check_required, check_signer, check_signer_text
from domain.state import EvaluationState
from domain.target_events import SignedOff, SignOffsRequired, TargetValueRecorded
from domain.targets.text import Target, target_of
from domain.targets.values import TargetState, prepare_value


class TargetCommands(EvaluationState):
    """Each value is checked by domain.targets, recorded, then the leaves are rescored."""

    def record_target_value(
        self,
        code: str,
        *,
        stage: str | None,
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
    ) -> None:
        """A monitored or final value (年中监控值, 实际完成值) of a target leaf; a later value
        of the same stage corrects it and needs a reason; a missed final value needs
        偏差原因 and 改进措施."""
        self.check_open()
        node = self.check_leaf(code, "target")
        state = self.target_state(code)
        payload = prepare_value(
            code=code,
            target=target_of(node.params["target"]),
            weight=node.weight,
            rules=self.target_rule_set,
            state=state,
            stage=stage,
            value=value,
            outcome=outcome,
            score=score,
            justification=justification,
            deviation_reason=deviation_reason,
            improvement=improvement,
            reason=reason,
        )
        earlier = state.stage(payload["stage"])
        self.trigger_event(
            TargetValueRecorded,
            code=code,
            **payload,
            source=(source or "").strip() or None,
            evidence=self.check_evidence(evidence),
            corrections=len(earlier.previous) + 1 if earlier else 0,
            meta=by.as_meta(),
        )
        shown = payload["outcome"] or payload["value"]
        why = payload["reason"] or f"{payload['stage']} value of {code}: {shown}"
        self._rescore("TargetValueRecorded", why, by)

    def require_sign_offs(self, capacities: list[str], by: Actor) -> None:
        """Finalization will wait for a current sign-off in each of these capacities."""
        self.check_open()
        self.trigger_event(
            SignOffsRequired, capacities=check_required(capacities), meta=by.as_meta()
        )

    def sign_off(
        self,
        sign_off_id: str,
        capacity: str | None,
        opinion: str | None,
        head_digest: str | None,
        signed_at: str,
        by: Actor,
        signer: Mapping[str, str | None] | None = None,
    ) -> None:
        """Sign the current version in a capacity (评价组组长, 部门负责人, 财政部门 …); only
        the capacity's party signs in it (domain.signoffs.SIGNERS). `signer` holds the optional
        title (职务/职称), organization (单位) and phone (联系电话) printed on the line."""
        self.check_open()
        given = signer or {}
        capacity = check_signer(capacity, by, self.subject)
        title = check_signer_text("title", given.get("title"))
        organization = check_signer_text("organization", given.get("organization"))
        phone = check_phone(given.get("phone"))
        self.trigger_event(
            SignedOff,
            sign_off_id=sign_off_id,
            capacity=capacity,
            opinion=(opinion or "").strip() or None,
            version=self.version,
            head_digest=head_digest,
            signed_at=signed_at,
            meta=by.as_meta(),
            title=title,
            organization=organization,
            phone=phone,
        )

    # ------------------------------------------------------------------- queries
    def target_state(self, code: str) -> TargetState:
        """The values recorded against a target leaf (empty before the first)."""
        inputs = self.leaves[code].inputs
        return inputs if isinstance(inputs, TargetState) else TargetState()

    @property
    def target_states(self) -> dict[str, TargetState]:
        return {code: self.target_state(code) for code, _, _ in self.target_leaves()}

    def target_definition(self, code: str) -> dict[str, Any] | None:
        node = self.tree.get(code)
        if node is None or node.method != "target":
            return None
        target: dict[str, Any] | None = node.params.get("target")
        return target

    def target_leaves(self) -> Iterator[tuple[str, Target, TargetState]]:
        """Each target leaf with its parsed target and recorded values, in framework order."""
        for code, node in self.tree.items():
            if node.method == "target" and node.params.get("target") is not None:
                yield code, target_of(node.params["target"]), self.target_state(code)
