"""Framework definition: the weight and structure rules of the indicator tree."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import FrameworkLocked, FrameworkRejected
from domain.evaluation import Actor, Evaluation

BY = Actor("alice", "evaluator", "c-1")


def new_evaluation(total: str = "100") -> Evaluation:
    return Evaluation.start(
        title="t",
        subject="s",
        fiscal_year=2022,
        kind="project",
        evaluator=None,
        total_weight=total,
        by=BY,
    )


def tree(*rows: tuple[str, str | None, str, dict | None]) -> list[dict]:
    return [
        {"code": code, "parent": parent, "name": f"指标{code}", "weight": weight, **(extra or {})}
        for code, parent, weight, extra in rows
    ]


def test_children_that_do_not_sum_to_their_parent_are_refused_naming_the_parent() -> None:
    evaluation = new_evaluation()
    with pytest.raises(FrameworkRejected) as refused:
        evaluation.define_framework(
            tree(("1", None, "100", None), ("1.1", "1", "60", None), ("1.2", "1", "30", None)), BY
        )
    assert refused.value.values["codes"] == ["1"]
    assert "sum to 90" in refused.value.detail
    assert evaluation.version == 1


def test_roots_must_sum_to_the_total_weight() -> None:
    with pytest.raises(FrameworkRejected) as refused:
        new_evaluation().define_framework(
            tree(("1", None, "40", None), ("2", None, "50", None)), BY
        )
    assert "root weights sum to 90" in refused.value.detail
    assert refused.value.values["codes"] == ["1,2"]


def test_total_weight_other_than_100_is_honoured() -> None:
    evaluation = new_evaluation("10")
    evaluation.define_framework(tree(("1", None, "6", None), ("2", None, "4", None)), BY)
    assert evaluation.total == Decimal("10.00")


def test_every_offending_code_is_named_at_once() -> None:
    rows = tree(
        ("1", None, "100", None),
        ("1.1", "9", "50", None),
        ("1.1", "1", "50", None),
        ("1.2", "1", "-5", None),
    )
    with pytest.raises(FrameworkRejected) as refused:
        new_evaluation().define_framework(rows, BY)
    messages = {(p["code"], p["message"].split(" ")[0]) for p in refused.value.problems}
    assert ("1.1", "code") in messages  # duplicate
    assert ("1.2", "weight") in messages  # negative
    assert "1" in refused.value.values["codes"]


def test_checklist_items_must_sum_to_the_leaf_weight() -> None:
    items = {
        "method": "checklist",
        "items": [{"text": "a", "points": "1"}, {"text": "b", "points": "1"}],
    }
    with pytest.raises(FrameworkRejected) as refused:
        new_evaluation().define_framework(tree(("1", None, "100", items)), BY)
    assert "items sum to 2" in refused.value.detail


def test_ratio_leaf_needs_its_data_entry_keys() -> None:
    with pytest.raises(FrameworkRejected) as refused:
        new_evaluation().define_framework(tree(("1", None, "100", {"method": "ratio"})), BY)
    assert "numerator and denominator" in refused.value.detail


def test_unknown_method_and_parent_cycle_are_refused() -> None:
    rows = tree(
        ("1", "2", "50", None), ("2", "1", "50", None), ("3", None, "100", {"method": "guess"})
    )
    with pytest.raises(FrameworkRejected) as refused:
        new_evaluation().define_framework(rows, BY)
    text = refused.value.detail
    assert "loops back" in text and "unknown scoring method 'guess'" in text


def test_framework_can_be_replaced_until_scoring_starts() -> None:
    evaluation = new_evaluation()
    evaluation.define_framework(tree(("1", None, "100", None)), BY)
    evaluation.define_framework(tree(("A", None, "100", None)), BY)
    assert list(evaluation.tree) == ["A"]
    evaluation.record_deduction("d1", "A", "1", "reason", None, BY)
    with pytest.raises(FrameworkLocked):
        evaluation.define_framework(tree(("B", None, "100", None)), BY)


def test_levels_and_tree_order_come_from_the_parent_links() -> None:
    evaluation = new_evaluation()
    evaluation.define_framework(
        tree(
            ("2", None, "50", None),
            ("1", None, "50", None),
            ("1.1", "1", "50", None),
            ("2.1", "2", "50", None),
        ),
        BY,
    )
    assert [(c, n.level) for c, n in evaluation.tree.items()] == [
        ("2", 1),
        ("2.1", 2),
        ("1", 1),
        ("1.1", 2),
    ]
