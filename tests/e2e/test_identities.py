"""One name, one identity: a second role needs saying so, and events name the token used."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from click.testing import CliRunner
from flask import Flask

from application.errors import TokenRefused
from application.tokens import TokenService
from tests.conftest import Api, ApiFor
from web.cli import main

HEADER = {"title": "示范项目", "subject": "示范单位", "fiscal_year": 2024, "kind": "project"}


def test_a_name_held_with_another_role_is_refused_unless_asked(admin_api: Api) -> None:
    first = admin_api.post("/tokens", json={"name": "李复核", "role": "reviewer"})
    assert first.status_code == 201
    again = admin_api.post("/tokens", json={"name": "李复核", "role": "evaluator"})
    assert again.status_code == 422
    assert again.mimetype == "application/problem+json"
    assert "reviewer" in again.json["detail"]
    meant = {"name": "李复核", "role": "evaluator", "another_role": True}
    assert admin_api.post("/tokens", json=meant).status_code == 201


def test_the_same_name_and_role_may_hold_several_tokens(tokens: TokenService) -> None:
    tokens.create("张评价", "evaluator")
    tokens.create("张评价", "evaluator")  # one per machine, or a rotation
    subject_held = tokens.create("联络员", "subject", "某局")[0]
    try:
        tokens.create("联络员", "subject", "另一局")
    except TokenRefused as refused:
        assert "某局" in refused.detail
    else:
        raise AssertionError(f"a second subject for {subject_held['name']} was issued")


def test_a_revoked_identity_frees_the_name(tokens: TokenService) -> None:
    tokens.create("王", "auditor")
    tokens.revoke("王")
    assert tokens.create("王", "reviewer")[0]["role"] == "reviewer"


def test_the_console_refuses_a_second_role_without_the_flag(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    runner = CliRunner()
    base = ["token", "create", "--name", "赵", "--database-url", url]
    assert runner.invoke(main, [*base, "--role", "auditor"]).exit_code == 0
    refused = runner.invoke(main, [*base, "--role", "reviewer"])
    assert refused.exit_code != 0 and "auditor" in refused.output
    assert runner.invoke(main, [*base, "--role", "reviewer", "--another-role"]).exit_code == 0


def test_every_event_records_the_token_id_with_name_and_role(
    app: Flask, api_for: ApiFor, tokens: TokenService
) -> None:
    api = api_for("evaluator", "alice")
    created = api.post("/evaluations", json=HEADER).json["id"]
    service = app.extensions["scoretrail"]
    events = list(service.store.events.get(UUID(created)))
    (alice,) = [t for t in tokens.list_tokens() if t["name"] == "alice"]
    assert [e.meta["token_id"] for e in events] == [alice["id"]]
    assert (events[0].meta["actor"], events[0].meta["role"]) == ("alice", "evaluator")
    history = api.get(f"/evaluations/{created}/history").status_code
    assert history == 200
