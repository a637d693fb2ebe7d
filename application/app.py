"""The eventsourcing Application holding Evaluation aggregates."""

from __future__ import annotations

from typing import Any, ClassVar

from eventsourcing.application import Application
from eventsourcing.persistence import Transcoder

from application.transcoding import SubclassAwareTranscoder, domain_transcodings
from domain.evaluation import Evaluation


class EvaluationStore(Application[Any]):
    """Event store and repository for evaluations; snapshots keep long histories cheap."""

    name = "ScoreTrail"  # table names derive from it: keep it stable
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Evaluation: 50}

    def construct_transcoder(self) -> Transcoder:
        transcoder = SubclassAwareTranscoder()
        self.register_transcodings(transcoder)
        for transcoding in domain_transcodings():
            transcoder.register(transcoding)
        return transcoder
