"""Scoring rules of the self-evaluation form (绩效自评表), kept as data a region can vary.

完成率 (completion rate) follows one convention: how far the final value went the target's
way, so 100 % is "exactly reached" and more is better for every target. A target where more
is better (`>=`, `>`, `=`) takes final ÷ planned; a cost or time target (`<=`, `<`) takes
planned ÷ final, the share a missed cost target scores (planned ÷ final × weight).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from domain.errors import ReasonRequired, TargetRefused
from domain.targets.text import CEILING, EXACT, FLOOR, NEGATIVE, POSITIVE, Target
from domain.values import CENT, HUNDRED, round_half_up, to_amount, to_decimal, unsigned

ZERO, ONE = Decimal(0), Decimal(1)
ACHIEVED, PARTIAL, NOT_ACHIEVED = "achieved", "partial", "not_achieved"
OUTCOMES = (ACHIEVED, PARTIAL, NOT_ACHIEVED)
MONITORED, FINAL = "monitored", "final"
STAGES = (MONITORED, FINAL)


@dataclass(frozen=True)
class Band:
    """Share of the weight a qualitative outcome may score: low (inclusive) to high."""

    low: Decimal
    high: Decimal
    high_inclusive: bool

    def admits(self, share: Decimal) -> bool:
        return self.low <= share and (
            share <= self.high if self.high_inclusive else share < self.high
        )

    def describe(self) -> str:
        top = "]" if self.high_inclusive else ")"
        return f"[{self.low * HUNDRED:.0f}%, {self.high * HUNDRED:.0f}%{top}"


def _national_bands() -> dict[str, Band]:
    # 财预〔2020〕10号 附件 notes: 达成 100–80 %, 部分达成 below 80 down to 60 %, 未达成 below 60 %.
    return {
        ACHIEVED: Band(Decimal("0.8"), ONE, True),
        PARTIAL: Band(Decimal("0.6"), Decimal("0.8"), False),
        NOT_ACHIEVED: Band(ZERO, Decimal("0.6"), False),
    }


BARE_NUMBERS = (FLOOR, EXACT)
COST_GROUP = "成本指标"


@dataclass(frozen=True)
class TargetRules:
    """The rule set: outcome bands, overshoot margin, and how a bare printed value reads.

    `bare_comparator` `>=` is the national reading (a floor, a ceiling under 成本指标);
    `=` reads a bare value as one to hit exactly, wherever it stands.
    """

    bands: dict[str, Band] = field(default_factory=_national_bands)
    overshoot_margin: Decimal = Decimal("0.2")
    bare_comparator: str = FLOOR
    # A missed target needs 偏差原因 and 改进措施 before its final value is accepted.
    deviation_required: bool = True

    def bare_for(self, ancestors: Iterable[str]) -> str:
        """The comparator of a bare printed value under parents of these names."""
        if self.bare_comparator == FLOOR and any(COST_GROUP in name for name in ancestors):
            return CEILING
        return self.bare_comparator

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> TargetRules:
        """A rule set from data: {bare_number: ">=" | "=", bands: {outcome: [low, high]},
        overshoot_margin, deviation_required}; what is left out keeps the national rule."""
        if not data:
            return cls()
        bands = dict(_national_bands())
        given = data.get("bands") or {}
        if not isinstance(given, dict):
            raise TargetRefused("bands map each outcome to [low, high]", bands=repr(given))
        for outcome, limits in given.items():
            if outcome not in OUTCOMES:
                raise TargetRefused(f"no outcome {outcome!r}; use {', '.join(OUTCOMES)}")
            if not isinstance(limits, list | tuple) or len(limits) != 2:
                raise TargetRefused(f"band of {outcome} is [low, high]", outcome=outcome)
            low, high = (to_decimal(v, f"band of {outcome}") for v in limits)
            if not ZERO <= low < high <= ONE:
                raise TargetRefused(
                    f"band of {outcome} must lie within [0, 1] with low below high, "
                    f"not [{low}, {high}]",
                    outcome=outcome,
                )
            bands[outcome] = Band(low, high, outcome == ACHIEVED)
        bare = str(data.get("bare_number") or FLOOR)
        if bare not in BARE_NUMBERS:
            raise TargetRefused(
                f"bare_number must be one of {', '.join(BARE_NUMBERS)}, not {bare!r}",
                bare_number=bare,
            )
        return cls(
            bands=bands,
            overshoot_margin=to_decimal(
                _given(data, "overshoot_margin", "0.2"), "overshoot_margin"
            ),
            bare_comparator=bare,
            deviation_required=bool(_given(data, "deviation_required", True)),
        )

    @classmethod
    def recorded(cls, raw: object) -> dict[str, Any] | None:
        """What an evaluation's Created event records of the rules given at opening: their
        canonical data, or None when nothing was given (the national rules then apply)."""
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise TargetRefused("target_rules is an object", target_rules=repr(raw))
        given = {k: v for k, v in raw.items() if v is not None}
        return cls.from_data(given).as_data() if given else None

    def as_data(self) -> dict[str, Any]:
        """The primitives an event records and a document shows (numbers as strings)."""
        return {
            "bare_number": self.bare_comparator,
            "bands": {
                outcome: [_plain(band.low), _plain(band.high)]
                for outcome, band in self.bands.items()
            },
            "overshoot_margin": _plain(self.overshoot_margin),
            "deviation_required": self.deviation_required,
        }


def _given(data: dict[str, Any], name: str, default: object) -> Any:
    value = data.get(name)
    return default if value is None else value


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


NATIONAL = TargetRules()
# A met target scores its full weight; a missed one never does. How far a final value reached
# its target (`reached`, 1 = exactly on it) is the ratio of the national notes while the target
# is above zero: final ÷ planned for more-is-better targets, planned ÷ final for cost targets,
# the smaller over the larger for `=`. Where no ratio means anything (a target below zero, or a
# cost target whose final is zero or below) it is the distance from the target measured on the
# target's own magnitude: 1 ± |final − planned| ÷ |planned|, plus on the good side. A target of
# zero has no magnitude: missed reaches 0. A missed target keeps `reached` clamped to [0, 1] of
# its weight, and at most the weight less one printed step (0.01); its completion rate is at most
# 99.99 %. Negative zero reads as zero.
POSITIVE_RULE = "final ÷ planned × weight"
NEGATIVE_RULE = "planned ÷ final × weight"
EXACT_RULE = "the smaller over the larger × weight"
DISTANCE_RULE = "(1 − |final − planned| ÷ |planned|) × weight"
ZERO_RULE = "a target of zero missed scores 0"
RATE_BOUND = Decimal(10) ** 12  # completion rates stop at 10^14 %


@dataclass(frozen=True)
class TargetScore:
    """What a final value gives: the unrounded score, whether it met, the completion rate."""

    exact: Decimal | None
    met: bool | None
    completion_rate: Decimal | None
    note: str | None = None


def is_met(target: Target, final: Decimal) -> bool:
    planned = target.value
    assert planned is not None, "a quantitative target has a value"
    return {
        ">=": final >= planned,
        ">": final > planned,
        "<=": final <= planned,
        "<": final < planned,
        "=": final == planned,
    }[target.comparator]


def _beyond(target: Target, final: Decimal, planned: Decimal) -> bool:
    """Whether the final value lies past the target on its good side."""
    if target.comparator in POSITIVE:
        return final > planned
    if target.comparator in NEGATIVE:
        return final < planned
    return False


def reached(target: Target, final: Decimal) -> Decimal:
    """How far the final value reached its target, 1 meaning exactly on it (not clamped)."""
    assert target.value is not None
    planned, final = unsigned(target.value), unsigned(final)
    if planned == 0:
        return ONE if is_met(target, final) else ZERO
    if planned > 0:
        if target.comparator in POSITIVE:
            return final / planned
        if target.comparator == EXACT:
            return min(final, planned) / max(final, planned)
        if final > 0:
            return planned / final
    # no ratio means anything here: the distance on the target's own magnitude
    gap = abs(final - planned) / abs(planned)
    return ONE + gap if _beyond(target, final, planned) else ONE - gap


def missed_rule(target: Target, final: Decimal) -> str:
    """Which scale a missed value is scored on, as the explanation names it."""
    assert target.value is not None
    planned, final = unsigned(target.value), unsigned(final)
    if planned == 0:
        return ZERO_RULE
    if planned > 0 and target.comparator in POSITIVE:
        return POSITIVE_RULE
    if planned > 0 and target.comparator == EXACT:
        return EXACT_RULE
    return NEGATIVE_RULE if planned > 0 and final > 0 else DISTANCE_RULE


def completion_rate(target: Target, final: Decimal) -> Decimal:
    """完成率 as a percent with two decimals: `reached` × 100, below 100 whenever missed."""
    # the stores' figures can make ratios up to 10^27: a rate past the bound prints as the bound
    rate = round_half_up(min(reached(target, final), RATE_BOUND) * HUNDRED)
    if is_met(target, final):
        return rate
    return min(max(rate, ZERO), HUNDRED - CENT)


def quantitative_score(target: Target, final: Decimal, weight: Decimal) -> TargetScore:
    """Met → the weight; missed → `reached` (within [0, 1]) × weight, at most the weight less
    0.01, so that a missed target never prints its full weight."""
    rate = completion_rate(target, final)
    if is_met(target, final):
        return TargetScore(weight, True, rate)
    share = min(max(reached(target, final), ZERO), ONE)
    return TargetScore(min(share * weight, max(weight - CENT, ZERO)), False, rate)


def check_qualitative(
    rules: TargetRules, code: str, outcome: str | None, score: object, weight: Decimal
) -> Decimal:
    """The evaluator's score must lie inside the band of the outcome they picked."""
    if outcome not in OUTCOMES:
        raise TargetRefused(
            f"outcome of {code} must be one of {', '.join(OUTCOMES)}, not {outcome!r}",
            code=code,
            outcome=outcome,
        )
    if score is None:
        raise TargetRefused(f"a qualitative outcome of {code} needs a score", code=code)
    value = to_amount(score, "score")
    band = rules.bands[outcome]
    share = value / weight if weight else ZERO
    if not band.admits(share):
        raise TargetRefused(
            f"score {value} of {code} is {share * HUNDRED:.2f}% of the weight {weight}, outside "
            f"the band {band.describe()} of outcome {outcome}",
            code=code,
            outcome=outcome,
            score=str(value),
            weight=str(weight),
            band=band.describe(),
        )
    return value


def qualitative_score(outcome: str, score: Decimal, weight: Decimal) -> TargetScore:
    """The evaluator's score stands; its share of the weight is reported as the rate."""
    rate = round_half_up(score / weight * HUNDRED) if weight else None
    return TargetScore(score, outcome == ACHIEVED, rate)


def check_deviation(
    rules: TargetRules,
    code: str,
    met: bool,
    deviation_reason: str | None,
    improvement: str | None,
) -> tuple[str | None, str | None]:
    """A missed final value is refused without 偏差原因 and 改进措施."""
    reason = (deviation_reason or "").strip() or None
    measure = (improvement or "").strip() or None
    if met or not rules.deviation_required:
        return reason, measure
    missing = [
        name
        for name, value in (("deviation_reason", reason), ("improvement", measure))
        if value is None
    ]
    if missing:
        raise ReasonRequired(
            f"the final value of {code} misses its target: give {' and '.join(missing)}",
            code=code,
            missing=missing,
        )
    return reason, measure


def overshoot(rules: TargetRules, target: Target, final: Decimal) -> Decimal | None:
    """How far (percent of the target's magnitude) a met target went past its value, when that
    is beyond the margin: was the target set too loosely?"""
    if target.value is None or target.comparator not in (*POSITIVE, *NEGATIVE):
        return None
    planned, final = unsigned(target.value), unsigned(final)
    if planned == 0 or not _beyond(target, final, planned):
        return None
    gap = abs(final - planned) / abs(planned)
    return round_half_up(gap * HUNDRED) if gap > rules.overshoot_margin else None
