"""The evaluation's time zone: the zone its dates without an offset are read in."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import InvalidValue


def check_time_zone(name: str | None) -> str | None:
    """An IANA time zone name (e.g. Asia/Shanghai) the evaluation's dates are read in."""
    if name is None or not str(name).strip():
        return None
    text = str(name).strip()
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValue(f"unknown time zone {text!r}", time_zone=text) from None
    return text
