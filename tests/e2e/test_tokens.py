"""Issuing, listing and revoking tokens: from the console and, for admins, over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from application.errors import TokenRefused, UnknownToken
from application.tokens import TokenService
from tests.conftest import Api, bearer
from web.cli import main


def test_an_admin_issues_a_token_that_works_at_once(admin_api: Api, anonymous_api: Api) -> None:
    with freeze_time("2026-07-01T12:00:00+00:00"):
        response = admin_api.post(
            "/tokens", json={"name": "una", "role": "subject", "subject": "某局"}
        )
    assert response.status_code == 201, response.json
    issued = response.json
    assert issued["token"].startswith("st_")
    assert (issued["name"], issued["role"], issued["subject"]) == ("una", "subject", "某局")
    assert issued["created_at"] == "2026-07-01T12:00:00+00:00"
    assert anonymous_api.as_(bearer(issued["token"])).get("/evaluations").status_code == 200

    listed = {t["id"]: t for t in admin_api.get("/tokens").json["items"]}
    assert listed[issued["id"]] == {k: v for k, v in issued.items() if k != "token"}
    assert all("digest" not in t for t in listed.values())


def test_an_admin_revokes_by_id_or_by_name(
    admin_api: Api, anonymous_api: Api, tokens: TokenService
) -> None:
    one, first = tokens.create("vic", "auditor")
    _, second = tokens.create("vic", "auditor")
    revoked = admin_api.post(f"/tokens/{one['id']}/revocation")
    assert [t["id"] for t in revoked.json["items"]] == [one["id"]]
    assert anonymous_api.as_(bearer(first)).get("/evaluations").status_code == 401
    assert anonymous_api.as_(bearer(second)).get("/evaluations").status_code == 200

    assert admin_api.post("/tokens/vic/revocation").json["total"] == 1
    assert anonymous_api.as_(bearer(second)).get("/evaluations").status_code == 401
    again = admin_api.post("/tokens/vic/revocation")
    assert (again.status_code, again.json["type"]) == (404, "urn:scoretrail:problem:unknown-token")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "role": "superuser"}, "role"),
        ({"name": "x", "role": "subject"}, "subject"),
        ({"name": "x", "role": "auditor", "subject": "某局"}, "subject"),
        ({"name": " ", "role": "auditor"}, "name"),
    ],
)
def test_an_ill_formed_token_request_is_422(
    admin_api: Api, tokens: TokenService, body: dict[str, str], field: str
) -> None:
    before = len(tokens.list_tokens())
    response = admin_api.post("/tokens", json=body)
    assert response.status_code == 422, response.json
    assert field in response.json.get("errors", {}) or response.json["values"]["field"] == field
    assert len(tokens.list_tokens()) == before


def test_the_service_refuses_what_the_schema_would_not_see(tokens: TokenService) -> None:
    with pytest.raises(TokenRefused):
        tokens.create("x", "subject", "  ")
    with pytest.raises(UnknownToken):
        tokens.revoke("nobody")


def cli(runner: CliRunner, url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(main, [*args, "--database-url", url])


def test_the_cli_prints_the_new_token_last_and_lists_and_revokes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'st.sqlite3'}"
    runner = CliRunner()
    created = cli(runner, url, "token", "create", "--name", "rita", "--role", "reviewer")
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith("st_") and created.stdout.strip() == secret

    subject = cli(
        runner, url, "token", "create", "--name", "u", "--role", "subject", "--subject", "某局"
    )
    assert subject.exit_code == 0

    listed = cli(runner, url, "token", "list")
    assert listed.exit_code == 0
    assert "rita (reviewer)" in listed.output and "u (subject for 某局)" in listed.output
    assert secret not in listed.output

    revoked = cli(runner, url, "token", "revoke", "rita")
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    after = cli(runner, url, "token", "list").output
    assert "revoked" in next(line for line in after.splitlines() if "rita" in line)
    assert cli(runner, url, "token", "revoke", "rita").exit_code != 0


def test_the_cli_refuses_a_subject_token_without_a_subject(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'st.sqlite3'}"
    result = cli(CliRunner(), url, "token", "create", "--name", "u", "--role", "subject")
    assert result.exit_code != 0
    assert "bound to a subject" in result.output
