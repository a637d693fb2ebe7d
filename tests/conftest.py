"""Shared fixtures: the reference case, apps on in-memory SQLite, an API client."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from adapters.bootstrap import build_service
from application.fixture import reported_figures
from application.service import EvaluationService
from application.tokens import TokenService
from domain.evaluation import Actor
from web import create_app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
REFERENCE = EXAMPLES / "jiyang-incubator-2022.json"


@pytest.fixture
def reference_case() -> dict[str, Any]:
    """The published 2022 incubator evaluation, with its expected scores."""
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


@pytest.fixture
def actor() -> Actor:
    return Actor(name="alice", role="evaluator", correlation_id="test-correlation")


@pytest.fixture
def service() -> EvaluationService:
    """The whole service on an in-memory SQLite store."""
    return build_service("sqlite:///:memory:")


@pytest.fixture
def app() -> Iterator[Flask]:
    yield create_app(
        {
            "SCORETRAIL_DATABASE_URL": "sqlite:///:memory:",
            "TESTING": True,
            # long polls and streams end soon: the fuzzer calls them too
            "SCORETRAIL_FEED_MAX_WAIT_SECONDS": 0.5,
            "SCORETRAIL_STREAM_MAX_SECONDS": 0.5,
        }
    )


class Api:
    """The Flask test client with the /api/v1 prefix and the caller's credentials."""

    def __init__(self, client: FlaskClient, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.headers = headers or {}

    def _url(self, path: str) -> str:
        return path if path.startswith("/api/") else "/api/v1" + path

    def get(self, path: str, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.get(self._url(path), headers=headers, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        if json is None and "data" not in kw:
            return self.client.post(self._url(path), headers=headers, **kw)
        return self.client.post(self._url(path), json=json, headers=headers, **kw)

    def as_(self, headers: dict[str, str]) -> Api:
        """The same client with other credentials."""
        return Api(self.client, headers)


ApiFor = Callable[..., Api]


@pytest.fixture
def tokens(app: Flask) -> TokenService:
    """The app's token service, to issue tokens for tests."""
    return app.extensions["scoretrail.tokens"]


@pytest.fixture
def api_for(app: Flask, tokens: TokenService) -> ApiFor:
    """`api_for(role, name=…, subject=…)`: a client holding a fresh token of that role."""
    client = app.test_client()

    def issue(role: str, name: str | None = None, subject: str | None = None) -> Api:
        _, secret = tokens.create(name or f"{role}-user", role, subject)
        return Api(client, bearer(secret))

    return issue


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def api(api_for: ApiFor) -> Api:
    """An evaluator's API client (the token of alice)."""
    return api_for("evaluator", "alice")


@pytest.fixture
def reviewer_api(api_for: ApiFor) -> Api:
    """A reviewer's API client (rita)."""
    return api_for("reviewer", "rita")


@pytest.fixture
def auditor_api(api_for: ApiFor) -> Api:
    """An auditor's API client (audrey): reads everything, writes nothing."""
    return api_for("auditor", "audrey")


@pytest.fixture
def admin_api(api_for: ApiFor) -> Api:
    """An admin's API client (adam): manages tokens only."""
    return api_for("admin", "adam")


@pytest.fixture
def anonymous_api(app: Flask) -> Api:
    """A client without credentials."""
    return Api(app.test_client())


def load_through_api(api: Api, case: dict[str, Any]) -> str:
    """Record a fixture-format evaluation with HTTP calls only; returns its id."""
    header = {k: v for k, v in case["evaluation"].items() if k != "reported_total"}
    created = api.post("/evaluations", json=header)  # the reported total is posted below
    assert created.status_code == 201, created.json
    evaluation_id = created.json["id"]
    base = f"/evaluations/{evaluation_id}"
    response = api.post(base + "/framework", json={"indicators": case["indicators"]})
    assert response.status_code == 200, response.json
    for entry in case.get("data_entries", []):
        response = api.post(base + "/data-entries", json=entry)
        assert response.status_code == 200, response.json
    for action in case.get("actions", []):
        code = action["indicator"]
        kind = action["action"]
        if kind == "deduct":
            body = {k: action[k] for k in ("points", "reason", "evidence") if k in action}
            response = api.post(f"{base}/indicators/{code}/deductions", json=body)
            assert response.status_code == 201, response.json
        elif kind == "checklist":
            body = {"met": action["met"], "justification": action["justification"]}
            response = api.post(f"{base}/indicators/{code}/checklist", json=body)
            assert response.status_code == 200, response.json
        elif kind == "score":
            body = {k: action[k] for k in ("score", "justification", "evidence") if k in action}
            response = api.post(f"{base}/indicators/{code}/score", json=body)
            assert response.status_code == 200, response.json
        elif kind == "survey":
            body = {"tallies": action["tallies"]}
            response = api.post(f"{base}/indicators/{code}/survey", json=body)
            assert response.status_code == 200, response.json
        else:
            raise AssertionError(f"unknown action {kind}")
    for figure in reported_figures(case):
        response = api.post(base + "/reported-figures", json=figure)
        assert response.status_code == 200, response.json
    return str(evaluation_id)


def signed_in(app: Flask, role: str = "evaluator", name: str = "alice", **kw: Any) -> Api:
    """A client of `app` holding a fresh token of that role (tokens live in the app's store)."""
    _, secret = app.extensions["scoretrail.tokens"].create(name, role, kw.get("subject"))
    return Api(app.test_client(), bearer(secret))
