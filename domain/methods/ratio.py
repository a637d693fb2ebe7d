"""比率法: rate = numerator / denominator (two data entries), capped; score = rate × weight."""

from __future__ import annotations

from typing import Any, ClassVar

from domain.indicator import Indicator
from domain.methods.base import ZERO, Context, Method, Problem, RuleResult, ScoringMethod, Trace
from domain.values import HUNDRED, fmt, plain, shown

# the two data entries a ratio reads, as a Chinese explanation names them
ROLE_ZH = {"numerator": "分子", "denominator": "分母"}


class RatioMethod(ScoringMethod):
    name: ClassVar[str] = Method.RATIO
    order: ClassVar[int] = 3

    def check_definition(self, d: dict[str, Any], problem: Problem) -> None:
        if not d["numerator"] or not d["denominator"]:
            problem(d["code"], "a ratio leaf needs numerator and denominator data-entry keys")
        if d["cap"] is not None and d["cap"] <= 0:
            problem(d["code"], f"cap {d['cap']} must be positive")

    def rule(
        self,
        node: Indicator,
        inputs: Any,
        context: Context,
        trace: Trace | None = None,
        score_version: int | None = None,
    ) -> RuleResult:
        entries = context.entries
        keys = {"numerator": str(node.numerator), "denominator": str(node.denominator)}
        if trace is not None:
            self._explain_entries(keys, context, trace)
        missing = [k for k in (node.numerator, node.denominator) if str(k) not in entries]
        if missing:
            return RuleResult(None, "missing data entries: " + ", ".join(str(k) for k in missing))
        numerator = entries[keys["numerator"]].value
        denominator = entries[keys["denominator"]].value
        if denominator == 0:
            return RuleResult(ZERO, f"denominator {node.denominator} is 0: score set to 0")
        uncapped = numerator / denominator
        rate = max(uncapped, ZERO)
        if node.cap is not None:
            rate = min(rate, node.cap)
        if trace is not None:
            trace.add(
                "ratio",
                f"{shown(numerator)} / {shown(denominator)} = {shown(uncapped)}"
                + (f", capped at {shown(node.cap)}" if rate != uncapped else ""),
                rate,
                max(entries[k].version for k in keys.values()),
                zh=f"{shown(numerator)} / {shown(denominator)} = {shown(uncapped)}"
                + (f"，以 {shown(node.cap)} 为上限" if rate != uncapped else ""),
                rate=fmt(rate * HUNDRED),
                uncapped=plain(uncapped),
                cap=plain(node.cap),
            )
            trace.add(
                "product",
                f"{shown(rate)} × {fmt(node.weight)} = {shown(rate * node.weight)}",
                rate * node.weight,
                score_version,
            )
        return RuleResult(rate * node.weight, rates=(rate,))

    @staticmethod
    def _explain_entries(keys: dict[str, str], context: Context, trace: Trace) -> None:
        for role, key in keys.items():
            entry = context.entries.get(key)
            if entry is None:
                trace.add(
                    "data_entry",
                    f"{role} {key}: not recorded",
                    None,
                    None,
                    zh=f"{ROLE_ZH[role]} {key}：未录入",
                    role=role,
                    key=key,
                )
                continue
            trace.add(
                "data_entry",
                f"{role} {key} = {shown(entry.value)} {entry.unit or ''}".rstrip()
                + (f" ({entry.source})" if entry.source else ""),
                entry.value,
                entry.version,
                zh=f"{ROLE_ZH[role]} {key} = {shown(entry.value)} {entry.unit or ''}".rstrip()
                + (f"（{entry.source}）" if entry.source else ""),
                role=role,
                key=key,
                unit=entry.unit,
                source=entry.source,
                corrections=[
                    {"value": plain(p["value"]), "version": p["version"]} for p in entry.previous
                ],
            )
