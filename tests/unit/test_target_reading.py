"""Printed targets read as the national form (财预〔2020〕10号) and the reading kept."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.errors import TargetRefused
from domain.evaluation import Actor, Evaluation
from domain.targets.rules import TargetRules, quantitative_score
from domain.targets.text import parse_target, target_from

BY = Actor("alice", "evaluator", "c1")


@pytest.mark.parametrize(
    ("text", "comparator", "value", "unit"),
    [
        # a bare number is a floor: beating "10家" is no miss
        ("10家", ">=", "10", "家"),
        ("4次", ">=", "4", "次"),
        ("100%", ">=", "100", "%"),
        # the name and the number in one text
        ("引进“双创”企业10家", ">=", "10", "家"),
        ("创造税收1000万", ">=", "1000", "万"),
        ("培训4次", ">=", "4", "次"),
        ("全年接待游客10万人次", ">=", "10", "万人次"),
        ("年培训人数达到500人次", ">=", "500", "人次"),
        ("满意度≥90%", ">=", "90", "%"),
        ("带动就业200人以上", ">=", "200", "人"),
        ("事故发生率低于1%", "<", "1", "%"),
        ("不超过上年的110%", "<=", "110", "%"),
        ("达标率≥95%", ">=", "95", "%"),
        # floors
        ("达95%", ">=", "95", "%"),
        ("达到95%", ">=", "95", "%"),
        ("不低于90%", ">=", "90", "%"),
        ("不少于4.2万人", ">=", "4.2", "万人"),
        ("大于等于90%", ">=", "90", "%"),
        ("≥20场次", ">=", "20", "场次"),
        ("20个以上", ">=", "20", "个"),
        # ceilings
        ("不高于5%", "<=", "5", "%"),
        ("不超过8万元", "<=", "8", "万元"),
        ("控制在36.5万元", "<=", "36.5", "万元"),
        ("≤4.74万元", "<=", "4.74", "万元"),
        ("小于等于5%", "<=", "5", "%"),
        ("5次以下", "<=", "5", "次"),
        # strict words stay strict
        ("低于5%", "<", "5", "%"),
        ("高于90%", ">", "90", "%"),
        ("大于10户", ">", "10", "户"),
        ("小于3天", "<", "3", "天"),
        ("超过10家", ">", "10", "家"),
        ("少于3次", "<", "3", "次"),
    ],
)
def test_printed_texts_read_as_the_national_form(
    text: str, comparator: str, value: str, unit: str
) -> None:
    target = parse_target(text)
    assert (target.comparator, target.value, target.unit) == (comparator, Decimal(value), unit)
    assert (target.text, target.read) == (text, True)


@pytest.mark.parametrize(
    "text", ["符合国家标准GB5749-2022", "2025年12月底前", "有效提升", "保障2000户群众饮水安全"]
)
def test_codes_dates_and_long_phrases_stay_qualitative(text: str) -> None:
    assert parse_target(text).comparator == "qualitative"


def test_a_region_that_reads_bare_numbers_exactly_keeps_them_exact() -> None:
    rules = TargetRules.from_data({"bare_number": "="})
    assert rules.bare_for(["成本指标", "产出指标"]) == "="
    assert parse_target("10家", rules.bare_for(["数量指标"])).comparator == "="


@pytest.mark.parametrize(
    "raw",
    [
        {"bare_number": "<"},
        "floor",
        {"bands": ["0.8", "1"]},
        {"bands": {"achieved": ["0.8"]}},
        {"bands": {"achieved": ["0.9", "0.8"]}},
        {"bands": {"mostly": ["0.8", "1"]}},
    ],
)
def test_malformed_regional_rules_are_refused(raw: object) -> None:
    with pytest.raises(TargetRefused):
        TargetRules.recorded(raw)


def test_rules_given_empty_record_nothing_and_read_nationally() -> None:
    assert TargetRules.recorded(None) is None
    assert TargetRules.recorded({"bare_number": None}) is None
    assert TargetRules.from_data(None).bare_comparator == ">="


def test_what_the_object_states_wins_over_the_reading_of_its_text() -> None:
    corrected = target_from({"text": "引进“双创”企业10家", "comparator": "="})
    assert (corrected.comparator, corrected.value, corrected.unit) == ("=", Decimal(10), "家")
    assert not corrected.read
    restated = target_from({"text": "引进“双创”企业10家", "value": "12"})
    assert (restated.comparator, restated.value, restated.unit) == (">=", Decimal(12), "家")
    given = target_from({"text": "有效提升", "comparator": ">=", "value": "5", "unit": "个"})
    assert (given.comparator, given.value, given.unit, given.text) == (
        ">=",
        Decimal(5),
        "个",
        "有效提升",
    )


@pytest.mark.parametrize(("comparator", "text"), [(">", ">3家"), ("<", "<5万元")])
def test_a_strict_target_reached_exactly_is_missed_and_short_of_the_weight(
    comparator: str, text: str
) -> None:
    target = parse_target(text)
    assert target.comparator == comparator
    assert target.value is not None
    result = quantitative_score(target, target.value, Decimal(10))
    assert result.met is False
    assert result.exact is not None and result.exact < Decimal(10)


def test_a_cost_target_completion_rate_is_planned_over_final() -> None:
    result = quantitative_score(parse_target("≤8万元"), Decimal(10), Decimal(10))
    # 8 ÷ 10 = 80 %: the rate and the share a missed cost target scores are one figure
    assert (result.completion_rate, result.exact) == (Decimal("80.00"), Decimal(8))


def framework(bare: Any = "10家") -> list[dict[str, Any]]:
    return [
        {"code": "1", "name": "产出指标", "weight": "60"},
        {"code": "1.1", "parent": "1", "name": "数量指标", "weight": "30"},
        {
            "code": "1.1.1",
            "parent": "1.1",
            "name": "引进企业",
            "weight": "30",
            "method": "target",
            "target": bare,
        },
        {"code": "1.2", "parent": "1", "name": "成本指标", "weight": "30"},
        {
            "code": "1.2.1",
            "parent": "1.2",
            "name": "单户补助",
            "weight": "30",
            "method": "target",
            "target": "3000元",
        },
        {"code": "2", "name": "效益指标", "weight": "40"},
        {
            "code": "2.1",
            "parent": "2",
            "name": "税收",
            "weight": "40",
            "method": "target",
            "target": "创造税收1000万",
        },
    ]


def opened(**rules: Any) -> Evaluation:
    evaluation = Evaluation.start(
        title="t",
        subject="s",
        fiscal_year=2025,
        kind="self-evaluation",
        evaluator=None,
        by=BY,
        **rules,
    )
    evaluation.define_framework(framework(), BY)
    return evaluation


def reading(evaluation: Evaluation, code: str) -> tuple[str, Any, Any]:
    stored = evaluation.target_definition(code)
    assert stored is not None
    return stored["comparator"], stored["value"], stored["unit"]


def test_a_bare_number_under_cost_is_a_ceiling_and_elsewhere_a_floor() -> None:
    evaluation = opened()
    assert reading(evaluation, "1.1.1") == (">=", Decimal(10), "家")
    assert reading(evaluation, "1.2.1") == ("<=", Decimal(3000), "元")
    assert reading(evaluation, "2.1") == (">=", Decimal(1000), "万")


def test_the_regional_rule_reads_every_bare_number_exactly() -> None:
    evaluation = opened(target_rules={"bare_number": "="})
    assert reading(evaluation, "1.1.1")[0] == "="
    assert reading(evaluation, "1.2.1")[0] == "="


def test_beating_a_bare_number_scores_full_and_needs_no_deviation_reason() -> None:
    evaluation = opened()
    evaluation.record_target_value("1.1.1", stage="final", value="12", by=BY)
    evaluation.record_target_value("2.1", stage="final", value="1200", by=BY)
    evaluation.record_target_value("1.2.1", stage="final", value="2800", by=BY)
    assert [evaluation.leaves[c].score for c in ("1.1.1", "1.2.1", "2.1")] == [
        Decimal("30.00"),
        Decimal("30.00"),
        Decimal("40.00"),
    ]
    assert evaluation.total == Decimal("100.00")
