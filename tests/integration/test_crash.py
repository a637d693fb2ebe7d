"""Kill the server hard in the middle of writes: after a restart nothing acknowledged is
lost, nothing is half-written, and the read models equal a replay."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from adapters.bootstrap import build_components, build_token_service
from benchmarks.client import Client, post_until_answered
from benchmarks.consistency import Accepted, check, fetch_snapshot, reason_for
from benchmarks.loadtest import FRAMEWORK, LEAVES
from benchmarks.server import ServerProcess
from domain.evaluation import Actor

WRITERS = 4
KILL_AFTER = 12  # acknowledged writes before the kill; the writers are still sending


@dataclass
class Sent:
    """A deduction request as sent: enough to send it again with the same key."""

    evaluation_id: str
    path: str
    body: dict[str, str]
    key: str


@dataclass
class Outcome:
    lock: threading.Lock = field(default_factory=threading.Lock)
    accepted: list[Accepted] = field(default_factory=list)
    unanswered: list[Sent] = field(default_factory=list)
    enough: threading.Event = field(default_factory=threading.Event)


def seed(url: str) -> tuple[list[str], str]:
    """Two evaluations, recorded before the server starts, and an evaluator's token."""
    components = build_components(url)
    _, token = build_token_service(components.service).create("crash-writer", "evaluator")
    by = Actor("seeder", "evaluator", "crash-test")
    ids = []
    for n in range(2):
        created = components.service.create_evaluation(
            title=f"崩溃测试 {n}", subject="示范单位", fiscal_year=2024, kind="project", by=by
        ).document()
        components.service.define_framework(created["id"], FRAMEWORK, by)
        ids.append(str(created["id"]))
    components.dispose()
    return ids, token


def write_until_the_connection_dies(
    base_url: str, token: str, evaluation_ids: list[str], outcome: Outcome, n: int
) -> None:
    client = Client(base_url, token=token, timeout=30)
    for i in range(10_000):
        key = str(uuid.uuid4())
        evaluation_id = evaluation_ids[(n + i) % len(evaluation_ids)]
        sent = Sent(
            evaluation_id,
            f"/api/v1/evaluations/{evaluation_id}/indicators/{LEAVES[(n + i) % 4]}/deductions",
            {"points": "0.01", "reason": reason_for(key)},
            key,
        )
        reply = client.post(sent.path, sent.body, headers={"Idempotency-Key": key})
        with outcome.lock:
            if reply.status == 201:
                outcome.accepted.append(Accepted(evaluation_id, reply.body["id"], key))
                if len(outcome.accepted) >= KILL_AFTER:
                    outcome.enough.set()
            elif reply.status == 0:  # killed while this request was in flight
                outcome.unanswered.append(sent)
                return
            else:
                raise AssertionError(f"unexpected answer {reply.status}: {reply.body}")
    client.close()


def test_a_server_killed_mid_write_restarts_consistent(store_url: str, tmp_path: Path) -> None:
    evaluation_ids, token = seed(store_url)
    server = ServerProcess(store_url, workers=2, threads=4, log_path=tmp_path / "server.log")
    base_url = server.start()
    outcome = Outcome()
    writers = [
        threading.Thread(
            target=write_until_the_connection_dies,
            args=(base_url, token, evaluation_ids, outcome, n),
        )
        for n in range(WRITERS)
    ]
    try:
        for writer in writers:
            writer.start()
        assert outcome.enough.wait(timeout=60), server.log()
        server.kill()
        for writer in writers:
            writer.join(timeout=60)
    finally:
        server.kill()

    assert len(outcome.unanswered) == WRITERS  # every writer was cut off mid-request
    restarted = ServerProcess(store_url, workers=2, threads=4, log_path=tmp_path / "again.log")
    try:
        client = Client(restarted.start(), token=token, timeout=30)
        # A careful client sends what went unanswered again, with the same keys: whatever
        # committed before the kill is answered from its key, the rest is recorded now.
        for sent in outcome.unanswered:
            reply, _ = post_until_answered(client, sent.path, sent.body, sent.key)
            assert reply.status == 201, reply.body
            outcome.accepted.append(Accepted(sent.evaluation_id, reply.body["id"], sent.key))
        snapshots = {eid: fetch_snapshot(client, eid) for eid in evaluation_ids}
        ready = client.get("/readyz")
        client.close()
    finally:
        restarted.kill()  # all it served was checked: no need to wait for a graceful stop

    findings = check(outcome.accepted, snapshots)
    assert findings.summary()["consistent"], findings
    assert findings.recorded == len(outcome.accepted) >= KILL_AFTER + WRITERS
    assert findings.unacknowledged == []
    assert ready.status == 200 and ready.body["ready"] is True
    components = build_components(store_url)
    try:
        service = components.service
        for evaluation_id in evaluation_ids:
            assert service.document(evaluation_id) == service.replayed_document(evaluation_id)
    finally:
        components.dispose()
