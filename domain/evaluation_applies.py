"""The Evaluation's apply bodies: each copies into the state what its command computed."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain.disputes import Dispute
from domain.framework import build_tree
from domain.leaf import LeafScore, LeafState, Override
from domain.ledger import (
    ACTIVE_INDEX,
    DataEntry,
    Deduction,
    DeductionStatus,
    note_recorded,
    note_withdrawn,
)
from domain.legacy import copy_first_shape_consequence
from domain.methods import method_named
from domain.methods.checklist import Checklist
from domain.methods.manual import ManualScore
from domain.methods.survey import Tallies
from domain.review import RESOLVED, ReviewNote
from domain.signoffs import note_change
from domain.state import FINALIZED, Status

if TYPE_CHECKING:
    from domain.evaluation import Evaluation

# Bound as the Evaluation's event-decorated methods (domain/evaluation.py): `self` is the
# aggregate. They run before the version moves on, so an event's own version is
# self.version + 1; they only copy values, so replay gives the same state.


def framework_defined(
    self: Evaluation, indicators: list[dict[str, Any]], meta: dict[str, str]
) -> None:
    self.framework = indicators
    self.framework_version = self.version + 1
    note_change(self.sign_offs, self.version + 1, "FrameworkDefined", None)
    self.tree = build_tree(indicators)
    self.leaves = {code: LeafState() for code, node in self.tree.items() if node.is_leaf}
    self.deductions = {}
    self.__dict__[ACTIVE_INDEX] = {}


def data_entry_recorded(
    self: Evaluation,
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
    self.entries[key] = DataEntry(key, value, unit, source, evidence, self.version + 1, history)
    note_change(self.sign_offs, self.version + 1, "DataEntryRecorded", None)


def deduction_recorded(
    self: Evaluation,
    deduction_id: str,
    code: str,
    points: Decimal,
    reason: str,
    evidence: list[dict[str, str | None]],
    meta: dict[str, str],
) -> None:
    self.scoring_started = True
    recorded = Deduction(
        deduction_id, code, points, reason, evidence, self.version + 1, meta["actor"]
    )
    self.deductions[deduction_id] = recorded
    note_recorded(self.__dict__, recorded)


def deduction_withdrawn(
    self: Evaluation, deduction_id: str, reason: str, meta: dict[str, str], dispute_id: str | None
) -> None:
    deduction = self.deductions[deduction_id]
    deduction.status = DeductionStatus.WITHDRAWN
    deduction.withdrawal_reason = reason
    deduction.withdrawn_version = self.version + 1
    note_withdrawn(self.__dict__, deduction)


def deduction_amended(
    self: Evaluation,
    deduction_id: str,
    points: Decimal,
    previous_points: Decimal,
    reason: str,
    dispute_id: str,
    meta: dict[str, str],
) -> None:
    deduction = self.deductions[deduction_id]
    deduction.points, deduction.amended_version = points, self.version + 1


def checklist_assessed(
    self: Evaluation, code: str, met: list[bool], justification: str, meta: dict[str, str]
) -> None:
    self.scoring_started = True
    self.leaves[code].inputs = Checklist(tuple(met), justification, self.version + 1)
    self.leaves[code].add_recorder(meta)


def score_recorded(
    self: Evaluation,
    code: str,
    score: Decimal,
    justification: str,
    evidence: list[dict[str, str | None]],
    meta: dict[str, str],
) -> None:
    self.scoring_started = True
    self.leaves[code].inputs = ManualScore(score, justification, self.version + 1)
    self.leaves[code].add_recorder(meta)


def score_overridden(
    self: Evaluation,
    code: str,
    score: Decimal,
    justification: str,
    evidence: list[dict[str, str | None]],
    meta: dict[str, str],
    dispute_id: str | None,
) -> None:
    self.scoring_started = True
    self.leaves[code].override = Override(score, justification, self.version + 1)
    if dispute_id is None:  # a decision's override is the judge's, not a recording
        self.leaves[code].add_recorder(meta)


def override_cleared(
    self: Evaluation, code: str, reason: str, dispute_id: str, meta: dict[str, str]
) -> None:
    self.leaves[code].override = None


def survey_recorded(
    self: Evaluation, code: str, tallies: list[list[int]], source: str | None, meta: dict[str, str]
) -> None:
    self.scoring_started = True
    self.leaves[code].inputs = Tallies(tuple(tuple(q) for q in tallies), self.version + 1)
    self.leaves[code].add_recorder(meta)


def leaf_input_recorded(
    self: Evaluation, code: str, method: str, values: dict[str, Any], meta: dict[str, str]
) -> None:
    self.scoring_started = True
    self.leaves[code].inputs = method_named(method).restore_input(values, self.version + 1)
    self.leaves[code].add_recorder(meta)


def score_changed(
    self: Evaluation,
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
    self.leaves[code].result = LeafScore(
        after, exact, rule_exact, rule_score, overridden, note, tuple(rates), self.version + 1
    )
    note_change(self.sign_offs, self.version + 1, "ScoreChanged", code)


def reported_figure_recorded(
    self: Evaluation,
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


def submitted(self: Evaluation, meta: dict[str, str]) -> None:
    self.status = Status.SUBMITTED


def finalized(self: Evaluation, meta: dict[str, str]) -> None:
    self.status = FINALIZED


def reopened(self: Evaluation, reason: str, meta: dict[str, str]) -> None:
    self.status = Status.SUBMITTED


def dispute_raised(
    self: Evaluation,
    dispute_id: str,
    target: str,
    code: str,
    deduction_id: str | None,
    grounds: str,
    evidence: list[dict[str, str | None]],
    meta: dict[str, str],
) -> None:
    self.disputes.add(
        Dispute(
            dispute_id,
            target,
            code,
            deduction_id,
            grounds,
            evidence,
            meta["actor"],
            self.version + 1,
        )
    )


def dispute_decided(
    self: Evaluation,
    dispute_id: str,
    outcome: str,
    points: Decimal | None,
    previous_points: Decimal | None,
    reason: str,
    deduction_id: str | None,
    code: str,
    meta: dict[str, str],
    consequences_follow: bool,
) -> None:
    self.disputes.record_decision(
        dispute_id, outcome, points, reason, meta["actor"], self.version + 1
    )
    if not consequences_follow:
        copy_first_shape_consequence(self, self.disputes[dispute_id])


def evidence_attached(
    self: Evaluation,
    evidence_id: str,
    name: str,
    media_type: str,
    size: int,
    sha256: str,
    meta: dict[str, str],
) -> None:
    attached = {"name": name, "media_type": media_type, "size": size, "sha256": sha256}
    # kept under the name attached_files reads (an older state has none)
    self.__dict__["evidence_files"] = {**self.attached_files(), evidence_id: attached}


def note_added(self: Evaluation, note_id: str, code: str, text: str, meta: dict[str, str]) -> None:
    self.notes[note_id] = ReviewNote(note_id, code, text, meta["actor"], self.version + 1)


def note_resolved(self: Evaluation, note_id: str, reason: str | None, meta: dict[str, str]) -> None:
    note = self.notes[note_id]
    note.status, note.resolution, note.resolved_by = RESOLVED, reason, meta["actor"]
    note.resolved_version = self.version + 1
