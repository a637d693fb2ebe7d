"""The Evaluation aggregate (绩效评价): every entry, score and change is an event."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    DeductionRefused,
    DisputeRefused,
    EvaluationLocked,
    FrameworkLocked,
    InvalidValue,
    LifecycleRefused,
    MethodMismatch,
    ReasonRequired,
    ScoreRefused,
    UnknownDeduction,
    UnknownIndicator,
)
from domain.framework import Indicator, build_tree, check_evidence, check_framework
from domain.framework import normalise_definitions as normalise_framework
from domain.grades import default_bands, grade_for, normalise_bands
from domain.review import (
    AMENDED,
    DEDUCTION,
    DISPUTE_OUTCOME_NOTE,
    INDICATOR,
    OVERTURNED,
    UPHELD,
    Dispute,
    ReviewNote,
    check_amended_deduction,
    check_decider,
    check_no_open_dispute,
    check_note_text,
    check_outcome,
    check_target,
    check_undecided,
    find_dispute,
    find_open_note,
    open_disputes,
)
from domain.scoring import (
    Rollup,
    RuleInputs,
    RuleResult,
    ancestors,
    checklist_score,
    deduction_score,
    ratio_score,
    rollup,
    survey_score,
)
from domain.signoffs import (
    SignOff,
    check_capacity,
    check_required,
    check_signed,
    note_change,
)
from domain.targets.leaf import target_rule
from domain.targets.rules import NATIONAL
from domain.targets.text import Target, target_of
from domain.targets.values import TargetState, apply_value, prepare_value
from domain.values import round_half_up, to_decimal

DRAFT, SUBMITTED, FINALIZED = "draft", "submitted", "finalized"


@dataclass(frozen=True)
class Actor:
    """Who asks for a change: identity, role and the request's correlation id."""

    name: str
    role: str
    correlation_id: str

    def as_meta(self) -> dict[str, str]:
        return {"actor": self.name, "role": self.role, "correlation_id": self.correlation_id}


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
    status: str = "active"
    withdrawal_reason: str | None = None
    withdrawn_version: int | None = None


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


@dataclass
class LeafState:
    """Inputs recorded against a leaf and the score last recorded for it."""

    met: list[bool] | None = None
    checklist_justification: str | None = None
    manual: Decimal | None = None
    manual_justification: str | None = None
    override: Decimal | None = None
    override_justification: str | None = None
    tallies: list[list[int]] | None = None
    score: Decimal | None = None
    exact: Decimal | None = None
    rule_exact: Decimal | None = None
    rule_score: Decimal | None = None
    overridden: bool = False
    note: str | None = None
    rates: list[Decimal] = field(default_factory=list)
    # versions of the events behind each input, so every figure can cite its source
    checklist_version: int | None = None
    manual_version: int | None = None
    override_version: int | None = None
    tallies_version: int | None = None
    score_version: int | None = None


REPORTED_FIGURES = ("score", "rate", "total")


class Evaluation(Aggregate):
    """One evaluation of one subject for one fiscal year."""

    # Class-level defaults: state restored from snapshots taken before these existed stays valid.
    framework_version: int | None = None
    reported_figures: tuple[dict[str, Any], ...] = ()
    required_sign_offs: tuple[str, ...] = ()

    @event("Created")
    def __init__(
        self,
        title: str,
        subject: str,
        fiscal_year: int,
        kind: str,
        evaluator: str | None,
        total_weight: Decimal,
        grade_bands: list[dict[str, str]],
        meta: dict[str, str],
    ) -> None:
        self.title = title
        self.subject = subject
        self.fiscal_year = fiscal_year
        self.kind = kind
        self.evaluator = evaluator
        self.total_weight = total_weight
        self.grade_bands = grade_bands
        self.status = DRAFT
        self.framework: list[dict[str, Any]] = []
        self.tree: dict[str, Indicator] = {}
        self.leaves: dict[str, LeafState] = {}
        self.deductions: dict[str, Deduction] = {}
        self.entries: dict[str, DataEntry] = {}
        self.scoring_started = False
        self.disputes: dict[str, Dispute] = {}
        self.notes: dict[str, ReviewNote] = {}

    @classmethod
    def start(
        cls,
        *,
        title: str,
        subject: str,
        fiscal_year: int,
        kind: str,
        evaluator: str | None,
        total_weight: object = "100",
        grade_bands: list[dict[str, object]] | None = None,
        by: Actor,
    ) -> Evaluation:
        """Open a new evaluation in draft."""
        weight = to_decimal(total_weight, "total_weight")
        cls.check_header(title, subject, fiscal_year, kind, weight)
        bands = normalise_bands(grade_bands) if grade_bands else default_bands(weight)
        return cls(
            title=title.strip(),
            subject=subject.strip(),
            fiscal_year=fiscal_year,
            kind=kind.strip(),
            evaluator=(evaluator or "").strip() or None,
            total_weight=weight,
            grade_bands=bands,
            meta=by.as_meta(),
        )

    # ----------------------------------------------------------------- checks
    @staticmethod
    def check_header(title: str, subject: str, year: int, kind: str, weight: Decimal) -> None:
        for name, value in (("title", title), ("subject", subject), ("kind", kind)):
            if not str(value).strip():
                raise InvalidValue(f"{name} must not be empty", field=name)
        if not 1900 <= year <= 2999:
            raise InvalidValue(f"fiscal_year {year} is out of range", fiscal_year=year)
        if weight <= 0:
            raise InvalidValue(f"total_weight {weight} must be positive", total_weight=str(weight))

    def check_open(self) -> None:
        if self.status == FINALIZED:
            raise EvaluationLocked(
                "the evaluation is finalized; reopen it before changing anything",
                status=self.status,
            )

    def check_framework_unlocked(self) -> None:
        if self.scoring_started:
            raise FrameworkLocked(
                "the framework cannot be replaced once scoring has started",
                status=self.status,
            )

    def check_leaf(self, code: str, method: str | None = None) -> Indicator:
        node = self.tree.get(code)
        if node is None:
            raise UnknownIndicator(f"indicator {code} does not exist", code=code)
        if not node.is_leaf:
            raise MethodMismatch(
                f"indicator {code} is a parent; its score is the sum of its children",
                code=code,
            )
        if method is not None and node.method != method:
            raise MethodMismatch(
                f"indicator {code} is scored by {node.method}, not {method}",
                code=code,
                method=node.method,
                expected=method,
            )
        return node

    @staticmethod
    def check_reason(reason: str | None, what: str) -> str:
        text = (reason or "").strip()
        if not text:
            raise ReasonRequired(f"{what} needs a non-empty reason", field="reason")
        return text

    def check_deduction(self, node: Indicator, points: Decimal) -> None:
        if points <= 0:
            raise DeductionRefused(
                f"points must be greater than 0, got {points}", code=node.code, points=str(points)
            )
        taken = self.active_points(node.code)
        if taken + points > node.weight:
            raise DeductionRefused(
                f"deducting {points} from {node.code} would take its score below 0 "
                f"(weight {node.weight}, already deducted {taken})",
                code=node.code,
                points=str(points),
                weight=str(node.weight),
                deducted=str(taken),
            )

    @staticmethod
    def check_score(node: Indicator, score: Decimal) -> None:
        if score < 0 or score > node.weight:
            raise ScoreRefused(
                f"score {score} for {node.code} must lie between 0 and the weight {node.weight}",
                code=node.code,
                score=str(score),
                weight=str(node.weight),
            )

    def check_checklist(self, node: Indicator, met: list[bool]) -> None:
        if len(met) != len(node.items):
            raise ScoreRefused(
                f"checklist of {node.code} has {len(node.items)} items, got {len(met)} marks",
                code=node.code,
                items=len(node.items),
                marks=len(met),
            )

    @staticmethod
    def check_tallies(node: Indicator, tallies: list[list[int]]) -> None:
        if not tallies:
            raise ScoreRefused(f"survey of {node.code} needs at least one question", code=node.code)
        for number, counts in enumerate(tallies, start=1):
            if len(counts) != len(node.choices):
                raise ScoreRefused(
                    f"question {number} of {node.code} has {len(counts)} counts "
                    f"for {len(node.choices)} choices",
                    code=node.code,
                    question=number,
                )
            if any(c < 0 for c in counts):
                raise ScoreRefused(
                    f"question {number} of {node.code} has a negative count",
                    code=node.code,
                    question=number,
                )

    # --------------------------------------------------------------- commands
    def define_framework(self, indicators: list[dict[str, Any]], by: Actor) -> None:
        """Define or replace the indicator tree while nothing is scored."""
        self.check_open()
        self.check_framework_unlocked()
        defs = normalise_framework(indicators)
        check_framework(defs, self.total_weight)
        self._framework_defined(indicators=defs, meta=by.as_meta())
        self._rescore("FrameworkDefined", "framework defined", by)

    def record_data_entry(
        self,
        key: str,
        value: object,
        unit: str | None,
        source: str | None,
        evidence: list[dict[str, Any]] | None,
        reason: str | None,
        by: Actor,
    ) -> None:
        """Record a raw figure; recording an existing key is a correction and needs a reason."""
        self.check_open()
        key = (key or "").strip()
        if not key:
            raise InvalidValue("a data entry needs a key", field="key")
        number = to_decimal(value, "value")
        previous = self.entries.get(key)
        if previous is not None:
            reason = self.check_reason(reason, f"correcting data entry {key}")
        self._data_entry_recorded(
            key=key,
            value=number,
            unit=unit or None,
            source=source or None,
            evidence=check_evidence(evidence),
            reason=(reason or "").strip() or None,
            corrects_version=previous.version if previous else None,
            meta=by.as_meta(),
        )
        why = reason or f"data entry {key} = {number}"
        self._rescore("DataEntryRecorded", why.strip(), by)

    def record_deduction(
        self,
        deduction_id: str,
        code: str,
        points: object,
        reason: str | None,
        evidence: list[dict[str, Any]] | None,
        by: Actor,
    ) -> None:
        """Take points off a deduction leaf, always with a reason."""
        self.check_open()
        node = self.check_leaf(code, "deduction")
        text = self.check_reason(reason, "a deduction")
        amount = to_decimal(points, "points")
        self.check_deduction(node, amount)
        self._deduction_recorded(
            deduction_id=deduction_id,
            code=code,
            points=amount,
            reason=text,
            evidence=check_evidence(evidence),
            meta=by.as_meta(),
        )
        self._rescore("DeductionRecorded", text, by)

    def withdraw_deduction(self, deduction_id: str, reason: str | None, by: Actor) -> None:
        """Withdraw an active deduction; the record stays in history."""
        self.check_open()
        deduction = self.deductions.get(deduction_id)
        if deduction is None:
            raise UnknownDeduction(f"deduction {deduction_id} does not exist", id=deduction_id)
        if deduction.status != "active":
            raise DeductionRefused(
                f"deduction {deduction_id} is already {deduction.status}",
                id=deduction_id,
                status=deduction.status,
            )
        text = self.check_reason(reason, "a withdrawal")
        self._deduction_withdrawn(deduction_id=deduction_id, reason=text, meta=by.as_meta())
        self._rescore("DeductionWithdrawn", text, by)

    def assess_checklist(
        self, code: str, met: list[bool], justification: str | None, by: Actor
    ) -> None:
        """Mark each checklist item met or unmet."""
        self.check_open()
        node = self.check_leaf(code, "checklist")
        self.check_checklist(node, met)
        text = self.check_reason(justification, "a checklist assessment")
        self._checklist_assessed(code=code, met=list(met), justification=text, meta=by.as_meta())
        self._rescore("ChecklistAssessed", text, by)

    def record_score(
        self,
        code: str,
        score: object,
        justification: str | None,
        evidence: list[dict[str, Any]] | None,
        by: Actor,
    ) -> None:
        """The score of a manual leaf, or an override of any other leaf."""
        self.check_open()
        node = self.check_leaf(code)
        value = to_decimal(score, "score")
        self.check_score(node, value)
        text = self.check_reason(justification, "a recorded score")
        proof = check_evidence(evidence)
        meta = by.as_meta()
        if node.method == "manual":
            self._score_recorded(
                code=code, score=value, justification=text, evidence=proof, meta=meta
            )
            self._rescore("ScoreRecorded", text, by)
        else:
            self._score_overridden(
                code=code, score=value, justification=text, evidence=proof, meta=meta
            )
            self._rescore("ScoreOverridden", text, by)

    def record_survey(
        self, code: str, tallies: list[list[int]], source: str | None, by: Actor
    ) -> None:
        """Questionnaire tallies, one list of counts per question, in choice order."""
        self.check_open()
        node = self.check_leaf(code, "survey")
        self.check_tallies(node, tallies)
        self._survey_recorded(
            code=code, tallies=[list(q) for q in tallies], source=source or None, meta=by.as_meta()
        )
        respondents = max(sum(q) for q in tallies)
        self._rescore("SurveyRecorded", f"survey tallies recorded ({respondents} respondents)", by)

    def record_reported_figure(
        self,
        indicator: str | None,
        figure: str | None,
        value: object,
        source: str | None,
        evidence: list[dict[str, Any]] | None,
        by: Actor,
    ) -> None:
        """Keep a figure a report states (a score, a 得分率 or the total) as recorded, unchanged."""
        self.check_open()
        code = (indicator or "").strip() or None
        kind = (figure or ("score" if code else "total")).strip()
        if kind not in REPORTED_FIGURES:
            raise InvalidValue(
                f"figure must be one of {', '.join(REPORTED_FIGURES)}, not {kind!r}", figure=kind
            )
        if kind == "total" and code is not None:
            raise InvalidValue("a reported total names no indicator", indicator=code)
        if kind != "total":
            if code is None:
                raise InvalidValue(f"a reported {kind} needs an indicator", field="indicator")
            if code not in self.tree:
                raise UnknownIndicator(f"indicator {code} does not exist", code=code)
        self._reported_figure_recorded(
            indicator=code,
            figure=kind,
            value=to_decimal(value, "value"),
            source=(source or "").strip() or None,
            evidence=check_evidence(evidence),
            meta=by.as_meta(),
        )

    def submit(self, by: Actor) -> None:
        """Hand the scores to the evaluated unit: views are exchanged, disputes may be raised."""
        if self.status != DRAFT:
            raise LifecycleRefused(
                f"only a draft can be submitted, not {self.status}", status=self.status
            )
        self._submitted(meta=by.as_meta())

    def finalize(self, by: Actor) -> None:
        """Close the evaluation: nothing changes until it is reopened."""
        if self.status != SUBMITTED:
            raise LifecycleRefused(
                f"only a submitted evaluation can be finalized, not {self.status}",
                status=self.status,
            )
        if pending := open_disputes(self.disputes):
            raise LifecycleRefused(
                f"{len(pending)} dispute(s) are still open; decide them before finalizing",
                disputes=pending,
            )
        check_signed(self.required_sign_offs, self.sign_offs)
        self._finalized(meta=by.as_meta())

    def reopen(self, reason: str | None, by: Actor) -> None:
        """Reopen a finalized evaluation, with a reason."""
        if self.status != FINALIZED:
            raise LifecycleRefused(
                f"only a finalized evaluation can be reopened, not {self.status}",
                status=self.status,
            )
        text = self.check_reason(reason, "reopening")
        self._reopened(reason=text, meta=by.as_meta())

    # ------------------------------------------------- targets and sign-offs
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
        """A monitored or final value (年中监控值, 实际完成值) of a target leaf."""
        self.check_open()
        node = self.check_leaf(code, "target")
        state = self.target_states.get(code) or TargetState()
        payload = prepare_value(
            code=code,
            target=target_of(node.target or {}),
            weight=node.weight,
            rules=NATIONAL,
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
        self._target_value_recorded(
            code=code,
            **payload,
            source=(source or "").strip() or None,
            evidence=check_evidence(evidence),
            corrections=len(earlier.previous) + 1 if earlier else 0,
            meta=by.as_meta(),
        )
        shown = payload["outcome"] or payload["value"]
        why = payload["reason"] or f"{payload['stage']} value of {code}: {shown}"
        self._rescore("TargetValueRecorded", why, by)

    def require_sign_offs(self, capacities: list[str], by: Actor) -> None:
        """Finalization will wait for a current sign-off in each of these capacities."""
        self.check_open()
        self._sign_offs_required(capacities=check_required(capacities), meta=by.as_meta())

    def sign_off(
        self,
        sign_off_id: str,
        capacity: str | None,
        opinion: str | None,
        head_digest: str | None,
        signed_at: str,
        by: Actor,
    ) -> None:
        """Sign the current version in a capacity (评价组组长, 部门负责人, 财政部门 …)."""
        self.check_open()
        self._signed_off(
            sign_off_id=sign_off_id,
            capacity=check_capacity(capacity),
            opinion=(opinion or "").strip() or None,
            version=self.version,
            head_digest=head_digest,
            signed_at=signed_at,
            meta=by.as_meta(),
        )

    # Kept under private names the apply bodies replace, never mutate: an evaluation restored
    # from a snapshot taken before targets existed reads them as empty.
    @property
    def target_states(self) -> Mapping[str, TargetState]:
        states: Mapping[str, TargetState] = self.__dict__.get("_target_states") or {}
        return states

    @property
    def sign_offs(self) -> Mapping[str, SignOff]:
        signed: Mapping[str, SignOff] = self.__dict__.get("_sign_offs") or {}
        return signed

    def target_definition(self, code: str) -> dict[str, Any] | None:
        node = self.tree.get(code)
        return node.target if node is not None and node.method == "target" else None

    def target_leaves(self) -> Iterator[tuple[str, Target, TargetState]]:
        """Each target leaf with its parsed target and recorded values, in framework order."""
        for code, node in self.tree.items():
            if node.method == "target" and node.target is not None:
                yield code, target_of(node.target), self.target_states.get(code) or TargetState()

    # ------------------------------------------------------- disputes, notes
    def check_submitted(self, what: str) -> None:
        self.check_open()
        if self.status != SUBMITTED:
            raise DisputeRefused(
                f"{what} only while the evaluation is submitted, not {self.status}",
                status=self.status,
            )

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
        check_target(deduction_id, code)
        if deduction_id:
            deduction = self.deductions.get(deduction_id)
            if deduction is None:
                raise UnknownDeduction(f"deduction {deduction_id} does not exist", id=deduction_id)
            if deduction.status != "active":
                raise DisputeRefused(
                    f"deduction {deduction_id} is {deduction.status}; only an active one "
                    "can be disputed",
                    id=deduction_id,
                )
            code = deduction.code
        else:
            code = self.check_leaf(str(code)).code
            if self.leaves[code].score is None:
                raise DisputeRefused(f"indicator {code} has no score to dispute yet", code=code)
        check_no_open_dispute(self.disputes, deduction_id, code)
        text = (grounds or "").strip()
        if not text:
            raise ReasonRequired("a dispute needs its grounds", field="grounds")
        self._dispute_raised(
            dispute_id=dispute_id,
            target=DEDUCTION if deduction_id else INDICATOR,
            code=code,
            deduction_id=deduction_id or None,
            grounds=text,
            evidence=check_evidence(evidence),
            meta=by.as_meta(),
        )

    def decide_dispute(
        self, dispute_id: str, outcome: str, points: object, reason: str | None, by: Actor
    ) -> None:
        """Uphold, overturn or amend; a change of score is its own ScoreChanged, linked here."""
        dispute = find_dispute(self.disputes, dispute_id)
        self.check_submitted("disputes can be decided")
        check_undecided(dispute)
        amount = check_outcome(outcome, points)
        text = self.check_reason(reason, "a dispute decision")
        deduction = self.deductions.get(dispute.deduction_id or "")
        check_decider(dispute, deduction.actor if deduction else None, by.name)
        node = self.tree[dispute.code]
        previous: Decimal | None = None
        if deduction is not None and outcome != UPHELD:
            if deduction.status != "active":
                raise DisputeRefused(
                    f"deduction {deduction.id} was {deduction.status} meanwhile; "
                    "only upheld remains",
                    id=deduction.id,
                )
            previous = deduction.points
            if amount is not None:
                others = self.active_points(node.code) - deduction.points
                check_amended_deduction(node.code, node.weight, others, deduction.points, amount)
        elif deduction is None and outcome == OVERTURNED:
            if self.leaves[node.code].override is None:
                raise DisputeRefused(
                    f"the score of {node.code} stands on its rules, not on an override: "
                    "there is nothing to overturn; amend it or uphold it",
                    code=node.code,
                )
            previous = self.leaves[node.code].override
        elif deduction is None and amount is not None:
            self.check_score(node, amount)
            previous = self.leaves[node.code].score
        self._dispute_decided(
            dispute_id=dispute_id,
            outcome=outcome,
            points=amount,
            previous_points=previous,
            reason=text,
            deduction_id=dispute.deduction_id,
            code=dispute.code,
            meta=by.as_meta(),
        )
        self._rescore("DisputeDecided", text, by, dispute_id=dispute_id)

    def add_note(self, note_id: str, code: str, text: str | None, by: Actor) -> None:
        """A reviewer's note on any indicator, open until resolved."""
        self.check_open()
        if code not in self.tree:
            raise UnknownIndicator(f"indicator {code} does not exist", code=code)
        self._note_added(note_id=note_id, code=code, text=check_note_text(text), meta=by.as_meta())

    def resolve_note(self, note_id: str, reason: str | None, by: Actor) -> None:
        """Close a review note, optionally saying how it was addressed."""
        self.check_open()
        find_open_note(self.notes, note_id)
        text = (reason or "").strip() or None
        self._note_resolved(note_id=note_id, reason=text, meta=by.as_meta())

    # ---------------------------------------------------------------- queries
    def active_points(self, code: str) -> Decimal:
        return sum(self.rule_inputs().active_points.get(code, []), Decimal(0))

    def rule_result(self, node: Indicator, inputs: RuleInputs | None = None) -> RuleResult:
        """What the leaf's method gives from the inputs recorded so far."""
        leaf = self.leaves[node.code]
        if node.method == "deduction":
            if inputs is None:
                inputs = self.rule_inputs()
            return deduction_score(node, inputs.active_points.get(node.code, []))
        if node.method == "checklist":
            return checklist_score(node, leaf.met)
        if node.method == "ratio":
            if inputs is None:
                inputs = self.rule_inputs()
            return ratio_score(node, inputs.entry_values)
        if node.method == "survey":
            return survey_score(node, leaf.tallies)
        if node.method == "target":
            return target_rule(node.target, node.weight, self.target_states.get(node.code))
        if leaf.manual is None:
            return RuleResult(None, "score not recorded yet")
        return RuleResult(leaf.manual)

    def rule_inputs(self) -> RuleInputs:
        """Active deduction points per leaf and data-entry values, gathered in one pass."""
        active: dict[str, list[Decimal]] = {}
        for d in self.deductions.values():
            if d.status == "active":
                active.setdefault(d.code, []).append(d.points)
        return RuleInputs(active, {k: e.value for k, e in self.entries.items()})

    def rollup(self) -> tuple[dict[str, Decimal | None], Decimal | None]:
        """Parent scores and the total from the recorded leaf scores."""
        return rollup(self.tree, {code: leaf.score for code, leaf in self.leaves.items()})

    @property
    def total(self) -> Decimal | None:
        return self.rollup()[1]

    @property
    def grade(self) -> str | None:
        return grade_for(self.total, self.grade_bands)

    # --------------------------------------------------------------- rescoring
    def _rescore(self, cause: str, reason: str, by: Actor, dispute_id: str | None = None) -> None:
        """Compute every leaf's score now, then record a ScoreChanged for each that moved."""
        cause_version = self.version
        inputs = self.rule_inputs()
        sums: Rollup | None = None  # built on the first leaf that moved
        for code, node in self.tree.items():
            if not node.is_leaf:
                continue
            leaf = self.leaves[code]
            rule = self.rule_result(node, inputs)
            exact = leaf.override if leaf.override is not None else rule.exact
            after = None if exact is None else round_half_up(exact)
            rule_score = None if rule.exact is None else round_half_up(rule.exact)
            overridden = leaf.override is not None
            if (after, exact, rule.exact, overridden, rule.note, list(rule.rates)) == (
                leaf.score,
                leaf.exact,
                leaf.rule_exact,
                leaf.overridden,
                leaf.note,
                leaf.rates,
            ):
                continue
            if sums is None:
                sums = Rollup(self.tree, {c: s.score for c, s in self.leaves.items()})
            sums.set_leaf(code, after)
            self._score_changed(
                code=code,
                before=leaf.score,
                after=after,
                exact=exact,
                rule_exact=rule.exact,
                rule_score=rule_score,
                overridden=overridden,
                note=rule.note,
                rates=list(rule.rates),
                parents={a: sums.parents[a] for a in ancestors(self.tree, code)},
                total=sums.total,
                grade=grade_for(sums.total, self.grade_bands),
                cause=cause,
                cause_version=cause_version,
                reason=reason,
                dispute_id=dispute_id,
                meta=by.as_meta(),
            )

    # ------------------------------------------------------------------ events
    # Apply bodies only copy what the command computed: replay gives the same state.
    @event("FrameworkDefined")
    def _framework_defined(self, indicators: list[dict[str, Any]], meta: dict[str, str]) -> None:
        self.framework = indicators
        self.framework_version = self.version + 1
        note_change(self.sign_offs, self.version + 1, "FrameworkDefined", None)
        self.tree = build_tree(indicators)
        self.leaves = {code: LeafState() for code, node in self.tree.items() if node.is_leaf}
        self.deductions = {}

    @event("DataEntryRecorded")
    def _data_entry_recorded(
        self,
        key: str,
        value: Decimal,
        unit: str | None,
        source: str | None,
        evidence: list[dict[str, str | None]],
        reason: str | None,
        corrects_version: int | None,
        meta: dict[str, str],
    ) -> None:
        old = self.entries.get(key)
        history = []
        if old is not None:
            history = [
                *old.previous,
                {"value": old.value, "version": old.version, "unit": old.unit},
            ]
        # apply runs before the version moves on: this event's own version is the next one
        self.entries[key] = DataEntry(key, value, unit, source, evidence, self.version + 1, history)
        note_change(self.sign_offs, self.version + 1, "DataEntryRecorded", None)

    @event("DeductionRecorded")
    def _deduction_recorded(
        self,
        deduction_id: str,
        code: str,
        points: Decimal,
        reason: str,
        evidence: list[dict[str, str | None]],
        meta: dict[str, str],
    ) -> None:
        self.scoring_started = True
        self.deductions[deduction_id] = Deduction(
            deduction_id, code, points, reason, evidence, self.version + 1, meta["actor"]
        )

    @event("DeductionWithdrawn")
    def _deduction_withdrawn(self, deduction_id: str, reason: str, meta: dict[str, str]) -> None:
        deduction = self.deductions[deduction_id]
        deduction.status = "withdrawn"
        deduction.withdrawal_reason = reason
        deduction.withdrawn_version = self.version + 1

    @event("ChecklistAssessed")
    def _checklist_assessed(
        self, code: str, met: list[bool], justification: str, meta: dict[str, str]
    ) -> None:
        self.scoring_started = True
        self.leaves[code].met = met
        self.leaves[code].checklist_justification = justification
        self.leaves[code].checklist_version = self.version + 1

    @event("ScoreRecorded")
    def _score_recorded(
        self,
        code: str,
        score: Decimal,
        justification: str,
        evidence: list[dict[str, str | None]],
        meta: dict[str, str],
    ) -> None:
        self.scoring_started = True
        self.leaves[code].manual = score
        self.leaves[code].manual_justification = justification
        self.leaves[code].manual_version = self.version + 1

    @event("ScoreOverridden")
    def _score_overridden(
        self,
        code: str,
        score: Decimal,
        justification: str,
        evidence: list[dict[str, str | None]],
        meta: dict[str, str],
    ) -> None:
        self.scoring_started = True
        self.leaves[code].override = score
        self.leaves[code].override_justification = justification
        self.leaves[code].override_version = self.version + 1

    @event("SurveyRecorded")
    def _survey_recorded(
        self, code: str, tallies: list[list[int]], source: str | None, meta: dict[str, str]
    ) -> None:
        self.scoring_started = True
        self.leaves[code].tallies = tallies
        self.leaves[code].tallies_version = self.version + 1

    @event("ScoreChanged")
    def _score_changed(
        self,
        code: str,
        before: Decimal | None,
        after: Decimal | None,
        exact: Decimal | None,
        rule_exact: Decimal | None,
        rule_score: Decimal | None,
        overridden: bool,
        note: str | None,
        rates: list[Decimal],
        parents: dict[str, Decimal | None],
        total: Decimal | None,
        grade: str | None,
        cause: str,
        cause_version: int,
        reason: str,
        meta: dict[str, str],
        dispute_id: str | None = None,
    ) -> None:
        leaf = self.leaves[code]
        leaf.score, leaf.exact = after, exact
        leaf.rule_exact, leaf.rule_score = rule_exact, rule_score
        leaf.overridden, leaf.note, leaf.rates = overridden, note, rates
        leaf.score_version = self.version + 1
        note_change(self.sign_offs, self.version + 1, "ScoreChanged", code)

    @event("ReportedFigureRecorded")
    def _reported_figure_recorded(
        self,
        indicator: str | None,
        figure: str,
        value: Decimal,
        source: str | None,
        evidence: list[dict[str, str | None]],
        meta: dict[str, str],
    ) -> None:
        figure_record = {
            "indicator": indicator,
            "figure": figure,
            "value": value,
            "source": source,
            "version": self.version + 1,
        }
        self.reported_figures = (*self.reported_figures, figure_record)

    @event("Submitted")
    def _submitted(self, meta: dict[str, str]) -> None:
        self.status = SUBMITTED

    @event("Finalized")
    def _finalized(self, meta: dict[str, str]) -> None:
        self.status = FINALIZED

    @event("Reopened")
    def _reopened(self, reason: str, meta: dict[str, str]) -> None:
        self.status = SUBMITTED

    @event("DisputeRaised")
    def _dispute_raised(
        self,
        dispute_id: str,
        target: str,
        code: str,
        deduction_id: str | None,
        grounds: str,
        evidence: list[dict[str, str | None]],
        meta: dict[str, str],
    ) -> None:
        self.disputes[dispute_id] = Dispute(
            dispute_id,
            target,
            code,
            deduction_id,
            grounds,
            evidence,
            meta["actor"],
            self.version + 1,
        )

    @event("DisputeDecided")
    def _dispute_decided(
        self,
        dispute_id: str,
        outcome: str,
        points: Decimal | None,
        previous_points: Decimal | None,
        reason: str,
        deduction_id: str | None,
        code: str,
        meta: dict[str, str],
    ) -> None:
        dispute = self.disputes[dispute_id]
        dispute.status, dispute.outcome, dispute.points = "decided", outcome, points
        dispute.reason, dispute.decided_by = reason, meta["actor"]
        dispute.decided_version = self.version + 1
        justification = DISPUTE_OUTCOME_NOTE.format(id=dispute_id, outcome=outcome, reason=reason)
        if deduction_id is not None and outcome == OVERTURNED:
            self.deductions[deduction_id].status = "withdrawn"
            self.deductions[deduction_id].withdrawal_reason = justification
        elif deduction_id is not None and outcome == AMENDED and points is not None:
            self.deductions[deduction_id].points = points
        elif outcome == OVERTURNED:
            self.leaves[code].override = None
            self.leaves[code].override_justification = None
        elif outcome == AMENDED:
            self.leaves[code].override = points
            self.leaves[code].override_justification = justification

    @event("NoteAdded")
    def _note_added(self, note_id: str, code: str, text: str, meta: dict[str, str]) -> None:
        self.notes[note_id] = ReviewNote(note_id, code, text, meta["actor"], self.version + 1)

    @event("NoteResolved")
    def _note_resolved(self, note_id: str, reason: str | None, meta: dict[str, str]) -> None:
        note = self.notes[note_id]
        note.status, note.resolution, note.resolved_by = "resolved", reason, meta["actor"]
        note.resolved_version = self.version + 1

    @event("TargetValueRecorded")
    def _target_value_recorded(
        self,
        code: str,
        stage: str,
        value: Decimal | None,
        outcome: str | None,
        score: Decimal | None,
        justification: str | None,
        deviation_reason: str | None,
        improvement: str | None,
        reason: str | None,
        corrects_version: int | None,
        source: str | None,
        evidence: list[dict[str, str | None]],
        corrections: int,
        meta: dict[str, str],
    ) -> None:
        self.scoring_started = True
        states = dict(self.target_states)
        state = states[code] = states.get(code) or TargetState()
        payload = {
            "stage": stage,
            "value": value,
            "outcome": outcome,
            "score": score,
            "justification": justification,
            "deviation_reason": deviation_reason,
            "improvement": improvement,
            "reason": reason,
        }
        apply_value(state, payload, source, evidence, self.version + 1, meta["actor"])
        self._target_states = states
        note_change(self.sign_offs, self.version + 1, "TargetValueRecorded", code)

    @event("SignOffsRequired")
    def _sign_offs_required(self, capacities: list[str], meta: dict[str, str]) -> None:
        self.required_sign_offs = tuple(capacities)

    @event("SignedOff")
    def _signed_off(
        self,
        sign_off_id: str,
        capacity: str,
        opinion: str | None,
        version: int,
        head_digest: str | None,
        signed_at: str,
        meta: dict[str, str],
    ) -> None:
        signed = SignOff(
            sign_off_id,
            meta["actor"],
            meta["role"],
            capacity,
            opinion,
            version,
            head_digest,
            signed_at,
        )
        self._sign_offs = {**self.sign_offs, sign_off_id: signed}
