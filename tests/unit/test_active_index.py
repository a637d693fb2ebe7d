"""The index of active deductions gives the sums a walk over every deduction gives."""

from __future__ import annotations

import uuid
from decimal import Decimal

from application.snapshots import EvaluationSnapshot
from domain.evaluation import Actor, Evaluation
from domain.ledger import ACTIVE_INDEX

BY = Actor(name="alice", role="evaluator", correlation_id="c")
LEAVES = ["1.1", "1.2", "1.3"]


def walked(evaluation: Evaluation) -> dict[str, Decimal]:
    """The active points per leaf, summed over every deduction in the order recorded."""
    sums: dict[str, Decimal] = {}
    for d in evaluation.deductions.values():
        if d.active:
            sums[d.code] = sums.get(d.code, Decimal(0)) + d.points
    return sums


def argued() -> Evaluation:
    evaluation = Evaluation.start(
        title="t",
        subject="s",
        fiscal_year=2026,
        kind="project",
        evaluator=None,
        by=BY,
        total_weight="150",
    )
    evaluation.define_framework(
        [
            {"code": "1", "name": "root", "weight": "150"},
            *(
                {"code": c, "name": c, "parent": "1", "weight": "50", "method": "deduction"}
                for c in LEAVES
            ),
        ],
        BY,
    )
    for n in range(30):
        deduction_id = str(uuid.uuid4())
        evaluation.record_deduction(deduction_id, LEAVES[n % 3], f"{n % 4 + 1}.5", "r", None, BY)
        if n % 3 == 1 or n % 5 == 0:
            evaluation.withdraw_deduction(deduction_id, "w", BY)
    return evaluation


def test_the_index_sums_what_a_walk_over_every_deduction_sums() -> None:
    evaluation = argued()
    assert evaluation.rule_context().active_points == walked(evaluation)
    assert ACTIVE_INDEX in vars(evaluation)
    evaluation.record_deduction(str(uuid.uuid4()), "1.2", "0.25", "late", None, BY)
    assert evaluation.rule_context().active_points == walked(evaluation)
    assert str(evaluation.rule_context().active_points["1.2"]) == str(walked(evaluation)["1.2"])


def test_a_snapshot_leaves_the_index_out_and_the_loaded_evaluation_rebuilds_it() -> None:
    evaluation = argued()
    evaluation.rule_context()
    snapshot = EvaluationSnapshot.take(evaluation)
    assert ACTIVE_INDEX not in snapshot.state
    loaded = snapshot.mutate(None)
    assert vars(loaded)[ACTIVE_INDEX] == vars(evaluation)[ACTIVE_INDEX]
    assert loaded.rule_context().active_points == walked(evaluation)
