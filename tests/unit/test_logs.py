"""JSON log lines, and one access line per request whatever answered it."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from freezegun import freeze_time

from web.logs import AccessLog, JsonFormatter


def test_a_record_is_one_json_line_with_its_fields() -> None:
    with freeze_time("2026-11-22T13:40:00+00:00"):
        record = logging.LogRecord(
            "scoretrail.web", logging.WARNING, __file__, 1, "busy %s", ("x",), None
        )
    record.fields = {"request_id": "r-1", "status": 503}

    line = JsonFormatter().format(record)

    assert "\n" not in line
    assert json.loads(line) == {
        "time": "2026-11-22T13:40:00.000+00:00",
        "level": "WARNING",
        "logger": "scoretrail.web",
        "message": "busy x",
        "request_id": "r-1",
        "status": 503,
    }


def wsgi_app(status: str) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response(status, [("Content-Type", "text/plain"), ("X-Request-ID", "req-7")])
        return [b"ok"]

    return app


def test_each_request_is_logged_with_id_method_path_status_and_duration(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="scoretrail.access")
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/evaluations", "REMOTE_ADDR": "::1"}

    body = AccessLog(wsgi_app("201 CREATED"))(environ, lambda *a: None)

    assert body == [b"ok"]
    [record] = [r for r in caplog.records if r.name == "scoretrail.access"]
    fields = record.fields  # type: ignore[attr-defined]
    assert {k: fields[k] for k in ("request_id", "method", "path", "status")} == {
        "request_id": "req-7",
        "method": "POST",
        "path": "/api/v1/evaluations",
        "status": 201,
    }
    assert fields["duration_ms"] >= 0


def test_a_request_that_crashes_the_app_is_still_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="scoretrail.access")

    def crashing(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        AccessLog(crashing)({"REQUEST_METHOD": "GET", "PATH_INFO": "/x"}, lambda *a: None)
    [record] = [r for r in caplog.records if r.name == "scoretrail.access"]
    assert record.fields["status"] == 500  # type: ignore[attr-defined]
