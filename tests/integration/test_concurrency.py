"""Racing writers on one evaluation, through two apps (two workers) on one store: no write is
lost or kept twice, and every score still adds up."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

from application.service import EvaluationService
from benchmarks.consistency import Accepted, Snapshot, check, reason_for
from benchmarks.loadtest import FRAMEWORK, LEAVES
from tests.conftest import Api, signed_in

MakeApp = Callable[..., Flask]
HEADER = {"title": "并发测试", "subject": "示范单位", "fiscal_year": 2024, "kind": "project"}
WRITERS = 6


def two_workers(make_app: MakeApp, url: str) -> list[Flask]:
    return [make_app(url), make_app(url)]


def new_evaluation(app: Flask) -> str:
    api = signed_in(app)
    evaluation_id = str(api.post("/evaluations", json=HEADER).json["id"])
    framed = api.post(f"/evaluations/{evaluation_id}/framework", json={"indicators": FRAMEWORK})
    assert framed.status_code == 200
    return evaluation_id


def race(apps: list[Flask], writer: Callable[[Api, int], None], count: int = WRITERS) -> None:
    """Start `count` writers at once, alternating between the apps, and wait for them."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        api = signed_in(apps[n % len(apps)])
        barrier.wait()
        try:
            writer(api, n)
        except BaseException as error:  # collected: the assertion below names it
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def snapshot(service: EvaluationService, evaluation_id: str) -> Snapshot:
    return Snapshot(
        document=service.document(evaluation_id),
        replayed=service.replayed_document(evaluation_id),
        history=service.history(evaluation_id, per_page=1000)["items"],
    )


def test_racing_deductions_are_each_kept_exactly_once(store_url: str, make_app: MakeApp) -> None:
    apps = two_workers(make_app, store_url)
    evaluation_id = new_evaluation(apps[0])
    answers: list[tuple[str, int, Any]] = []
    lock = threading.Lock()

    def writer(api: Api, n: int) -> None:
        for i in range(4):
            key = f"writer-{n}-{i}"
            body = {"points": "0.01", "reason": reason_for(key)}
            url = f"/evaluations/{evaluation_id}/indicators/{LEAVES[(n + i) % 4]}/deductions"
            # half of them keyed (and sent twice, as after a timeout), half not
            headers = {"Idempotency-Key": key} if i % 2 else {}
            responses = [api.post(url, json=body, headers=headers)]
            if headers:
                responses.append(api.post(url, json=body, headers=headers))
            with lock:
                answers.extend((key, r.status_code, r.json) for r in responses)

    race(apps, writer)

    statuses = {status for _, status, _ in answers}
    accepted = {
        body["id"]: Accepted(evaluation_id, body["id"], key)
        for key, status, body in answers
        if status == 201
    }
    # every answer is an acceptance or an explicit conflict that recorded nothing
    assert statuses <= {201, 409}
    held = snapshot(apps[1].extensions["scoretrail"], evaluation_id)
    findings = check(accepted.values(), {evaluation_id: held})
    assert findings.summary() == {
        "accepted": len(accepted),
        "recorded": len(accepted),
        "lost": 0,
        "duplicated": 0,
        "recorded_unacknowledged": 0,
        "score_mismatches": 0,
        "replay_mismatches": 0,
        "half_written_commands": 0,
        "consistent": True,
    }
    assert len(accepted) >= WRITERS * 4 // 2  # the retries let most races through


def test_writers_racing_with_the_same_if_match_let_exactly_one_through(
    store_url: str, make_app: MakeApp
) -> None:
    apps = two_workers(make_app, store_url)
    evaluation_id = new_evaluation(apps[0])
    service: EvaluationService = apps[0].extensions["scoretrail"]
    version = service.document(evaluation_id)["version"]
    statuses: list[int] = []

    def writer(api: Api, n: int) -> None:
        response = api.post(
            f"/evaluations/{evaluation_id}/indicators/1.1/deductions",
            json={"points": "1", "reason": f"writer {n}"},
            headers={"If-Match": f'"{version}"'},
        )
        statuses.append(response.status_code)

    race(apps, writer)

    assert sorted(statuses)[0] == 201
    assert statuses.count(201) == 1
    assert set(statuses) - {201} <= {409, 412}
    assert service.document(evaluation_id)["version"] == version + 2


def test_concurrent_duplicates_with_one_key_record_once(store_url: str, make_app: MakeApp) -> None:
    apps = two_workers(make_app, store_url)
    evaluation_id = new_evaluation(apps[0])
    service: EvaluationService = apps[0].extensions["scoretrail"]
    before = service.document(evaluation_id)["version"]
    bodies: list[Any] = []
    key = "same-request-sent-six-times"

    def writer(api: Api, n: int) -> None:
        response = api.post(
            f"/evaluations/{evaluation_id}/indicators/2.1/deductions",
            json={"points": "0.5", "reason": reason_for(key)},
            headers={"Idempotency-Key": key},
        )
        bodies.append((response.status_code, response.json["id"]))

    race(apps, writer)

    assert len(set(bodies)) == 1
    assert bodies[0][0] == 201
    assert service.document(evaluation_id)["version"] == before + 2


def test_readiness_holds_after_racing_writes(store_url: str, make_app: MakeApp) -> None:
    apps = two_workers(make_app, store_url)
    evaluation_id = new_evaluation(apps[0])

    def writer(api: Api, n: int) -> None:
        api.post(
            f"/evaluations/{evaluation_id}/indicators/2.2/deductions",
            json={"points": "0.02", "reason": f"writer {n}"},
        )

    race(apps, writer)

    for app in apps:
        ready = app.test_client().get("/readyz")
        assert ready.status_code == 200
        assert ready.json["head"] == ready.json["position"]
