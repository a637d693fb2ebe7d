"""Bounds on numbers and times taken from requests, so every one fits the stores and the clock."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import validate

# Versions and notification ids are 32-bit integers in the read models (PostgreSQL INTEGER).
VERSION_MAX = 2**31 - 1
# page × per_page must stay far inside a 64-bit OFFSET.
PAGE_MAX = 10**6


def version_range() -> validate.Range:
    return validate.Range(min=1, max=VERSION_MAX, error="Must be between 1 and {max}.")


def page_range() -> validate.Range:
    return validate.Range(min=1, max=PAGE_MAX, error="Must be between 1 and {max}.")


def in_utc(moment: datetime) -> datetime | None:
    """The moment in UTC, or None when it falls off the calendar there (year 1 or 9999)."""
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
