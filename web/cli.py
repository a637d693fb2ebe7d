"""The `scoretrail` command: serve, load, rebuild-projections."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from adapters.bootstrap import build_service
from application.service import EvaluationService
from domain.errors import DomainError
from domain.evaluation import Actor
from web.audit_cli import export_audit, replay, verify
from web.settings import InsecureConfiguration, chain_secret, load_settings
from web.token_cli import token


def cli_actor(name: str, role: str) -> Actor:
    """Commands run by an operator at the console are recorded under that operator's name."""
    return Actor(name=name, role=role, correlation_id=f"cli-{uuid.uuid4()}")


def open_service(database_url: str | None) -> EvaluationService:
    settings = load_settings({"SCORETRAIL_DATABASE_URL": database_url} if database_url else None)
    try:
        secret = chain_secret(settings)
    except InsecureConfiguration as error:
        raise click.ClickException(str(error)) from error
    return build_service(settings["SCORETRAIL_DATABASE_URL"], secret)


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


main.add_command(token)


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


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=None, type=int, help="processes (default: 1 on SQLite)")
@click.option("--threads", default=4, show_default=True, type=int)
@click.option(
    "--load",
    "load_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    help="fixture-format JSON to load first (skipped if already loaded)",
)
@database_option
def serve(
    host: str,
    port: int,
    workers: int | None,
    threads: int,
    load_path: tuple[Path, ...],
    database_url: str | None,
) -> None:
    """Serve the API with gunicorn."""
    from gunicorn.app.base import BaseApplication

    from web import create_app

    config = {"SCORETRAIL_DATABASE_URL": database_url} if database_url else None
    settings = load_settings(config)
    if load_path:
        service = build_service(settings["SCORETRAIL_DATABASE_URL"], chain_secret(settings))
        for path in load_path:
            evaluation_id = load_file(service, path, cli_actor("example-loader", "evaluator"), True)
            click.echo(f"loaded {path} as evaluation {evaluation_id}")
    sqlite = settings["SCORETRAIL_DATABASE_URL"].startswith("sqlite")
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers or (1 if sqlite else 2),
        "threads": threads,
        "accesslog": "-",
        "timeout": 60,
    }

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return create_app(config)

    click.echo(
        f"ScoreTrail on http://{host}:{port}/api/v1 (store: {settings['SCORETRAIL_DATABASE_URL']})"
    )
    Server().run()


for command in (verify, replay, export_audit):
    main.add_command(command)


if __name__ == "__main__":
    main()
