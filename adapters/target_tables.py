"""Read-model tables of targets and sign-offs (rm_targets, rm_sign_offs, requirements)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text

from adapters.tables import metadata

targets = Table(
    "rm_targets",
    metadata,
    Column("evaluation_id", String(36), primary_key=True),
    Column("code", String(64), primary_key=True),
    Column("weight", String(32), nullable=False),
    Column("definition", JSON, nullable=False),
    Column("monitored", JSON),
    Column("final", JSON),
)

sign_offs = Table(
    "rm_sign_offs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("evaluation_id", String(36), nullable=False),
    Column("actor", Text, nullable=False),
    Column("role", String(32), nullable=False),
    Column("capacity", Text, nullable=False),
    Column("opinion", Text),
    Column("version", Integer, nullable=False),
    Column("head_digest", String(64)),
    Column("signed_at", String(40), nullable=False),
    Column("title", Text),
    Column("organization", Text),
    Column("phone", String(40)),
    Index("rm_sign_offs_evaluation_idx", "evaluation_id", "version"),
)

requirements = Table(
    "rm_sign_off_requirements",
    metadata,
    Column("evaluation_id", String(36), primary_key=True),
    Column("capacities", JSON, nullable=False),
)

TARGET_TABLES = (targets, sign_offs, requirements)
