"""Webhooks over HTTP: admin-only registration, refusals, the log, a signed delivery."""

from __future__ import annotations

import http.server
import importlib.util
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask

from tests.conftest import Api, signed_in
from web import create_app

SECRET = "receiver-secret-0123456789"
CLIENT = Path(__file__).resolve().parents[2] / "examples" / "feed_client.py"


def example_client() -> ModuleType:
    spec = importlib.util.spec_from_file_location("feed_client", CLIENT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class LocalReceiver:
    """An HTTP receiver on 127.0.0.1 that keeps what it was sent; answers `status`."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, Any]] = []
        self.status = 200
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.received.append((body, self.headers))  # names in any case
                self.send_response(owner.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[LocalReceiver]:
    local = LocalReceiver()
    yield local
    local.close()


@pytest.fixture
def loopback_app() -> Flask:
    return create_app(
        {
            "SCORETRAIL_DATABASE_URL": "sqlite:///:memory:",
            "TESTING": True,
            "SCORETRAIL_WEBHOOK_ALLOW_LOOPBACK": 1,
        }
    )


def test_an_admin_registers_lists_and_removes_a_receiver(admin_api: Api) -> None:
    created = admin_api.post(
        "/webhooks", json={"url": "http://93.184.216.34/hook", "secret": SECRET}
    )
    assert created.status_code == 201
    assert set(created.json) == {"id", "url", "types", "created_at"}  # never the secret
    hook = created.json["id"]
    assert [h["id"] for h in admin_api.get("/webhooks").json["items"]] == [hook]
    assert admin_api.get(f"/webhooks/{hook}/deliveries").json == {"items": []}

    removed = admin_api.client.delete(f"/api/v1/webhooks/{hook}", headers=admin_api.headers)

    assert removed.status_code == 204
    assert admin_api.get("/webhooks").json == {"items": []}
    assert admin_api.get(f"/webhooks/{hook}/deliveries").status_code == 404


def test_only_an_admin_may_register(api: Api) -> None:
    refused = api.post("/webhooks", json={"url": "http://93.184.216.34/hook", "secret": SECRET})
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9999/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[fe80::1]/hook",
        "http://[::1]/hook",
        "http://0.0.0.0/hook",
        "http://10.0.0.1/hook",
        "file:///etc/passwd",
    ],
)
def test_receivers_on_internal_addresses_are_refused(admin_api: Api, url: str) -> None:
    refused = admin_api.post("/webhooks", json={"url": url, "secret": SECRET})
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert admin_api.get("/webhooks").json == {"items": []}  # nothing recorded


def test_with_loopback_allowed_the_service_itself_is_still_refused(loopback_app: Flask) -> None:
    admin = signed_in(loopback_app, "admin", "adam")
    itself = admin.post("/webhooks", json={"url": "http://localhost/hook", "secret": SECRET})
    elsewhere = admin.post("/webhooks", json={"url": "http://127.0.0.1:9/hook", "secret": SECRET})
    assert (itself.status_code, elsewhere.status_code) == (422, 201)  # the test client's host


def test_a_receiver_gets_each_new_event_signed_and_verifiable(
    loopback_app: Flask, receiver: LocalReceiver
) -> None:
    admin = signed_in(loopback_app, "admin", "adam")
    writer = signed_in(loopback_app, "evaluator", "alice")
    hook = admin.post("/webhooks", json={"url": receiver.url, "secret": SECRET}).json["id"]
    created = writer.post(
        "/evaluations",
        json={"title": "项目", "subject": "某局", "fiscal_year": 2025, "kind": "project"},
    )
    assert created.status_code == 201

    loopback_app.extensions["scoretrail.delivery"].worker.run_once()

    client = example_client()
    body, headers = receiver.received[0]
    assert client.verify_signature(SECRET, body, headers["ScoreTrail-Signature"])
    assert not client.verify_signature(
        "another-secret-0123456789", body, headers["ScoreTrail-Signature"]
    )
    assert not client.verify_signature(SECRET, body + b" ", headers["ScoreTrail-Signature"])
    items = __import__("json").loads(body)["items"]
    assert [i["type"] for i in items] == ["Created"]
    assert headers["ScoreTrail-Event-Position"] == str(items[-1]["position"])
    log = admin.get(f"/webhooks/{hook}/deliveries").json["items"]
    assert [(a["position"], a["status"], a["response_code"]) for a in log] == [
        (items[-1]["position"], "delivered", 200)
    ]
