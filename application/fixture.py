"""One pipeline from a fixture-format spec to the aggregate's commands (load, import, sheets)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from decimal import InvalidOperation
from typing import Any

from application.documents import iso
from domain.errors import DomainError, InvalidValue
from domain.evaluation import Actor, Evaluation
from domain.signoffs import SIGNERS, UNIT, check_known

# What a step may raise besides domain errors when the spec is not shaped as expected.
STEP_ERRORS = (DomainError, KeyError, TypeError, ValueError, InvalidOperation)
OnError = Callable[[str, int, Mapping[str, Any], Exception], None]
# The fields of a `target_values` item that go to the command as they are.
VALUE_FIELDS = (
    "value",
    "outcome",
    "score",
    "justification",
    "deviation_reason",
    "improvement",
    "source",
    "evidence",
    "reason",
)


def start(header: Mapping[str, Any], by: Actor) -> Evaluation:
    """The evaluation the spec's header opens, in draft, with the sign-offs it requires and
    the form's header and funds it gives."""
    evaluation = Evaluation.start(
        title=str(header["title"]),
        subject=str(header["subject"]),
        fiscal_year=int(header["fiscal_year"]),
        kind=str(header["kind"]),
        evaluator=header.get("evaluator"),
        total_weight=header.get("total_weight", "100"),
        grade_bands=header.get("grade_bands"),
        by=by,
        time_zone=header.get("time_zone"),
        target_rules=header.get("target_rules"),
    )
    if required := list(header.get("required_sign_offs") or []):
        evaluation.require_sign_offs(required, by)
    # the self-evaluation form's header and 项目资金 rows, when the header gives them
    evaluation.open_form(header.get("form"), header.get("funds"), by)
    return evaluation


def steps(spec: Mapping[str, Any]) -> Iterator[tuple[str, int, Mapping[str, Any]]]:
    """Every recorded step after the framework, in order: (part of the spec, index, step)."""
    # sign-offs after the values, so that a loaded sign-off vouches for them
    for kind in ("data_entries", "actions", "target_values", "sign_offs"):
        for index, step in enumerate(spec.get(kind) or []):
            yield kind, index, step
    for index, figure in enumerate(reported_figures(spec)):
        yield "reported_figures", index, figure


def record_steps(
    evaluation: Evaluation,
    spec: Mapping[str, Any],
    by: Actor,
    on_error: OnError | None = None,
    *,
    transcribe: bool = False,
) -> None:
    """Apply the spec's steps; a failing step raises, or goes to `on_error` and the rest go on.

    `transcribe`: the spec's sign-offs were made on paper and are transcribed (see `signer`).
    """
    for kind, index, step in steps(spec):
        try:
            apply_step(evaluation, kind, step, by, transcribe=transcribe)
        except STEP_ERRORS as error:
            if on_error is None:
                raise
            on_error(kind, index, step, error)


def build(spec: Mapping[str, Any], by: Actor, *, transcribe: bool = False) -> Evaluation:
    """The whole evaluation the spec describes, in memory, all or nothing."""
    evaluation = start(spec["evaluation"], by)
    evaluation.define_framework(list(spec["indicators"]), by)
    record_steps(evaluation, spec, by, transcribe=transcribe)
    return evaluation


def apply_step(
    evaluation: Evaluation,
    kind: str,
    step: Mapping[str, Any],
    by: Actor,
    *,
    transcribe: bool = False,
) -> None:
    if kind == "data_entries":
        evaluation.record_data_entry(
            step["key"],
            step["value"],
            step.get("unit"),
            step.get("source"),
            step.get("evidence"),
            step.get("reason"),
            by,
        )
    elif kind == "actions":
        apply_action(evaluation, step, by)
    elif kind == "target_values":
        apply_target_value(evaluation, step, by)
    elif kind == "sign_offs":
        apply_sign_off(evaluation, step, signer(evaluation, step, by, transcribe))
    else:
        evaluation.record_reported_figure(
            step.get("indicator"),
            step.get("figure"),
            step.get("value"),
            step.get("source"),
            step.get("evidence"),
            by,
        )


def apply_action(evaluation: Evaluation, action: Mapping[str, Any], by: Actor) -> None:
    """One scoring action of the fixture format, applied to the aggregate."""
    kind = action.get("action")
    code = str(action.get("indicator", ""))
    if kind == "checklist":
        evaluation.assess_checklist(code, action["met"], action.get("justification"), by)
    elif kind == "deduct":
        evaluation.record_deduction(
            str(uuid.uuid4()),
            code,
            action["points"],
            action.get("reason"),
            action.get("evidence"),
            by,
        )
    elif kind == "score":
        evaluation.record_score(
            code, action["score"], action.get("justification"), action.get("evidence"), by
        )
    elif kind == "survey":
        evaluation.record_survey(code, action["tallies"], action.get("source"), by)
    elif kind == "input":
        evaluation.record_leaf_input(code, dict(action.get("values") or {}), by)
    else:
        raise InvalidValue(f"unknown action {kind!r} for indicator {code}", action=kind)


def apply_target_value(evaluation: Evaluation, item: Mapping[str, Any], by: Actor) -> None:
    """One `target_values` item: {indicator, stage, value | outcome, …}."""
    evaluation.record_target_value(
        str(item.get("indicator", "")),
        stage=item.get("stage"),
        by=by,
        **{name: item.get(name) for name in VALUE_FIELDS},
    )


def signer(evaluation: Evaluation, item: Mapping[str, Any], by: Actor, transcribe: bool) -> Actor:
    """Who signs one `sign_offs` item: the loader, whose party must be the capacity's.

    A transcription (the console `load` of a form signed on paper) signs each capacity as an
    account of that capacity's party, named `signed_by` or "<loader>（代录）", under the
    load's correlation id: the trail says which party signed and who typed it in.
    """
    if not transcribe:
        return by
    capacity = check_known(item.get("capacity"))
    party = SIGNERS[capacity]
    subject = evaluation.subject if party == UNIT else ""
    if by.role == party and by.subject == subject:
        return by
    return Actor(
        name=str(item.get("signed_by") or f"{by.name}（代录）"),
        role=party,
        correlation_id=by.correlation_id,
        token_id=by.token_id,
        subject=subject,
    )


def apply_sign_off(evaluation: Evaluation, item: Mapping[str, Any], by: Actor) -> None:
    """One `sign_offs` item: {capacity, opinion?, title?, organization?, phone?, signed_at?,
    signed_by?}, signed by `by`.

    A loaded sign-off has no head digest: its version is not sealed until the load is saved.
    """
    given = item.get("signed_at")
    moment = datetime.fromisoformat(str(given)) if given else datetime.now(UTC)
    if moment.tzinfo is None:
        raise InvalidValue(f"signed_at {given!r} needs a time zone offset", signed_at=given)
    evaluation.sign_off(
        str(uuid.uuid4()),
        item.get("capacity"),
        item.get("opinion"),
        None,
        iso(moment),
        by,
        {name: item.get(name) for name in ("title", "organization", "phone")},
    )


def reported_figures(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Figures a fixture-format report states: `evaluation.reported_total`, `reported_figures`."""
    figures = list(spec.get("reported_figures") or [])
    total = (spec.get("evaluation") or {}).get("reported_total")
    if total is not None:
        figures.append({"figure": "total", "value": total})
    return figures
