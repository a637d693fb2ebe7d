"""How an indicator's score is made, step by step, each step citing the event behind it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.evaluation import Evaluation, LeafState
from domain.framework import Indicator
from domain.scoring import ancestors
from domain.values import HUNDRED, fmt, plain, rate_percent

Step = dict[str, Any]


def step(kind: str, text: str, value: Decimal | None, version: int | None, **details: Any) -> Step:
    """One line of the explanation: what it is, the figure, the event version it rests on."""
    return {
        "kind": kind,
        "text": text,
        "value": plain(value),
        "version": version,
        "details": details,
    }


def explain(evaluation: Evaluation, code: str) -> dict[str, Any]:
    """The explanation of one indicator in the evaluation's recorded state."""
    node = evaluation.tree[code]
    parents, _ = evaluation.rollup()
    body: dict[str, Any] = {
        "evaluation_id": str(evaluation.id),
        "version": evaluation.version,
        "code": code,
        "name": node.name,
        "parent": node.parent,
        "level": node.level,
        "method": node.method,
        "weight": fmt(node.weight),
        "criteria": node.criteria,
    }
    if node.is_leaf:
        leaf = evaluation.leaves[code]
        body.update(
            score=fmt(leaf.score),
            rate=fmt(rate_percent(leaf.score, node.weight)),
            exact=plain(leaf.exact),
            rule_score=fmt(leaf.rule_score),
            overridden=leaf.overridden,
            steps=_leaf_steps(evaluation, node, leaf),
        )
    else:
        score = parents[code]
        body.update(
            score=fmt(score),
            rate=fmt(rate_percent(score, node.weight)),
            exact=plain(score),
            rule_score=None,
            overridden=False,
            steps=_parent_steps(evaluation, node, parents),
        )
    return body


def _weight_step(evaluation: Evaluation, node: Indicator) -> Step:
    return step(
        "weight",
        f"分值 (weight) of {node.code} {node.name}: {fmt(node.weight)}",
        node.weight,
        evaluation.framework_version,
    )


def _leaf_steps(evaluation: Evaluation, node: Indicator, leaf: LeafState) -> list[Step]:
    # imported here: the target steps build on this module's `step`
    from application.target_explanations import target_steps

    steps = [_weight_step(evaluation, node)]
    method_steps = {
        "deduction": _deduction_steps,
        "checklist": _checklist_steps,
        "ratio": _ratio_steps,
        "survey": _survey_steps,
        "manual": _manual_steps,
        "target": target_steps,
    }[node.method or "deduction"]
    steps.extend(method_steps(evaluation, node, leaf))
    if leaf.rule_exact is not None:
        steps.append(
            step(
                "rule_score",
                f"the {node.method} rule gives {plain(leaf.rule_exact)}, "
                f"{fmt(leaf.rule_score)} at two decimals",
                leaf.rule_exact,
                leaf.score_version,
                rounded=fmt(leaf.rule_score),
            )
        )
    if leaf.note:
        steps.append(step("note", leaf.note, None, leaf.score_version))
    if leaf.overridden and leaf.override is not None:
        steps.append(
            step(
                "override",
                f"rules give {fmt(leaf.rule_score) or 'no score'}, recorded {fmt(leaf.override)}, "
                f"because {leaf.override_justification}",
                leaf.override,
                leaf.override_version,
                rule_score=fmt(leaf.rule_score),
                justification=leaf.override_justification,
            )
        )
    if leaf.exact is not None:
        steps.append(
            step(
                "rounding",
                f"{plain(leaf.exact)} rounded half-up to two decimals: {fmt(leaf.score)}",
                leaf.score,
                leaf.score_version,
                exact=plain(leaf.exact),
            )
        )
    return steps


def _deduction_steps(evaluation: Evaluation, node: Indicator, leaf: LeafState) -> list[Step]:
    steps: list[Step] = []
    cuts = sorted(
        (d for d in evaluation.deductions.values() if d.code == node.code), key=lambda d: d.version
    )
    active = Decimal(0)
    for d in cuts:
        common = {
            "id": d.id,
            "points": fmt(d.points),
            "reason": d.reason,
            "actor": d.actor,
            "evidence": d.evidence,
        }
        if d.status == "active":
            active += d.points
            steps.append(
                step("deduction", f"−{fmt(d.points)}: {d.reason}", -d.points, d.version, **common)
            )
        else:
            steps.append(
                step(
                    "withdrawn_deduction",
                    f"deduction of {fmt(d.points)} recorded at v{d.version} withdrawn: "
                    f"{d.withdrawal_reason}",
                    Decimal(0),
                    d.withdrawn_version,
                    recorded_version=d.version,
                    withdrawal_reason=d.withdrawal_reason,
                    **common,
                )
            )
    # the sum rests on the latest deduction or withdrawal (or the weight when there are none)
    moves = [d.withdrawn_version or d.version for d in cuts]
    steps.append(
        step(
            "sum",
            f"{fmt(node.weight)} − {fmt(active)} active deductions = {plain(node.weight - active)}",
            node.weight - active,
            max(moves) if moves else evaluation.framework_version,
        )
    )
    return steps


def _checklist_steps(evaluation: Evaluation, node: Indicator, leaf: LeafState) -> list[Step]:
    if leaf.met is None:
        return []
    steps = [
        step(
            "checklist_assessment",
            f"checklist assessed: {leaf.checklist_justification}",
            None,
            leaf.checklist_version,
            justification=leaf.checklist_justification,
        )
    ]
    total = Decimal(0)
    for index, ((text, points), met) in enumerate(zip(node.items, leaf.met, strict=True), 1):
        given = points if met else Decimal(0)
        total += given
        steps.append(
            step(
                "checklist_item",
                f"item {index} {'met' if met else 'not met'} ({fmt(points)} points): {text}",
                given,
                leaf.checklist_version,
                index=index,
                item=text,
                points=fmt(points),
                met=met,
            )
        )
    steps.append(
        step("sum", f"points of the items met: {fmt(total)}", total, leaf.checklist_version)
    )
    return steps


def _ratio_steps(evaluation: Evaluation, node: Indicator, leaf: LeafState) -> list[Step]:
    steps: list[Step] = []
    values: dict[str, Decimal] = {}
    for role, key in (("numerator", node.numerator), ("denominator", node.denominator)):
        entry = evaluation.entries.get(str(key))
        if entry is None:
            steps.append(
                step("data_entry", f"{role} {key}: not recorded", None, None, role=role, key=key)
            )
            continue
        values[role] = entry.value
        steps.append(
            step(
                "data_entry",
                f"{role} {key} = {plain(entry.value)} {entry.unit or ''}".rstrip()
                + (f" ({entry.source})" if entry.source else ""),
                entry.value,
                entry.version,
                role=role,
                key=key,
                unit=entry.unit,
                source=entry.source,
                corrections=[
                    {"value": plain(p["value"]), "version": p["version"]} for p in entry.previous
                ],
            )
        )
    if len(values) == 2 and values["denominator"] != 0:
        rate = values["numerator"] / values["denominator"]
        capped = max(rate, Decimal(0))
        if node.cap is not None:
            capped = min(capped, node.cap)
        steps.append(
            step(
                "ratio",
                f"{plain(values['numerator'])} / {plain(values['denominator'])} = {plain(rate)}"
                + (f", capped at {plain(node.cap)}" if capped != rate else ""),
                capped,
                max(
                    e.version
                    for e in evaluation.entries.values()
                    if e.key in (node.numerator, node.denominator)
                ),
                rate=fmt(capped * HUNDRED),
                uncapped=plain(rate),
                cap=plain(node.cap),
            )
        )
        steps.append(
            step(
                "product",
                f"{plain(capped)} × {fmt(node.weight)} = {plain(capped * node.weight)}",
                capped * node.weight,
                leaf.score_version,
            )
        )
    return steps


def _survey_steps(evaluation: Evaluation, node: Indicator, leaf: LeafState) -> list[Step]:
    if not leaf.tallies:
        return []
    top = max(w for _, w in node.choices)
    steps: list[Step] = []
    rates: list[Decimal] = []
    for number, counts in enumerate(leaf.tallies, start=1):
        respondents = sum(counts)
        points = sum((w * c for (_, w), c in zip(node.choices, counts, strict=True)), Decimal(0))
        rate = points / (top * respondents) if respondents else Decimal(0)
        rates.append(rate)
        terms = " + ".join(
            f"{plain(w)}×{c}" for (_, w), c in zip(node.choices, counts, strict=True)
        )
        steps.append(
            step(
                "survey_question",
                f"question {number}: ({terms}) / ({plain(top)} × {respondents}) = {plain(rate)}"
                f" ({fmt(rate * HUNDRED)}%)",
                rate,
                leaf.tallies_version,
                question=number,
                respondents=respondents,
                points=plain(points),
                max_points=plain(top * respondents),
                rate=fmt(rate * HUNDRED),
                counts=[
                    {"label": label, "weight": plain(w), "count": c}
                    for (label, w), c in zip(node.choices, counts, strict=True)
                ],
            )
        )
    satisfaction = sum(rates, Decimal(0)) / len(rates)
    steps.append(
        step(
            "survey_satisfaction",
            f"satisfaction = average of {len(rates)} question rates = {plain(satisfaction)}"
            f" ({fmt(satisfaction * HUNDRED)}%)",
            satisfaction,
            leaf.tallies_version,
            rate=fmt(satisfaction * HUNDRED),
        )
    )
    steps.append(
        step(
            "product",
            f"{plain(satisfaction)} × {fmt(node.weight)} = {plain(satisfaction * node.weight)}",
            satisfaction * node.weight,
            leaf.score_version,
        )
    )
    return steps


def _manual_steps(evaluation: Evaluation, node: Indicator, leaf: LeafState) -> list[Step]:
    if leaf.manual is None:
        return []
    return [
        step(
            "manual_score",
            f"score recorded by the assessor: {fmt(leaf.manual)}, because "
            f"{leaf.manual_justification}",
            leaf.manual,
            leaf.manual_version,
            justification=leaf.manual_justification,
        )
    ]


def _parent_steps(
    evaluation: Evaluation, node: Indicator, parents: dict[str, Decimal | None]
) -> list[Step]:
    steps = [_weight_step(evaluation, node)]
    total = Decimal(0)
    shown: list[str] = []
    for child_code in node.children:
        child = evaluation.tree[child_code]
        score = evaluation.leaves[child_code].score if child.is_leaf else parents[child_code]
        total += score or Decimal(0)
        shown.append(fmt(score) or "0")
        steps.append(
            step(
                "child",
                f"{child_code} {child.name}: {fmt(score) or 'not scored'}",
                score,
                last_score_change(evaluation, child_code),
                code=child_code,
                name=child.name,
                weight=fmt(child.weight),
            )
        )
    versions = [s["version"] for s in steps[1:] if s["version"] is not None]
    steps.append(
        step(
            "sum",
            f"sum of the children's scores: {' + '.join(shown)} = {fmt(total)}",
            total,
            max(versions) if versions else None,
        )
    )
    return steps


def last_score_change(evaluation: Evaluation, code: str | None) -> int | None:
    """The version of the last score change of any leaf under `code` (all leaves for None)."""
    versions = [
        leaf.score_version
        for leaf_code, leaf in evaluation.leaves.items()
        if code is None or leaf_code == code or code in ancestors(evaluation.tree, leaf_code)
    ]
    return max((v for v in versions if v is not None), default=None)
