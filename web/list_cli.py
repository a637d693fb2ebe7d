"""`scoretrail list` and `scoretrail history`: the API's filters at the console."""

from __future__ import annotations

import json
from typing import Any

import click

from application.errors import ApplicationError
from application.history import NAMED_BOUNDS
from application.moments import parse_moment, zone_named
from domain.errors import DomainError
from web.cli_store import open_service
from web.settings import load_settings

database_option = click.option(
    "--database-url",
    envvar="SCORETRAIL_DATABASE_URL",
    default=None,
    help="sqlite:///path or postgresql+psycopg://… (default: SQLite file under ./var)",
)
as_json = click.option("--json", "as_json", is_flag=True, help="one JSON object per line")


@click.command("list")
@click.option("--fiscal-year", type=int, help="评价年度")
@click.option("--subject", help="被评价单位")
@click.option("--kind", help="评价类型, e.g. project")
@click.option("--status", type=click.Choice(("draft", "submitted", "finalized")))
@click.option("--grade", help="等级, e.g. 良")
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, 1000), default=50, show_default=True)
@as_json
@database_option
def list_evaluations(
    fiscal_year: int | None,
    subject: str | None,
    kind: str | None,
    status: str | None,
    grade: str | None,
    page: int,
    per_page: int,
    as_json: bool,
    database_url: str | None,
) -> None:
    """Evaluations with the API's filters, oldest first: id, year, subject, status, total."""
    filters = {
        "fiscal_year": fiscal_year,
        "subject": subject,
        "kind": kind,
        "status": status,
        "grade": grade,
    }
    result = open_service(database_url).list_evaluations(filters, page, per_page)
    for item in result["items"]:
        if as_json:
            click.echo(json.dumps(item, ensure_ascii=False))
            continue
        click.echo(
            f"{item['id']}  {item['fiscal_year']}  {item['status']:<9}  v{item['version']:<5}  "
            f"{item['total'] or '-':>6} {item['grade'] or '-':<2}  {item['subject']}  "
            f"{item['title']}"
        )
    click.echo(
        f"{result['total']} evaluation(s); page {page} of {max(result['pages'], 1)}", err=True
    )


def _bound(value: str | None, end: bool, zone_name: str) -> Any:
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return int(text)
    if text in NAMED_BOUNDS:
        return text
    try:
        return parse_moment(text, zone_named(zone_name), end_of_day=end)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a version, an ISO-8601 date or time, or one of "
            + ", ".join(NAMED_BOUNDS)
        ) from None


@click.command("history")
@click.argument("evaluation_id")
@click.option("--type", "types", multiple=True, help="event type (repeatable)")
@click.option("--actor", help="who recorded it")
@click.option("--role", help="in which role")
@click.option("--indicator", help="indicator code")
@click.option("--cause", help="a dispute id")
@click.option("--from", "start", help="version, date, time or submission|finalization|reopening")
@click.option("--to", "end", help="version, date (its end) or time")
@as_json
@database_option
def history(
    evaluation_id: str,
    types: tuple[str, ...],
    actor: str | None,
    role: str | None,
    indicator: str | None,
    cause: str | None,
    start: str | None,
    end: str | None,
    as_json: bool,
    database_url: str | None,
) -> None:
    """An evaluation's events with the API's history filters: who, when, what and why."""
    config = {"SCORETRAIL_DATABASE_URL": database_url} if database_url else None
    zone = str(load_settings(config)["SCORETRAIL_TIMEZONE"])
    filters = {
        "type": list(types) or None,
        "actor": actor,
        "role": role,
        "indicator": indicator,
        "cause": cause,
        "start": _bound(start, False, zone),
        "end": _bound(end, True, zone),
    }
    service = open_service(database_url)
    page, shown = 1, 0
    try:
        while True:
            result = service.history(evaluation_id, page, 1000, **filters)
            for item in result["items"]:
                shown += 1
                if as_json:
                    click.echo(json.dumps(item, ensure_ascii=False))
                else:
                    click.echo(
                        f"v{item['version']:<5} {item['recorded_at']}  {item['type']:<20} "
                        f"{item['actor']} ({item['role']})  {item['indicator'] or '-'}  "
                        f"{item['reason'] or ''}".rstrip()
                    )
            if page >= result["pages"]:
                break
            page += 1
    except (ApplicationError, DomainError) as error:
        raise click.ClickException(error.detail) from None
    click.echo(f"{shown} event(s)", err=True)
