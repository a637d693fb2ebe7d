"""The evaluation's time zone: the zone its dates without an offset are read in."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import InvalidValue

# The areas of the IANA database's Area/Location names (Etc holds the fixed offsets). Other
# names a zone directory may hold are no place's zone: `localtime` and `posixrules` are the
# host's own settings, `Factory` a placeholder, `posix/…` and `right/…` copies of the
# database, and PRC, EST5EDT and their like old aliases.
AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Etc",
        "Europe",
        "Indian",
        "Pacific",
    }
)


def check_time_zone(name: str | None) -> str | None:
    """An IANA time zone name (e.g. Asia/Shanghai), or UTC, the evaluation's dates are read in."""
    if name is None or not str(name).strip():
        return None
    text = str(name).strip()
    area, _, location = text.partition("/")
    if text != "UTC" and (area not in AREAS or not location):
        raise InvalidValue(
            f"unknown time zone {text!r}: give an IANA Area/Location name such as "
            "Asia/Shanghai, or UTC",
            time_zone=text,
        )
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValue(f"unknown time zone {text!r}", time_zone=text) from None
    return text
