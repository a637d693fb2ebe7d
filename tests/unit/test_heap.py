"""The frozen heap a rebuild runs in is handed back to the collector however the block ends."""

import gc
from typing import Any

import pytest

from application.heap import frozen_heap
from application.service import EvaluationService
from domain.evaluation import Actor


def test_objects_alive_at_the_start_are_frozen_inside_the_block_and_released_after() -> None:
    with frozen_heap():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_a_failing_block_still_releases_the_frozen_objects() -> None:
    with pytest.raises(RuntimeError), frozen_heap():
        raise RuntimeError("rebuild failed")
    assert gc.get_freeze_count() == 0


def test_a_rebuild_projects_in_a_frozen_heap_and_leaves_nothing_frozen(
    service: EvaluationService, reference_case: dict[str, Any], actor: Actor
) -> None:
    service.import_evaluation(reference_case, actor)
    seen: list[int] = []
    project = service.projection.project

    def watched(batch: Any) -> None:
        seen.append(gc.get_freeze_count())
        project(batch)

    service.projection.project = watched  # type: ignore[method-assign]
    assert service.rebuild_read_models() > 0
    assert seen and all(count > 0 for count in seen)
    assert gc.get_freeze_count() == 0
