"""A target as printed ("≥20场次", "100%", "符合") parsed into comparator, value and unit."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.errors import TargetRefused
from domain.values import to_decimal, unsigned

POSITIVE = (">=", ">")  # more is better: output, quality, benefit
NEGATIVE = ("<=", "<")  # less is better: cost, time, incidents
EXACT = "="
QUALITATIVE = "qualitative"
COMPARATORS = (*POSITIVE, *NEGATIVE, EXACT, QUALITATIVE)

# Printed signs after NFKC (which already turns ＞＜＝ into ><=); longest first.
_SIGNS = (
    (">=", ">="),
    ("=>", ">="),
    ("<=", "<="),
    ("=<", "<="),
    ("≥", ">="),
    ("≧", ">="),
    ("⩾", ">="),
    ("≤", "<="),
    ("≦", "<="),
    ("⩽", "<="),
    (">", ">"),
    ("<", "<"),
    ("=", "="),
)
# Spelled-out comparators; longer words first so 不低于 is not read as 低于.
_WORDS = (
    ("大于或等于", ">="),
    ("大于等于", ">="),
    ("不低于", ">="),
    ("不少于", ">="),
    ("不小于", ">="),
    ("不得低于", ">="),
    ("至少", ">="),
    ("达到", ">="),
    ("小于或等于", "<="),
    ("小于等于", "<="),
    ("不超过", "<="),
    ("不高于", "<="),
    ("不多于", "<="),
    ("不大于", "<="),
    ("不得超过", "<="),
    ("不得高于", "<="),
    ("控制在", "<="),
    ("至多", "<="),
    ("大于", ">"),
    ("高于", ">"),
    ("超过", ">"),
    ("多于", ">"),
    ("小于", "<"),
    ("低于", "<"),
    ("少于", "<"),
    ("等于", "="),
)
# Trailing words: in Chinese statistics 以上/以下 include the number itself.
_TRAILERS = (
    ("及以上", ">="),
    ("以上", ">="),
    ("及以下", "<="),
    ("以下", "<="),
    ("以内", "<="),
    ("左右", "="),
)
_NUMBER = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)")
_PERCENT = ("%", "‰")
# A date or period ("2022年全年", "12月底前", "6月30日前") is a timeliness target judged as
# achieved or not, not a number to divide by.
_PERIOD = re.compile(r"^(?:\d{4}年|\d{1,2}月|\d{1,2}日)|(?:年底|月底|全年|季度|上半年|下半年)")
_MAX_UNIT = 12


class UnparseableTarget(TargetRefused):
    """The printed target cannot be read as a comparator, a value and a unit."""

    title = "Unparseable target"


@dataclass(frozen=True)
class Target:
    """What a leaf must reach: a comparator with a value and unit, or a qualitative text.

    `cumulative` targets count things that only grow over the year (场次, 人次, 万元 spent):
    a final count below the mid-year one is suspicious.
    """

    comparator: str
    value: Decimal | None
    unit: str | None
    text: str
    cumulative: bool = False

    @property
    def qualitative(self) -> bool:
        return self.comparator == QUALITATIVE

    @property
    def positive(self) -> bool:
        return self.comparator in POSITIVE

    @property
    def negative(self) -> bool:
        return self.comparator in NEGATIVE

    def as_dict(self) -> dict[str, Any]:
        """The canonical primitives a FrameworkDefined event stores."""
        return {
            "comparator": self.comparator,
            "value": self.value,
            "unit": self.unit,
            "text": self.text,
            "cumulative": self.cumulative,
        }


def normalise(text: str) -> str:
    """Full-width digits and signs to ASCII (NFKC), whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def parse_target(text: object, bare: str = EXACT) -> Target:
    """Parse printed target text, keeping the text as written.

    `bare` is the comparator of a bare value ("100%", "20个"); the national form reads it
    as a value to hit exactly, and a region may configure `>=` instead.
    """
    written = str(text if text is not None else "").strip()
    compact = normalise(written)
    if not compact:
        raise UnparseableTarget("a target needs its text or comparator and value", text=written)
    comparator, rest, symbolic = _leading_comparator(compact)
    rest, trailing = _trailing_comparator(rest)
    if comparator and trailing and comparator != trailing and trailing != EXACT:
        raise UnparseableTarget(
            f"target {written!r} says both {comparator} and {trailing}", text=written
        )
    comparator = comparator or trailing
    number = _NUMBER.match(rest)
    if number is None or _PERIOD.search(rest):
        if symbolic:
            raise UnparseableTarget(
                f"target {written!r}: a sign must be followed by a number", text=written
            )
        return _qualitative(written)
    value = to_decimal(number.group(1).replace(",", ""), "target value")
    unit = rest[number.end() :]
    if any(ch.isdigit() for ch in unit) or len(unit) > _MAX_UNIT:
        raise UnparseableTarget(
            f"target {written!r} is not one value with a unit "
            "(give a range as two targets, or the text as a qualitative target)",
            text=written,
        )
    final = comparator or bare
    return Target(final, value, unit or None, written, default_cumulative(final, unit or None))


def _leading_comparator(text: str) -> tuple[str | None, str, bool]:
    for sign, comparator in _SIGNS:
        if text.startswith(sign):
            return comparator, text[len(sign) :], True
    for word, comparator in _WORDS:
        if text.startswith(word):
            return comparator, text[len(word) :], False
    return None, text, False


def _trailing_comparator(text: str) -> tuple[str, str | None]:
    for word, comparator in _TRAILERS:
        if text.endswith(word) and len(text) > len(word):
            return text[: -len(word)], comparator
    return text, None


def _qualitative(text: str) -> Target:
    return Target(QUALITATIVE, None, None, text)


def default_cumulative(comparator: str, unit: str | None) -> bool:
    """Counts and amounts of a positive target grow over the year; rates and durations do not."""
    if comparator not in POSITIVE or unit is None:
        return False
    return unit not in _PERCENT and not unit.endswith(("率", "天", "日", "小时", "月", "年", "分"))


def target_from(raw: object, bare: str = EXACT) -> Target:
    """A target given as printed text, or as {comparator, value?, unit?, text?, cumulative?}."""
    if isinstance(raw, str):
        return parse_target(raw, bare)
    if not isinstance(raw, dict):
        raise UnparseableTarget("a target is its printed text or an object", text=repr(raw))
    comparator = str(raw.get("comparator") or "").strip()
    text = str(raw.get("text") or "").strip()
    if not comparator:
        parsed = parse_target(text, bare)
        return _with_cumulative(parsed, raw)
    if comparator not in COMPARATORS:
        raise TargetRefused(
            f"comparator {comparator!r} is not one of {', '.join(COMPARATORS)}",
            comparator=comparator,
        )
    if comparator == QUALITATIVE:
        if not text:
            raise TargetRefused("a qualitative target needs its text", comparator=comparator)
        return _with_cumulative(_qualitative(text), raw)
    if raw.get("value") is None:
        raise TargetRefused(f"a {comparator} target needs a value", comparator=comparator)
    value = to_decimal(raw["value"], "target value")
    unit = str(raw.get("unit") or "").strip() or None
    printed = text or f"{_PRINTED[comparator]}{value}{unit or ''}"
    return _with_cumulative(
        Target(comparator, value, unit, printed, default_cumulative(comparator, unit)), raw
    )


_PRINTED = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": ""}


def _with_cumulative(target: Target, raw: dict[str, Any]) -> Target:
    flag = raw.get("cumulative")
    if flag is None:
        return target
    return Target(target.comparator, target.value, target.unit, target.text, bool(flag))


def target_of(stored: dict[str, Any]) -> Target:
    """Back from the primitives an event stored (no parsing: replay must not re-interpret)."""
    value = stored.get("value")
    return Target(
        stored["comparator"],
        None if value is None else unsigned(Decimal(str(value))),
        stored.get("unit"),
        stored["text"],
        bool(stored.get("cumulative")),
    )
