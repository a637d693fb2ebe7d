"""The eventsourcing Application holding Evaluation aggregates."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import Application, project_aggregate
from eventsourcing.persistence import Recording, Transcoder
from eventsourcing.utils import EnvType

from application.checkouts import Checkouts
from application.snapshots import EvaluationSnapshot
from application.transcoding import SubclassAwareTranscoder, domain_transcodings
from domain.evaluation import Evaluation

# How many evaluations a process keeps ready for the next command
# (environment: SCORETRAIL_EVALUATION_CACHE_SIZE; 0 turns the cache off).
DEFAULT_CACHE_SIZE = 256


class EvaluationStore(Application[Any]):
    """Event store and repository for evaluations; snapshots keep long histories cheap."""

    name = "ScoreTrail"  # table names derive from it: keep it stable
    # Snapshots are taken by save() below, from the evaluation in hand, every this many events
    is_snapshotting_enabled = True
    snapshot_interval: ClassVar[int] = 50

    def __init__(self, env: EnvType | None = None) -> None:
        super().__init__(env)
        size = self.env.get("EVALUATION_CACHE_SIZE")  # read as SCORETRAIL_EVALUATION_CACHE_SIZE
        self.checkouts: Checkouts[UUID, Evaluation] = Checkouts(
            int(size) if size else DEFAULT_CACHE_SIZE
        )

    def construct_transcoder(self) -> Transcoder:
        transcoder = SubclassAwareTranscoder()
        self.register_transcodings(transcoder)
        for transcoding in domain_transcodings():
            transcoder.register(transcoding)
        return transcoder

    # ------------------------------------------------------ lending for commands
    def checkout(self, evaluation_id: UUID) -> Evaluation:
        """The current evaluation for one command: the shelved one brought up to date, or
        rebuilt from the snapshot and events. Raises AggregateNotFoundError."""
        shelved = self.checkouts.take(evaluation_id)
        if shelved is None:
            evaluation: Evaluation = self.repository.get(evaluation_id)
            return evaluation
        newer = self.events.get(evaluation_id, gt=shelved.version)
        result = project_aggregate(shelved, newer)
        assert isinstance(result, Evaluation)
        return result

    def checkin(self, evaluation: Evaluation) -> None:
        """Shelve an evaluation whose changes are committed, for the next command."""
        self.checkouts.put(evaluation.id, evaluation.version, evaluation)

    # ------------------------------------------------------------------ snapshots
    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[Any]]:
        """Save, then snapshot each evaluation whose events crossed an interval boundary.

        The evaluation in hand is already at its latest version: snapshot that (the version
        may lie a few events past the boundary). Only a save that spans several boundaries
        (a bulk import) rebuilds the earlier ones, so snapshots stay about an interval apart.
        """
        recordings = super().save(*objs, **kwargs)
        if self.snapshots is None:
            return recordings
        for aggregate in objs:
            if not isinstance(aggregate, Evaluation):
                continue
            due = [
                r.domain_event.originator_version
                for r in recordings
                if r.domain_event.originator_id == aggregate.id
                and r.domain_event.originator_version % self.snapshot_interval == 0
            ]
            if not due:
                continue
            for version in due[:-1]:
                self.take_snapshot(aggregate.id, version)
            self.snapshots.put([EvaluationSnapshot.take(aggregate)])
        return recordings

    def take_snapshot(
        self,
        aggregate_id: Any,
        version: int | None = None,
        projector_func: Any = project_aggregate,
    ) -> None:
        """Snapshot the evaluation as it stood at `version`, in the compact form."""
        assert self.snapshots is not None
        aggregate = self.repository.get(
            aggregate_id, version=version, projector_func=projector_func
        )
        self.snapshots.put([EvaluationSnapshot.take(aggregate)])
