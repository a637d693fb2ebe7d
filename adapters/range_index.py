"""PostgreSQL's btree_gist extension, which the history tables' range indexes need."""

from __future__ import annotations

from typing import Any

from sqlalchemy import column, func, select, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

EXTENSION = "btree_gist"
# Made in `public`, not in the store's schema: a store kept in a schema of its own (tests,
# benchmarks, `options=-csearch_path=…`) would otherwise take the extension, and with it
# every other store's range indexes, when its schema is dropped.
CREATE = text("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public")
# Set-up locks are per schema (adapters.setup): stores of one database starting at once
# make the extension one at a time under this database-wide key.
EXTENSION_LOCK = (0x5C07F, 0)
_extensions = table("pg_extension", column("extname"))


class RangeIndexUnavailable(RuntimeError):
    """The database has no btree_gist and this user cannot make it."""


def ensure_btree_gist(target: Any, connection: Connection, **kw: Any) -> None:
    """Before a history table is created on PostgreSQL: make btree_gist if the database
    lacks it (a DDL listener, so every way a table is created passes here). Raises
    `RangeIndexUnavailable`, naming what to run, when it cannot: a store without it would
    read past documents by scanning, so it does not start."""
    if connection.dialect.name != "postgresql" or _installed(connection):
        return
    connection.execute(select(func.pg_advisory_xact_lock(*EXTENSION_LOCK)))
    if _installed(connection):  # made by another store while this one waited
        return
    try:
        connection.execute(CREATE)
    except DBAPIError as error:
        database = connection.engine.url.database
        raise RangeIndexUnavailable(
            f"PostgreSQL database {database!r} lacks the {EXTENSION} extension, which the "
            f"history tables' range indexes need, and this user cannot create it "
            f"({str(error.orig).strip().splitlines()[0]}): run "
            f"`CREATE EXTENSION {EXTENSION};` in that database as a user allowed to (a "
            "superuser, or one with CREATE on the database: it is a trusted extension), "
            "then start again"
        ) from error


def _installed(connection: Connection) -> bool:
    query = select(_extensions.c.extname).where(_extensions.c.extname == EXTENSION)
    return connection.execute(query).first() is not None
