"""Structured logs: one JSON object per line, and one access line per request."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

access_log = logging.getLogger("scoretrail.access")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, plus the record's `fields` (extra={"fields": {...}})."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str, form: str) -> None:
    """Log to stderr in the chosen form, unless the host (a test runner) already set logging."""
    root = logging.getLogger()
    if root.handlers:
        return
    root.setLevel(level)
    handler = logging.StreamHandler(sys.stderr)
    if form == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)


class AccessLog:
    """WSGI middleware: one line per request, whatever answered it (even a failing hook)."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        started = time.perf_counter()
        seen: dict[str, Any] = {"status": 500, "request_id": None}

        def recording(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            seen["status"] = int(status.split(" ", 1)[0])
            seen["request_id"] = next((v for k, v in headers if k.lower() == "x-request-id"), None)
            return start_response(status, headers, *exc_info)

        try:
            return self.app(environ, recording)
        finally:
            if access_log.isEnabledFor(logging.INFO):  # the line's fields cost when unlogged
                self._log(environ, seen, started)

    @staticmethod
    def _log(environ: dict[str, Any], seen: dict[str, Any], started: float) -> None:
        access_log.info(
            "%s %s %s",
            environ.get("REQUEST_METHOD"),
            environ.get("PATH_INFO"),
            seen["status"],
            extra={
                "fields": {
                    "request_id": seen["request_id"],
                    "method": environ.get("REQUEST_METHOD"),
                    "path": environ.get("PATH_INFO"),
                    "status": seen["status"],
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "remote_addr": environ.get("REMOTE_ADDR"),
                }
            },
        )
