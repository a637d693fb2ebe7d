"""The self-evaluation form's header and funds block on the in-memory service."""

from __future__ import annotations

from typing import Any

import pytest

from application.explanations import explain
from application.findings import find
from application.service import EvaluationService
from domain.errors import EvaluationLocked, InvalidValue, ReasonRequired
from domain.evaluation import Actor
from web.cli import key_data

BY = Actor("alice", "evaluator", "form-unit")
LEAD = Actor("王组长", "reviewer", "form-unit-lead")
BUDGET = {"code": "0", "name": "预算执行率", "weight": "10", "method": "ratio",
          "numerator": "全年执行数", "denominator": "全年预算数"}  # fmt: skip
REST = {"code": "1", "name": "产出指标", "weight": "90", "method": "manual"}
ROW: dict[str, Any] = {"source": "财政拨款", "initial_budget": "500", "full_year_budget": "600"}


def opened(service: EvaluationService, **kw: Any) -> str:
    document = service.create_evaluation(
        title="供水工程自评", subject="某县水务局", fiscal_year=2025, kind="self-evaluation",
        by=BY, **kw,
    ).document()  # fmt: skip
    evaluation_id = str(document["id"])
    service.define_framework(evaluation_id, [BUDGET, REST], BY)
    return evaluation_id


def budget(document: dict[str, Any]) -> dict[str, Any]:
    return next(i for i in document["indicators"] if i["code"] == "0")


def test_the_funds_sums_feed_the_ratio_leaf_that_cites_them(service: EvaluationService) -> None:
    evaluation_id = opened(
        service,
        funds=[{**ROW, "executed": "540"}, {"source": "其他资金", "full_year_budget": "20",
                                            "executed": "18.5"}],
    )  # fmt: skip
    document = service.document(evaluation_id)
    assert budget(document)["score"] == "9.01"  # 558.5 / 620 × 10
    evaluation = service._get(evaluation_id)
    steps = explain(evaluation, "0")["steps"]
    figures = [s for s in steps if s["kind"] == "data_entry"]
    assert [(s["details"]["key"], s["value"], s["details"]["source"]) for s in figures] == [
        ("全年执行数", "558.5", "项目资金"),
        ("全年预算数", "620", "项目资金"),
    ]


def test_correcting_funds_needs_a_reason_and_rescored_the_leaf(service: EvaluationService) -> None:
    evaluation_id = opened(service, funds=[{**ROW, "executed": "540"}])
    before = service.document(evaluation_id)
    with pytest.raises(ReasonRequired):
        service.record_funds(evaluation_id, **ROW, executed="600", by=BY)
    assert service.document(evaluation_id)["version"] == before["version"]  # nothing recorded
    after = service.record_funds(
        evaluation_id, **ROW, executed="600", reason="补录", by=BY
    ).document()
    assert budget(before)["score"] == "9.00"
    assert budget(after)["score"] == "10.00"
    items = service.history(evaluation_id)["items"]
    kinds = [(i["type"], i.get("indicator")) for i in items[-2:]]
    assert kinds == [("FundsCorrected", None), ("ScoreChanged", "0")]
    assert items[-1]["data"]["cause"] == "FundsCorrected"
    with pytest.raises(InvalidValue, match="already stand as given"):
        service.record_funds(evaluation_id, **ROW, executed="600", reason="again", by=BY)


def test_a_zero_budget_gives_no_rate_and_a_zero_score_without_failing(
    service: EvaluationService,
) -> None:
    evaluation_id = opened(
        service, funds=[{"source": "财政拨款", "full_year_budget": "0", "executed": "0"}]
    )
    document = service.document(evaluation_id)
    assert document["funds"]["total"]["rate"] is None
    assert document["funds"]["sources"][0]["rate"] is None
    assert budget(document)["score"] == "0.00"
    assert "denominator 全年预算数 is 0" in budget(document)["note"]


def test_form_fields_round_trip_and_a_changed_field_needs_a_reason(
    service: EvaluationService,
) -> None:
    form = {"project_name": "农村供水保障工程", "report_date": "2026-02-03",
            "overall_goal": "新建工程16处；\n改善供水人口4.2万人。"}  # fmt: skip
    evaluation_id = opened(service, form=form)
    assert {k: v for k, v in service.document(evaluation_id)["form"].items() if v} == form
    service.fill_form(evaluation_id, {"contact": "李明"}, by=BY)  # a new field: no reason
    with pytest.raises(ReasonRequired):
        service.fill_form(evaluation_id, {"project_name": None}, by=BY)
    cleared = service.fill_form(
        evaluation_id, {"project_name": None}, reason="重填", by=BY
    ).document()
    assert cleared["form"]["project_name"] is None
    assert cleared["form"]["contact"] == "李明"
    with pytest.raises(InvalidValue, match="YYYY-MM-DD"):
        service.fill_form(evaluation_id, {"report_date": "2026/2/3"}, by=BY)
    with pytest.raises(InvalidValue, match="no field"):
        service.fill_form(evaluation_id, {"budget": "1"}, by=BY)


def test_a_data_entry_and_the_funds_never_give_the_same_figure(
    service: EvaluationService,
) -> None:
    with_funds = opened(service, funds=[{**ROW, "executed": "540"}])
    with pytest.raises(InvalidValue, match="sum of the funds block"):
        service.record_data_entry(with_funds, key="全年执行数", value="1", by=BY)
    service.record_data_entry(with_funds, key="实际到位资金", value="1", by=BY)  # other keys
    typed = opened(service)
    service.record_data_entry(typed, key="全年预算数", value="600", by=BY)
    with pytest.raises(InvalidValue, match="would give it again"):
        service.record_funds(typed, **ROW, executed="540", by=BY)


def test_a_finalized_evaluation_refuses_form_and_funds(service: EvaluationService) -> None:
    evaluation_id = opened(service, funds=[{**ROW, "executed": "540"}])
    service.record_score(evaluation_id, "1", score="80", justification="j", by=BY)
    service.submit(evaluation_id, by=LEAD)
    service.finalize(evaluation_id, by=LEAD)
    with pytest.raises(EvaluationLocked):
        service.fill_form(evaluation_id, {"contact": "李明"}, by=BY)
    with pytest.raises(EvaluationLocked):
        service.record_funds(evaluation_id, **ROW, executed="600", reason="r", by=BY)


def test_sources_given_twice_open_nothing(service: EvaluationService) -> None:
    with pytest.raises(InvalidValue, match="given twice"):
        service.create_evaluation(
            title="t", subject="s", fiscal_year=2025, kind="self-evaluation", by=BY,
            funds=[{**ROW, "executed": "1"}, {**ROW, "executed": "2"}],
        )  # fmt: skip
    assert service.list_evaluations({})["total"] == 0


def test_funds_corrected_after_the_budget_row_used_them_is_a_finding(
    service: EvaluationService,
) -> None:
    evaluation_id = opened(service, funds=[{**ROW, "executed": "540"}])
    service.record_funds(evaluation_id, **ROW, executed="600", reason="补录12月支出", by=BY)
    evaluation = service._get(evaluation_id)
    events = service.store.events.get(evaluation.id)
    [found] = find(evaluation, events)
    assert (found["kind"], found["key"], found["indicator"]) == (
        "data_corrected_after_use",
        "全年执行数",
        "0",
    )
    assert (found["recorded"], found["recomputed"]) == ("9.00", "10.00")
    assert found["details"] == {"old_value": "540", "new_value": "600", "reason": "补录12月支出"}


def test_the_console_history_line_of_a_funds_correction_names_source_amounts_and_reason() -> None:
    data = {"source": "财政拨款", "full_year_budget": "600", "executed": "600", "reason": "补录"}
    assert key_data({"type": "FundsCorrected", "data": data}) == "财政拨款: 600 / 600 补录"
