"""The example feed client follows a served app from a saved position, across restarts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import signed_in
from tests.e2e.test_webhooks_api import example_client


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """The app served over HTTP on 127.0.0.1; its API base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/v1"
    server.shutdown()


def record(app: Flask, title: str) -> None:
    writer = signed_in(app, "evaluator", "alice")
    body = {"title": title, "subject": "某局", "fiscal_year": 2025, "kind": "project"}
    assert writer.post("/evaluations", json=body).status_code == 201


def test_the_client_resumes_after_the_position_it_saved(
    app: Flask, served: str, tmp_path: Path
) -> None:
    client = example_client()
    _, token = app.extensions["scoretrail.tokens"].create("warehouse", "auditor")
    state = tmp_path / "position.txt"
    record(app, "第一个")
    seen: list[dict[str, Any]] = []

    first = client.FeedFollower(served, token, state)
    handled = first.poll(seen.append, wait=0)
    saved = int(state.read_text())
    record(app, "第二个")
    restarted = client.FeedFollower(served, token, state)  # a new process, the same file
    restarted.poll(seen.append, wait=0)

    assert handled == 1 and saved == seen[0]["position"]
    assert [item["data"]["title"] for item in seen] == ["第一个", "第二个"]
    assert int(state.read_text()) == seen[-1]["position"] > saved
    assert restarted.poll(seen.append, wait=0) == 0  # nothing new, nothing handled twice


def test_the_deduplicator_handles_a_repeated_delivery_once(tmp_path: Path) -> None:
    client = example_client()
    seen = client.Deduplicator(tmp_path / "webhook-position.txt")
    batch = [{"position": 3}, {"position": 5}]
    for item in seen.fresh(batch):
        seen.save(item["position"])

    again = seen.fresh([*batch, {"position": 8}])  # the same batch delivered twice, and more

    assert again == [{"position": 8}]
    assert json.loads((tmp_path / "webhook-position.txt").read_text()) == 5
