"""What does not add up in an evaluation: each finding names both figures and the versions."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from application.documents import event_type
from application.explanations import last_score_change
from domain.evaluation import Evaluation
from domain.form import FUND_SUMS, fund_sums
from domain.framework import Indicator, build_tree
from domain.values import fmt, plain, rate_percent, round_half_up

Finding = dict[str, Any]


def finding(
    kind: str,
    message: str,
    recorded: Decimal | None,
    recomputed: Decimal | None,
    versions: Iterable[int | None],
    indicator: str | None = None,
    key: str | None = None,
    **details: Any,
) -> Finding:
    return {
        "kind": kind,
        "indicator": indicator,
        "key": key,
        "recorded": fmt(recorded),
        "recomputed": fmt(recomputed),
        "versions": sorted({v for v in versions if v is not None}),
        "message": message,
        "details": details,
    }


def find(evaluation: Evaluation, events: Iterable[Any]) -> list[Finding]:
    """Every finding in the evaluation's state, given the events that led to it (in order)."""
    history = list(events)
    return [
        *overrides(evaluation),
        *reported_figures(evaluation),
        *parent_sums(evaluation, history),
        *corrections_after_use(evaluation, history),
    ]


def overrides(evaluation: Evaluation) -> list[Finding]:
    """Overrides that differ from what the leaf's rule gives."""
    found = []
    for code, leaf in evaluation.leaves.items():
        result, override = leaf.result, leaf.override
        if not result.overridden or override is None or result.score == result.rule_score:
            continue
        rule = fmt(result.rule_score) or "no score"
        found.append(
            finding(
                "override_differs",
                f"{code}: rules give {rule}, recorded {fmt(result.score)} (override at "
                f"v{override.version}), because {override.justification}",
                result.score,
                result.rule_score,
                (override.version, result.version),
                indicator=code,
                justification=override.justification,
            )
        )
    return found


def reported_figures(evaluation: Evaluation) -> list[Finding]:
    """Figures a report states that the recorded data do not reproduce."""
    parents, total = evaluation.rollup()
    found = []
    for figure in evaluation.reported_figures:
        code, kind, value = figure["indicator"], figure["figure"], Decimal(figure["value"])
        if kind == "total":
            recomputed, label, since = total, "the total", last_score_change(evaluation, None)
        else:
            node = evaluation.tree.get(code)
            if node is None:
                recomputed, label, since = None, f"{code} (no longer in the framework)", None
            else:
                score = evaluation.leaves[code].score if node.is_leaf else parents[code]
                recomputed = score if kind == "score" else rate_percent(score, node.weight)
                label, since = f"the {kind} of {code}", last_score_change(evaluation, code)
        if recomputed is not None and round_half_up(recomputed) == value:
            continue
        source = f" ({figure['source']})" if figure.get("source") else ""
        found.append(
            finding(
                "reported_figure_differs",
                f"{label} is reported as {plain(value)}{source} at v{figure['version']}, "
                f"but the recorded data give {fmt(recomputed) or 'no figure'}",
                value,
                recomputed,
                (figure["version"], since),
                indicator=code,
                figure=kind,
                source=figure.get("source"),
            )
        )
    return found


def parent_sums(evaluation: Evaluation, history: list[Any]) -> list[Finding]:
    """Parent scores (and the total) as last recorded in the events vs the sum of children."""
    recorded: dict[str | None, tuple[Decimal | None, int]] = {}
    for event in history:
        if event_type(event) != "ScoreChanged":
            continue
        for code, score in event.parents.items():
            recorded[code] = (score, event.originator_version)
        recorded[None] = (event.total, event.originator_version)
    parents, total = evaluation.rollup()
    found = []
    for code, (score, version) in recorded.items():
        if code is not None and code not in parents:
            continue  # the framework was replaced since
        expected = total if code is None else parents[code]
        if score == expected:
            continue
        label = "the total" if code is None else f"parent {code}"
        found.append(
            finding(
                "total_differs" if code is None else "parent_sum_differs",
                f"{label} was recorded as {fmt(score)} at v{version}, but its children sum to "
                f"{fmt(expected)}",
                score,
                expected,
                (version,),
                indicator=code,
            )
        )
    return found


def corrections_after_use(evaluation: Evaluation, history: list[Any]) -> list[Finding]:
    """Figures corrected after a leaf's score had been computed from the earlier value: data
    entries, and the funds block's sums (年初预算数, 全年预算数, 全年执行数)."""
    tree: dict[str, Indicator] = {}
    used: dict[str, dict[str, tuple[Decimal | None, int]]] = {}  # key → leaf → (score, version)
    values: dict[str, Decimal] = {}
    set_at: dict[str, int] = {}  # the version each figure last took its value at
    funds: dict[str, dict[str, Any]] = {}
    found = []
    for event in history:
        kind = event_type(event)
        if kind == "FrameworkDefined":
            tree, used = build_tree(event.indicators), {}
        elif kind == "ScoreChanged":
            node = tree.get(event.code)
            if node is not None and node.method == "ratio" and event.rule_exact is not None:
                for key in (node.numerator, node.denominator):
                    used.setdefault(str(key), {})[node.code] = (
                        event.after,
                        event.originator_version,
                    )
        reason = getattr(event, "reason", None)  # a new funds source comes without one
        why = f" ({reason})" if reason else ""
        for key, value, what in _figures_moved(kind, event, funds):
            old, corrects = values.get(key), set_at.get(key)
            values[key], set_at[key] = value, event.originator_version
            if corrects is None:
                continue
            for code, (score, scored_at) in sorted(used.pop(key, {}).items()):
                if scored_at <= corrects:
                    continue
                current = evaluation.leaves[code].score if code in evaluation.leaves else None
                found.append(
                    finding(
                        "data_corrected_after_use",
                        f"{what} was corrected from {plain(old)} to "
                        f"{plain(value)} at v{event.originator_version}{why} "
                        f"after {code} had been scored {fmt(score)} from it at v{scored_at}; "
                        f"{code} now scores {fmt(current)}",
                        score,
                        current,
                        (corrects, scored_at, event.originator_version),
                        indicator=code,
                        key=key,
                        old_value=plain(old),
                        new_value=plain(value),
                        reason=reason,
                    )
                )
    return found


def _figures_moved(
    kind: str, event: Any, funds: dict[str, dict[str, Any]]
) -> list[tuple[str, Decimal, str]]:
    """The figures an event gives a value (key, value, how a finding names it); the funds
    rows seen so far are kept in `funds`."""
    if kind == "DataEntryRecorded":
        return [(event.key, event.value, f"data entry {event.key}")]
    if kind not in ("FundsRecorded", "FundsCorrected"):
        return []
    before = fund_sums(funds)
    funds[event.source] = {name: getattr(event, name) for name in FUND_SUMS}
    after = fund_sums(funds)
    return [
        (key, value, f"{key} (the sum of the funds block)")
        for name, key in FUND_SUMS.items()
        if (value := after[name]) is not None and value != before[name]
    ]
