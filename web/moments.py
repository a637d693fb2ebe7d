"""Query fields for times and history bounds, read in the service's time zone."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from flask import current_app, g, has_app_context, has_request_context, request
from marshmallow import fields

from application.history import NAMED_BOUNDS
from application.moments import DEFAULT_TIMEZONE, parse_moment, zone_named
from web.bounds import VERSION_MAX, in_utc
from web.context import service

TIMEZONE_SETTING = "SCORETRAIL_TIMEZONE"


def local_zone() -> tzinfo:
    """The zone in which dates and times without an offset are read: the evaluation's own
    when the request names one that has it, else the service's setting."""
    if has_request_context() and "local_zone" in g:
        # read once per request: a page shows many times, all in one evaluation's zone
        return g.local_zone
    name = None
    if has_request_context():
        evaluation_id = (request.view_args or {}).get("evaluation_id")
        if evaluation_id is not None:
            name = service().queries.time_zone_of(str(evaluation_id))
    if not name and has_app_context():
        name = current_app.config.get(TIMEZONE_SETTING)
    zone = zone_named(name or DEFAULT_TIMEZONE)
    if has_request_context():
        g.local_zone = zone
    return zone


class Moment(fields.Field):
    """An ISO-8601 time; without an offset it is local time, and a date alone is the whole
    day (its end, or its start with `end_of_day=False`)."""

    default_error_messages = {  # noqa: RUF012 (marshmallow's own convention)
        "invalid": "Must be an ISO-8601 date or time.",
        "edge": "Must be a time between years 1 and 9999 in UTC.",
    }

    def __init__(self, *, end_of_day: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {})
        kwargs["metadata"] = {"type": "string", **kwargs["metadata"]}
        super().__init__(**kwargs)
        self.end_of_day = end_of_day

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        return self.read_moment(str(value))

    def read_moment(self, text: str) -> datetime:
        """The time `text` names, in the local zone when it gives no offset."""
        try:
            moment = parse_moment(text, local_zone(), end_of_day=self.end_of_day)
        except (ValueError, OverflowError):
            raise self.make_error("invalid") from None
        if in_utc(moment) is None:  # offsets at the calendar's edges do not exist in UTC
            raise self.make_error("edge")
        return moment


class HistoryBound(Moment):
    """A version number, a time or date, or a named moment (`submission`, …)."""

    default_error_messages = {  # noqa: RUF012
        "invalid": "Must be a version number, an ISO-8601 date or time, or one of "
        + ", ".join(NAMED_BOUNDS)
        + ".",
        "range": f"Version numbers run from 1 to {VERSION_MAX}.",
        "edge": "Must be a time between years 1 and 9999 in UTC.",
    }

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        text = str(value).strip()
        if text.isascii() and text.isdigit():
            if not 1 <= int(text) <= VERSION_MAX:
                raise self.make_error("range")
            return int(text)
        if text in NAMED_BOUNDS:
            return text
        return self.read_moment(text)
