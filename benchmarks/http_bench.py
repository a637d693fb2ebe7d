"""HTTP: ScoreTrail and a bare Flask app, each served by gunicorn on 127.0.0.1, same settings.

The document is fetched on the API's default path (`GET /evaluations/{id}`, every deduction
with its status) and on the answer-sized one (`?deductions=active`), checked to be the same
answer; writes answer with the document and with `Prefer: return=minimal`.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import (
    DEDUCTION_LEAVES,
    ROOT,
    Sizes,
    Stores,
    deduction_body,
    dispose,
    load_reference,
    open_service,
    percentile,
    ratio,
)
from benchmarks.peer_report import DifferentAnswers, active_part

HOST = "127.0.0.1"
THREADS = 4  # gunicorn threads per worker, as `scoretrail serve` uses
STARTUP_TIMEOUT_S = 60.0
PHASE_TIMEOUT_S = 120.0  # a phase stops sending after this long, whatever its count


@dataclass
class Phase:
    """What one kind of request measured, summed over the interleaved rounds."""

    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def summary(self, expected: int) -> dict[str, Any]:
        unexpected = sum(n for s, n in self.statuses.items() if s != expected)
        return {
            "requests": self.requests,
            "rps": self.requests / self.seconds if self.seconds else 0.0,
            "p50_ms": percentile(self.latencies, 50) * 1000,
            "p99_ms": percentile(self.latencies, 99) * 1000,
            "unexpected_statuses": unexpected,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], workers: int) -> Iterator[int]:
    """Serve `app_spec` on a free loopback port; stop the server (and only it) afterwards."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(THREADS),
        "--worker-class",
        "gthread",
        "--keep-alive",
        "30",
        "--timeout",
        "120",
        "--log-level",
        "warning",
        app_spec,
    ]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_until_listening(port, server, log)
            yield port
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_until_listening(port: int, server: subprocess.Popen[bytes], log: Any) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"gunicorn exited: {log.read().decode(errors='replace')[-2000:]}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not listen on {HOST}:{port} within {STARTUP_TIMEOUT_S}s")


Request = tuple[str, str, bytes | None]


def drive(
    port: int, per_client: list[list[Request]], headers: dict[str, str], phase: Phase
) -> None:
    """Send each client's requests over one keep-alive connection, clients in parallel."""
    lock = threading.Lock()
    deadline = time.monotonic() + PHASE_TIMEOUT_S

    def client(requests: list[Request]) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        latencies: list[float] = []
        statuses: Counter[int] = Counter()
        for method, path, body in requests:
            if time.monotonic() > deadline:
                break
            for attempt in (1, 2):
                try:
                    start = time.perf_counter()
                    connection.request(method, path, body=body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    latencies.append(time.perf_counter() - start)
                    statuses[response.status] += 1
                    if response.will_close:
                        connection.close()
                    break
                except (http.client.HTTPException, ConnectionError):
                    connection.close()  # the server closed an idle connection: reconnect
                    if attempt == 2:
                        statuses[0] += 1
        connection.close()
        with lock:
            phase.latencies.extend(latencies)
            phase.statuses.update(statuses)
            phase.requests += len(latencies)

    threads = [threading.Thread(target=client, args=(r,)) for r in per_client]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds += time.perf_counter() - start


def deduction_plan(ids: list[str], clients: int, posts: int, number: int) -> list[list[Request]]:
    """Each client's deductions, numbered from `number`; each writes its own evaluations (no
    conflicts), cycling through the deduction leaves."""
    plans: list[list[Request]] = []
    for c in range(clients):
        own = ids[c::clients]
        plan: list[Request] = []
        for k in range(posts):
            n = number + k
            leaf = DEDUCTION_LEAVES[(n // len(own)) % len(DEDUCTION_LEAVES)]
            path = f"/api/v1/evaluations/{own[n % len(own)]}/indicators/{leaf}/deductions"
            plan.append(("POST", path, json.dumps(deduction_body(n)).encode()))
        plans.append(plan)
    return plans


def check_same_documents(port: int, ids: list[str], headers: dict[str, str]) -> int:
    """Each evaluation's document on the default path, withdrawn deductions left out, is
    the answer-sized one (`?deductions=active`); returns how many were compared."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        for evaluation_id in ids:
            bodies = []
            for path in (f"/api/v1/evaluations/{evaluation_id}", active_path(evaluation_id)):
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                bodies.append(json.loads(response.read()))
                if response.status != 200:
                    raise DifferentAnswers(f"GET {path}: {response.status}")
            if active_part(bodies[0]) != bodies[1]:
                raise DifferentAnswers(f"GET {evaluation_id}: the two paths differ")
    finally:
        connection.close()
    return len(ids)


def active_path(evaluation_id: str) -> str:
    return f"/api/v1/evaluations/{evaluation_id}?deductions=active"


def token_for(service: Any, explicit: str | None) -> str | None:
    """A bearer token: the one given, else one issued through the service if it offers tokens."""
    if explicit:
        return explicit
    try:
        from adapters import bootstrap

        build_tokens = bootstrap.build_token_service  # type: ignore[attr-defined]
    except (ImportError, AttributeError):
        return None
    _, secret = build_tokens(service).create("benchmark", "evaluator")
    return str(secret)


def run(stores: Stores, sizes: Sizes, token: str | None = None) -> dict[str, Any]:
    url = stores.url("http")
    service = open_service(url)
    clients = sizes.http_clients
    ids = load_reference(service, clients * 5)
    document = service.document(ids[0])
    bearer = token_for(service, token)
    dispose(service)
    workers = 1 if stores.kind == "sqlite" else 2  # `scoretrail serve` defaults
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"

    with tempfile.TemporaryDirectory() as folder:
        document_path = Path(folder) / "document.json"
        document_path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        ours_env = {"SCORETRAIL_DATABASE_URL": url, "SCORETRAIL_LOG_LEVEL": "WARNING"}
        bare_env = {"SCORETRAIL_BENCH_DOCUMENT": str(document_path)}
        names = (
            "get",
            "bare_get",
            "get_active",
            "bare_get_active",
            "post",
            "bare_post",
            "post_minimal",
            "bare_post_minimal",
        )
        phases = {name: Phase() for name in names}
        minimal = {**headers, "Prefer": "return=minimal"}  # the compact answer of a write
        with (
            gunicorn("web:create_app()", ours_env, workers) as ours_port,
            gunicorn("benchmarks.bare:create_bare_flask_app()", bare_env, workers) as bare_port,
        ):
            warm: list[list[Request]] = [
                [("GET", f"/api/v1/evaluations/{ids[0]}", None)] * 10
            ] * clients
            drive(ours_port, warm, headers, Phase())
            drive(bare_port, warm, headers, Phase())
            checked = check_same_documents(ours_port, ids, headers)
            gets = sizes.http_gets // sizes.rounds // clients
            posts = sizes.http_posts // sizes.rounds // clients
            number = 0
            for _ in range(sizes.rounds):
                get_plan: list[list[Request]] = [
                    [
                        ("GET", f"/api/v1/evaluations/{ids[(c + k) % len(ids)]}", None)
                        for k in range(gets)
                    ]
                    for c in range(clients)
                ]
                drive(ours_port, get_plan, headers, phases["get"])
                drive(bare_port, get_plan, headers, phases["bare_get"])
                sized_plan: list[list[Request]] = [
                    [("GET", active_path(ids[(c + k) % len(ids)]), None) for k in range(gets)]
                    for c in range(clients)
                ]
                drive(ours_port, sized_plan, headers, phases["get_active"])
                drive(bare_port, sized_plan, headers, phases["bare_get_active"])
                for kind, sent in (("post", headers), ("post_minimal", minimal)):
                    post_plan = deduction_plan(ids, clients, posts, number)
                    number += posts
                    drive(ours_port, post_plan, sent, phases[kind])
                    drive(bare_port, post_plan, sent, phases[f"bare_{kind}"])
            checked += check_same_documents(ours_port, ids, headers)  # after the writes too

    get, bare_get = phases["get"].summary(200), phases["bare_get"].summary(200)
    get_active = phases["get_active"].summary(200)
    bare_get_active = phases["bare_get_active"].summary(200)
    post, bare_post = phases["post"].summary(201), phases["bare_post"].summary(201)
    post_minimal = phases["post_minimal"].summary(201)
    bare_post_minimal = phases["bare_post_minimal"].summary(201)
    return {
        "workers": workers,
        "threads": THREADS,
        "clients": clients,
        "token": bool(bearer),
        "document_bytes": len(json.dumps(document, ensure_ascii=False).encode()),
        "get": get,
        "bare_get": bare_get,
        "get_active": get_active,
        "bare_get_active": bare_get_active,
        "documents_checked": checked,
        "post": post,
        "bare_post": bare_post,
        "post_minimal": post_minimal,
        "bare_post_minimal": bare_post_minimal,
        "get_ratio": ratio(get["rps"], bare_get["rps"]),
        "get_active_ratio": ratio(get_active["rps"], bare_get_active["rps"]),
        "post_ratio": ratio(post["rps"], bare_post["rps"]),
        "post_minimal_ratio": ratio(post_minimal["rps"], bare_post_minimal["rps"]),
    }
