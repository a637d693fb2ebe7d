"""Under `scoretrail serve` (gunicorn, two workers): a stream ends at its bound, webhooks go out."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

from adapters.bootstrap import build_components, build_token_service
from benchmarks.server import ServerProcess
from tests.e2e.test_webhooks_api import LocalReceiver, example_client

SECRET = "served-secret-0123456789"


def call(
    base: str, path: str, token: str, body: object = None, headers: dict[str, str] | None = None
) -> Any:
    """One request to the served API as the token's holder."""
    request = urllib.request.Request(
        base + "/api/v1" + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            **(headers or {}),
        },
        method="GET" if body is None else "POST",
    )
    return urllib.request.urlopen(request, timeout=30)


def test_served_streams_end_at_their_bound_and_the_workers_deliver_webhooks(
    store_url: str, tmp_path: Path
) -> None:
    components = build_components(store_url)
    tokens = build_token_service(components.service)
    _, admin = tokens.create("ops", "admin")
    _, writer = tokens.create("alice", "evaluator")
    components.dispose()
    receiver = LocalReceiver()
    env = {
        "SCORETRAIL_WEBHOOK_ALLOW_LOOPBACK": "1",
        "SCORETRAIL_STREAM_MAX_SECONDS": "2",
        "SCORETRAIL_STREAM_HEARTBEAT_SECONDS": "0.5",
        "SCORETRAIL_WEBHOOK_RETRY_SECONDS": "1",
    }
    server = ServerProcess(store_url, workers=2, threads=4, env=env, log_path=tmp_path / "log")
    try:
        base = server.start()
        hook = {"url": receiver.url, "secret": SECRET}
        assert call(base, "/webhooks", admin, hook).status == 201
        header = {"title": "项目", "subject": "某局", "fiscal_year": 2025, "kind": "project"}
        assert call(base, "/evaluations", writer, header).status == 201

        started = time.monotonic()
        stream = call(base, "/events/stream", writer, headers={"Last-Event-ID": "0"}).read()
        lasted = time.monotonic() - started
        deadline = time.monotonic() + 30
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.stop()
        receiver.close()

    text = stream.decode()
    assert "\nid: " in text and ": ping" in text
    assert 1.5 < lasted < 15  # ended by the server at SCORETRAIL_STREAM_MAX_SECONDS
    body, headers = receiver.received[0]
    assert example_client().verify_signature(SECRET, body, headers["ScoreTrail-Signature"])
    assert [item["type"] for item in json.loads(body)["items"]] == ["Created"]
