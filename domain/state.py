"""What every part of the Evaluation aggregate sees: its state and the checks they share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain.disputes import Disputes
from domain.errors import (
    EvaluationLocked,
    InvalidValue,
    MethodMismatch,
    ReasonRequired,
    UnknownIndicator,
)
from domain.evidence import cite
from domain.framework import check_evidence
from domain.indicator import Indicator
from domain.leaf import LeafState
from domain.ledger import DataEntry, Deduction
from domain.review import ReviewNote
from domain.signoffs import SignOff
from domain.targets.rules import TargetRules


class Status(StrEnum):
    """Draft while scoring, submitted for the unit's views and disputes, finalized when closed."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    FINALIZED = "finalized"


FINALIZED = Status.FINALIZED


class EvaluationState:
    """The aggregate's attributes, declared once for the command and rescoring mixins."""

    title: str
    time_zone: str | None  # IANA name; None: the service's default zone
    target_rules: dict[str, Any] | None  # the region's target rules as data; None: national
    subject: str
    fiscal_year: int
    kind: str
    evaluator: str | None
    total_weight: Decimal
    grade_bands: list[dict[str, str]]
    status: str
    framework: list[dict[str, Any]]
    framework_version: int | None
    tree: dict[str, Indicator]
    leaves: dict[str, LeafState]
    deductions: dict[str, Deduction]
    entries: dict[str, DataEntry]
    scoring_started: bool
    disputes: Disputes
    notes: dict[str, ReviewNote]
    required_sign_offs: tuple[str, ...]
    version: int

    @property
    def target_rule_set(self) -> TargetRules:
        """How printed targets read and score here (the national rules unless set at opening)."""
        return TargetRules.from_data(getattr(self, "target_rules", None))

    # the events, defined with their apply bodies on the aggregate
    _framework_defined: Callable[..., None]
    _data_entry_recorded: Callable[..., None]
    _deduction_recorded: Callable[..., None]
    _deduction_withdrawn: Callable[..., None]
    _deduction_amended: Callable[..., None]
    _checklist_assessed: Callable[..., None]
    _score_recorded: Callable[..., None]
    _score_overridden: Callable[..., None]
    _override_cleared: Callable[..., None]
    _survey_recorded: Callable[..., None]
    _leaf_input_recorded: Callable[..., None]
    _reported_figure_recorded: Callable[..., None]
    _score_changed: Callable[..., None]
    _submitted: Callable[..., None]
    _finalized: Callable[..., None]
    _reopened: Callable[..., None]
    _dispute_raised: Callable[..., None]
    _dispute_decided: Callable[..., None]
    _note_added: Callable[..., None]
    _note_resolved: Callable[..., None]
    trigger_event: Callable[..., None]  # the target events are classes of their own
    _evidence_attached: Callable[..., None]

    def _rescore(
        self,
        cause: str,
        reason: str,
        by: Any,
        dispute_id: str | None = None,
        cause_version: int | None = None,
    ) -> None:
        raise NotImplementedError

    def active_points(self, code: str) -> Decimal:
        raise NotImplementedError

    @property
    def sign_offs(self) -> Mapping[str, SignOff]:
        """Kept under a private name the apply bodies replace, never mutate: an evaluation
        restored from a snapshot taken before sign-offs existed reads them as empty."""
        signed: Mapping[str, SignOff] = self.__dict__.get("_sign_offs") or {}
        return signed

    def check_evidence(self, evidence: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        """Evidence items checked, each cited file's hash filled in (domain.evidence)."""
        return check_evidence(cite(evidence, self.attached_files()))

    def attached_files(self) -> Mapping[str, Mapping[str, Any]]:
        """Evidence files by id (state restored from older snapshots has none yet)."""
        files: Mapping[str, Mapping[str, Any]] = self.__dict__.get("evidence_files", {})
        return files

    def check_open(self) -> None:
        if self.status == FINALIZED:
            raise EvaluationLocked(
                "the evaluation is finalized; reopen it before changing anything",
                status=self.status,
            )

    def check_indicator(self, code: str) -> Indicator:
        node = self.tree.get(code)
        if node is None:
            raise UnknownIndicator(f"indicator {code} does not exist", code=code)
        return node

    def check_leaf(self, code: str, method: str | None = None) -> Indicator:
        node = self.check_indicator(code)
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

    @staticmethod
    def check_header(title: str, subject: str, year: int, kind: str, weight: Decimal) -> None:
        for name, value in (("title", title), ("subject", subject), ("kind", kind)):
            if not str(value).strip():
                raise InvalidValue(f"{name} must not be empty", field=name)
        if not 1900 <= year <= 2999:
            raise InvalidValue(f"fiscal_year {year} is out of range", fiscal_year=year)
        if weight <= 0:
            raise InvalidValue(f"total_weight {weight} must be positive", total_weight=str(weight))
