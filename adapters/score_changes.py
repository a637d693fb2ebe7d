"""One indicator's score changes, a page at a time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from adapters.tables import ITEM_COLUMNS, indicator_history


def score_change_page(
    connection: Connection, evaluation_id: str, code: str, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the indicator's changes, oldest first, and how many it has in all (the
    count read only when the page does not tell it)."""
    h = indicator_history
    where = (h.c.evaluation_id == evaluation_id, h.c.code == code)
    offset = (page - 1) * per_page
    query = (
        select(*(h.c[c] for c in ITEM_COLUMNS))
        .where(*where)
        .order_by(h.c.version)
        .limit(per_page)
        .offset(offset)
    )
    rows = connection.execute(query).all()
    if 0 < len(rows) < per_page or (page == 1 and not rows):
        total = offset + len(rows)  # the last page: the count is known, no second read
    else:
        total = int(connection.execute(select(func.count()).where(*where)).scalar() or 0)
    return [dict(zip(ITEM_COLUMNS, row, strict=True)) for row in rows], total
