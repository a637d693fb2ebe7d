"""The eventsourcing Application holding Evaluation aggregates."""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.application import Application, project_aggregate
from eventsourcing.persistence import Recording, Transcoder
from eventsourcing.utils import EnvType

from application.checkouts import Checkouts
from application.snapshot_schedule import Mark, SnapshotSchedule
from application.snapshots import EvaluationSnapshot
from application.transcoding import SubclassAwareTranscoder, domain_transcodings
from domain.evaluation import Evaluation

# How many evaluations a process keeps ready for the next command
# (environment: SCORETRAIL_EVALUATION_CACHE_SIZE; 0 turns the cache off).
DEFAULT_CACHE_SIZE = 256


class EvaluationStore(Application[Any]):
    """Event store and repository for evaluations; snapshots keep long histories cheap."""

    name = "ScoreTrail"  # table names derive from it: keep it stable
    is_snapshotting_enabled = True
    # Snapshots are taken by save() below, from the evaluation in hand, when the events since
    # the last one weigh `snapshot_fraction` of it, and at least this many events apart
    snapshot_interval: ClassVar[int] = 50
    snapshot_fraction: ClassVar[float] = 0.5

    def __init__(self, env: EnvType | None = None) -> None:
        super().__init__(env)
        size = self.env.get("EVALUATION_CACHE_SIZE")  # read as SCORETRAIL_EVALUATION_CACHE_SIZE
        self.checkouts: Checkouts[UUID, Evaluation] = Checkouts(
            int(size) if size else DEFAULT_CACHE_SIZE
        )
        self.snapshot_schedule: SnapshotSchedule[UUID] = SnapshotSchedule(
            self.snapshot_interval, self.snapshot_fraction
        )

    def construct_transcoder(self) -> Transcoder:
        transcoder = SubclassAwareTranscoder()
        self.register_transcodings(transcoder)
        for transcoding in domain_transcodings():
            transcoder.register(transcoding)
        return transcoder

    # ------------------------------------------------------ lending for commands
    def checkout(self, evaluation_id: UUID, head: int | None = None) -> Evaluation:
        """The current evaluation for one command: the shelved one brought up to date, or
        rebuilt from the snapshot and events. `head`: the latest stored version, when the
        caller read it under the evaluation's lock; a shelved evaluation at that version is
        current as it is. Raises AggregateNotFoundError."""
        shelved = self.checkouts.take(evaluation_id)
        if shelved is None:
            evaluation: Evaluation = self.repository.get(evaluation_id)
            return evaluation
        if head is not None and head == shelved.version:
            return shelved
        if head is not None and shelved.version > head:
            # Shelved by a command whose enclosing unit of work then rolled back: its last
            # events were never stored, so it is rebuilt from what was.
            rebuilt: Evaluation = self.repository.get(evaluation_id)
            return rebuilt
        newer = self.events.get(evaluation_id, gt=shelved.version)
        result = project_aggregate(shelved, newer)
        assert isinstance(result, Evaluation)
        return result

    def checkin(self, evaluation: Evaluation) -> bool:
        """Shelve an evaluation whose changes are committed, for the next command; False
        when nothing is shelved here (the evaluation stays the caller's alone)."""
        self.checkouts.put(evaluation.id, evaluation.version, evaluation)
        return self.checkouts.maxsize > 0

    # ------------------------------------------------------------------ snapshots
    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[Any]]:
        """Save, then snapshot each evaluation whose events since its last snapshot weigh
        enough (`SnapshotSchedule`).

        The evaluation in hand is already at its latest version: a snapshot due within the
        last `snapshot_interval` events of a save is taken of it. Only a save that records
        more (a bulk import) rebuilds earlier versions to snapshot them.
        """
        recordings = super().save(*objs, **kwargs)
        if self.snapshots is None:
            return recordings
        for aggregate in objs:
            if isinstance(aggregate, Evaluation):
                mine = [r for r in recordings if r.domain_event.originator_id == aggregate.id]
                if mine:
                    self._snapshot_when_due(aggregate, mine)
        return recordings

    def _snapshot_when_due(self, evaluation: Evaluation, recorded: list[Recording[Any]]) -> None:
        key = evaluation.id
        last = recorded[-1].domain_event.originator_version
        mark = self.snapshot_schedule.mark(
            key,
            recorded[0].domain_event.originator_version - 1,
            lambda: self._latest_snapshot(key),
            lambda gt, lte: self._stored_bytes(key, gt, lte),
        )
        for recording in recorded:
            version = recording.domain_event.originator_version
            mark = Mark(version, mark.version, mark.size, mark.since + _size(recording))
            if not self.snapshot_schedule.due(mark, version):
                continue
            if last - version < self.snapshot_interval:
                size = self._put_snapshot(EvaluationSnapshot.take(evaluation))
                mark = Mark(last, last, size, 0)
                break
            size = self._put_snapshot(
                EvaluationSnapshot.take(self.repository.get(key, version=version))
            )
            mark = Mark(version, version, size, 0)
        else:
            mark = Mark(last, mark.version, mark.size, mark.since)
        self.snapshot_schedule.keep(key, mark)

    def _put_snapshot(self, snapshot: EvaluationSnapshot) -> int:
        """Store one snapshot; its stored size in bytes."""
        assert self.snapshots is not None
        stored = self.snapshots.mapper.to_stored_event(snapshot)
        self.snapshots.recorder.insert_events([stored])
        return len(stored.state)

    def _latest_snapshot(self, key: UUID) -> tuple[int, int] | None:
        """The version and stored size of the latest snapshot, from the store."""
        assert self.snapshots is not None
        recorder = self.snapshots.recorder
        if isinstance(recorder, SizedSnapshots):
            return recorder.latest_size(key)
        found = recorder.select_events(key, desc=True, limit=1)
        return (found[0].originator_version, len(found[0].state)) if found else None

    def _stored_bytes(self, key: UUID, gt: int, lte: int) -> int:
        """The stored bytes of the events after version `gt` up to `lte`, from the store."""
        if isinstance(self.recorder, SizedEvents):
            return self.recorder.stored_bytes(key, gt, lte)
        return sum(len(e.state) for e in self.recorder.select_events(key, gt=gt, lte=lte))

    def take_snapshot(
        self,
        aggregate_id: Any,
        version: int | None = None,
        projector_func: Any = project_aggregate,
    ) -> None:
        """Snapshot the evaluation as it stood at `version`, in the compact form."""
        aggregate = self.repository.get(
            aggregate_id, version=version, projector_func=projector_func
        )
        self._put_snapshot(EvaluationSnapshot.take(aggregate))
        self.snapshot_schedule.forget(aggregate_id)


@runtime_checkable
class SizedSnapshots(Protocol):
    """A snapshot recorder that weighs its latest snapshot without reading it (SQL)."""

    def latest_size(self, originator_id: UUID) -> tuple[int, int] | None: ...


@runtime_checkable
class SizedEvents(Protocol):
    """An event recorder that weighs stored events without reading them (SQL)."""

    def stored_bytes(self, originator_id: UUID, gt: int, lte: int) -> int: ...


def _size(recording: Recording[Any]) -> int:
    return len(recording.notification.state)
