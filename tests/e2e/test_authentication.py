"""Bearer tokens: every call but the API description needs one; identities come from it."""

from __future__ import annotations

import hashlib

import pytest
from flask import Flask
from sqlalchemy import select

from adapters.bootstrap import datastore_of
from adapters.tokens import api_tokens
from application.tokens import TokenService
from tests.cases import small_case
from tests.conftest import Api, ApiFor, bearer, load_through_api

CREATE = {"title": "t", "subject": "s", "fiscal_year": 2023, "kind": "project"}


def evaluation_count(api: Api) -> int:
    return int(api.get("/evaluations").json["total"])


def assert_unauthenticated(response, invalid_token: bool) -> None:
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 401
    assert response.json["type"] == "urn:scoretrail:problem:unauthenticated"
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="scoretrail"')
    assert ('error="invalid_token"' in challenge) is invalid_token


def test_a_call_without_a_token_is_401_with_a_bearer_challenge(
    anonymous_api: Api, api: Api
) -> None:
    assert_unauthenticated(anonymous_api.get("/evaluations"), invalid_token=False)
    assert_unauthenticated(anonymous_api.post("/evaluations", json=CREATE), invalid_token=False)
    assert evaluation_count(api) == 0


@pytest.mark.parametrize(
    "header",
    [
        "Bearer st_not-a-token-anyone-was-given",
        "Bearer ",
        "Basic YWxpY2U6c2VjcmV0",
        "st_missing-scheme",
        "Bearer not-even-the-prefix",
    ],
)
def test_a_malformed_or_unknown_token_is_401_and_records_nothing(
    anonymous_api: Api, api: Api, header: str
) -> None:
    response = anonymous_api.post("/evaluations", json=CREATE, headers={"Authorization": header})
    assert_unauthenticated(response, invalid_token=True)
    assert evaluation_count(api) == 0


def test_a_revoked_token_is_refused_from_then_on(anonymous_api: Api, tokens: TokenService) -> None:
    _, secret = tokens.create("carol", "evaluator")
    caller = anonymous_api.as_(bearer(secret))
    assert caller.get("/evaluations").status_code == 200
    tokens.revoke("carol")
    assert_unauthenticated(caller.get("/evaluations"), invalid_token=True)


def test_the_api_description_needs_no_token(anonymous_api: Api) -> None:
    response = anonymous_api.get("/openapi.json")
    assert response.status_code == 200
    assert response.json["security"] == [{"bearerAuth": []}]
    scheme = response.json["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


def test_an_unknown_route_still_asks_for_a_token_first(anonymous_api: Api, api: Api) -> None:
    assert anonymous_api.get("/no-such-thing").status_code == 401
    assert api.get("/no-such-thing").status_code == 404


def test_events_carry_the_token_holder_and_role_not_anything_from_the_body(
    api: Api, api_for: ApiFor
) -> None:
    evaluation_id = load_through_api(api, small_case())
    forged = {"points": 1, "reason": "r", "actor": "mallory", "role": "reviewer"}
    refused = api.post(f"/evaluations/{evaluation_id}/indicators/1.1/deductions", json=forged)
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"actor", "role"}

    history = api.get(f"/evaluations/{evaluation_id}/history?per_page=1000").json
    assert {(e["actor"], e["role"]) for e in history["items"]} == {("alice", "evaluator")}
    reviewer = api_for("reviewer", "rita")
    submitted = reviewer.post(f"/evaluations/{evaluation_id}/submission")
    assert submitted.status_code == 200
    last = api.get(f"/evaluations/{evaluation_id}/history?per_page=1000").json["items"][-1]
    assert (last["type"], last["actor"], last["role"]) == ("Submitted", "rita", "reviewer")
    assert history["total"] + 1 == submitted.json["version"]


def test_tokens_are_stored_as_sha256_digests_never_in_clear(
    app: Flask, tokens: TokenService
) -> None:
    record, secret = tokens.create("dora", "auditor")
    datastore = datastore_of(app.extensions["scoretrail"])
    with datastore.transaction(commit=False) as session:
        row = session.execute(select(api_tokens).where(api_tokens.c.id == record["id"])).one()
    assert row.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in [str(v) for v in row]
    assert "digest" not in record


def test_rebuilding_the_read_models_keeps_the_tokens(
    app: Flask, anonymous_api: Api, tokens: TokenService
) -> None:
    _, secret = tokens.create("erin", "auditor")
    app.extensions["scoretrail"].rebuild_read_models()
    assert anonymous_api.as_(bearer(secret)).get("/evaluations").status_code == 200


def test_the_reference_case_loads_through_the_api_with_an_evaluator_token(
    api: Api, reference_case: dict
) -> None:
    evaluation_id = load_through_api(api, reference_case)
    document = api.get(f"/evaluations/{evaluation_id}").json
    assert (document["total"], document["grade"]) == ("88.66", "良")
