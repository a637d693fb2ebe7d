"""A command inside an enclosing unit of work that then rolls back leaves nothing behind."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from domain.evaluation import Actor
from tests.cases import small_case

ALICE = Actor("alice", "evaluator", "c1")


class Abandoned(Exception):
    """Raised after a command, inside the unit of work that holds it."""


def test_the_next_command_starts_from_what_was_stored_after_an_enclosing_rollback(
    make_app: Callable[..., Flask], store_url: str
) -> None:
    service = make_app(store_url).extensions["scoretrail"]
    evaluation_id = str(service.import_evaluation(small_case(), ALICE).id)
    stored = service.document(evaluation_id)["version"]
    with pytest.raises(Abandoned), service.unit_of_work.transaction():
        service.record_deduction(evaluation_id, "1.1", points="1", reason="先记", by=ALICE)
        raise Abandoned  # e.g. the upload's record refused after its file was attached
    assert service.document(evaluation_id)["version"] == stored
    after = service.record_deduction(evaluation_id, "1.1", points="1", reason="再记", by=ALICE)
    assert after.version == stored + 2  # the deduction and its score change
    history = service.history(evaluation_id, 1, 1000)["items"]
    assert [e["version"] for e in history] == list(range(1, stored + 3)), "no gap, no loss"
    assert service.document(evaluation_id)["total"] == "66.00"
