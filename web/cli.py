"""The `scoretrail` command: serve, load, rebuild-projections, purge-keys."""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from adapters.bootstrap import build_components, build_service
from application.service import EvaluationService
from domain.errors import DomainError
from domain.evaluation import Actor
from web.server import gunicorn_options, run
from web.settings import load_settings, store_tuning


def cli_actor(name: str, role: str) -> Actor:
    """Commands run by an operator at the console are recorded under that operator's name."""
    return Actor(name=name, role=role, correlation_id=f"cli-{uuid.uuid4()}")


def open_service(database_url: str | None) -> EvaluationService:
    settings = load_settings({"SCORETRAIL_DATABASE_URL": database_url} if database_url else None)
    return build_service(settings["SCORETRAIL_DATABASE_URL"], store_tuning(settings))


def load_file(service: EvaluationService, path: Path, by: Actor, skip_existing: bool) -> str:
    """Record an evaluation from a fixture-format JSON file; returns its id."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    header = spec["evaluation"]
    if skip_existing:
        found = service.find(header["title"], header["subject"], int(header["fiscal_year"]))
        if found:
            return found
    return str(service.import_evaluation(spec, by)["id"])


database_option = click.option(
    "--database-url",
    envvar="SCORETRAIL_DATABASE_URL",
    default=None,
    help="sqlite:///path or postgresql+psycopg://… (default: SQLite file under ./var)",
)


@click.group()
def main() -> None:
    """ScoreTrail: an audit trail for scored performance evaluations."""


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--actor", default="cli", show_default=True, help="name recorded on the events")
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


@main.command("rebuild-projections")
@database_option
def rebuild_projections(database_url: str | None) -> None:
    """Drop the read models and rebuild them from the events."""
    service = open_service(database_url)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=not sys.stderr.isatty(),
    ) as progress:
        task = progress.add_task("projecting events", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        count = service.rebuild_read_models(report)
    click.echo(f"rebuilt read models from {count} events")


@main.command("purge-keys")
@click.option(
    "--days", default=30, show_default=True, type=int, help="keep keys younger than this"
)
@database_option
def purge_keys(days: int, database_url: str | None) -> None:
    """Forget Idempotency-Keys older than DAYS (a later retry with one runs again)."""
    settings = load_settings({"SCORETRAIL_DATABASE_URL": database_url} if database_url else None)
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
    """Serve the API with gunicorn."""
    given = {
        "SCORETRAIL_DATABASE_URL": database_url,
        "SCORETRAIL_HOST": host,
        "SCORETRAIL_PORT": port,
        "SCORETRAIL_WORKERS": workers,
        "SCORETRAIL_THREADS": threads,
    }
    config = {key: value for key, value in given.items() if value is not None}
    settings = load_settings(config)
    if load_path:
        components = build_components(settings["SCORETRAIL_DATABASE_URL"], store_tuning(settings))
        for path in load_path:
            evaluation_id = load_file(
                components.service, path, cli_actor("example-loader", "evaluator"), True
            )
            click.echo(f"loaded {path} as evaluation {evaluation_id}")
        components.dispose()  # workers are forked: they must not inherit open connections
    options = gunicorn_options(settings)
    click.echo(
        f"ScoreTrail on http://{options['bind']}/api/v1 with {options['workers']} process(es)"
        f" x {options['threads']} threads (store: {settings['SCORETRAIL_DATABASE_URL']})"
    )
    run(options, config)


if __name__ == "__main__":
    main()
