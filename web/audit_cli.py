"""Auditors' commands: verify the event chain, check the read models, export an audit packet."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from adapters.audit_packet import write_packet
from adapters.replay_check import SAMPLED_VERSIONS, read_model_differences
from application.errors import ApplicationError
from web.cli_store import open_audit
from web.console import database_option, progress_bar


@click.command()
@click.argument("evaluation_id", required=False)
@click.option("--all", "everything", is_flag=True, help="verify every evaluation in the store")
@database_option
def verify(evaluation_id: str | None, everything: bool, database_url: str | None) -> None:
    """Recompute the event chain of one evaluation (or --all); exit 1 when any breaks."""
    if bool(evaluation_id) == everything:
        raise click.UsageError("give an evaluation ID or --all (not both)")
    _, audit = open_audit(database_url)
    with progress_bar("verifying event chains") as report:
        results = audit.verify_all([evaluation_id] if evaluation_id else None, report)
    failed = [r for r in results if not r["ok"]]
    for r in results:
        if r.get("not_found"):
            click.echo(f"not found  {r['id']}: no evaluation has this id")
        elif r["ok"]:
            click.echo(
                f"ok      {r['id']}  {r['events_checked']} events, head v{r['head_version']} "
                f"{r['head_digest']}"
            )
        else:
            click.echo(f"BROKEN  {r['id']}  at version {r['first_bad_version']}: {r['problem']}")
    click.echo(f"{len(results) - len(failed)} of {len(results)} evaluations verified")
    if failed:
        sys.exit(1)


@click.command()
@click.option("--check", is_flag=True, help="compare a replay with the live read models")
@click.option(
    "--samples",
    type=click.IntRange(min=0),
    default=SAMPLED_VERSIONS,
    show_default=True,
    help="past versions per evaluation (besides the first and last) whose temporal "
    "document is compared with a replay",
)
@database_option
def replay(check: bool, samples: int, database_url: str | None) -> None:
    """Replay every event into a scratch database; with --check, report differing rows and
    documents at sampled past versions that differ from a replay."""
    if not check:
        raise click.UsageError("only --check is supported (rebuild-projections rebuilds)")
    service, _ = open_audit(database_url)
    with progress_bar("replaying events") as report:
        differences = read_model_differences(service, report, samples)
    for d in differences:
        where = ", ".join(f"{k}={v}" for k, v in d["key"].items())
        column = f".{d['column']}" if d["column"] else ""
        click.echo(
            f"DIFF {d['table']}[{where}]{column}: live {d['live']!r}, replay {d['replayed']!r}"
        )
    if differences:
        click.echo(f"{len(differences)} differences between the read models and a replay")
        sys.exit(1)
    click.echo("read models match a replay of the events")


@click.command("export-audit")
@click.argument("evaluation_id")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--with-evidence", is_flag=True, help="copy the evidence files beside the packet")
@database_option
def export_audit(
    evaluation_id: str, path: Path, with_evidence: bool, database_url: str | None
) -> None:
    """Write an audit packet (every record, the digests) and its offline verifier; with
    --with-evidence, the evidence files beside it."""
    _, audit = open_audit(database_url)
    try:
        packet = write_packet(audit, evaluation_id, path, with_evidence)
    except ApplicationError as error:
        raise click.ClickException(error.detail) from error
    chain = packet["chain"]
    click.echo(
        f"wrote {path} ({len(packet['events'])} records, head v{chain['head_version']} "
        f"{chain['head_digest']}) and {path.with_name(packet['verifier']['filename'])}"
    )
    if not packet["verification"]["ok"]:
        click.echo(f"warning: the chain is broken: {packet['verification']['problem']}", err=True)
