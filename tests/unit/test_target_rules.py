"""Scoring rules of the self-evaluation form: met, missed, exceeded, bands and deviations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import ReasonRequired, TargetRefused
from domain.targets.rules import (
    NATIONAL,
    TargetRules,
    check_deviation,
    check_qualitative,
    overshoot,
    quantitative_score,
)
from domain.targets.text import parse_target
from domain.targets.values import TargetState, final_score, prepare_value
from domain.values import round_half_up

W = Decimal(10)


def score(
    text: str, final: str, weight: Decimal = W
) -> tuple[Decimal, bool | None, Decimal | None]:
    result = quantitative_score(parse_target(text), Decimal(final), weight)
    assert result.exact is not None
    return round_half_up(result.exact), result.met, result.completion_rate


def test_a_met_positive_target_gives_the_full_weight() -> None:
    assert score("≥20场次", "25") == (Decimal("10.00"), True, Decimal("125.00"))


def test_a_missed_positive_target_gives_final_over_planned() -> None:
    assert score("≥20场次", "15") == (Decimal("7.50"), False, Decimal("75.00"))


def test_a_strict_positive_target_is_missed_at_its_value() -> None:
    assert score(">3家", "3")[1] is False


def test_an_exceeded_cost_target_gives_planned_over_final() -> None:
    # the completion rate is the ratio the score takes: 4.74 ÷ 5.2, below 100 % as missed
    assert score("≤4.74万元", "5.2") == (Decimal("9.12"), False, Decimal("91.15"))


def test_a_cost_target_kept_gives_the_full_weight() -> None:
    assert score("≤8万元", "7.6")[:2] == (Decimal("10.00"), True)


@pytest.mark.parametrize(("final", "expected"), [("95", "9.50"), ("105", "9.52"), ("100", "10.00")])
def test_an_exact_target_missed_either_way_gives_smaller_over_larger(
    final: str, expected: str
) -> None:
    assert score("=100%", final)[0] == Decimal(expected)


def test_scores_round_half_up_at_the_leaf() -> None:
    # 3 × 2.5/3 … = 0.125 of weight 1 → 0.13, not banker's 0.12
    assert score("≥8个", "1", Decimal(1))[0] == Decimal("0.13")


def test_a_zero_target_met_by_zero_counts_in_full() -> None:
    assert score("≤0起", "0")[:2] == (Decimal("10.00"), True)
    assert score("≤0起", "2")[0] == Decimal("0.00")


@pytest.mark.parametrize(
    ("outcome", "share", "admitted"),
    [
        ("achieved", "1", True),
        ("achieved", "0.8", True),  # 80 % exactly belongs to achieved
        ("achieved", "0.79", False),
        ("partial", "0.8", False),
        ("partial", "0.79", True),
        ("partial", "0.6", True),  # 60 % exactly belongs to partial
        ("partial", "0.59", False),
        ("not_achieved", "0.6", False),
        ("not_achieved", "0.59", True),
        ("not_achieved", "0", True),
    ],
)
def test_qualitative_score_must_lie_in_its_outcome_band(
    outcome: str, share: str, admitted: bool
) -> None:
    points = Decimal(share) * W
    if admitted:
        assert check_qualitative(NATIONAL, "C1", outcome, points, W) == points
    else:
        with pytest.raises(TargetRefused) as caught:
            check_qualitative(NATIONAL, "C1", outcome, points, W)
        assert caught.value.values["outcome"] == outcome


def test_unknown_outcome_is_refused() -> None:
    with pytest.raises(TargetRefused):
        check_qualitative(NATIONAL, "C1", "mostly", "9", W)


def test_a_region_may_configure_its_own_bands_and_margin() -> None:
    rules = TargetRules.from_data(
        {"bands": {"achieved": ["0.9", "1"], "partial": ["0.6", "0.9"]}, "overshoot_margin": "0.5"}
    )
    with pytest.raises(TargetRefused):
        check_qualitative(rules, "C1", "achieved", "8.5", W)
    assert check_qualitative(rules, "C1", "partial", "8.5", W) == Decimal("8.5")
    assert overshoot(rules, parse_target("≥20个"), Decimal("28")) is None


def test_missed_value_needs_deviation_reason_and_improvement() -> None:
    with pytest.raises(ReasonRequired) as caught:
        check_deviation(NATIONAL, "C1", False, "  ", None)
    assert caught.value.values["missing"] == ["deviation_reason", "improvement"]
    assert check_deviation(NATIONAL, "C1", False, "工期延误", "加强调度") == (
        "工期延误",
        "加强调度",
    )


def test_overshoot_beyond_the_margin_is_flagged_for_both_directions() -> None:
    assert overshoot(NATIONAL, parse_target("≥20个"), Decimal("24")) is None
    assert overshoot(NATIONAL, parse_target("≥20个"), Decimal("30")) == Decimal("50.00")
    assert overshoot(NATIONAL, parse_target("≤10万元"), Decimal("6")) == Decimal("40.00")


def test_a_missed_target_is_never_flagged_as_overshot() -> None:
    assert overshoot(NATIONAL, parse_target("不低于-3%"), Decimal("-6")) is None
    assert overshoot(NATIONAL, parse_target("≤-5元"), Decimal("-3")) is None
    assert overshoot(NATIONAL, parse_target("不低于-3%"), Decimal("0")) == Decimal("100.00")


def record(text: str, state: TargetState, **kw: object) -> dict[str, object]:
    values: dict[str, object] = {
        "value": None,
        "outcome": None,
        "score": None,
        "justification": None,
        "deviation_reason": None,
        "improvement": None,
        "reason": None,
    }
    values.update(kw)
    return prepare_value(
        code="C1", target=parse_target(text), weight=W, rules=NATIONAL, state=state, **values
    )  # type: ignore[arg-type]


def test_a_missed_final_value_is_refused_without_reasons() -> None:
    with pytest.raises(ReasonRequired):
        record("≥20场次", TargetState(), stage="final", value="15")
    payload = record(
        "≥20场次",
        TargetState(),
        stage="final",
        value="15",
        deviation_reason="场地维修",
        improvement="提前排期",
    )
    assert payload["deviation_reason"] == "场地维修"


def test_a_monitored_value_below_target_needs_no_reason() -> None:
    assert record("≥20场次", TargetState(), stage="monitored", value="8")["value"] == Decimal(8)


def test_a_correction_of_the_same_stage_needs_a_reason() -> None:
    from domain.targets.values import apply_value

    state = TargetState()
    apply_value(state, record("≥20场次", state, stage="final", value="25"), None, [], 3, "王")
    with pytest.raises(ReasonRequired):
        record("≥20场次", state, stage="final", value="26")
    payload = record("≥20场次", state, stage="final", value="26", reason="台账复核")
    apply_value(state, payload, None, [], 5, "李")
    assert state.final is not None and state.final.value == Decimal(26)
    assert state.final.previous[0]["value"] == Decimal(25)
    assert payload["corrects_version"] == 3


def test_qualitative_final_needs_outcome_score_and_justification() -> None:
    with pytest.raises(TargetRefused):
        record("符合", TargetState(), stage="final", value="1")
    with pytest.raises(ReasonRequired):
        record("符合", TargetState(), stage="final", outcome="achieved", score="9")
    with pytest.raises(ReasonRequired):  # partial misses: reasons needed as for a number
        record(
            "符合",
            TargetState(),
            stage="final",
            outcome="partial",
            score="7",
            justification="部分符合",
        )
    state = TargetState()
    from domain.targets.values import apply_value

    apply_value(
        state,
        record(
            "符合", state, stage="final", outcome="achieved", score="9", justification="验收合格"
        ),
        None,
        [],
        2,
        "王",
    )
    result = final_score(parse_target("符合"), W, state)
    assert (result.exact, result.met, result.completion_rate) == (
        Decimal(9),
        True,
        Decimal("90.00"),
    )


def test_a_quantitative_target_takes_no_outcome() -> None:
    with pytest.raises(TargetRefused):
        record("≥20场次", TargetState(), stage="final", outcome="achieved", score="9")


def test_unknown_stage_is_refused() -> None:
    with pytest.raises(TargetRefused):
        record("≥20场次", TargetState(), stage="annual", value="1")


def test_a_quantitative_target_takes_no_score_of_its_own() -> None:
    with pytest.raises(TargetRefused):
        record("≥20场次", TargetState(), stage="final", value="25", score="10")
