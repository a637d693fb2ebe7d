"""Numbers with extreme exponents are refused as invalid values, never a crash."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError

from domain.errors import InvalidValue
from domain.values import MAX_DECIMALS, MAX_INTEGER_DIGITS, to_amount, to_decimal
from web.schemas import Number

EXTREMES = ["1e999999999", "-1e999999999", "1e-999999999", "1E+1000", "-0e999999999"]


@pytest.mark.parametrize("text", [*EXTREMES, "0e-999999999", "Infinity", "NaN", "-Infinity"])
def test_an_extreme_or_special_number_is_an_invalid_value(text: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        to_decimal(text, "points")
    assert refused.value.values["field"] == "points"


@pytest.mark.parametrize("number", [Decimal(t) for t in EXTREMES])
def test_an_extreme_decimal_given_as_such_is_an_invalid_value(number: Decimal) -> None:
    with pytest.raises(InvalidValue):
        to_amount(number, "score")


def fits_the_stores(coefficient: int, exponent: int) -> bool:
    """The rule in integer arithmetic: fewer than 16 integer digits, at most 12 decimals."""
    if coefficient == 0:
        return -MAX_DECIMALS <= exponent < MAX_INTEGER_DIGITS
    digits = abs(coefficient)
    while digits % 10 == 0:
        digits, exponent = digits // 10, exponent + 1
    return -exponent <= MAX_DECIMALS and exponent + len(str(digits)) - 1 < MAX_INTEGER_DIGITS


@given(
    coefficient=st.integers(min_value=-(10**20), max_value=10**20),
    exponent=st.integers(min_value=-(10**12), max_value=10**12),
)
def test_any_exponent_is_kept_exactly_or_refused(coefficient: int, exponent: int) -> None:
    text = f"{coefficient}e{exponent}"
    try:
        kept = to_decimal(text)
    except InvalidValue:
        assert not fits_the_stores(coefficient, exponent)
    else:
        assert fits_the_stores(coefficient, exponent)
        assert kept == Decimal(text)


@given(exponent=st.integers(min_value=-(10**12), max_value=10**12))
def test_the_number_field_answers_a_validation_error_for_any_exponent(exponent: int) -> None:
    field = Number()
    try:
        value = field.deserialize(f"1e{exponent}")
    except ValidationError as error:
        assert "integer digits" in str(error.messages)
    else:
        assert -MAX_DECIMALS <= exponent < MAX_INTEGER_DIGITS and value == Decimal(f"1e{exponent}")
