"""The `scoretrail` command: serve, load, import, export, rebuild-projections, purge-keys."""

from __future__ import annotations

import getpass
import json
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from adapters.bootstrap import build_beside, build_components, build_sheets
from application.errors import ApplicationError, SheetRejected
from application.moments import parse_moment as parse_local
from application.moments import zone_named
from application.service import EvaluationService
from application.text_gate import refusals
from domain.errors import DomainError
from domain.evaluation import Actor
from web.audit_cli import export_audit, replay, verify
from web.cli_store import (
    DEVELOPMENT_KEY_WARNING,
    guarded,
    open_records,
    open_service,
    settings_for,
)
from web.console import (
    GatedGroup,
    console_secret,
    console_settings,
    database_option,
    progress_bar,
)
from web.list_cli import history, list_evaluations
from web.problems import describe_row
from web.server import gunicorn_options, run
from web.settings import load_settings, store_tuning
from web.token_cli import token

# Sheets with at least this many rows get a progress bar while they are read.
LARGE_SHEET_ROWS = 500
REPORT_FORMATS = ("xlsx", "csv", "json", "html", "pdf")
BINARY_FORMATS = frozenset({"xlsx", "pdf"})


# Who the console records when no name is given: people read these names on pages.
OPERATOR = "控制台操作员"
EXAMPLE_LOADER = "示例数据录入"


def cli_actor(name: str, role: str) -> Actor:
    """Commands run by an operator at the console are recorded under that operator's name."""
    return Actor(name=name, role=role, correlation_id=f"cli-{uuid.uuid4()}")


def load_file(service: EvaluationService, path: Path, by: Actor, skip_existing: bool) -> str:
    """Record an evaluation from a fixture-format JSON file; returns its id."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    refused = refusals(spec)  # the text gate, as for a JSON import over HTTP
    if refused:
        where = min(refused)
        raise ValueError(f"{where}: {refused[where].chinese}")
    header = spec["evaluation"]
    if skip_existing:
        found = service.find(header["title"], header["subject"], int(header["fiscal_year"]))
        if found:
            return found
    # the console transcribes a form signed on paper: each sign-off as its capacity's party
    return service.import_evaluation(spec, by, transcribe_sign_offs=True).id


@click.group(cls=GatedGroup)
def main() -> None:
    """ScoreTrail: an audit trail for scored performance evaluations."""


main.add_command(token)


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--actor", default=OPERATOR, show_default=True, help="name recorded on the events")
@click.option("--skip-existing", is_flag=True, help="do nothing if the evaluation is loaded")
@database_option
def load(path: Path, actor: str, skip_existing: bool, database_url: str | None) -> None:
    """Load an evaluation from a fixture-format JSON file; prints its id last."""
    service = open_service(database_url)
    try:
        evaluation_id = load_file(service, path, cli_actor(actor, "evaluator"), skip_existing)
    except (DomainError, KeyError, ValueError) as error:
        raise click.ClickException(f"{path}: nothing recorded: {error}") from error
    click.echo(evaluation_id)


@main.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", help="the evaluation's title (default: the sheet's)")
@click.option("--subject", help="被评价单位 (default: the sheet's)")
@click.option("--fiscal-year", type=click.IntRange(1900, 2999), help="评价年度")
@click.option("--kind", help="评价类型, e.g. project (default: the sheet's)")
@click.option("--evaluator", help="评价机构 (default: the sheet's)")
@click.option("--total-weight", help="total weight (default: the sum of the top indicators)")
@click.option("--dry-run", is_flag=True, help="show what would be recorded; record nothing")
@click.option("--actor", default=OPERATOR, show_default=True, help="name recorded on the events")
@database_option
def import_sheet(
    path: Path,
    title: str | None,
    subject: str | None,
    fiscal_year: int | None,
    kind: str | None,
    evaluator: str | None,
    total_weight: str | None,
    dry_run: bool,
    actor: str,
    database_url: str | None,
) -> None:
    """Import a score sheet (xlsx, csv or fixture JSON) as a new evaluation; prints its id last."""
    given = {
        "title": title,
        "subject": subject,
        "fiscal_year": fiscal_year,
        "kind": kind,
        "evaluator": evaluator,
        "total_weight": total_weight,
    }
    defaults = {name: value for name, value in given.items() if value is not None}
    sheets = build_sheets(open_service(database_url))
    try:
        with sheet_progress() as progress:
            result = sheets.import_sheet(
                path.read_bytes(),
                path.name,
                defaults,
                by=cli_actor(actor, "evaluator"),
                dry_run=dry_run,
                progress=progress,
            )
    except SheetRejected as error:
        for row in error.rows:
            click.echo(describe_row(row), err=True)
        raise click.ClickException(
            f"{path}: nothing recorded ({len(error.rows)} problem(s) above)"
        ) from error
    for warning in result["warnings"]:
        click.echo(f"warning: {describe_row(warning)}", err=True)
    outcome = f"total {result['total'] or '-'}, grade {result['grade'] or '-'}"
    if dry_run:
        for event in result["events"]:
            click.echo(f"{event['version']:>5}  {event['type']:<18} {key_data(event)}")
        click.echo(f"dry run: would record {result['event_count']} events; {outcome}")
        click.echo("nothing recorded")
        return
    click.echo(f"recorded {result['event_count']} events; {outcome}")
    click.echo(result["id"])


def sheet_progress() -> Any:
    """A progress bar for reading a sheet, shown once the sheet proves large."""
    return progress_bar("reading rows", shown_from=LARGE_SHEET_ROWS)


def key_data(event: dict[str, Any], width: int = 120) -> str:
    """What matters in an event, on one line."""
    data = event["data"]
    kind = event["type"]
    if kind == "Created":
        text = f"{data['title']} / {data['subject']} / {data['fiscal_year']} / {data['kind']}"
    elif kind == "FrameworkDefined":
        text = f"{data['indicators']} indicators"
    elif kind == "ScoreChanged":
        text = f"{data['code']}: {data['before'] or '-'} -> {data['after'] or '-'}"
        if data.get("overridden"):
            text += f" (rule {data.get('rule_score') or '-'})"
        text += f"; total {data.get('total') or '-'} {data.get('grade') or ''}".rstrip()
    elif kind == "DeductionRecorded":
        text = f"{data['code']}: -{data['points']} {data['reason']}"
    elif kind in ("ScoreRecorded", "ScoreOverridden"):
        text = f"{data['code']}: {data['score']} {data['justification']}"
    elif kind == "ChecklistAssessed":
        text = f"{data['code']}: {sum(data['met'])}/{len(data['met'])} met"
    elif kind == "DataEntryRecorded":
        text = f"{data['key']} = {data['value']} {data.get('unit') or ''}".rstrip()
    elif kind in ("FundsRecorded", "FundsCorrected"):
        text = f"{data['source']}: {data['full_year_budget']} / {data['executed']}"
        text += f" {data['reason']}" if data.get("reason") else ""
    else:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def parse_moment(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """An ISO-8601 time, local (SCORETRAIL_TIMEZONE) without an offset; a date alone is the
    end of that day, as in the API."""
    if value is None:
        return None
    try:
        return parse_local(
            value, zone_named(load_settings()["SCORETRAIL_TIMEZONE"]), end_of_day=True
        )
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO-8601 time or date") from None


def stdout_is_terminal() -> bool:
    """Whether standard output is a terminal (binary reports are never written to one)."""
    return sys.stdout.isatty()


@main.command()
@click.argument("evaluation_id")
@click.option(
    "--format", "fmt", type=click.Choice(REPORT_FORMATS), default="xlsx", show_default=True
)
@click.option("--as-of", callback=parse_moment, help="as it stood at this ISO-8601 time")
@click.option("--version", type=click.IntRange(min=1), help="as it stood at this version")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="file to write (default: standard output)",
)
@click.option(
    "--actor", "operator", default=getpass.getuser(), help="who generated it (default: you)"
)
@database_option
def export(
    evaluation_id: str,
    fmt: str,
    as_of: datetime | None,
    version: int | None,
    output: Path | None,
    operator: str,
    database_url: str | None,
) -> None:
    """Export the report as xlsx, csv (UTF-8 with BOM), json, html or pdf; xlsx, html and pdf
    carry the whole record (disputes, notes, findings, evidence hashes, head digest)."""
    if as_of is not None and version is not None:
        raise click.UsageError("give --as-of or --version, not both")
    if output is None and fmt in BINARY_FORMATS and stdout_is_terminal():
        raise click.ClickException(f"{fmt} is binary: write it to a file with --output FILE")
    records = open_records(database_url)
    try:
        report = records.report(
            evaluation_id,
            fmt,
            generated_by=operator,
            generated_role=OPERATOR,
            version=version,
            as_of=as_of,
        )
    except (ApplicationError, DomainError) as error:
        raise click.ClickException(error.detail) from None
    if output is not None:
        output.write_bytes(report.content)
        click.echo(f"wrote {output} ({len(report.content)} bytes)", err=True)
        return
    with click.open_file("-", "wb") as stream:
        stream.write(report.content)


@main.command("rebuild-projections")
@click.option(
    "--beside",
    is_flag=True,
    help="build new tables beside the serving ones while the service keeps running, then "
    "switch them in (resumes a stopped build)",
)
@click.option(
    "--no-switch",
    is_flag=True,
    help="with --beside: build and catch up only; the next start-up of this release resumes "
    "the build and switches",
)
@database_option
def rebuild_projections(beside: bool, no_switch: bool, database_url: str | None) -> None:
    """Rebuild the read models from the events: in place (writers wait until it is done),
    or --beside the serving tables (writers wait only for the switch)."""
    if not beside:
        service = open_service(database_url)
        with progress_bar("projecting events") as report:
            count = service.rebuild_read_models(report)
        click.echo(f"rebuilt read models from {count} events")
        return
    settings, secret = settings_for(database_url)
    with progress_bar("building beside") as report:
        # a start-up that finds the read models outdated already builds beside: then once
        components = guarded(
            settings,
            lambda: build_components(
                settings["SCORETRAIL_DATABASE_URL"],
                store_tuning(settings),
                secret,
                report,
                switch=not no_switch,
            ),
        )
        try:
            if components.rebuilt is not None:
                count, held = components.rebuilt, None
            else:
                result = build_beside(components.service).run(report, switch=not no_switch)
                count, held = result.events, result.switch_seconds
        except ValueError as error:
            raise click.ClickException(str(error)) from None
        finally:
            components.dispose()
    if no_switch:
        click.echo(f"built read models beside from {count} events; start this release to switch")
        return
    hold = "" if held is None else f"; writers waited at most {held:.2f} s at the switch"
    click.echo(f"rebuilt read models beside from {count} events{hold}")


@main.command("purge-keys")
@click.option("--days", default=30, show_default=True, type=int, help="keep keys younger than this")
@database_option
def purge_keys(days: int, database_url: str | None) -> None:
    """Forget Idempotency-Keys older than DAYS (a later retry with one runs again)."""
    settings = console_settings(database_url)
    components = build_components(settings["SCORETRAIL_DATABASE_URL"], store_tuning(settings))
    count = components.keys.purge(datetime.now(UTC) - timedelta(days=days))
    components.dispose()
    click.echo(f"forgot {count} idempotency keys older than {days} days")


@main.command()
@click.option("--host", default=None, help="address to listen on [SCORETRAIL_HOST, 127.0.0.1]")
@click.option("--port", default=None, type=int, help="port, 0 for any [SCORETRAIL_PORT, 8000]")
@click.option(
    "--workers", default=None, type=int, help="processes [SCORETRAIL_WORKERS; 1 on SQLite]"
)
@click.option("--threads", default=None, type=int, help="threads per process [SCORETRAIL_THREADS]")
@click.option(
    "--load",
    "load_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    help="fixture-format JSON to load first (skipped if already loaded)",
)
@database_option
def serve(
    host: str | None,
    port: int | None,
    workers: int | None,
    threads: int | None,
    load_path: tuple[Path, ...],
    database_url: str | None,
) -> None:
    """Serve the API and the pages with gunicorn."""
    given = {
        "SCORETRAIL_DATABASE_URL": database_url,
        "SCORETRAIL_HOST": host,
        "SCORETRAIL_PORT": port,
        "SCORETRAIL_WORKERS": workers,
        "SCORETRAIL_THREADS": threads,
    }
    config = {key: value for key, value in given.items() if value is not None}
    settings = load_settings(config)
    secret = console_secret(settings)
    if secret is None:
        click.echo(DEVELOPMENT_KEY_WARNING, err=True)
    if load_path:
        components = build_components(
            settings["SCORETRAIL_DATABASE_URL"], store_tuning(settings), secret
        )
        for path in load_path:
            evaluation_id = load_file(
                components.service, path, cli_actor(EXAMPLE_LOADER, "evaluator"), True
            )
            click.echo(f"loaded {path} as evaluation {evaluation_id}")
        components.dispose()  # workers are forked: they must not inherit open connections
    options = gunicorn_options(settings)
    click.echo(
        f"ScoreTrail on http://{options['bind']}/api/v1 with {options['workers']} process(es)"
        f" x {options['threads']} threads (store: {settings['SCORETRAIL_DATABASE_URL']})"
    )
    click.echo(
        f"Pages: open http://{options['bind']}/ui/ and sign in with an API token; issue one"
        " with: scoretrail token create --name 李复核 --role reviewer"
    )
    run(options, config)


for command in (verify, replay, export_audit, list_evaluations, history):
    main.add_command(command)


if __name__ == "__main__":
    main()
