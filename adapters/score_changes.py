"""One indicator's score changes, a page read with the driver's own cursor."""

from __future__ import annotations

from itertools import repeat
from typing import Any

from sqlalchemy.engine import Connection, Dialect

from adapters.tables import indicator_history

# An item's keys, in the order the page query selects them: the rows hold each value in its
# published form (times as ISO text), so an item is these keys zipped with a row's values.
ITEM_COLUMNS = (
    "version",
    "recorded_at",
    "actor",
    "role",
    "type",
    "cause_version",
    "score_before",
    "score_after",
    "rule_score",
    "overridden",
    "reason",
    "dispute_id",
)

_SQL: dict[str, tuple[str, str]] = {}


def _statements(dialect: Dialect) -> tuple[str, str]:
    """The page query and the count query in the driver's own parameter style."""
    statements = _SQL.get(dialect.name)
    if statements is None:
        prepare = dialect.identifier_preparer
        table = prepare.format_table(indicator_history)
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        where = f"evaluation_id = {mark} AND code = {mark}"
        columns = ", ".join(prepare.quote(c) for c in ITEM_COLUMNS)
        page = (
            f"SELECT {columns} FROM {table} WHERE {where} "
            f"ORDER BY {prepare.quote('version')} LIMIT {mark} OFFSET {mark}"
        )
        count = f"SELECT count(*) FROM {table} WHERE {where}"
        statements = _SQL[dialect.name] = (page, count)
    return statements


def score_change_page(
    connection: Connection, evaluation_id: str, code: str, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the indicator's changes, oldest first, and how many it has in all.

    Goes past SQLAlchemy's result rows: for a page of hundreds of changes, building a
    mapping per row and converting its values cost several times the database's own work.
    """
    page_sql, count_sql = _statements(connection.dialect)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        offset = (page - 1) * per_page
        cursor.execute(page_sql, (evaluation_id, code, per_page, offset))
        rows = cursor.fetchall()
        if 0 < len(rows) < per_page or (page == 1 and not rows):
            total = offset + len(rows)  # the last page: the count is known, no second read
        else:
            cursor.execute(count_sql, (evaluation_id, code))
            (total,) = cursor.fetchone() or (0,)
    finally:
        cursor.close()
    items: list[dict[str, Any]] = list(map(dict, map(zip, repeat(ITEM_COLUMNS), rows)))
    if connection.dialect.name == "sqlite":  # it hands booleans back as 0 and 1
        for item in items:
            item["overridden"] = item["overridden"] == 1
    return items, total
