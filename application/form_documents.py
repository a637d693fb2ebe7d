"""The document's `form` and `funds`: the same views from the aggregate and from the rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from domain.form import FORM_FIELDS, FUND_SUMS, fund_sums
from domain.values import fmt, rate_percent


def form_view(fields: Mapping[str, Any]) -> dict[str, str | None]:
    """Every field of the form's header and overall goal; None where nothing is filled."""
    return {name: fields.get(name) for name in FORM_FIELDS}


def funds_view(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The 项目资金 block: per source (in the order first recorded) and summed, amounts with
    two decimals and 执行率 = 全年执行数 ÷ 全年预算数 as a percent (None for a zero budget).

    `rows` carry `source`, the three amounts (Decimals or exact decimal strings), `version`
    and `first_version`."""
    ordered = sorted(rows, key=lambda r: int(r["first_version"]))
    amounts = {
        str(r["source"]): {name: _decimal(r.get(name)) for name in FUND_SUMS} for r in ordered
    }
    sources = [
        {"source": str(r["source"]), **_amounts(amounts[str(r["source"])]), "version": r["version"]}
        for r in ordered
    ]
    return {"sources": sources, "total": _amounts(fund_sums(amounts))}


def fund_row(source: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row of the aggregate's funds as `funds_view` and the read model take it."""
    return {"source": source, **row}


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _amounts(values: Mapping[str, Decimal | None]) -> dict[str, str | None]:
    budget, executed = values["full_year_budget"], values["executed"]
    rate = None
    if budget is not None and executed is not None:
        rate = rate_percent(executed, budget)
    return {**{name: fmt(values[name]) for name in FUND_SUMS}, "rate": fmt(rate)}


def form_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """What a diff lists of the form and the funds between two documents: each field that
    reads differently, each source whose row differs (None where it was not recorded)."""
    old_form, new_form = before.get("form") or {}, after.get("form") or {}
    fields = [
        {"field": name, "before": old_form.get(name), "after": new_form.get(name)}
        for name in FORM_FIELDS
        if old_form.get(name) != new_form.get(name)
    ]
    old, new = (_by_source(d) for d in (before, after))
    sources = [
        {"source": source, "before": old.get(source), "after": new.get(source)}
        for source in [*new, *(s for s in old if s not in new)]
        if old.get(source) != new.get(source)
    ]
    return {"form": fields, "funds": sources}


def _by_source(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    rows = (document.get("funds") or {}).get("sources") or []
    kept = ("initial_budget", "full_year_budget", "executed", "rate")
    return {r["source"]: {k: r[k] for k in kept} for r in rows}
