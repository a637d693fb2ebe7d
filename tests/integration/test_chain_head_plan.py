"""The chain head's read stays one row however long the history, on PostgreSQL's kept plan."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adapters.bootstrap import Components, build_components
from adapters.integrity import ChainedRecorder


@pytest.fixture
def generic_plans(postgres_url: str) -> Iterator[Components]:
    """A store whose connections always use the generic plan of a prepared statement (the
    plan PostgreSQL keeps once chosen, here chosen while the tables are empty) and join by
    anything but a nested loop: a join the planner may pick when it thinks tables are small."""
    url = make_url(postgres_url)
    given = url.query.get("options", "")
    options = f"{given} -c plan_cache_mode=force_generic_plan -c enable_nestloop=off".strip()
    built = build_components(
        url.update_query_dict({"options": options}).render_as_string(hide_password=False),
        secret="test-secret",
    )
    yield built
    built.dispose()


def stored(originator: UUID, versions: range) -> list[StoredEvent]:
    return [StoredEvent(originator, v, "tests:Event", b'{"n":%d}' % v) for v in versions]


def rows_read(plan: dict[str, Any], table: str) -> int:
    """Rows the plan's nodes on `table` produced, summed over the whole tree."""
    own = plan["Actual Rows"] * plan["Actual Loops"] if plan.get("Relation Name") == table else 0
    return own + sum(rows_read(child, table) for child in plan.get("Plans", []))


def test_the_chain_head_read_fetches_one_digest_after_the_history_grows(
    generic_plans: Components,
) -> None:
    recorder = generic_plans.service.store.recorder
    assert isinstance(recorder, ChainedRecorder)
    originator = uuid4()
    with recorder.transaction(commit=False) as session:
        assert recorder.read_head(session, originator) is None  # prepared now, tables empty
    recorder.insert_events(stored(originator, range(1, 2004)))
    with recorder.transaction(commit=False) as session:
        assert recorder.read_head(session, originator) == 2003
        name = session.execute(
            text(
                "SELECT name FROM pg_prepared_statements"
                " WHERE statement LIKE '%max(%' AND statement LIKE '%event_digests%'"
                " AND statement NOT LIKE '%pg_prepared_statements%'"
            )
        ).scalar_one()
        # EXECUTE takes no bind parameters: both of the statement's are this uuid's text
        explained = session.execute(
            text(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE {name}('{originator}', '{originator}')")
        ).scalar_one()
    plan = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]
    assert rows_read(plan, recorder.digests.name) == 1
