"""Statements SQLAlchemy has no construct for: moving a table to another schema, renaming it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import ExecutableDDLElement


class SetSchema(ExecutableDDLElement):
    """`ALTER TABLE … SET SCHEMA …`: the table (with its indexes, constraints and owned
    sequences) moves; both names are quoted by the dialect."""

    inherit_cache = False

    def __init__(self, table: Table, schema: str) -> None:
        self.table = table
        self.schema = schema


@compiles(SetSchema)
def _set_schema(element: SetSchema, compiler: Any, **kw: Any) -> str:
    preparer = compiler.preparer
    # format_table renders the table's schema as the connection's schema_translate_map says
    table = preparer.format_table(element.table)
    return f"ALTER TABLE {table} SET SCHEMA {preparer.quote_schema(element.schema)}"


class RenameTable(ExecutableDDLElement):
    """`ALTER TABLE … RENAME TO …`: the table keeps its rows, indexes and schema; the new
    name is quoted by the dialect."""

    inherit_cache = False

    def __init__(self, table: Any, name: str) -> None:
        self.table = table
        self.name = name


@compiles(RenameTable)
def _rename_table(element: RenameTable, compiler: Any, **kw: Any) -> str:
    preparer = compiler.preparer
    table = preparer.format_table(element.table)
    return f"ALTER TABLE {table} RENAME TO {preparer.quote(element.name)}"
