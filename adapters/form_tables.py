"""Read-model tables of the self-evaluation form's header fields and funds rows."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, Text

from adapters.tables import metadata

# one row per filled field of the header and overall goal (a cleared field has none)
form_fields = Table(
    "rm_form_fields",
    metadata,
    Column("evaluation_id", String(36), primary_key=True),
    Column("field", String(32), primary_key=True),
    Column("value", Text, nullable=False),
)

# one row per source of the 项目资金 block; amounts as exact decimal strings
funds = Table(
    "rm_funds",
    metadata,
    Column("evaluation_id", String(36), primary_key=True),
    Column("source", String(120), primary_key=True),
    Column("initial_budget", String(64)),
    Column("full_year_budget", String(64), nullable=False),
    Column("executed", String(64), nullable=False),
    Column("version", Integer, nullable=False),  # the last change of the row
    Column("first_version", Integer, nullable=False),  # its place in the block
)

FORM_TABLES = (form_fields, funds)
