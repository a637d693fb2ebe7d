"""Statements SQLAlchemy has no construct for: moving a table to another schema, or its rows."""

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


class CopyRows(ExecutableDDLElement):
    """`INSERT INTO … SELECT * FROM …`: every row of `source` into the empty `table` of the
    same shape. SQLite copies such rows (and their index entries, when the target's indexes
    match the source's) as stored, without decoding or re-sorting them: its transfer
    optimisation, which a column list (what `insert().from_select` writes) turns off."""

    inherit_cache = False

    def __init__(self, table: Table, source: Table) -> None:
        self.table = table
        self.source = source


@compiles(CopyRows)
def _copy_rows(element: CopyRows, compiler: Any, **kw: Any) -> str:
    preparer = compiler.preparer
    target, source = preparer.format_table(element.table), preparer.format_table(element.source)
    return f"INSERT INTO {target} SELECT * FROM {source}"
