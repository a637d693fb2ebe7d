"""Probes, versions as ETags, If-Match, Idempotency-Key and access logs through the API."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask

from application.service import EvaluationService
from domain.evaluation import Actor, Evaluation
from tests.conftest import Api

FRAMEWORK = [
    {"code": "1", "name": "决策", "weight": "60"},
    {"code": "1.1", "name": "立项依据", "parent": "1", "weight": "60", "method": "deduction"},
    {"code": "2", "name": "效益", "weight": "40"},
    {"code": "2.1", "name": "满意度", "parent": "2", "weight": "40", "method": "deduction"},
]
HEADER = {"title": "示范项目", "subject": "示范单位", "fiscal_year": 2024, "kind": "project"}
CUT = {"points": "1.5", "reason": "资料不全"}


@pytest.fixture
def evaluation(api: Api) -> str:
    created = api.post("/evaluations", json=HEADER)
    framework = {"indicators": FRAMEWORK}
    framed = api.post(f"/evaluations/{created.json['id']}/framework", json=framework)
    assert framed.status_code == 200
    return str(created.json["id"])


def recorded(api: Api, evaluation: str) -> int:
    """How many events the evaluation has."""
    return int(api.get(f"/evaluations/{evaluation}/history").json["total"])


def deductions_url(evaluation: str, code: str = "1.1") -> str:
    return f"/evaluations/{evaluation}/indicators/{code}/deductions"


# ------------------------------------------------------------------ probes
def test_liveness_answers_outside_the_api_prefix(app: Flask) -> None:
    client = app.test_client()

    assert client.get("/healthz").json == {"status": "ok"}
    # not served under the API prefix (there, like any unknown route, it asks for a token first)
    assert client.get("/api/v1/healthz").status_code == 401


def test_readiness_reports_the_read_models_caught_up(app: Flask, evaluation: str) -> None:
    response = app.test_client().get("/readyz")

    assert response.status_code == 200
    assert response.json["ready"] is True
    assert response.json["head"] == response.json["position"] > 0


def test_readiness_fails_while_events_are_not_projected(app: Flask) -> None:
    service: EvaluationService = app.extensions["scoretrail"]
    by = Actor("importer", "evaluator", "c-1")
    started = Evaluation.start(
        title="t", subject="s", fiscal_year=2024, kind="k", evaluator=None, by=by
    )
    service.store.save(started)  # saved without projecting: the read models are behind

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.json["ready"] is False
    assert response.json["position"] < response.json["head"]


# ------------------------------------------------------------------ ETag / If-Match
def test_every_answer_holding_an_evaluation_carries_its_version_as_etag(
    api: Api, evaluation: str
) -> None:
    current = api.get(f"/evaluations/{evaluation}")
    cut = api.post(deductions_url(evaluation), json=CUT)
    earlier = api.get(f"/evaluations/{evaluation}?version=1")

    assert current.headers["ETag"] == f'"{current.json["version"]}"'
    assert cut.headers["ETag"] == f'"{cut.json["evaluation"]["version"]}"'
    assert earlier.headers["ETag"] == '"1"'
    assert api.post("/evaluations", json=HEADER).headers["ETag"] == '"1"'


def test_a_write_with_a_stale_if_match_answers_412_and_records_nothing(
    api: Api, evaluation: str
) -> None:
    etag = api.get(f"/evaluations/{evaluation}").headers["ETag"]
    api.post(deductions_url(evaluation), json=CUT)
    before = recorded(api, evaluation)

    response = api.post(deductions_url(evaluation), json=CUT, headers={"If-Match": etag})

    assert response.status_code == 412
    assert response.json["type"] == "urn:scoretrail:problem:stale-version"
    assert response.json["values"]["expected"] == int(etag.strip('"'))
    assert recorded(api, evaluation) == before


@pytest.mark.parametrize("form", ['"{v}"', 'W/"{v}"', "{v}"])
def test_a_write_with_the_current_version_is_recorded(
    reviewer_api: Api, evaluation: str, form: str
) -> None:
    version = reviewer_api.get(f"/evaluations/{evaluation}").json["version"]

    response = reviewer_api.post(
        f"/evaluations/{evaluation}/submission", headers={"If-Match": form.format(v=version)}
    )

    assert response.status_code == 200
    assert response.json["status"] == "submitted"
    assert response.headers["ETag"] == f'"{version + 1}"'


@pytest.mark.parametrize("header", ['"abc"', '"1", "2"'])
def test_an_if_match_naming_no_single_version_never_matches(
    api: Api, reviewer_api: Api, evaluation: str, header: str
) -> None:
    before = recorded(api, evaluation)

    response = reviewer_api.post(
        f"/evaluations/{evaluation}/submission", headers={"If-Match": header}
    )

    assert response.status_code == 412
    assert recorded(api, evaluation) == before


def test_if_match_any_asks_for_no_version(reviewer_api: Api, evaluation: str) -> None:
    response = reviewer_api.post(f"/evaluations/{evaluation}/submission", headers={"If-Match": "*"})

    assert response.status_code == 200


# ------------------------------------------------------------------ Idempotency-Key
def test_a_retry_with_the_same_key_gets_the_first_answer_and_records_nothing(
    api: Api, evaluation: str
) -> None:
    key = {"Idempotency-Key": "3f0b7c1e-cut-1"}
    first = api.post(deductions_url(evaluation), json=CUT, headers=key)
    before = recorded(api, evaluation)

    again = api.post(deductions_url(evaluation), json=CUT, headers=key)

    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    assert recorded(api, evaluation) == before


def test_a_replayed_creation_keeps_its_location(api: Api) -> None:
    key = {"Idempotency-Key": "create-1"}
    first = api.post("/evaluations", json=HEADER, headers=key)
    again = api.post("/evaluations", json=HEADER, headers=key)

    assert again.status_code == 201
    assert again.headers["Location"] == first.headers["Location"]
    assert api.get("/evaluations").json["total"] == 1


def test_the_same_key_with_another_body_answers_422_and_records_nothing(
    api: Api, evaluation: str
) -> None:
    key = {"Idempotency-Key": "cut-2"}
    api.post(deductions_url(evaluation), json=CUT, headers=key)
    before = recorded(api, evaluation)

    response = api.post(deductions_url(evaluation), json={**CUT, "points": "2"}, headers=key)

    assert response.status_code == 422
    assert response.json["type"] == "urn:scoretrail:problem:idempotency-key-reused"
    assert recorded(api, evaluation) == before


def test_the_same_key_on_another_path_answers_422(api: Api, evaluation: str) -> None:
    key = {"Idempotency-Key": "cut-3"}
    api.post(deductions_url(evaluation), json=CUT, headers=key)

    response = api.post(deductions_url(evaluation, "2.1"), json=CUT, headers=key)

    assert response.status_code == 422


def test_keys_are_scoped_to_the_caller(api: Api, api_for: Any, evaluation: str) -> None:
    key = {"Idempotency-Key": "shared-key"}
    first = api.post(deductions_url(evaluation), json=CUT, headers=key)

    second = api_for("evaluator", "another-user").post(
        deductions_url(evaluation), json=CUT, headers=key
    )

    assert second.status_code == 201
    assert second.json["id"] != first.json["id"]
    assert "Idempotent-Replayed" not in second.headers


def test_a_refused_request_is_not_kept_so_its_retry_runs_again(
    api: Api, reviewer_api: Api, evaluation: str
) -> None:
    reviewer_api.post(f"/evaluations/{evaluation}/submission")
    reviewer_api.post(f"/evaluations/{evaluation}/finalization")
    key = {"Idempotency-Key": "cut-after-reopening"}
    refused = api.post(deductions_url(evaluation), json=CUT, headers=key)
    reviewer_api.post(f"/evaluations/{evaluation}/reopening", json={"reason": "复核发现遗漏"})

    retried = api.post(deductions_url(evaluation), json=CUT, headers=key)

    assert refused.status_code == 409
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers


@pytest.mark.parametrize("key", ["", "x" * 256, "clé"])
def test_a_malformed_key_answers_400_and_records_nothing(
    api: Api, evaluation: str, key: str
) -> None:
    before = recorded(api, evaluation)

    sent = key.encode().decode("latin-1")  # as a header carries it
    response = api.post(deductions_url(evaluation), json=CUT, headers={"Idempotency-Key": sent})

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert recorded(api, evaluation) == before


# ------------------------------------------------------------------ documentation, logs
def test_openapi_documents_the_probes_and_the_headers(api: Api) -> None:
    spec: dict[str, Any] = api.get("/openapi.json").json
    cut = spec["paths"]["/api/v1/evaluations/{evaluation_id}/indicators/{code}/deductions"]["post"]
    names = {p["name"] for p in cut["parameters"] if p["in"] == "header"}

    assert {"/healthz", "/readyz"} <= set(spec["paths"])
    assert {"Idempotency-Key", "If-Match"} <= names
    assert "ETag" in cut["responses"]["201"]["headers"]
    assert "412" in cut["responses"]
    assert (
        "ETag"
        in spec["paths"]["/api/v1/evaluations/{evaluation_id}"]["get"]["responses"]["200"][
            "headers"
        ]
    )


def test_each_request_is_logged_once_with_its_request_id(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="scoretrail.access")

    response = api.get("/evaluations", headers={"X-Request-ID": "trace-42"})

    lines = [r for r in caplog.records if r.name == "scoretrail.access"]
    assert response.headers["X-Request-ID"] == "trace-42"
    assert [(r.fields["request_id"], r.fields["status"]) for r in lines] == [  # type: ignore[attr-defined]
        ("trace-42", 200)
    ]
