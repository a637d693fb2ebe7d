"""Scoring methods, overrides, rounding and grades on the aggregate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import (
    DeductionRefused,
    EvaluationLocked,
    InvalidValue,
    MethodMismatch,
    ReasonRequired,
    ScoreRefused,
    UnknownDeduction,
    UnknownIndicator,
)
from domain.evaluation import Actor, Evaluation

BY = Actor("alice", "evaluator", "c-1")

FRAMEWORK = [
    {"code": "1", "name": "决策", "weight": "40"},
    {"code": "1.1", "parent": "1", "name": "合规", "weight": "10", "method": "deduction"},
    {
        "code": "1.2",
        "parent": "1",
        "name": "清单",
        "weight": "3",
        "method": "checklist",
        "items": [
            {"text": "a", "points": "1"},
            {"text": "b", "points": "0.5"},
            {"text": "c", "points": "1.5"},
        ],
    },
    {
        "code": "1.3",
        "parent": "1",
        "name": "到位率",
        "weight": "2",
        "method": "ratio",
        "numerator": "到位",
        "denominator": "预算",
    },
    {
        "code": "1.4",
        "parent": "1",
        "name": "满意度",
        "weight": "10",
        "method": "survey",
        "choices": [
            {"label": "满意", "weight": "10"},
            {"label": "较满意", "weight": "8"},
            {"label": "基本满意", "weight": "6"},
            {"label": "较不满意", "weight": "2"},
            {"label": "不满意", "weight": "0"},
        ],
    },
    {"code": "1.5", "parent": "1", "name": "手工", "weight": "15", "method": "manual"},
    {"code": "2", "name": "效益", "weight": "60"},
    {"code": "2.1", "parent": "2", "name": "效益", "weight": "60"},
]


@pytest.fixture
def evaluation() -> Evaluation:
    e = Evaluation.start(
        title="t", subject="s", fiscal_year=2022, kind="project", evaluator=None, by=BY
    )
    e.define_framework(FRAMEWORK, BY)
    return e


def score(e: Evaluation, code: str) -> Decimal | None:
    return e.leaves[code].score


def test_deduction_leaf_starts_at_full_weight_and_loses_points(evaluation: Evaluation) -> None:
    assert score(evaluation, "1.1") == Decimal("10.00")
    evaluation.record_deduction("d1", "1.1", "2.5", "支出依据不合规", [{"title": "凭证"}], BY)
    assert score(evaluation, "1.1") == Decimal("7.50")


def test_deduction_without_a_reason_is_refused(evaluation: Evaluation) -> None:
    version = evaluation.version
    with pytest.raises(ReasonRequired):
        evaluation.record_deduction("d1", "1.1", "1", "  ", None, BY)
    assert evaluation.version == version


@pytest.mark.parametrize("points", ["0", "-1"])
def test_deduction_of_zero_or_negative_points_is_refused(
    evaluation: Evaluation, points: str
) -> None:
    with pytest.raises(DeductionRefused) as refused:
        evaluation.record_deduction("d1", "1.1", points, "r", None, BY)
    assert refused.value.values["points"] == points


def test_deduction_beyond_weight_is_refused(evaluation: Evaluation) -> None:
    evaluation.record_deduction("d1", "1.1", "6", "r", None, BY)
    with pytest.raises(DeductionRefused) as refused:
        evaluation.record_deduction("d2", "1.1", "4.01", "r", None, BY)
    assert refused.value.values == {
        "code": "1.1",
        "points": "4.01",
        "weight": "10",
        "deducted": "6",
    }
    evaluation.record_deduction("d3", "1.1", "4", "r", None, BY)
    assert score(evaluation, "1.1") == Decimal("0.00")


def test_withdrawn_deduction_gives_points_back_and_stays_on_record(evaluation: Evaluation) -> None:
    evaluation.record_deduction("d1", "1.1", "3", "r", None, BY)
    evaluation.withdraw_deduction("d1", "复核后撤销", BY)
    assert score(evaluation, "1.1") == Decimal("10.00")
    assert evaluation.deductions["d1"].status == "withdrawn"
    with pytest.raises(DeductionRefused):
        evaluation.withdraw_deduction("d1", "again", BY)
    with pytest.raises(UnknownDeduction):
        evaluation.withdraw_deduction("nope", "r", BY)


def test_deduction_on_a_non_deduction_leaf_or_unknown_code_is_refused(
    evaluation: Evaluation,
) -> None:
    with pytest.raises(MethodMismatch):
        evaluation.record_deduction("d1", "1.2", "1", "r", None, BY)
    with pytest.raises(MethodMismatch):
        evaluation.record_deduction("d1", "1", "1", "r", None, BY)
    with pytest.raises(UnknownIndicator) as unknown:
        evaluation.record_deduction("d1", "9.9", "1", "r", None, BY)
    assert unknown.value.values == {"code": "9.9"}


def test_checklist_scores_the_sum_of_met_items(evaluation: Evaluation) -> None:
    assert score(evaluation, "1.2") is None
    assert evaluation.leaves["1.2"].result.note == "checklist not assessed yet"
    evaluation.assess_checklist("1.2", [True, False, True], "b 未满足", BY)
    assert score(evaluation, "1.2") == Decimal("2.50")


def test_checklist_whose_length_differs_from_the_items_is_refused(evaluation: Evaluation) -> None:
    with pytest.raises(ScoreRefused) as refused:
        evaluation.assess_checklist("1.2", [True, True], "j", BY)
    assert refused.value.values == {"code": "1.2", "items": 3, "marks": 2}


def test_ratio_is_unset_until_its_entries_exist_and_says_why(evaluation: Evaluation) -> None:
    assert score(evaluation, "1.3") is None
    assert evaluation.leaves["1.3"].result.note == "missing data entries: 到位, 预算"
    evaluation.record_data_entry("预算", "229.40", "万元", None, None, None, BY)
    evaluation.record_data_entry("到位", "84.28", "万元", None, None, None, BY)
    # 84.28 / 229.40 × 2 = 0.7347… → 0.73, the unrounded value kept
    assert score(evaluation, "1.3") == Decimal("0.73")
    assert evaluation.leaves["1.3"].result.exact is not None
    assert str(evaluation.leaves["1.3"].result.exact).startswith("0.73478639")


def test_ratio_is_capped_at_one_and_a_zero_denominator_gives_zero(evaluation: Evaluation) -> None:
    evaluation.record_data_entry("预算", "100", None, None, None, None, BY)
    evaluation.record_data_entry("到位", "130", None, None, None, None, BY)
    assert score(evaluation, "1.3") == Decimal("2.00")
    evaluation.record_data_entry("预算", "0", None, None, None, "预算批复更正", BY)
    assert score(evaluation, "1.3") == Decimal("0.00")
    assert "denominator 预算 is 0" in (evaluation.leaves["1.3"].result.note or "")


def test_correcting_a_data_entry_needs_a_reason_and_recomputes_its_ratio(
    evaluation: Evaluation,
) -> None:
    evaluation.record_data_entry("预算", "200", None, None, None, None, BY)
    evaluation.record_data_entry("到位", "100", None, None, None, None, BY)
    assert score(evaluation, "1.3") == Decimal("1.00")
    with pytest.raises(ReasonRequired):
        evaluation.record_data_entry("到位", "150", None, None, None, None, BY)
    evaluation.record_data_entry("到位", "150", None, None, None, "财务复核", BY)
    assert score(evaluation, "1.3") == Decimal("1.50")
    assert [p["value"] for p in evaluation.entries["到位"].previous] == [Decimal("100")]


def test_survey_score_averages_question_satisfaction(evaluation: Evaluation) -> None:
    # q1: (10×20 + 8×10) / (10×30) = 0.9333…; q2: (10×30) / (10×30) = 1 → mean 0.96666… × 10
    evaluation.record_survey("1.4", [[20, 10, 0, 0, 0], [30, 0, 0, 0, 0]], "问卷", BY)
    assert score(evaluation, "1.4") == Decimal("9.67")
    with pytest.raises(ScoreRefused):
        evaluation.record_survey("1.4", [[1, 2]], None, BY)


def test_manual_score_needs_a_justification_and_stays_within_weight(evaluation: Evaluation) -> None:
    with pytest.raises(ReasonRequired):
        evaluation.record_score("1.5", "12", "", None, BY)
    with pytest.raises(ScoreRefused) as refused:
        evaluation.record_score("1.5", "15.01", "j", None, BY)
    assert refused.value.values["weight"] == "15"
    with pytest.raises(InvalidValue):  # would be recorded rounded: refused instead
        evaluation.record_score("1.5", "12.345", "j", None, BY)
    evaluation.record_score("1.5", "12.34", "j", None, BY)
    assert score(evaluation, "1.5") == Decimal("12.34")


def test_override_wins_and_the_rule_score_stays_visible(evaluation: Evaluation) -> None:
    evaluation.record_deduction("d1", "1.1", "7.9", "r", None, BY)
    evaluation.record_score("1.1", "5", "专家组复核调整", None, BY)
    leaf = evaluation.leaves["1.1"]
    assert (leaf.score, leaf.result.rule_score, leaf.result.overridden) == (
        Decimal("5.00"),
        Decimal("2.10"),
        True,
    )


def test_parents_sum_rounded_leaves_and_grade_reads_the_rounded_total() -> None:
    e = Evaluation.start(title="t", subject="s", fiscal_year=2022, kind="k", evaluator=None, by=BY)
    e.define_framework(
        [
            {"code": "1", "name": "a", "weight": "9"},
            {"code": "1.1", "parent": "1", "name": "x", "weight": "1", "method": "ratio"}
            | {"numerator": "一", "denominator": "八"},
            {"code": "1.2", "parent": "1", "name": "y", "weight": "8", "method": "ratio"}
            | {"numerator": "五十七", "denominator": "六十四"},
            {"code": "2", "name": "b", "weight": "91", "method": "manual"},
        ],
        BY,
    )
    for key, value in (("一", "1"), ("八", "8"), ("五十七", "57"), ("六十四", "64")):
        e.record_data_entry(key, value, None, None, None, None, BY)
    e.record_score("2", "82.75", "j", None, BY)
    parents, total = e.rollup()
    # 1.1: 0.125 → 0.13 and 1.2: 7.125 → 7.13 half-up, not banker's; the parent sums them
    assert parents["1"] == Decimal("7.26")  # 0.13 + 7.13, not round(7.25)
    assert total == Decimal("90.01")
    assert e.grade == "优"


@pytest.mark.parametrize(
    ("total", "grade"), [("90", "优"), ("89.99", "良"), ("80", "良"), ("60", "中"), ("59.99", "差")]
)
def test_grade_band_lower_edges_are_inclusive(total: str, grade: str) -> None:
    e = Evaluation.start(title="t", subject="s", fiscal_year=2022, kind="k", evaluator=None, by=BY)
    e.define_framework([{"code": "1", "name": "a", "weight": "100", "method": "manual"}], BY)
    e.record_score("1", total, "j", None, BY)
    assert e.grade == grade


def test_custom_grade_bands_are_data_of_the_evaluation() -> None:
    bands = [{"grade": "A", "min": "85"}, {"grade": "B", "min": "0"}]
    e = Evaluation.start(
        title="t", subject="s", fiscal_year=2022, kind="k", evaluator=None, grade_bands=bands, by=BY
    )
    e.define_framework([{"code": "1", "name": "a", "weight": "100", "method": "manual"}], BY)
    e.record_score("1", "85", "j", None, BY)
    assert e.grade == "A"
    with pytest.raises(InvalidValue):
        Evaluation.start(
            title="t",
            subject="s",
            fiscal_year=2022,
            kind="k",
            evaluator=None,
            grade_bands=[{"grade": "A", "min": "50"}],
            by=BY,
        )


def score_every_leaf(evaluation: Evaluation) -> None:
    evaluation.assess_checklist("1.2", [True, True, False], "j", BY)
    evaluation.record_data_entry("预算", "10", None, None, None, None, BY)
    evaluation.record_data_entry("到位", "8", None, None, None, None, BY)
    evaluation.record_survey("1.4", [[1, 0, 0, 0, 0]], None, BY)
    evaluation.record_score("1.5", "12", "j", None, BY)


def test_finalized_evaluation_refuses_changes_until_reopened(evaluation: Evaluation) -> None:
    score_every_leaf(evaluation)
    evaluation.submit(BY)
    evaluation.finalize(BY)
    with pytest.raises(EvaluationLocked):
        evaluation.record_deduction("d1", "1.1", "1", "r", None, BY)
    with pytest.raises(ReasonRequired):
        evaluation.reopen(" ", BY)
    evaluation.reopen("复核发现差错", BY)
    evaluation.record_deduction("d1", "1.1", "1", "r", None, BY)
    assert score(evaluation, "1.1") == Decimal("9.00")


def test_every_event_carries_actor_role_and_correlation_id(evaluation: Evaluation) -> None:
    evaluation.record_deduction("d1", "1.1", "1", "r", None, Actor("bob", "reviewer", "req-9"))
    events = evaluation.collect_events()
    assert all(e.meta.keys() == {"actor", "role", "correlation_id"} for e in events)  # type: ignore[attr-defined]
    assert events[-1].meta == {"actor": "bob", "role": "reviewer", "correlation_id": "req-9"}  # type: ignore[attr-defined]
    assert type(events[-1]).__name__ == "ScoreChanged"
    assert events[-1].cause == "DeductionRecorded"  # type: ignore[attr-defined]


def test_replaying_the_events_gives_the_same_state(evaluation: Evaluation) -> None:
    evaluation.record_data_entry("预算", "229.40", None, None, None, None, BY)
    evaluation.record_data_entry("到位", "84.28", None, None, None, None, BY)
    evaluation.assess_checklist("1.2", [True, True, False], "j", BY)
    evaluation.record_deduction("d1", "1.1", "1", "r", None, BY)
    evaluation.record_score("1.1", "8.5", "j", None, BY)
    events = evaluation.collect_events()
    replayed = None
    for e in events:
        replayed = e.mutate(replayed)  # type: ignore[attr-defined]
    assert replayed is not None
    assert vars(replayed) == vars(evaluation)


def test_default_grade_bands_are_plain_decimal_strings() -> None:
    e = Evaluation.start(title="t", subject="s", fiscal_year=2022, kind="k", evaluator=None, by=BY)
    assert [b["min"] for b in e.grade_bands] == ["90", "80", "60", "0"]
