"""An aggregate presented as the rows the read model keeps, for the one document renderer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from application.documents import evidence_list, indicator_fields, primitive
from application.form_documents import fund_row
from application.target_documents import sign_off_items, stage_record
from domain.evaluation import Evaluation
from domain.form import form_of, funds_of
from domain.grades import grade_for
from domain.targets.values import TargetState
from domain.values import fmt


class AggregateRows:
    """`application.rendering.DocumentRows` over an evaluation's recorded state: the values
    the projection writes for the same events (scores as 2-decimal text), so one version
    renders the same document from either."""

    def __init__(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation
        self.rolled_up: tuple[dict[str, Any], Any] | None = None  # parents' scores, total

    def rollup(self) -> tuple[dict[str, Any], Any]:
        if self.rolled_up is None:  # only a header or the indicators need it
            self.rolled_up = self.evaluation.rollup()
        return self.rolled_up

    def head(self) -> Mapping[str, Any]:
        e, total = self.evaluation, self.rollup()[1]
        return {
            "id": str(e.id),
            "title": e.title,
            "subject": e.subject,
            "fiscal_year": e.fiscal_year,
            "kind": e.kind,
            "evaluator": e.evaluator,
            "status": e.status,
            "version": e.version,
            "total_weight": fmt(e.total_weight),
            "total": fmt(total),
            "grade": grade_for(total, e.grade_bands),
            "grade_bands": [dict(b) for b in e.grade_bands],
            "created_at": e.created_on,
            "updated_at": e.modified_on,
            "time_zone": e.__dict__.get("time_zone"),
            "target_rules": getattr(e, "target_rules", None),
        }

    def indicators(self) -> Sequence[Mapping[str, Any]]:
        leaves, parents, rows = self.evaluation.leaves, self.rollup()[0], []
        for code, node in self.evaluation.tree.items():
            row: dict[str, Any] = {"code": code, **indicator_fields(node)}
            if node.is_leaf:
                result, override = leaves[code].result, leaves[code].override
                row.update(
                    score=fmt(result.score),
                    rule_score=fmt(result.rule_score),
                    overridden=result.overridden,
                    override_justification=override.justification if override else None,
                    note=result.note,
                    rates=list(result.rates),
                )
            else:
                row.update(
                    score=fmt(parents[code]),
                    rule_score=None,
                    overridden=False,
                    override_justification=None,
                    note=None,
                    rates=None,
                )
            rows.append(row)
        return rows

    def deductions(self, everything: bool) -> Sequence[Mapping[str, Any]]:
        e = self.evaluation
        listed = e.deductions.values() if everything else e.standing_deductions()
        return [
            {
                "id": d.id,
                "code": d.code,
                "points": fmt(d.points),
                "reason": d.reason,
                "status": d.status,
                "evidence": evidence_list(d.evidence),
                "version": d.version,
                "withdrawal_reason": d.withdrawal_reason,
            }
            for d in listed
        ]

    def withdrawn(self) -> int:
        """How many deductions no longer stand (the active index counts, no walk of them)."""
        e = self.evaluation
        return len(e.deductions) - len(e.standing_deductions())

    def data_entries(self) -> Sequence[Mapping[str, Any]]:
        entries = sorted(self.evaluation.entries.values(), key=lambda e: e.version)
        return [
            {
                "key": e.key,
                "value": str(e.value),
                "unit": e.unit,
                "source": e.source,
                "version": e.version,
            }
            for e in entries
        ]

    def targets(self) -> Sequence[Mapping[str, Any]]:
        e, rows = self.evaluation, []
        for code in e.leaves:  # the renderer finds each by its code
            definition = e.target_definition(code)
            if definition is None:
                continue
            state = e.target_states.get(code) or TargetState()
            rows.append(
                {
                    "code": code,
                    "definition": primitive(definition),
                    "weight": e.tree[code].weight,
                    "monitored": stage_record(state.monitored),
                    "final": stage_record(state.final),
                }
            )
        return rows

    def sign_offs(self) -> Sequence[Mapping[str, Any]]:
        return sign_off_items(self.evaluation)

    def required(self) -> list[str]:
        return list(self.evaluation.required_sign_offs)

    def form(self) -> Mapping[str, Any]:
        return form_of(self.evaluation.__dict__)

    def funds(self) -> Sequence[Mapping[str, Any]]:
        return [fund_row(s, r) for s, r in funds_of(self.evaluation.__dict__).items()]
