"""Grade bands (评价等级): data per evaluation, lower edge inclusive."""

from __future__ import annotations

from decimal import Decimal

from domain.errors import InvalidValue
from domain.values import to_decimal

# Fractions of the total weight; with the usual 100 points these are 90, 80 and 60.
DEFAULT_BANDS: tuple[tuple[str, Decimal], ...] = (
    ("优", Decimal("0.9")),
    ("良", Decimal("0.8")),
    ("中", Decimal("0.6")),
    ("差", Decimal("0")),
)


def default_bands(total_weight: Decimal) -> list[dict[str, str]]:
    """The usual bands scaled to the evaluation's total weight."""
    # format "f" keeps 90 as "90", where str() of a normalised Decimal would give "9E+1"
    return [
        {"grade": g, "min": format((f * total_weight).normalize(), "f")} for g, f in DEFAULT_BANDS
    ]


def normalise_bands(bands: list[dict[str, object]]) -> list[dict[str, str]]:
    """Validate bands and order them from the highest lower edge down."""
    if not bands:
        raise InvalidValue("grade_bands must not be empty", grade_bands=bands)
    parsed: list[tuple[str, Decimal]] = []
    for band in bands:
        label = str(band.get("grade", "")).strip()
        if not label:
            raise InvalidValue("every grade band needs a grade label", band=band)
        parsed.append((label, to_decimal(band.get("min"), "grade_bands.min")))
    labels = [label for label, _ in parsed]
    if len(set(labels)) != len(labels):
        raise InvalidValue("grade labels must be unique", grades=labels)
    parsed.sort(key=lambda b: b[1], reverse=True)
    if parsed[-1][1] > 0:
        raise InvalidValue(
            "the lowest grade band must start at 0 so every total has a grade",
            lowest=str(parsed[-1][1]),
        )
    return [{"grade": label, "min": str(low)} for label, low in parsed]


def grade_for(total: Decimal | None, bands: list[dict[str, str]]) -> str | None:
    """The first band whose lower edge the (rounded) total reaches."""
    if total is None:
        return None
    for band in bands:
        if total >= Decimal(band["min"]):
            return band["grade"]
    return bands[-1]["grade"]
