"""The service layer: one method per use case, primitives and ids in and out."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import IntegrityError

from application import fixture
from application.aggregate_rows import AggregateRows
from application.documents import active_document, deduction_item
from application.errors import ConcurrentChange, StaleVersion
from application.ports import ActiveView
from application.reading import EvaluationReads
from application.rendering import with_every_deduction
from application.written import Written, moved_codes
from domain.evaluation import Actor, Evaluation

Command = Callable[[Evaluation], None]


class EvaluationService(EvaluationReads):
    """Records evaluations as events; answers from the read models (application.reading)."""

    # A change that loses a race to another change of the same evaluation is run again on
    # the fresh state (its command is validated again) this many times before a 409.
    conflict_retries = 3

    # ------------------------------------------------------------ unit of work
    def _commit(self, run: Callable[[int | None], Evaluation], hold: str | None = None) -> Written:
        """The command path: in one unit of work (holding the evaluation when it exists) run
        the command, save its events and project them; returns what happened (`Written`).
        `run` gets the evaluation's latest stored version as read under the hold (None:
        unknown).

        A save that loses a race raises ConcurrentChange and nothing is recorded.
        """
        try:
            with self.unit_of_work.transaction():
                head = self.unit_of_work.hold(hold) if hold is not None else None
                evaluation = run(head)
                (view, withdrawn), events = self._save(evaluation)
        except IntegrityError:
            raise ConcurrentChange(
                "another change to this evaluation was saved first; nothing was recorded",
                id=hold,
            ) from None
        lent = self.store.checkin(evaluation)  # committed: lend it to the next command

        def render() -> dict[str, Any]:
            return self._document_of(evaluation, view, lent)

        return Written(view, withdrawn, moved_codes(events), render)

    def _save(self, evaluation: Evaluation) -> tuple[ActiveView, list[Any]]:
        """Save pending events and project them, inside the caller's unit of work; returns
        the document listing the active deductions (rendered once: the projection seals and
        stores it as it is, with no read back) and the events."""
        recordings = self.store.save(evaluation)
        events = [r.domain_event for r in recordings]
        sealed = active_document(evaluation)  # nothing withdrawn is rendered or visited
        self.projection.project(
            [(r.notification.id, e) for r, e in zip(recordings, events, strict=True)],
            {str(evaluation.id): sealed},
        )
        return sealed, events

    def _document_of(
        self, evaluation: Evaluation, view: dict[str, Any], lent: bool
    ) -> dict[str, Any]:
        """The whole document of a committed evaluation, from `view` (its active deductions)
        and the evaluation's deductions while no other command holds it (it was not lent, or
        it is taken back from the shelf unchanged), else replayed from the events."""
        version = view["version"]
        if not lent:
            return with_every_deduction(view, AggregateRows(evaluation))
        shelved = self.store.checkouts.take(evaluation.id)
        try:
            if shelved is evaluation and evaluation.version == version:
                return with_every_deduction(view, AggregateRows(evaluation))
        finally:
            if shelved is not None:
                self.store.checkouts.put(shelved.id, shelved.version, shelved)
        return self.replayed_document_at(str(evaluation.id), version)

    def _change(
        self,
        evaluation_id: str,
        command: Command,
        expected_version: int | None = None,
    ) -> Written:
        """Run one change; a lost race is run again on the fresh state (where the command is
        validated again) unless the caller pinned `expected_version` (If-Match).

        Inside an enclosing unit of work (an idempotent request) the race surfaces when that
        unit ends, and the enclosing unit runs it again.
        """
        retries = self.conflict_retries if expected_version is None else 0
        for _ in range(retries):
            try:
                return self._change_once(evaluation_id, command, expected_version)
            except ConcurrentChange:
                continue
        return self._change_once(evaluation_id, command, expected_version)

    def _change_once(
        self,
        evaluation_id: str,
        command: Command,
        expected_version: int | None = None,
    ) -> Written:
        def run(head: int | None) -> Evaluation:
            evaluation = self._get(evaluation_id, checkout=True, head=head)
            if expected_version is not None and expected_version != evaluation.version:
                raise StaleVersion(
                    f"the evaluation is at version {evaluation.version}, not {expected_version}",
                    current=evaluation.version,
                    expected=expected_version,
                )
            command(evaluation)
            return evaluation

        return self._commit(run, hold=str(evaluation_id))

    def change(
        self,
        evaluation_id: str,
        command: Command,
        expected_version: int | None = None,
    ) -> Written:
        """The unit of work, for use cases kept in their own modules."""
        return self._change(evaluation_id, command, expected_version)

    # ---------------------------------------------------------------- commands
    def create_evaluation(
        self,
        *,
        title: str,
        subject: str,
        fiscal_year: int,
        kind: str,
        evaluator: str | None = None,
        total_weight: object = "100",
        grade_bands: list[dict[str, Any]] | None = None,
        required_sign_offs: list[str] | None = None,
        by: Actor,
        time_zone: str | None = None,
        target_rules: dict[str, Any] | None = None,
        form: dict[str, Any] | None = None,
        funds: list[dict[str, Any]] | None = None,
    ) -> Written:
        """Open an evaluation; the self-evaluation form's header and funds rows, when
        given, are recorded with it (FormFilled, FundsRecorded), in the same commit."""

        def opened(_: int | None) -> Evaluation:
            evaluation = Evaluation.start(
                title=title,
                subject=subject,
                fiscal_year=fiscal_year,
                kind=kind,
                evaluator=evaluator,
                total_weight=total_weight,
                grade_bands=grade_bands,
                by=by,
                time_zone=time_zone,
                target_rules=target_rules,
            )
            if required_sign_offs:
                evaluation.require_sign_offs(required_sign_offs, by)
            evaluation.open_form(form, funds, by)
            return evaluation

        return self._commit(opened)

    def fill_form(
        self,
        evaluation_id: str,
        fields: dict[str, Any],
        *,
        reason: str | None = None,
        by: Actor,
        expected_version: int | None = None,
    ) -> Written:
        """Fill or correct fields of the form's header and overall goal."""
        return self._change(
            evaluation_id, lambda e: e.fill_form(fields, reason, by), expected_version
        )

    def record_funds(
        self,
        evaluation_id: str,
        *,
        source: str,
        full_year_budget: object,
        executed: object,
        initial_budget: object = None,
        reason: str | None = None,
        by: Actor,
        expected_version: int | None = None,
    ) -> Written:
        """Record or correct one source's row of the funds block."""
        return self._change(
            evaluation_id,
            lambda e: e.record_funds(
                source,
                initial_budget=initial_budget,
                full_year_budget=full_year_budget,
                executed=executed,
                reason=reason,
                by=by,
            ),
            expected_version,
        )

    def define_framework(
        self, evaluation_id: str, indicators: list[dict[str, Any]], by: Actor, **kw: Any
    ) -> Written:
        return self._change(evaluation_id, lambda e: e.define_framework(indicators, by), **kw)

    def record_data_entry(
        self,
        evaluation_id: str,
        *,
        key: str,
        value: object,
        unit: str | None = None,
        source: str | None = None,
        evidence: list[dict[str, Any]] | None = None,
        reason: str | None = None,
        by: Actor,
        expected_version: int | None = None,
    ) -> Written:
        return self._change(
            evaluation_id,
            lambda e: e.record_data_entry(key, value, unit, source, evidence, reason, by),
            expected_version,
        )

    def record_deduction(
        self,
        evaluation_id: str,
        code: str,
        *,
        points: object,
        reason: str | None,
        evidence: list[dict[str, Any]] | None = None,
        by: Actor,
        expected_version: int | None = None,
    ) -> Written:
        """What happened, with the deduction recorded (and its indicator) as `record`."""
        deduction_id = str(uuid.uuid4())
        recorded: dict[str, Any] = {}

        def command(e: Evaluation) -> None:
            e.record_deduction(deduction_id, code, points, reason, evidence, by)
            recorded.update(deduction_item(e.deductions[deduction_id]))

        result = self._change(evaluation_id, command, expected_version)
        return result.with_record({**recorded, "indicator": code})

    def withdraw_deduction(
        self,
        evaluation_id: str,
        deduction_id: str,
        *,
        reason: str | None,
        by: Actor,
        **kw: Any,
    ) -> Written:
        """What happened, with the withdrawn deduction (its indicator and withdrawal
        reason) as `record`."""
        withdrawn: dict[str, Any] = {}

        def command(e: Evaluation) -> None:
            e.withdraw_deduction(deduction_id, reason, by)
            d = e.deductions[deduction_id]
            withdrawn.update(
                deduction_item(d), indicator=d.code, withdrawal_reason=d.withdrawal_reason
            )

        return self._change(evaluation_id, command, **kw).with_record(withdrawn)

    def assess_checklist(
        self,
        evaluation_id: str,
        code: str,
        *,
        met: list[bool],
        justification: str | None,
        by: Actor,
        **kw: Any,
    ) -> Written:
        return self._change(
            evaluation_id, lambda e: e.assess_checklist(code, met, justification, by), **kw
        )

    def record_score(
        self,
        evaluation_id: str,
        code: str,
        *,
        score: object,
        justification: str | None,
        evidence: list[dict[str, Any]] | None = None,
        by: Actor,
        **kw: Any,
    ) -> Written:
        return self._change(
            evaluation_id,
            lambda e: e.record_score(code, score, justification, evidence, by),
            **kw,
        )

    def record_survey(
        self,
        evaluation_id: str,
        code: str,
        *,
        tallies: list[list[int]],
        source: str | None = None,
        by: Actor,
        **kw: Any,
    ) -> Written:
        return self._change(
            evaluation_id, lambda e: e.record_survey(code, tallies, source, by), **kw
        )

    def record_leaf_input(
        self, evaluation_id: str, code: str, *, values: dict[str, Any], by: Actor, **kw: Any
    ) -> Written:
        """The input of a leaf whose scoring method takes it through the generic command."""
        return self._change(evaluation_id, lambda e: e.record_leaf_input(code, values, by), **kw)

    def record_reported_figure(
        self,
        evaluation_id: str,
        *,
        indicator: str | None = None,
        figure: str | None = None,
        value: object,
        source: str | None = None,
        evidence: list[dict[str, Any]] | None = None,
        by: Actor,
        **kw: Any,
    ) -> Written:
        """Keep a figure a report states, to be checked against the recorded data."""
        return self._change(
            evaluation_id,
            lambda e: e.record_reported_figure(indicator, figure, value, source, evidence, by),
            **kw,
        )

    def submit(self, evaluation_id: str, *, by: Actor, **kw: Any) -> Written:
        return self._change(evaluation_id, lambda e: e.submit(by), **kw)

    def finalize(self, evaluation_id: str, *, by: Actor, **kw: Any) -> Written:
        return self._change(evaluation_id, lambda e: e.finalize(by), **kw)

    def reopen(self, evaluation_id: str, *, reason: str | None, by: Actor, **kw: Any) -> Written:
        return self._change(evaluation_id, lambda e: e.reopen(reason, by), **kw)

    def import_evaluation(
        self, spec: dict[str, Any], by: Actor, *, transcribe_sign_offs: bool = False
    ) -> Written:
        """Record a whole evaluation in the fixture format, all or nothing; its sign-offs are
        signed by `by`, or transcribed from paper as their parties' (see fixture.signer)."""
        return self._commit(lambda _: fixture.build(spec, by, transcribe=transcribe_sign_offs))
