"""Printed targets are read into comparator, value and unit, keeping the text as written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import TargetRefused
from domain.targets.text import UnparseableTarget, parse_target, target_from, target_of


@pytest.mark.parametrize(
    ("text", "comparator", "value", "unit"),
    [
        ("≥20个", ">=", "20", "个"),
        ("≥ 85%", ">=", "85", "%"),
        ("≤4.74万元", "<=", "4.74", "万元"),
        ("100%", ">=", "100", "%"),
        ("≥90%", ">=", "90", "%"),
        ("≥20场次", ">=", "20", "场次"),
        ("≤8万元", "<=", "8", "万元"),
        ("＞＝９０％", ">=", "90", "%"),
        ("≧９５％", ">=", "95", "%"),
        ("≤　３０天", "<=", "30", "天"),
        ("＜５％", "<", "5", "%"),
        ("＞3家", ">", "3", "家"),
        ("＝100%", "=", "100", "%"),
        (">=12次", ">=", "12", "次"),
        ("<=0.5万元", "<=", "0.5", "万元"),
        ("大于等于30场次", ">=", "30", "场次"),
        ("大于或等于2项", ">=", "2", "项"),
        ("不低于95%", ">=", "95", "%"),
        ("不少于1,200人次", ">=", "1200", "人次"),
        ("不小于60分", ">=", "60", "分"),
        ("不超过8万元", "<=", "8", "万元"),
        ("不高于3%", "<=", "3", "%"),
        ("小于等于15天", "<=", "15", "天"),
        ("低于5%", "<", "5", "%"),
        ("少于2起", "<", "2", "起"),
        ("高于3家", ">", "3", "家"),
        ("大于10户", ">", "10", "户"),
        ("超过500人", ">", "500", "人"),
        ("等于100%", "=", "100", "%"),
        ("达到90%以上", ">=", "90", "%"),
        ("20个以上", ">=", "20", "个"),
        ("5%及以下", "<=", "5", "%"),
        ("控制在5%以内", "<=", "5", "%"),
        ("0起", ">=", "0", "起"),
        ("1000", ">=", "1000", None),
    ],
)
def test_printed_quantitative_targets_are_parsed(
    text: str, comparator: str, value: str, unit: str | None
) -> None:
    target = parse_target(text)
    assert (target.comparator, target.value, target.unit) == (comparator, Decimal(value), unit)
    assert target.text == text


@pytest.mark.parametrize(
    "text", ["符合", "2022年全年", "增长", "有效提升", "12月底前", "不低于上年"]
)
def test_texts_without_a_figure_are_qualitative_and_kept(text: str) -> None:
    target = parse_target(text)
    assert target.comparator == "qualitative"
    assert (target.value, target.unit, target.text) == (None, None, text)


@pytest.mark.parametrize(
    "text", ["", "   ", "≥", "≥二十个", "≤万元", "20-30个", "≥20个30", "≥90%以下"]
)
def test_unparseable_target_is_refused_naming_the_text(text: str) -> None:
    with pytest.raises(UnparseableTarget) as caught:
        parse_target(text)
    assert caught.value.values["text"] == text.strip()


def test_a_bare_value_reads_as_configured() -> None:
    assert parse_target("100%", bare="=").comparator == "="


def test_counts_of_positive_targets_are_cumulative_and_rates_are_not() -> None:
    assert parse_target("≥20场次").cumulative
    assert not parse_target("≥85%").cumulative
    assert not parse_target("≤4.74万元").cumulative


def test_target_given_as_an_object_prints_its_text() -> None:
    target = target_from({"comparator": ">=", "value": "20", "unit": "场次"})
    assert (target.comparator, target.value, target.text) == (">=", Decimal(20), "≥20场次")


def test_target_object_with_only_text_is_parsed() -> None:
    target = target_from({"text": "≤8万元", "cumulative": True})
    assert (target.comparator, target.value, target.cumulative) == ("<=", Decimal(8), True)


@pytest.mark.parametrize(
    "raw",
    [{"comparator": "~", "value": 1}, {"comparator": ">="}, {"comparator": "qualitative"}, 12],
)
def test_incomplete_target_objects_are_refused(raw: object) -> None:
    with pytest.raises(TargetRefused):
        target_from(raw)


def test_stored_target_comes_back_unchanged() -> None:
    target = parse_target("≥ 85%")
    assert target_of(target.as_dict()) == target
