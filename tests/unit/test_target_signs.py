"""Targets below zero, finals of the other sign, negative zero: a miss never scores in full."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.packet_verifier import target_rule
from domain.targets.rules import completion_rate, quantitative_score
from domain.targets.text import Target, parse_target, target_from, target_of
from domain.values import HUNDRED, fmt, plain, round_half_up, to_decimal

W = Decimal(10)


def scored(text: str, final: str, weight: Decimal = W) -> tuple[str, bool | None, str | None]:
    result = quantitative_score(parse_target(text), to_decimal(final), weight)
    assert result.exact is not None
    return str(round_half_up(result.exact)), result.met, fmt(result.completion_rate)


def test_a_floor_below_zero_missed_by_twice_its_size_scores_nothing() -> None:
    # 不低于-3% with −6: three points below a target of magnitude 3
    assert scored("不低于-3%", "-6") == ("0.00", False, "0.00")


def test_a_floor_below_zero_missed_by_a_third_keeps_two_thirds() -> None:
    assert scored("不低于-3%", "-4") == ("6.67", False, "66.67")


def test_a_ceiling_below_zero_exceeded_scores_the_distance_on_its_magnitude() -> None:
    # ≤-5元 with −3: two above a ceiling of magnitude 5
    assert scored("≤-5元", "-3") == ("6.00", False, "60.00")


def test_targets_below_zero_met_score_the_full_weight() -> None:
    assert scored("不低于-3%", "-2") == ("10.00", True, "133.33")
    assert scored("≤-5元", "-5") == ("10.00", True, "100.00")
    assert scored("≤-5元", "-6") == ("10.00", True, "120.00")


def test_a_final_of_the_other_sign_scores_nothing_when_missed() -> None:
    assert scored("≥20场次", "-5") == ("0.00", False, "0.00")
    assert scored("100%", "-5") == ("0.00", False, "0.00")
    assert scored("≤-5元", "5") == ("0.00", False, "0.00")


def test_a_cost_target_met_at_zero_or_below_reads_on_the_distance() -> None:
    assert scored("≤8万元", "0") == ("10.00", True, "200.00")


def test_a_strict_target_missed_at_its_value_keeps_less_than_its_weight() -> None:
    assert scored(">3家", "3") == ("9.99", False, "99.99")
    assert scored("<-2天", "-2") == ("9.99", False, "99.99")


def test_a_near_miss_never_rounds_up_to_the_full_weight() -> None:
    assert scored("≥20场次", "19.9999") == ("9.99", False, "99.99")


@pytest.mark.parametrize(
    ("text", "final"),
    [("≤999999999999999元", "0.000000000001"), ("≥0.000000000001个", "999999999999999")],
)
def test_a_final_far_beyond_its_target_scores_in_full_with_a_bounded_rate(
    text: str, final: str
) -> None:
    assert scored(text, final) == ("10.00", True, "100000000000000.00")


@pytest.mark.parametrize("zero", ["-0", "-0.0", "-0.00"])
def test_negative_zero_reads_as_zero_and_prints_without_a_sign(zero: str) -> None:
    assert str(to_decimal(zero)) in ("0", "0.0", "0.00")
    assert plain(to_decimal(zero)) == str(to_decimal(zero))
    assert scored("≤0起", zero) == ("10.00", True, "100.00")
    assert scored("≥20场次", zero) == ("0.00", False, "0.00")
    assert scored("≤8万元", zero)[2] == "200.00"
    assert target_from({"comparator": ">=", "value": zero}).value == 0
    assert not str(parse_target(f"≥{zero}%").value).startswith("-")
    assert not str(target_of({"comparator": ">=", "value": zero, "text": "x"}).value).startswith(
        "-"
    )
    assert fmt(Decimal("-0.001")) == "0.00"


COMPARATORS = (">=", ">", "<=", "<", "=")
FIGURES = st.decimals(min_value=Decimal(-1000), max_value=Decimal(1000), places=2, allow_nan=False)
WEIGHTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2)


@given(st.sampled_from(COMPARATORS), FIGURES, FIGURES, WEIGHTS)
def test_a_missed_target_never_scores_its_weight_and_a_met_one_always_does(
    comparator: str, planned: Decimal, final: Decimal, weight: Decimal
) -> None:
    target = Target(comparator, planned, None, f"{comparator}{planned}")
    result = quantitative_score(target, final, weight)
    assert result.exact is not None and result.completion_rate is not None
    score = round_half_up(result.exact)
    assert score >= 0 and result.completion_rate >= 0
    assert not str(result.completion_rate).startswith("-")
    if result.met:
        assert result.exact == weight
        assert result.completion_rate >= HUNDRED
    else:
        assert score < weight
        assert result.completion_rate < HUNDRED
        assert completion_rate(target, final) == result.completion_rate


@given(st.sampled_from(COMPARATORS), FIGURES, FIGURES, WEIGHTS)
def test_the_offline_verifier_recomputes_the_same_target_score(
    comparator: str, planned: Decimal, final: Decimal, weight: Decimal
) -> None:
    target = Target(comparator, planned, None, f"{comparator}{planned}")
    result = quantitative_score(target, final, weight)
    assert result.exact is not None
    recomputed = target_rule(target.as_dict(), {"value": str(final)}, weight)
    assert recomputed is not None
    assert round_half_up(recomputed) == round_half_up(result.exact)
