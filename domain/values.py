"""Decimal helpers: parsing, half-up rounding at the leaf, percent rates."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.errors import InvalidValue

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def to_decimal(value: object, field: str = "value") -> Decimal:
    """Parse an int, a decimal string or a Decimal; floats go through str() to stay exact."""
    if isinstance(value, bool):
        raise InvalidValue(f"{field} must be a number, not a boolean", field=field, value=value)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float | str):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise InvalidValue(
                f"{field} must be a decimal number, got {value!r}", field=field, value=value
            ) from None
    else:
        raise InvalidValue(f"{field} must be a number, got {value!r}", field=field, value=value)
    if not number.is_finite():
        raise InvalidValue(f"{field} must be finite, got {value!r}", field=field, value=value)
    return number


def round_half_up(value: Decimal) -> Decimal:
    """Round to two decimals, half away from zero, as published score tables do."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


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
    return None if value is None else str(value)
