"""GET/POST …/verification over HTTP, and the secret that keys the chain."""

from __future__ import annotations

from uuid import UUID

import pytest
from flask import Flask
from sqlalchemy import update

from adapters.integrity import ChainedRecorder
from application.integrity import INSECURE_DEVELOPMENT_SECRET, chain_key
from tests.cases import mixed_case
from tests.conftest import Api, load_through_api
from web import create_app
from web.settings import InsecureConfiguration


@pytest.fixture
def evaluation_id(api: Api) -> str:
    return load_through_api(api, mixed_case())


def recorder(app: Flask) -> ChainedRecorder:
    found = app.extensions["scoretrail"].store.recorder
    assert isinstance(found, ChainedRecorder)
    return found


def test_verification_reports_the_head_digest_of_an_intact_history(
    api: Api, evaluation_id: str
) -> None:
    response = api.get(f"/evaluations/{evaluation_id}/verification")
    assert response.status_code == 200
    body = response.json
    version = api.get(f"/evaluations/{evaluation_id}").json["version"]
    assert body["ok"] is True
    assert body["events_checked"] == body["head_version"] == version
    assert len(body["head_digest"]) == 64
    assert "first_bad_version" not in body


def test_a_head_digest_proves_the_history_until_someone_rewrites_it(
    app: Flask, api: Api, evaluation_id: str
) -> None:
    head = api.get(f"/evaluations/{evaluation_id}/verification").json
    claim = {"digest": head["head_digest"], "version": head["head_version"]}
    base = f"/evaluations/{evaluation_id}/verification"
    proof = api.post(base, json=claim)
    assert proof.status_code == 200 and proof.json["ok"] is True
    api.post(
        f"/evaluations/{evaluation_id}/indicators/A1/deductions",
        json={"points": "1", "reason": "later change"},
    )
    assert api.post(base, json=claim).json["ok"] is True  # appending leaves the past intact
    rec = recorder(app)
    table = rec.events_record_cls.__table__
    with rec.transaction(commit=True) as session:
        session.execute(
            update(table)
            .where(table.c.originator_id == UUID(evaluation_id), table.c.originator_version == 2)
            .values(state=b"{}")
        )
    rewritten = api.post(base, json=claim).json
    assert rewritten["ok"] is False
    assert rewritten["computed_digest"] != claim["digest"]
    verdict = api.get(base).json
    assert (verdict["ok"], verdict["first_bad_version"], verdict["head_version"]) == (False, 2, 1)


@pytest.mark.parametrize(
    "body",
    [{"digest": "xyz", "version": 1}, {"digest": "0" * 64}, {"digest": "0" * 64, "version": 0}],
)
def test_a_malformed_proof_request_is_422(api: Api, evaluation_id: str, body: dict) -> None:
    response = api.post(f"/evaluations/{evaluation_id}/verification", json=body)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["errors"]


def test_verifying_an_unknown_evaluation_is_404(api: Api) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert api.get(f"/evaluations/{missing}/verification").status_code == 404
    proof = api.post(
        f"/evaluations/{missing}/verification", json={"digest": "0" * 64, "version": 1}
    )
    assert proof.status_code == 404


def test_production_without_a_secret_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCORETRAIL_SECRET", raising=False)
    with pytest.raises(InsecureConfiguration, match="SCORETRAIL_SECRET"):
        create_app(
            {"SCORETRAIL_DATABASE_URL": "sqlite:///:memory:", "SCORETRAIL_ENV": "production"}
        )


def test_production_with_a_secret_keys_the_chain_with_it() -> None:
    app = create_app(
        {
            "SCORETRAIL_DATABASE_URL": "sqlite:///:memory:",
            "SCORETRAIL_ENV": "production",
            "SCORETRAIL_SECRET": "a-real-secret",
        }
    )
    assert recorder(app).key == chain_key("a-real-secret")


def test_development_falls_back_to_the_named_insecure_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCORETRAIL_SECRET", raising=False)
    app = create_app({"SCORETRAIL_DATABASE_URL": "sqlite:///:memory:"})
    assert recorder(app).key == chain_key(INSECURE_DEVELOPMENT_SECRET)
    assert "insecure" in INSECURE_DEVELOPMENT_SECRET


def test_the_openapi_document_covers_the_audit_endpoints(api: Api) -> None:
    paths = api.get("/openapi.json").json["paths"]
    base = "/api/v1/evaluations/{evaluation_id}"
    for path, method in [
        ("/diff", "get"),
        ("/findings", "get"),
        ("/verification", "get"),
        ("/verification", "post"),
        ("/reported-figures", "post"),
        ("/indicators/{code}/explanation", "get"),
    ]:
        assert method in paths[base + path], path
