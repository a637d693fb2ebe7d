"""How an indicator's score is made, step by step, each step citing the event behind it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from application.explanation_text import METHOD_ZH, shown
from domain.evaluation import Evaluation
from domain.framework import Indicator
from domain.leaf import LeafState
from domain.methods.base import Trace
from domain.scoring import ancestors
from domain.values import fmt, plain, rate_percent

Step = dict[str, Any]


def step(
    kind: str,
    text: str,
    value: Decimal | None,
    version: int | None,
    zh: str | None = None,
    **details: Any,
) -> Step:
    """One line of the explanation: what it is, the figure, the event version it rests on.

    `text` is English, `zh` the same in Chinese (see `in_language`).
    """
    return {
        "kind": kind,
        "text": text,
        "text_zh": text if zh is None else zh,
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
    if node.items:  # a checklist's items, so a form can offer each one
        body["items"] = [{"text": text, "points": fmt(points)} for text, points in node.items]
    if node.is_leaf:
        leaf = evaluation.leaves[code]
        body.update(
            score=fmt(leaf.score),
            rate=fmt(rate_percent(leaf.score, node.weight)),
            exact=plain(leaf.result.exact),
            rule_score=fmt(leaf.result.rule_score),
            overridden=leaf.result.overridden,
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
        zh=f"{node.code} {node.name} 的分值：{fmt(node.weight)}",
    )


def _leaf_steps(evaluation: Evaluation, node: Indicator, leaf: LeafState) -> list[Step]:
    trace = Trace()
    evaluation.rule_result(node, trace=trace)  # the rule's own steps, as it took them
    steps = [_weight_step(evaluation, node), *(s.as_dict() for s in trace.steps)]
    result, override = leaf.result, leaf.override
    if result.rule_exact is not None:
        steps.append(
            step(
                "rule_score",
                f"the {node.method} rule gives {shown(result.rule_exact)}, "
                f"{fmt(result.rule_score)} at two decimals",
                result.rule_exact,
                result.version,
                zh=f"按{METHOD_ZH.get(str(node.method), str(node.method))}规则得 "
                f"{shown(result.rule_exact)}，保留两位小数为 {fmt(result.rule_score)}",
                rounded=fmt(result.rule_score),
            )
        )
    if result.note:
        steps.append(step("note", result.note, None, result.version))
    if result.overridden and override is not None:
        steps.append(
            step(
                "override",
                f"rules give {fmt(result.rule_score) or 'no score'}, recorded "
                f"{fmt(override.score)}, because {override.justification}",
                override.score,
                override.version,
                zh=f"规则得分 {fmt(result.rule_score) or '无'}，认定为 {fmt(override.score)}，"
                f"理由：{override.justification}",
                rule_score=fmt(result.rule_score),
                justification=override.justification,
            )
        )
    if result.exact is not None:
        steps.append(
            step(
                "rounding",
                f"{shown(result.exact)} rounded half-up to two decimals: {fmt(result.score)}",
                result.score,
                result.version,
                zh=f"{shown(result.exact)} 四舍五入保留两位小数：{fmt(result.score)}",
                exact=plain(result.exact),
            )
        )
    return steps


def _parent_steps(
    evaluation: Evaluation, node: Indicator, parents: dict[str, Decimal | None]
) -> list[Step]:
    steps = [_weight_step(evaluation, node)]
    total = Decimal(0)
    terms: list[str] = []
    for child_code in node.children:
        child = evaluation.tree[child_code]
        score = evaluation.leaves[child_code].score if child.is_leaf else parents[child_code]
        total += score or Decimal(0)
        terms.append(fmt(score) or "0")
        steps.append(
            step(
                "child",
                f"{child_code} {child.name}: {fmt(score) or 'not scored'}",
                score,
                last_score_change(evaluation, child_code),
                zh=f"{child_code} {child.name}：{fmt(score) or '未评分'}",
                code=child_code,
                name=child.name,
                weight=fmt(child.weight),
            )
        )
    versions = [s["version"] for s in steps[1:] if s["version"] is not None]
    steps.append(
        step(
            "sum",
            f"sum of the children's scores: {' + '.join(terms)} = {fmt(total)}",
            total,
            max(versions) if versions else None,
            zh=f"下级指标得分合计：{' + '.join(terms)} = {fmt(total)}",
        )
    )
    return steps


def last_score_change(evaluation: Evaluation, code: str | None) -> int | None:
    """The version of the last score change of any leaf under `code` (all leaves for None)."""
    versions = [
        leaf.result.version
        for leaf_code, leaf in evaluation.leaves.items()
        if code is None or leaf_code == code or code in ancestors(evaluation.tree, leaf_code)
    ]
    return max((v for v in versions if v is not None), default=None)
