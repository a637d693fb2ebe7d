"""Commands that record scoring inputs: framework, data, deductions, marks, scores, surveys."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.actor import Actor
from domain.errors import DeductionRefused, FrameworkLocked, InvalidValue
from domain.form import check_free_key, funds_of
from domain.framework import Indicator, check_framework
from domain.framework import normalise_definitions as normalise_framework
from domain.leaf import check_score
from domain.ledger import Deduction, check_active, find_deduction
from domain.methods import method_named
from domain.methods.base import Method
from domain.methods.checklist import ChecklistMethod
from domain.methods.survey import SurveyMethod
from domain.state import EvaluationState
from domain.values import to_amount, to_decimal

REPORTED_FIGURES = ("score", "rate", "total")


class ScoringCommands(EvaluationState):
    """Each command checks, records its event, then rescores the leaves it may have moved."""

    # ------------------------------------------------------------------ commands
    def define_framework(self, indicators: list[dict[str, Any]], by: Actor) -> None:
        """Define or replace the indicator tree while nothing is scored."""
        self.check_open()
        self.check_framework_unlocked()
        defs = normalise_framework(indicators, self.target_rule_set)
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
        key = self.check_data_key(key)
        check_free_key(key, funds_of(self.__dict__))
        number = to_decimal(value, "value")
        previous = self.entries.get(key)
        if previous is not None:
            reason = self.check_reason(reason, f"correcting data entry {key}")
        self._data_entry_recorded(
            key=key,
            value=number,
            unit=unit or None,
            source=source or None,
            evidence=self.check_evidence(evidence),
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
        node = self.check_leaf(code, Method.DEDUCTION)
        text = self.check_reason(reason, "a deduction")
        amount = to_amount(points, "points")
        self.check_deduction(node, amount)
        self._deduction_recorded(
            deduction_id=deduction_id,
            code=code,
            points=amount,
            reason=text,
            evidence=self.check_evidence(evidence),
            meta=by.as_meta(),
        )
        self._rescore("DeductionRecorded", text, by)

    def withdraw_deduction(self, deduction_id: str, reason: str | None, by: Actor) -> None:
        """Withdraw an active deduction; the record stays in history."""
        self.check_open()
        self.check_active_deduction(deduction_id)
        text = self.check_reason(reason, "a withdrawal")
        self._deduction_withdrawn(
            deduction_id=deduction_id, reason=text, meta=by.as_meta(), dispute_id=None
        )
        self._rescore("DeductionWithdrawn", text, by)

    def assess_checklist(
        self, code: str, met: list[bool], justification: str | None, by: Actor
    ) -> None:
        """Mark each checklist item met or unmet."""
        self.check_open()
        node = self.check_leaf(code, Method.CHECKLIST)
        ChecklistMethod.check_marks(node, met)
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
        """The score of a manual leaf; on a leaf of any other method, an override."""
        self.check_open()
        node = self.check_leaf(code)
        if node.method == Method.MANUAL:
            self.record_manual_score(code, score, justification, evidence, by)
        else:
            self.override_score(code, score, justification, evidence, by)

    def record_manual_score(
        self,
        code: str,
        score: object,
        justification: str | None,
        evidence: list[dict[str, Any]] | None,
        by: Actor,
    ) -> None:
        """The assessor's score of a manual leaf."""
        self.check_open()
        value, text = self.check_recorded_score(code, score, justification, Method.MANUAL)
        self._score_recorded(
            code=code,
            score=value,
            justification=text,
            evidence=self.check_evidence(evidence),
            meta=by.as_meta(),
        )
        self._rescore("ScoreRecorded", text, by)

    def override_score(
        self,
        code: str,
        score: object,
        justification: str | None,
        evidence: list[dict[str, Any]] | None,
        by: Actor,
    ) -> None:
        """A score recorded over what the leaf's rule gives, with a justification."""
        self.check_open()
        value, text = self.check_recorded_score(code, score, justification)
        self._score_overridden(
            code=code,
            score=value,
            justification=text,
            evidence=self.check_evidence(evidence),
            meta=by.as_meta(),
            dispute_id=None,
        )
        self._rescore("ScoreOverridden", text, by)

    def record_survey(
        self, code: str, tallies: list[list[int]], source: str | None, by: Actor
    ) -> None:
        """Questionnaire tallies, one list of counts per question, in choice order."""
        self.check_open()
        node = self.check_leaf(code, Method.SURVEY)
        SurveyMethod.check_tallies(node, tallies)
        self._survey_recorded(
            code=code, tallies=[list(q) for q in tallies], source=source or None, meta=by.as_meta()
        )
        respondents = max(sum(q) for q in tallies)
        self._rescore("SurveyRecorded", f"survey tallies recorded ({respondents} respondents)", by)

    def record_leaf_input(self, code: str, values: dict[str, Any], by: Actor) -> None:
        """The input of a leaf whose method takes it through the generic path (see methods)."""
        self.check_open()
        node = self.check_leaf(code)
        method = method_named(str(node.method))
        inputs = method.check_input(node, values)
        self._leaf_input_recorded(
            code=code, method=str(node.method), values=inputs, meta=by.as_meta()
        )
        self._rescore("LeafInputRecorded", method.describe_input(node, inputs), by)

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
        kind = self.check_figure(code, figure)
        if code is not None:
            self.check_indicator(code)
        self._reported_figure_recorded(
            indicator=code,
            figure=kind,
            value=to_decimal(value, "value"),
            source=(source or "").strip() or None,
            evidence=self.check_evidence(evidence),
            meta=by.as_meta(),
        )

    # -------------------------------------------------------------------- checks
    def check_recorded_score(
        self, code: str, score: object, justification: str | None, method: str | None = None
    ) -> tuple[Decimal, str]:
        """A recorded score lies within the leaf's weight and comes with a justification."""
        node = self.check_leaf(code, method)
        value = to_amount(score, "score")
        check_score(node, value)
        return value, self.check_reason(justification, "a recorded score")

    def check_framework_unlocked(self) -> None:
        if self.scoring_started:
            raise FrameworkLocked(
                "the framework cannot be replaced once scoring has started",
                status=self.status,
            )

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

    def check_active_deduction(self, deduction_id: str) -> Deduction:
        deduction = find_deduction(self.deductions, deduction_id)
        check_active(deduction)
        return deduction

    def check_data_key(self, key: str | None) -> str:
        text = (key or "").strip()
        if not text:
            raise InvalidValue("a data entry needs a key", field="key")
        return text

    @staticmethod
    def check_figure(code: str | None, figure: str | None) -> str:
        kind = (figure or ("score" if code else "total")).strip()
        if kind not in REPORTED_FIGURES:
            raise InvalidValue(
                f"figure must be one of {', '.join(REPORTED_FIGURES)}, not {kind!r}", figure=kind
            )
        if kind == "total" and code is not None:
            raise InvalidValue("a reported total names no indicator", indicator=code)
        if kind != "total" and code is None:
            raise InvalidValue(f"a reported {kind} needs an indicator", field="indicator")
        return kind
