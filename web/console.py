"""What every console command shares: the database option, the settings, a progress bar."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from application.text_gate import refusal
from web.settings import InsecureConfiguration, chain_secret, load_settings

database_option = click.option(
    "--database-url",
    envvar="SCORETRAIL_DATABASE_URL",
    default=None,
    help="sqlite:///path or postgresql+psycopg://… (default: SQLite file under ./var)",
)


class GatedGroup(click.Group):
    """The root command: every argument passes the text gate before any command runs."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        refuse_unstorable(args)
        return super().parse_args(ctx, args)


def refuse_unstorable(args: list[str]) -> None:
    """A usage error (exit status 2, nothing run) naming the first argument the gate refuses."""
    for index, arg in enumerate(args):
        refused = refusal(arg)
        if refused is None:
            continue
        before = args[index - 1] if index else ""
        if arg.startswith("--"):
            name = arg.split("=", 1)[0]
        elif before.startswith("-") and "=" not in before:
            name = before
        else:
            name = f"第 {index + 1} 个参数"
        raise click.UsageError(f"{name}：{refused.chinese}")


def console_settings(database_url: str | None) -> dict[str, Any]:
    """The settings, with the database the option names (when it names one)."""
    return load_settings({"SCORETRAIL_DATABASE_URL": database_url} if database_url else None)


def console_secret(settings: dict[str, Any]) -> str | None:
    """The chain secret, or a console error saying why it is refused."""
    try:
        return chain_secret(settings)
    except InsecureConfiguration as error:
        raise click.ClickException(str(error)) from error


class RateColumn(ProgressColumn):
    """Items per second, as rich measures it over the last updates."""

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text("" if speed is None else f"{speed:,.0f}/s", style="progress.data.speed")


@contextmanager
def progress_bar(description: str, shown_from: int = 0) -> Iterator[Callable[..., None]]:
    """A rich progress bar on stderr, shown once the total reaches `shown_from`; the
    callback takes (done, total), and a new description when a new stage begins."""
    bar: Progress | None = None
    task: Any = None

    def report(done: int, total: int, stage: str | None = None) -> None:
        nonlocal bar, task, description
        if total < shown_from:
            return
        if bar is not None and stage is not None and stage != description:
            bar.reset(task, total=total, description=stage)  # a new stage: its own rate
        description = stage or description
        if bar is None:
            bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                RateColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=not sys.stderr.isatty(),
            )
            bar.start()
            task = bar.add_task(description, total=total)
        bar.update(task, completed=done, total=total, description=description)

    try:
        yield report
    finally:
        if bar is not None:
            bar.stop()
