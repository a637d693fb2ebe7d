"""The Evaluation aggregate (绩效评价): an index of commands, each recorded as events."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain import evaluation_applies as applies
from domain import evaluation_events
from domain.actor import Actor
from domain.disputes import Disputes
from domain.evidence_commands import EvidenceCommands
from domain.form import FormCommands
from domain.framework import Indicator
from domain.grades import default_bands, normalise_bands
from domain.leaf import LeafState
from domain.ledger import ACTIVE_INDEX, DataEntry, Deduction
from domain.rescoring import Rescoring
from domain.review import ReviewNote
from domain.review_commands import ReviewCommands
from domain.scoring_commands import ScoringCommands
from domain.state import Status
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
    shape in domain/evaluation_events.py, the apply bodies, which only copy values, in
    domain/evaluation_applies.py; here are the state and the events.
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
    # In domain/evaluation_applies.py; bound here, under this class, so that each event
    # class is defined as Evaluation.<name>: its stored topic stays
    # domain.evaluation:Evaluation.<name>.
    _framework_defined = event("FrameworkDefined")(applies.framework_defined)
    _data_entry_recorded = event("DataEntryRecorded")(applies.data_entry_recorded)
    _deduction_recorded = event("DeductionRecorded")(applies.deduction_recorded)
    _deduction_withdrawn = event(DeductionWithdrawn)(applies.deduction_withdrawn)
    _deduction_amended = event("DeductionAmended")(applies.deduction_amended)
    _checklist_assessed = event("ChecklistAssessed")(applies.checklist_assessed)
    _score_recorded = event("ScoreRecorded")(applies.score_recorded)
    _score_overridden = event(ScoreOverridden)(applies.score_overridden)
    _override_cleared = event("OverrideCleared")(applies.override_cleared)
    _survey_recorded = event("SurveyRecorded")(applies.survey_recorded)
    _leaf_input_recorded = event("LeafInputRecorded")(applies.leaf_input_recorded)
    _score_changed = event("ScoreChanged")(applies.score_changed)
    _reported_figure_recorded = event("ReportedFigureRecorded")(applies.reported_figure_recorded)
    _submitted = event("Submitted")(applies.submitted)
    _finalized = event("Finalized")(applies.finalized)
    _reopened = event("Reopened")(applies.reopened)
    _dispute_raised = event("DisputeRaised")(applies.dispute_raised)
    _dispute_decided = event(DisputeDecided)(applies.dispute_decided)
    _evidence_attached = event("EvidenceAttached")(applies.evidence_attached)
    _note_added = event("NoteAdded")(applies.note_added)
    _note_resolved = event("NoteResolved")(applies.note_resolved)


def event_class(name: str) -> type[Aggregate.Event]:
    """The Evaluation's event class of that name: a renamed event fails here, at import."""
    found = getattr(Evaluation, name, None)
    if not (isinstance(found, type) and issubclass(found, Aggregate.Event)):
        raise LookupError(f"Evaluation has no event named {name}")
    return found
