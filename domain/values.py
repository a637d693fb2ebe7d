"""Decimal helpers: parsing, half-up rounding at the leaf, percent rates."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.errors import InvalidValue

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# A decimal as people write it, in ASCII: no digit separators, no other scripts' digits
# (Python's Decimal would read "1_0" as 10 and "１" as 1 without a word).
DECIMAL_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
# What the stores keep exactly: at most 15 integer digits and 12 decimals.
MAX_INTEGER_DIGITS = 15
MAX_DECIMALS = 12
# Points, scores and weights are published with two decimals: no more may be given.
AMOUNT_DECIMALS = 2


def to_decimal(value: object, field: str = "value") -> Decimal:
    """Parse an int, a decimal string or a Decimal; floats go through str() to stay exact."""
    if isinstance(value, bool):
        raise InvalidValue(f"{field} must be a number, not a boolean", field=field, value=value)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float | str):
        text = str(value).strip()
        if isinstance(value, str) and not DECIMAL_TEXT.fullmatch(text):
            raise InvalidValue(
                f"{field} must be a decimal number written with ASCII digits, got {value!r}",
                field=field,
                value=value,
            )
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise InvalidValue(
                f"{field} must be a decimal number, got {value!r}", field=field, value=value
            ) from None
    else:
        raise InvalidValue(f"{field} must be a number, got {value!r}", field=field, value=value)
    if not number.is_finite():
        raise InvalidValue(f"{field} must be finite, got {value!r}", field=field, value=value)
    return check_representable(unsigned(number), field, value)


def unsigned(number: Decimal) -> Decimal:
    """Negative zero ("-0", "-0.0") as zero: it reads, compares and prints as 0."""
    return number.copy_abs() if isinstance(number, Decimal) and number.is_zero() else number


def check_representable(number: Decimal, field: str, given: object) -> Decimal:
    """Refuse numbers the stores cannot keep exactly (huge, or with a tiny exponent).

    Read from the number's digits and exponent alone, in integer arithmetic: normalize()
    or any other operation under the decimal context overflows on an exponent past the
    context's limits (1e999999999) and would answer 500 instead of refusing it."""
    if not number.is_finite():
        raise InvalidValue(f"{field} must be finite, got {str(given)!r}", field=field, value=given)
    if number.adjusted() >= MAX_INTEGER_DIGITS or decimals_of(number) > MAX_DECIMALS:
        raise InvalidValue(
            f"{field} must have at most {MAX_INTEGER_DIGITS} integer digits and "
            f"{MAX_DECIMALS} decimals, got {str(given)!r}",
            field=field,
            value=str(given),
        )
    return number


def decimals_of(number: Decimal) -> int:
    """How many decimals a finite number needs, trailing zeros dropped (those of a zero
    count: 0E-20 is refused as a store would round it)."""
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite
    if any(digits):
        exponent += len(digits) - len(bytes(digits).rstrip(b"\x00"))
    return -exponent


def to_amount(value: object, field: str = "value") -> Decimal:
    """Points, a score or a weight: a decimal with at most two decimals, never rounded here."""
    number = to_decimal(value, field)
    if number and decimals_of(number) > AMOUNT_DECIMALS:
        raise InvalidValue(
            f"{field} must have at most {AMOUNT_DECIMALS} decimals, got {str(value)!r}: "
            "it would be recorded rounded",
            field=field,
            value=str(value),
        )
    return number


def round_half_up(value: Decimal) -> Decimal:
    """Round to two decimals, half away from zero, as published score tables do (never -0.00)."""
    return unsigned(value.quantize(CENT, rounding=ROUND_HALF_UP))


def rate_percent(score: Decimal | None, weight: Decimal) -> Decimal | None:
    """得分率 as a percentage with two decimals; undefined for a zero weight or no score."""
    if score is None or weight == 0:
        return None
    return round_half_up(score * HUNDRED / weight)


def fmt(value: Decimal | None) -> str | None:
    """A score, weight or rate as a two-decimal string (None stays None)."""
    if value is None:
        return None
    return str(round_half_up(value))


def plain(value: Decimal | None) -> str | None:
    """A decimal as its exact string, for raw figures that must not be rounded."""
    return None if value is None else str(unsigned(value))


def shown(value: Decimal | None) -> str:
    """A figure in a sentence: exact up to four decimals, else rounded there and marked ≈
    (the step's `value` keeps every digit)."""
    if value is None:
        return ""
    value = unsigned(value)
    rounded = unsigned(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))
    if rounded == value:
        return f"{value.normalize():f}"  # exact: without the zeros a quotient trails
    return "≈" + f"{rounded:f}".rstrip("0").rstrip(".")
