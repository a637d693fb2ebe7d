"""The event recorder's insert_events: records and digests commit, or roll back, together."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from adapters.bootstrap import Components, build_components
from adapters.integrity import ChainedRecorder, RawEventLog
from application.integrity import walk


class Abandoned(Exception):
    """Raised inside the enclosing unit of work, after the insert."""


@pytest.fixture
def components(store_url: str) -> Iterator[Components]:
    built = build_components(store_url, secret="test-secret")
    yield built
    built.dispose()


def stored(originator: UUID, version: int) -> StoredEvent:
    return StoredEvent(originator, version, "tests:Event", b'{"n":%d}' % version)


def recorder_of(components: Components) -> ChainedRecorder:
    recorder = components.service.store.recorder
    assert isinstance(recorder, ChainedRecorder)
    return recorder


def test_insert_events_alone_stores_chained_records_and_gives_their_ids_in_order(
    components: Components,
) -> None:
    recorder = recorder_of(components)
    originator = uuid4()
    first = recorder.insert_events([stored(originator, 1), stored(originator, 2)])
    second = recorder.insert_events([stored(originator, 3)])
    assert len(first) == 2 and first[0] < first[1] < second[0]
    log = RawEventLog(recorder)
    rows = log.records(str(originator))
    assert [(r.version, r.state) for r in rows] == [(v, b'{"n":%d}' % v) for v in (1, 2, 3)]
    verdict = walk(recorder.key, str(originator), rows, log.stored_digests(str(originator)))
    assert verdict.ok and verdict.head_version == 3


def test_insert_events_joins_the_enclosing_unit_of_work_and_rolls_back_with_it(
    components: Components,
) -> None:
    recorder = recorder_of(components)
    originator = uuid4()
    recorder.insert_events([stored(originator, 1)])
    with pytest.raises(Abandoned), components.service.unit_of_work.transaction():
        recorder.insert_events([stored(originator, 2)])
        raise Abandoned
    log = RawEventLog(recorder)
    assert [r.version for r in log.records(str(originator))] == [1]
    assert list(log.stored_digests(str(originator))) == [1]
    # the chain goes on from what was stored, not from the rolled-back record
    recorder.insert_events([stored(originator, 2)])
    rows = log.records(str(originator))
    assert walk(recorder.key, str(originator), rows, log.stored_digests(str(originator))).ok
