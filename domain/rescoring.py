"""Rescoring: every leaf's rule run on the recorded inputs; a ScoreChanged for each that moved."""

from __future__ import annotations

from decimal import Decimal

from domain.actor import Actor
from domain.form import funds_of, with_fund_sums
from domain.grades import grade_for
from domain.indicator import Indicator
from domain.leaf import LeafScore, LeafState
from domain.ledger import Deduction, active_index
from domain.methods import method_named
from domain.methods.base import Context, RuleResult, Trace
from domain.scoring import Rollup, ancestors, rollup
from domain.state import EvaluationState
from domain.values import round_half_up


class Rescoring(EvaluationState):
    """Queries of the scores and the rescoring every scoring command ends with."""

    # ------------------------------------------------------------------- queries
    def active_points(self, code: str) -> Decimal:
        return self.rule_context().active_points.get(code, Decimal(0))

    def standing_deductions(self) -> list[Deduction]:
        """The active deductions, from the index (in the order recorded, per leaf): what a
        view of what stands lists, without walking every deduction ever withdrawn."""
        deductions = self.deductions
        index = active_index(self.__dict__, deductions)
        return [deductions[i] for ids in index.values() for i in ids]

    def rule_context(self) -> Context:
        """The active points per leaf, summed in one pass, and what else rules read."""
        active: dict[str, Decimal] = {}
        deductions = self.deductions
        # the same sums, in the same order, as over every deduction filtered by status
        for code, ids in active_index(self.__dict__, deductions).items():
            for deduction_id in ids:
                active[code] = active.get(code, Decimal(0)) + deductions[deduction_id].points
        # the funds block's sums read as the data entries 年初预算数 / 全年预算数 / 全年执行数
        entries = with_fund_sums(self.entries, funds_of(self.__dict__))
        return Context(deductions, entries, self.framework_version, active)

    def rule_result(
        self, node: Indicator, context: Context | None = None, trace: Trace | None = None
    ) -> RuleResult:
        """What the leaf's method gives from the inputs recorded so far."""
        leaf = self.leaves[node.code]
        return method_named(str(node.method)).rule(
            node, leaf.inputs, context or self.rule_context(), trace, leaf.result.version
        )

    def rollup(self) -> tuple[dict[str, Decimal | None], Decimal | None]:
        """Parent scores and the total from the recorded leaf scores."""
        return rollup(self.tree, {code: leaf.score for code, leaf in self.leaves.items()})

    @property
    def total(self) -> Decimal | None:
        return self.rollup()[1]

    @property
    def grade(self) -> str | None:
        return grade_for(self.total, self.grade_bands)

    # ----------------------------------------------------------------- rescoring
    def _rescore(
        self,
        cause: str,
        reason: str,
        by: Actor,
        dispute_id: str | None = None,
        cause_version: int | None = None,
    ) -> None:
        """Compute every leaf's score now, then record a ScoreChanged for each that moved."""
        cause_version = self.version if cause_version is None else cause_version
        context = self.rule_context()
        sums: Rollup | None = None  # built on the first leaf that moved
        for code, node in self.tree.items():
            if not node.is_leaf:
                continue
            leaf = self.leaves[code]
            rule = self.rule_result(node, context)
            if self._unmoved(leaf, rule):
                continue
            fresh = self._scored(leaf, rule)
            if sums is None:
                sums = Rollup(self.tree, {c: s.score for c, s in self.leaves.items()})
            sums.set_leaf(code, fresh.score)
            self._score_changed(
                code=code,
                before=leaf.score,
                after=fresh.score,
                exact=fresh.exact,
                rule_exact=fresh.rule_exact,
                rule_score=fresh.rule_score,
                overridden=fresh.overridden,
                note=fresh.note,
                rates=list(fresh.rates),
                parents={a: sums.parents[a] for a in ancestors(self.tree, code)},
                total=sums.total,
                grade=grade_for(sums.total, self.grade_bands),
                cause=cause,
                cause_version=cause_version,
                reason=reason,
                dispute_id=dispute_id,
                meta=by.as_meta(),
            )

    @staticmethod
    def _unmoved(leaf: LeafState, rule: RuleResult) -> bool:
        """Nothing to record: the rounded scores follow from the exact ones compared here."""
        result, override = leaf.result, leaf.override
        exact = override.score if override is not None else rule.exact
        return (
            exact == result.exact
            and rule.exact == result.rule_exact
            and (override is not None) == result.overridden
            and rule.note == result.note
            and rule.rates == result.rates
        )

    @staticmethod
    def _scored(leaf: LeafState, rule: RuleResult) -> LeafScore:
        """The leaf's figures from its rule and its override, rounded half-up once."""
        exact = leaf.override.score if leaf.override is not None else rule.exact
        return LeafScore(
            score=None if exact is None else round_half_up(exact),
            exact=exact,
            rule_exact=rule.exact,
            rule_score=None if rule.exact is None else round_half_up(rule.exact),
            overridden=leaf.override is not None,
            note=rule.note,
            rates=rule.rates,
        )

    # -------------------------------------------------------------------- events
    # Apply bodies only copy what the command computed: replay gives the same state. They run
