"""SQL read-model tables: disposable, rebuilt from the events at any time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator

# Bump when a table's shape changes, or what the stored documents hold is computed differently
# (14: completion rates of cost and `=` targets, the target rules column, the form and funds
# tables, the feed's unique notification index; 15: the history tables' autovacuum storage
# parameters, set only when a table is created; 16: the signer's title, organization and phone
# on rm_sign_offs; 17: history tables hold closed ranges only, inserted once, the open one in
# the source row's `since`, every row sealed; 18: row seals are keyed BLAKE2b over compact
# JSON; 19: on PostgreSQL the history tables' as-of index is a GiST range index, btree_gist,
# in place of the interval tree's two): the read models are then rebuilt.
SCHEMA_VERSION = 19

metadata = MetaData()


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC (sortable in SQLite and PostgreSQL alike), returns aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


evaluations = Table(
    "rm_evaluations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("title", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("evaluator", Text),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("total_weight", String(32), nullable=False),
    Column("total", String(32)),
    Column("grade", String(16)),
    Column("grade_bands", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("time_zone", String(64)),  # null: the service's default zone
    Column("target_rules", JSON),  # null: the national rules (domain.targets.rules)
    # named as SQLAlchemy named `index=True` before, so stores made then keep it
    Index("ix_rm_evaluations_fiscal_year", "fiscal_year"),
)

indicators = Table(
    "rm_indicators",
    metadata,
    Column("evaluation_id", String(36), primary_key=True),
    Column("code", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("parent", String(64)),
    Column("name", Text, nullable=False),
    Column("level", Integer, nullable=False),
    Column("weight", String(32), nullable=False),
    Column("method", String(16)),
    Column("explanation", Text),
    Column("criteria", Text),
    Column("score", String(32)),
    Column("rule_score", String(32)),
    Column("overridden", Boolean, nullable=False, default=False),
    Column("override_justification", Text),
    Column("note", Text),
    Column("rates", JSON),  # the rule's exact rates (per question for surveys)
)

deductions = Table(
    "rm_deductions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("evaluation_id", String(36), nullable=False),
    Column("code", String(64), nullable=False),
    Column("points", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("actor", Text, nullable=False),
    Column("withdrawal_reason", Text),
    Index("rm_deductions_evaluation_idx", "evaluation_id", "code"),
    # a document lists the active deductions: a seek past however many were withdrawn
    Index("rm_deductions_status_idx", "evaluation_id", "status", "version"),
)

data_entries = Table(
    "rm_data_entries",
    metadata,
    Column("evaluation_id", String(36), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("value", String(64), nullable=False),
    Column("unit", Text),
    Column("source", Text),
    Column("version", Integer, nullable=False),
)

events = Table(
    "rm_events",
    metadata,
    Column("evaluation_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("notification_id", Integer, nullable=False),
    Column("type", String(64), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("actor", Text, nullable=False),
    Column("role", String(32), nullable=False),
    Column("correlation_id", String(128), nullable=False),
    Column("data", JSON, nullable=False),
    # what the event touched and why, so that history filters read an index, not the JSON
    Column("indicator", String(64)),
    Column("reason", Text),
    Column("cause", String(36)),  # the dispute behind it, if any
    # as_of → version with one index seek, however long the history
    Index("rm_events_time_idx", "evaluation_id", "recorded_at", "version"),
    # each history filter is one range of its own index, in version order
    Index("rm_events_type_idx", "evaluation_id", "type", "version"),
    Index("rm_events_actor_idx", "evaluation_id", "actor", "version"),
    Index("rm_events_role_idx", "evaluation_id", "role", "version"),
    Index("rm_events_indicator_idx", "evaluation_id", "indicator", "version"),
    Index("rm_events_cause_idx", "evaluation_id", "cause", "version"),
    # the change feed reads every evaluation's events in the event store's order
    Index("rm_events_position_idx", "notification_id", unique=True),
)

indicator_history = Table(
    "rm_indicator_history",
    metadata,
    Column("evaluation_id", String(36), primary_key=True),
    Column("code", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    # ISO-8601 in UTC, as the history publishes it: a page is read with no conversion per
    # row (adapters.score_changes); nothing filters or sorts on it
    Column("recorded_at", String(40), nullable=False),
    Column("actor", Text, nullable=False),
    Column("role", String(32), nullable=False),
    Column("type", String(64), nullable=False),
    Column("cause_version", Integer, nullable=False),
    Column("score_before", String(32)),
    Column("score_after", String(32)),
    Column("rule_score", String(32)),
    Column("overridden", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("dispute_id", String(36)),
    # SQLite keeps the rows in primary-key order: a page is one range of the table itself,
    # not a range of an index and a look-up of every row it names
    sqlite_with_rowid=False,
)

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

tracking = Table(
    "rm_tracking",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("schema_version", Integer, nullable=False),
)

# One keyed seal per evaluation over its document (the view listing active deductions) and
# how many withdrawn deductions that view leaves out: an edited row no longer matches. `text`
# is that document as sent (application.seals.canonical), so a read sends it without
# assembling or encoding anything.
document_seals = Table(
    "rm_document_seals",
    metadata,
    Column("evaluation_id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("seal", String(64), nullable=False),
    Column("withdrawn", Integer, nullable=False, server_default="0"),
    Column("text", Text),
)

READ_MODEL_TABLES = (
    evaluations,
    indicators,
    deductions,
    data_entries,
    events,
    indicator_history,
    document_seals,
)
