"""History filters over the event read model: conditions and item shape."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_

from adapters.tables import events
from application.documents import iso

# filter name → column compared for equality; `type` also takes a list
EQUALITY_FILTERS = {
    "type": events.c.type,
    "actor": events.c.actor,
    "role": events.c.role,
    "indicator": events.c.indicator,
    "cause": events.c.cause,
}


def history_where(evaluation_id: str, filters: dict[str, Any]) -> Any:
    """One evaluation's events narrowed by the filters (all optional); version bounds are
    inclusive, and time bounds are turned into versions before they get here."""
    conditions = [events.c.evaluation_id == evaluation_id]
    for name, column in EQUALITY_FILTERS.items():
        wanted = filters.get(name)
        if wanted is None:
            continue
        if isinstance(wanted, list | tuple):
            conditions.append(column.in_(list(wanted)))
        else:
            conditions.append(column == wanted)
    if filters.get("from_version") is not None:
        conditions.append(events.c.version >= int(filters["from_version"]))
    if filters.get("to_version") is not None:
        conditions.append(events.c.version <= int(filters["to_version"]))
    return and_(*conditions)


def history_item(row: Any) -> dict[str, Any]:
    """One row of the event read model as the API shows it."""
    return {
        "version": row["version"],
        "type": row["type"],
        "recorded_at": iso(row["recorded_at"]),
        "actor": row["actor"],
        "role": row["role"],
        "correlation_id": row["correlation_id"],
        "indicator": row["indicator"],
        "reason": row["reason"],
        "cause": row["cause"],
        "data": row["data"],
    }


def matches(item: dict[str, Any], filters: dict[str, Any]) -> bool:
    """The filters of `history_where` over history items in hand (the in-memory read model)."""
    for name in EQUALITY_FILTERS:
        wanted = filters.get(name)
        if wanted is not None and item[name] not in (
            wanted if isinstance(wanted, list | tuple) else [wanted]
        ):
            return False
    low, high = filters.get("from_version"), filters.get("to_version")
    return (low is None or item["version"] >= int(low)) and (
        high is None or item["version"] <= int(high)
    )
