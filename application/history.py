"""Searching an evaluation's event history: filters, and time or named bounds as versions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from application.errors import VersionNotFound
from application.ports import EvaluationQueries

# Named bounds: `from=submission` is the latest submission (and everything after it).
NAMED_BOUNDS = {"submission": "Submitted", "finalization": "Finalized", "reopening": "Reopened"}
Bound = int | datetime | None


def search_history(
    queries: EvaluationQueries,
    require: Callable[[str], Any],
    evaluation_id: str,
    page: int,
    per_page: int,
    filters: dict[str, Any],
) -> dict[str, Any]:
    """One page of the events matching every given filter, oldest first.

    `start` and `end` are versions, times (turned into versions by one index seek each) or
    a named bound (404 when the evaluation has no such moment); the other filters compare
    for equality and each reads its own index.
    """
    narrowed = {k: v for k, v in filters.items() if k not in ("start", "end") and v is not None}
    start, end = (
        _named(queries, require, evaluation_id, bound) if isinstance(bound, str) else bound
        for bound in (filters.get("start"), filters.get("end"))
    )
    first = _first_version(queries, evaluation_id, start)
    last = _last_version(queries, evaluation_id, end)
    if first is None or last is None or first > last:
        items: list[dict[str, Any]] = []
        total = 0
    else:
        narrowed.update(from_version=first, to_version=last)
        items, total = queries.history(evaluation_id, page, per_page, narrowed)
    if total == 0:
        require(evaluation_id)  # 404 for an evaluation that does not exist
    return page_of(items, total, page, per_page)


def _named(
    queries: EvaluationQueries, require: Callable[[str], Any], evaluation_id: str, name: str
) -> int:
    """The version of the latest such moment; one that has not happened is refused by name
    (an empty page would read as "nothing changed since"), after the evaluation's own 404."""
    version = queries.last_version_of(evaluation_id, NAMED_BOUNDS[name])
    if version is None:
        require(evaluation_id)
        raise VersionNotFound(f"evaluation {evaluation_id} has no {name} yet", moment=name)
    return version


def _first_version(queries: EvaluationQueries, evaluation_id: str, bound: Bound) -> int | None:
    """The first version inside the range (None: nothing can be inside it)."""
    if bound is None:
        return 1
    if isinstance(bound, int):
        return bound
    before = queries.version_at(evaluation_id, bound - timedelta(microseconds=1))
    return 1 if before is None else before + 1


def _last_version(queries: EvaluationQueries, evaluation_id: str, bound: Bound) -> int | None:
    """The last version inside the range (None: nothing can be inside it)."""
    if bound is None:
        return 2**31 - 1
    if isinstance(bound, int):
        return bound
    return queries.version_at(evaluation_id, bound)


def page_of(items: list[dict[str, Any]], total: int, page: int, per_page: int) -> dict[str, Any]:
    """One page of a listing, with the counts a client pages by."""
    return {
        "items": items,
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": (total + per_page - 1) // per_page if per_page else 0,
    }
