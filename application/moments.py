"""Times as people write them: a date alone is a whole day, a time without offset is local."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"


def zone_named(name: str | None) -> tzinfo:
    """The IANA time zone of that name (the default zone when none is given)."""
    try:
        return ZoneInfo((name or DEFAULT_TIMEZONE).strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def parse_moment(text: str, zone: tzinfo, *, end_of_day: bool) -> datetime:
    """An aware datetime from ISO-8601 text.

    A date alone means the start of that day in `zone`, or its last instant with
    `end_of_day` (what "as of 2026-11-22" means to a person); a time without an offset is
    read in `zone`. ValueError when the text is neither.
    """
    text = text.strip()
    if len(text) == 10:
        day = date.fromisoformat(text)
        if end_of_day:
            following = datetime.combine(day + timedelta(days=1), time(), zone)
            return following - timedelta(microseconds=1)
        return datetime.combine(day, time(), zone)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def local_text(moment: datetime | str | None, zone: tzinfo) -> str:
    """A moment as people read it in `zone`: `2026-11-22 21:40 (UTC+08:00)`."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} (UTC{offset[:3]}:{offset[3:]})"
