"""Bounds on numbers and times taken from requests, so every one fits the stores and the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import fields, validate

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


class Moment(fields.AwareDateTime):
    """An ISO-8601 time that exists in UTC too (offsets at the calendar's edges do not)."""

    default_error_messages = {  # noqa: RUF012 (marshmallow's own convention)
        "edge": "Must be a time between years 1 and 9999 in UTC.",
    }

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if in_utc(moment) is None:
            raise self.make_error("edge")
        return moment
