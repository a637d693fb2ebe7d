"""Opening the store for a console command: one-line errors and the development-key warning."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import click

from adapters.bootstrap import (
    build_audit,
    build_evidence,
    build_records,
    build_service,
    build_sheets,
)
from application.audit import AuditService
from application.moments import zone_named
from application.records import RecordReports
from application.service import EvaluationService
from web.console import console_secret, console_settings
from web.settings import evidence_limits, store_tuning

T = TypeVar("T")
DEVELOPMENT_KEY_WARNING = (
    "warning: SCORETRAIL_SECRET is not set: the event chain is keyed with the public "
    "development key, so its digests prove nothing; set a secret of your own (README, "
    '"Auditing")'
)


def redacted(url: str) -> str:
    """A database URL without its password."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def one_line(error: BaseException) -> str:
    """An error's first line, without the library's pointers to its documentation."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return re.sub(r"\s*\(Background on this error at: [^)]*\)", "", text)


def settings_for(database_url: str | None) -> tuple[dict[str, Any], str | None]:
    """Settings and the chain secret; warns (stderr) when the development key is in use."""
    settings = console_settings(database_url)
    secret = console_secret(settings)
    try:
        zone_named(settings["SCORETRAIL_TIMEZONE"])
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if secret is None:
        click.echo(DEVELOPMENT_KEY_WARNING, err=True)
    return settings, secret


def guarded(settings: dict[str, Any], build: Callable[[], T]) -> T:
    """Open the store, turning whatever goes wrong into one line naming the store."""
    try:
        return build()
    except click.ClickException:
        raise
    except Exception as error:  # a wrong URL, an unreachable server, a missing driver
        url = redacted(str(settings["SCORETRAIL_DATABASE_URL"]))
        raise click.ClickException(f"cannot open the store {url}: {one_line(error)}") from None


def open_service(database_url: str | None) -> EvaluationService:
    """The evaluation service on the configured store."""
    settings, secret = settings_for(database_url)
    return guarded(
        settings,
        lambda: build_service(settings["SCORETRAIL_DATABASE_URL"], secret, store_tuning(settings)),
    )


def open_audit(database_url: str | None) -> tuple[EvaluationService, AuditService]:
    """The service and the auditors' service (re-hashing evidence files too)."""
    settings, secret = settings_for(database_url)

    def build() -> tuple[EvaluationService, AuditService]:
        service = build_service(settings["SCORETRAIL_DATABASE_URL"], secret, store_tuning(settings))
        return service, build_audit(service, _evidence(service, settings))

    return guarded(settings, build)


def open_records(database_url: str | None) -> RecordReports:
    """Reports for the record, as the API serves them."""
    settings, secret = settings_for(database_url)

    def build() -> RecordReports:
        service = build_service(settings["SCORETRAIL_DATABASE_URL"], secret, store_tuning(settings))
        evidence = _evidence(service, settings)
        sheets = build_sheets(service)
        zone = zone_named(settings["SCORETRAIL_TIMEZONE"])
        sheets.zone = zone
        return build_records(build_audit(service, evidence), sheets, zone, evidence)

    return guarded(settings, build)


def _evidence(service: EvaluationService, settings: dict[str, Any]) -> Any:
    return build_evidence(
        service,
        settings["SCORETRAIL_DATABASE_URL"],
        settings["SCORETRAIL_EVIDENCE_DIR"] or None,
        evidence_limits(settings),
    )
