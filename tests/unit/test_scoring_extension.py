"""A scoring method added by its own module alone: defined, recorded, scored, explained."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any, ClassVar

import pytest

from application.service import EvaluationService
from domain import methods
from domain.errors import FrameworkRejected, InvalidValue, MethodMismatch
from domain.evaluation import Actor, Evaluation
from domain.indicator import Indicator
from domain.methods.base import Context, Problem, RuleResult, ScoringMethod, Trace
from domain.values import to_decimal

BY = Actor("alice", "evaluator", "c")


class Attainment(ScoringMethod):
    """Full points when the actual figure reaches the target, none otherwise."""

    name: ClassVar[str] = "attainment"

    def normalise(self, entry: dict[str, Any]) -> dict[str, Any]:
        return {"target": to_decimal(entry.get("target", "0"), "target")}

    def check_definition(self, d: dict[str, Any], problem: Problem) -> None:
        if d["params"]["target"] <= 0:
            problem(d["code"], "an attainment leaf needs a positive target")

    def check_input(self, node: Indicator, values: dict[str, Any]) -> dict[str, Any]:
        actual = to_decimal(values.get("actual"), "actual")
        if actual < 0:
            raise InvalidValue("actual must not be negative", actual=str(actual))
        return {"actual": actual}

    def restore_input(self, values: dict[str, Any], version: int) -> Any:
        return (values["actual"], version)

    def rule(
        self,
        node: Indicator,
        inputs: Any,
        context: Context,
        trace: Trace | None = None,
        score_version: int | None = None,
    ) -> RuleResult:
        if inputs is None:
            return RuleResult(None, "actual not recorded yet")
        actual, version = inputs
        reached = actual >= node.params["target"]
        if trace is not None:
            trace.add("attainment", f"{actual} against {node.params['target']}", actual, version)
        return RuleResult(node.weight if reached else Decimal(0))


@pytest.fixture(autouse=True)
def attainment() -> Iterator[None]:
    methods.register(Attainment())
    yield
    methods.unregister("attainment")


def framework(target: str = "0.9") -> list[dict[str, Any]]:
    return [
        {"code": "1", "name": "产出", "weight": "100"},
        {"code": "1.1", "name": "完成率", "weight": "60", "parent": "1", "method": "attainment",
         "target": target},
        {"code": "1.2", "name": "质量", "weight": "40", "parent": "1", "method": "manual"},
    ]  # fmt: skip


def started(target: str = "0.9") -> Evaluation:
    evaluation = Evaluation.start(
        title="t", subject="s", fiscal_year=2024, kind="project", evaluator=None, by=BY
    )
    evaluation.define_framework(framework(target), BY)
    return evaluation


def test_the_method_reads_its_own_definition_fields() -> None:
    assert started().tree["1.1"].params == {"target": Decimal("0.9")}


def test_the_method_checks_its_own_definitions() -> None:
    with pytest.raises(FrameworkRejected) as refused:
        started(target="0")
    assert refused.value.problems == [
        {"code": "1.1", "message": "an attainment leaf needs a positive target"}
    ]


def test_an_input_recorded_through_the_generic_command_scores_the_leaf() -> None:
    evaluation = started()
    assert evaluation.leaves["1.1"].score is None
    evaluation.record_leaf_input("1.1", {"actual": "0.95"}, BY)
    assert evaluation.leaves["1.1"].score == Decimal("60.00")
    evaluation.record_leaf_input("1.1", {"actual": "0.5"}, BY)
    assert evaluation.leaves["1.1"].score == Decimal("0.00")
    assert evaluation.total == Decimal("0.00")


def test_the_rule_reports_the_steps_it_took() -> None:
    evaluation = started()
    evaluation.record_leaf_input("1.1", {"actual": "0.95"}, BY)
    trace = Trace()
    evaluation.rule_result(evaluation.tree["1.1"], trace=trace)
    assert [(s.kind, s.text, s.version) for s in trace.steps] == [
        ("attainment", "0.95 against 0.9", evaluation.version - 1)
    ]


def test_the_method_refuses_bad_input_with_its_own_error() -> None:
    with pytest.raises(InvalidValue):
        started().record_leaf_input("1.1", {"actual": "-1"}, BY)


def test_a_method_with_its_own_command_takes_no_generic_input() -> None:
    with pytest.raises(MethodMismatch):
        started().record_leaf_input("1.2", {"score": "30"}, BY)


def test_replaying_the_events_gives_the_same_leaves() -> None:
    evaluation = started()
    evaluation.record_leaf_input("1.1", {"actual": "0.95"}, BY)
    copy: Any = None
    for event in evaluation.collect_events():
        copy = event.mutate(copy)
    assert copy.leaves == evaluation.leaves


def test_the_service_records_the_input_and_the_read_model_shows_the_score(
    service: EvaluationService,
) -> None:
    spec = {
        "evaluation": {"title": "t", "subject": "s", "fiscal_year": 2024, "kind": "project"},
        "indicators": framework(),
        "actions": [{"indicator": "1.1", "action": "input", "values": {"actual": "0.5"}}],
    }
    evaluation_id = str(service.import_evaluation(spec, BY).id)
    document = service.record_leaf_input(
        evaluation_id, "1.1", values={"actual": "0.92"}, by=BY
    ).document()
    assert next(i for i in document["indicators"] if i["code"] == "1.1")["score"] == "60.00"
    assert service.document(evaluation_id) == service.replayed_document(evaluation_id)
