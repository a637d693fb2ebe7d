"""Events of the self-evaluation form: a target value, the sign-offs required, a sign-off."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate

from domain.signoffs import SignOff, note_change
from domain.targets.values import TargetState, apply_value

# Apply bodies only copy what the command computed: replay gives the same state. They run
# before the aggregate's version moves on, so an event's own version is originator_version.


class TargetValueRecorded(Aggregate.Event):
    """A monitored or final value of a target leaf; a correction names the version it replaces."""

    code: str
    stage: str
    value: Decimal | None
    outcome: str | None
    score: Decimal | None
    justification: str | None
    deviation_reason: str | None
    improvement: str | None
    reason: str | None
    corrects_version: int | None
    source: str | None
    evidence: list[dict[str, str | None]]
    corrections: int
    meta: dict[str, str]

    def apply(self, aggregate: Any) -> None:
        aggregate.scoring_started = True
        values = TargetState.copy_of(aggregate.leaves[self.code].inputs)
        stage = {
            name: getattr(self, name)
            for name in (
                "stage",
                "value",
                "outcome",
                "score",
                "justification",
                "deviation_reason",
                "improvement",
                "reason",
            )
        }
        apply_value(
            values, stage, self.source, self.evidence, self.originator_version, self.meta["actor"]
        )
        aggregate.leaves[self.code].inputs = values
        aggregate.leaves[self.code].add_recorder(self.meta)
        note_change(aggregate.sign_offs, self.originator_version, type(self).__name__, self.code)


class SignOffsRequired(Aggregate.Event):
    """Finalization waits for a current sign-off in each of these capacities."""

    capacities: list[str]
    meta: dict[str, str]

    def apply(self, aggregate: Any) -> None:
        aggregate.required_sign_offs = tuple(self.capacities)


class SignedOff(Aggregate.Event):
    """Who signed which version, in what capacity, with the chain's head digest then; v2 adds
    the signer's 职务/职称 (title), 单位 (organization) and 联系电话 (phone), each optional."""

    class_version = 2
    sign_off_id: str
    capacity: str
    opinion: str | None
    version: int
    head_digest: str | None
    signed_at: str
    meta: dict[str, str]
    title: str | None
    organization: str | None
    phone: str | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state.update(title=None, organization=None, phone=None)

    def apply(self, aggregate: Any) -> None:
        signed = SignOff(
            self.sign_off_id,
            self.meta["actor"],
            self.meta["role"],
            self.capacity,
            self.opinion,
            self.version,
            self.head_digest,
            self.signed_at,
            title=self.title,
            organization=self.organization,
            phone=self.phone,
        )
        aggregate._sign_offs = {**aggregate.sign_offs, self.sign_off_id: signed}
