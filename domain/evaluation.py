"""The Evaluation aggregate (绩效评价): an index of commands, each recorded as events."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain import evaluation_events
from domain.actor import Actor
from domain.disputes import Dispute, Disputes
from domain.evidence_commands import EvidenceCommands
from domain.form import FormCommands
from domain.framework import Indicator, build_tree
from domain.grades import default_bands, normalise_bands
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
from domain.rescoring import Rescoring
from domain.review import RESOLVED, ReviewNote
from domain.review_commands import ReviewCommands
from domain.scoring_commands import ScoringCommands
from domain.signoffs import note_change
from domain.state import FINALIZED, Status
from domain.target_commands import TargetCommands
from domain.targets.rules import TargetRules
from domain.values import to_amount
from domain.zones import check_time_zone

__all__ = ["Actor", "DataEntry", "Deduction", "Evaluation", "LeafState", "Status"]


class Evaluation(
    ScoringCommands,
    TargetCommands,
    FormCommands,
    ReviewCommands,
    EvidenceCommands,
    Rescoring,
    Aggregate,
):
    """One evaluation of one subject for one fiscal year.

    The commands are listed in domain/scoring_commands.py and domain/review_commands.py,
    the targets and sign-offs of the self-evaluation form in domain/target_commands.py,
    its header and funds in domain/form.py,
    the rescoring they end with in domain/rescoring.py, the events with more than one stored
    shape in domain/evaluation_events.py; here are the state, the events and their apply
    bodies, which only copy values.
    """

    # 2: leaves hold (inputs, override, result) and disputes are an entity (see upcast_v1_v2)
    class_version = 2
    # Class-level defaults: state restored from snapshots taken before these existed stays valid.
    framework_version: int | None = None
    reported_figures: tuple[dict[str, Any], ...] = ()
    required_sign_offs: tuple[str, ...] = ()
    time_zone: str | None = None
    target_rules: dict[str, Any] | None = None  # None: the national rules

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Snapshots of the first shape: 19-field leaves and disputes as a plain dict."""
        state["leaves"] = {
            code: leaf if isinstance(leaf, LeafState) else LeafState.from_legacy(leaf)
            for code, leaf in state["leaves"].items()
        }
        if not isinstance(state["disputes"], Disputes):
            state["disputes"] = Disputes(dict(state["disputes"]))

    # Versioned events (domain/evaluation_events.py): bound here, the metaclass redefines them
    # under this class, so their topics stay domain.evaluation:Evaluation.<name>.
    DeductionWithdrawn = evaluation_events.DeductionWithdrawn
    ScoreOverridden = evaluation_events.ScoreOverridden
    DisputeDecided = evaluation_events.DisputeDecided

    # ------------------------------------------------------------------ creation
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
        time_zone: str | None = None,
        target_rules: dict[str, Any] | None = None,
    ) -> None:
        self.title = title
        # Optional fields, left out of the event when absent: earlier Created events
        # read the same, so the event keeps its first version.
        self.time_zone = time_zone
        self.target_rules = target_rules
        self.subject = subject
        self.fiscal_year = fiscal_year
        self.kind = kind
        self.evaluator = evaluator
        self.total_weight = total_weight
        self.grade_bands = grade_bands
        self.status = Status.DRAFT
        self.framework: list[dict[str, Any]] = []
        self.tree: dict[str, Indicator] = {}
        self.leaves: dict[str, LeafState] = {}
        self.deductions: dict[str, Deduction] = {}
        self.__dict__[ACTIVE_INDEX] = {}  # derived from deductions (domain.ledger)
        self.entries: dict[str, DataEntry] = {}
        self.scoring_started = False
        self.disputes = Disputes()
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
        time_zone: str | None = None,
        target_rules: dict[str, Any] | None = None,
    ) -> Evaluation:
        """Open a new evaluation in draft; `target_rules` are the region's reading and scoring
        of targets (domain.targets.rules.TargetRules.from_data; left out: the national ones)."""
        weight = to_amount(total_weight, "total_weight")
        cls.check_header(title, subject, fiscal_year, kind, weight)
        optional: dict[str, Any] = {}  # left out of the event when absent
        if zone := check_time_zone(time_zone):
            optional["time_zone"] = zone
        if rules := TargetRules.recorded(target_rules):
            optional["target_rules"] = rules
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
            **optional,
        )

    # ------------------------------------------------------------- apply bodies
    # They only copy what the command computed, so replay gives the same state. They run
    # before the version moves on, so an event's own version is self.version + 1.
    @event("FrameworkDefined")
    def _framework_defined(self, indicators: list[dict[str, Any]], meta: dict[str, str]) -> None:
        self.framework = indicators
        self.framework_version = self.version + 1
        note_change(self.sign_offs, self.version + 1, "FrameworkDefined", None)
        self.tree = build_tree(indicators)
        self.leaves = {code: LeafState() for code, node in self.tree.items() if node.is_leaf}
        self.deductions = {}
        self.__dict__[ACTIVE_INDEX] = {}

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
        recorded = Deduction(
            deduction_id, code, points, reason, evidence, self.version + 1, meta["actor"]
        )
        self.deductions[deduction_id] = recorded
        note_recorded(self.__dict__, recorded)

    @event(DeductionWithdrawn)
    def _deduction_withdrawn(
        self, deduction_id: str, reason: str, meta: dict[str, str], dispute_id: str | None
    ) -> None:
        deduction = self.deductions[deduction_id]
        deduction.status = DeductionStatus.WITHDRAWN
        deduction.withdrawal_reason = reason
        deduction.withdrawn_version = self.version + 1
        note_withdrawn(self.__dict__, deduction)

    @event("DeductionAmended")
    def _deduction_amended(
        self,
        deduction_id: str,
        points: Decimal,
        previous_points: Decimal,
        reason: str,
        dispute_id: str,
        meta: dict[str, str],
    ) -> None:
        deduction = self.deductions[deduction_id]
        deduction.points, deduction.amended_version = points, self.version + 1

    @event("ChecklistAssessed")
    def _checklist_assessed(
        self, code: str, met: list[bool], justification: str, meta: dict[str, str]
    ) -> None:
        self.scoring_started = True
        self.leaves[code].inputs = Checklist(tuple(met), justification, self.version + 1)
        self.leaves[code].add_recorder(meta)

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
        self.leaves[code].inputs = ManualScore(score, justification, self.version + 1)
        self.leaves[code].add_recorder(meta)

    @event(ScoreOverridden)
    def _score_overridden(
        self,
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

    @event("OverrideCleared")
    def _override_cleared(
        self, code: str, reason: str, dispute_id: str, meta: dict[str, str]
    ) -> None:
        self.leaves[code].override = None

    @event("SurveyRecorded")
    def _survey_recorded(
        self, code: str, tallies: list[list[int]], source: str | None, meta: dict[str, str]
    ) -> None:
        self.scoring_started = True
        self.leaves[code].inputs = Tallies(tuple(tuple(q) for q in tallies), self.version + 1)
        self.leaves[code].add_recorder(meta)

    @event("LeafInputRecorded")
    def _leaf_input_recorded(
        self, code: str, method: str, values: dict[str, Any], meta: dict[str, str]
    ) -> None:
        self.scoring_started = True
        self.leaves[code].inputs = method_named(method).restore_input(values, self.version + 1)
        self.leaves[code].add_recorder(meta)

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
        self.leaves[code].result = LeafScore(
            after, exact, rule_exact, rule_score, overridden, note, tuple(rates), self.version + 1
        )
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
        self.status = Status.SUBMITTED

    @event("Finalized")
    def _finalized(self, meta: dict[str, str]) -> None:
        self.status = FINALIZED

    @event("Reopened")
    def _reopened(self, reason: str, meta: dict[str, str]) -> None:
        self.status = Status.SUBMITTED

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

    @event(DisputeDecided)
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
        consequences_follow: bool,
    ) -> None:
        self.disputes.record_decision(
            dispute_id, outcome, points, reason, meta["actor"], self.version + 1
        )
        if not consequences_follow:
            copy_first_shape_consequence(self, self.disputes[dispute_id])

    @event("EvidenceAttached")
    def _evidence_attached(
        self,
        evidence_id: str,
        name: str,
        media_type: str,
        size: int,
        sha256: str,
        meta: dict[str, str],
    ) -> None:
        attached = {"name": name, "media_type": media_type, "size": size, "sha256": sha256}
        self.evidence_files = {**self.attached_files(), evidence_id: attached}

    @event("NoteAdded")
    def _note_added(self, note_id: str, code: str, text: str, meta: dict[str, str]) -> None:
        self.notes[note_id] = ReviewNote(note_id, code, text, meta["actor"], self.version + 1)

    @event("NoteResolved")
    def _note_resolved(self, note_id: str, reason: str | None, meta: dict[str, str]) -> None:
        note = self.notes[note_id]
        note.status, note.resolution, note.resolved_by = RESOLVED, reason, meta["actor"]
        note.resolved_version = self.version + 1


def event_class(name: str) -> type[Aggregate.Event]:
    """The Evaluation's event class of that name: a renamed event fails here, at import."""
    found = getattr(Evaluation, name, None)
    if not (isinstance(found, type) and issubclass(found, Aggregate.Event)):
        raise LookupError(f"Evaluation has no event named {name}")
    return found
