"""`scoretrail token …`: issue, list and revoke API tokens from the console."""

from __future__ import annotations

from typing import Any

import click

from adapters.bootstrap import build_service, build_token_service
from application.access import ROLES
from application.errors import TokenRefused, UnknownToken
from application.tokens import TokenService
from web.console import console_settings, database_option


def token_service(database_url: str | None) -> TokenService:
    settings = console_settings(database_url)
    return build_token_service(build_service(settings["SCORETRAIL_DATABASE_URL"]))


def describe(record: dict[str, Any]) -> str:
    scope = f" for {record['subject']}" if record["subject"] else ""
    return f"{record['id']}  {record['name']} ({record['role']}{scope})"


@click.group("token")
def token() -> None:
    """Issue, list and revoke API tokens."""


@token.command("create")
@click.option("--name", required=True, help="who holds it: the actor recorded on events")
@click.option("--role", required=True, type=click.Choice(ROLES), help="what it may do")
@click.option("--subject", default=None, help="the subject a subject token is bound to")
@click.option(
    "--another-role",
    is_flag=True,
    help="give a name that already holds a token a second role or subject, on purpose",
)
@database_option
def create(
    name: str, role: str, subject: str | None, another_role: bool, database_url: str | None
) -> None:
    """Issue a token; it is printed once, as the last line (only its hash is kept)."""
    try:
        record, secret = token_service(database_url).create(name, role, subject, another_role)
    except TokenRefused as error:
        raise click.ClickException(error.detail) from error
    click.echo(f"issued {describe(record)}", err=True)
    click.echo("the token follows; it is shown this once only:", err=True)
    click.echo(secret)


@token.command("list")
@database_option
def list_tokens(database_url: str | None) -> None:
    """Every token issued, with its state; secrets are never shown."""
    records = token_service(database_url).list_tokens()
    if not records:
        click.echo("no tokens issued yet")
    for record in records:
        state = (
            f"revoked {record['revoked_at']:%Y-%m-%d %H:%M}" if record["revoked_at"] else "active"
        )
        click.echo(f"{describe(record)}  issued {record['created_at']:%Y-%m-%d %H:%M}  {state}")


@token.command("revoke")
@click.argument("name_or_id")
@database_option
def revoke(name_or_id: str, database_url: str | None) -> None:
    """Revoke the token with that id, or every active token with that name."""
    try:
        revoked = token_service(database_url).revoke(name_or_id)
    except UnknownToken as error:
        raise click.ClickException(error.detail) from error
    for record in revoked:
        click.echo(f"revoked {describe(record)}")
