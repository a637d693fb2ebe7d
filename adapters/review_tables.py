"""Read-model tables of the dispute queue and the review notes (rebuilt from the events)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text

from adapters.tables import UTCDateTime, metadata

disputes = Table(
    "rm_disputes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("evaluation_id", String(36), nullable=False),
    Column("status", String(16), nullable=False),
    Column("target", String(16), nullable=False),
    Column("code", String(64), nullable=False),
    Column("deduction_id", String(36)),
    Column("grounds", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("raised_by", Text, nullable=False),
    Column("raised_role", String(32), nullable=False),
    Column("raised_at", UTCDateTime, nullable=False),
    Column("raised_version", Integer, nullable=False),
    Column("outcome", String(16)),
    Column("points", String(32)),
    Column("previous_points", String(32)),
    Column("decision_reason", Text),
    Column("decided_by", Text),
    Column("decided_role", String(32)),
    Column("decided_at", UTCDateTime),
    Column("decided_version", Integer),
    Index("rm_disputes_queue_idx", "evaluation_id", "status"),
    Index("rm_disputes_status_idx", "status", "raised_at"),  # the queue across evaluations
)

notes = Table(
    "rm_notes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("evaluation_id", String(36), nullable=False),
    Column("code", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("author", Text, nullable=False),
    Column("author_role", String(32), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("resolution", Text),
    Column("resolved_by", Text),
    Column("resolved_role", String(32)),
    Column("resolved_at", UTCDateTime),
    Column("resolved_version", Integer),
    Index("rm_notes_evaluation_idx", "evaluation_id", "status"),
)

REVIEW_TABLES = (disputes, notes)
