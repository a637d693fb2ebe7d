"""Settings: defaults, overridden by the environment, overridden by create_app's config."""

from __future__ import annotations

import os
from typing import Any

from adapters.pdf_pool import DEFAULT_RENDERER, PdfPool
from adapters.store import StoreTuning
from adapters.webhook_wiring import WebhookSettings
from application.evidence import DEFAULT_MEDIA_TYPES, EvidenceLimits

DEFAULTS: dict[str, Any] = {
    # One URL picks the store: sqlite:///path (default, embedded) or postgresql+psycopg://…
    "SCORETRAIL_DATABASE_URL": "sqlite:///var/scoretrail.sqlite3",
    # Largest accepted request body, in bytes.
    "SCORETRAIL_MAX_BODY_BYTES": 2 * 1024 * 1024,
    "SCORETRAIL_LOG_LEVEL": "INFO",
    # "production" makes a missing SCORETRAIL_SECRET fatal at start-up.
    "SCORETRAIL_ENV": "development",
    # Keys the hash chain over stored events; unset outside production, a fixed insecure
    # development key is used (digests then prove nothing against someone who read the code).
    "SCORETRAIL_SECRET": "",
    # Evidence files: where their bytes go ("": a folder `evidence` beside the SQLite file,
    # or a table in the database on PostgreSQL), the largest accepted, the types taken.
    "SCORETRAIL_EVIDENCE_DIR": "",
    "SCORETRAIL_EVIDENCE_MAX_BYTES": 20 * 1024 * 1024,
    "SCORETRAIL_EVIDENCE_TYPES": ",".join(DEFAULT_MEDIA_TYPES),
    # IANA zone for dates and times given without an offset, and for times shown to people.
    "SCORETRAIL_TIMEZONE": "Asia/Shanghai",
    # "json" (one JSON object per line, e.g. one per request) or "text".
    "SCORETRAIL_LOG_FORMAT": "json",
    # How long a write waits for another writer's lock (PostgreSQL lock_timeout, SQLite busy
    # timeout) and how long any statement may run (PostgreSQL), in milliseconds: past them
    # the request answers 503 with Retry-After and records nothing.
    "SCORETRAIL_DB_LOCK_TIMEOUT_MS": 5000,
    "SCORETRAIL_DB_STATEMENT_TIMEOUT_MS": 30000,
    # Database connections per process, and how many more a peak may open.
    "SCORETRAIL_DB_POOL_SIZE": 5,
    "SCORETRAIL_DB_MAX_OVERFLOW": 5,
    # A pooled PostgreSQL connection idle longer than this (ms) is checked before use.
    "SCORETRAIL_DB_IDLE_PING_MS": 5000,
    # Times a change that lost a race with another change is run again before a 409.
    "SCORETRAIL_CONFLICT_RETRIES": 3,
    # Seconds a process trusts a bearer token it looked up (0: ask the database every
    # request); a revocation from another process takes effect within this time.
    "SCORETRAIL_TOKEN_CACHE_SECONDS": 10,
    # `scoretrail serve`: address, processes and threads (0: 1 process on SQLite, one per
    # CPU and at least 2 on PostgreSQL; 8 threads on SQLite, 4 on PostgreSQL), worker timeout.
    "SCORETRAIL_HOST": "127.0.0.1",
    "SCORETRAIL_PORT": 8000,
    "SCORETRAIL_WORKERS": 0,
    "SCORETRAIL_THREADS": 0,
    "SCORETRAIL_WORKER_TIMEOUT": 60,
    # PDF reports render in worker processes, per app process (each gunicorn worker): how
    # many at once, how many seconds one may take before its process is killed (503), and
    # how many one caller may have rendering at once (beyond: 429).
    "SCORETRAIL_PDF_WORKERS": 2,
    "SCORETRAIL_PDF_TIMEOUT_SECONDS": 30,
    "SCORETRAIL_PDF_PER_CALLER": 1,
    # Change feed: the longest `wait` honoured, and (SQLite files only) how often a waiting
    # reader looks again for commits made by another process, in seconds.
    "SCORETRAIL_FEED_MAX_WAIT_SECONDS": 30,
    "SCORETRAIL_FEED_POLL_SECONDS": 1,
    # Server-sent events: a stream ends after this many seconds (the client reconnects with
    # Last-Event-ID), and sends a `: ping` comment after this many idle seconds.
    "SCORETRAIL_STREAM_MAX_SECONDS": 300,
    "SCORETRAIL_STREAM_HEARTBEAT_SECONDS": 15,
    # Webhooks: the first wait after a failed delivery (doubling up to the longest), the
    # time a receiver has to answer, events per delivery, whether loopback receivers are
    # allowed (tests), and whether `scoretrail serve` runs the delivery worker.
    "SCORETRAIL_WEBHOOK_RETRY_SECONDS": 30,
    "SCORETRAIL_WEBHOOK_MAX_RETRY_SECONDS": 3600,
    "SCORETRAIL_WEBHOOK_TIMEOUT_SECONDS": 10,
    "SCORETRAIL_WEBHOOK_BATCH": 100,
    "SCORETRAIL_WEBHOOK_ALLOW_LOOPBACK": 0,
    "SCORETRAIL_WEBHOOK_DELIVERY": 1,
}

# Settings read as seconds (fractions allowed).
FLOAT_KEYS = {
    "SCORETRAIL_FEED_MAX_WAIT_SECONDS",
    "SCORETRAIL_FEED_POLL_SECONDS",
    "SCORETRAIL_STREAM_MAX_SECONDS",
    "SCORETRAIL_STREAM_HEARTBEAT_SECONDS",
    "SCORETRAIL_WEBHOOK_RETRY_SECONDS",
    "SCORETRAIL_WEBHOOK_MAX_RETRY_SECONDS",
    "SCORETRAIL_WEBHOOK_TIMEOUT_SECONDS",
    "SCORETRAIL_PDF_TIMEOUT_SECONDS",
}

INTEGER_KEYS = {
    "SCORETRAIL_EVIDENCE_MAX_BYTES",
    "SCORETRAIL_MAX_BODY_BYTES",
    "SCORETRAIL_DB_LOCK_TIMEOUT_MS",
    "SCORETRAIL_DB_STATEMENT_TIMEOUT_MS",
    "SCORETRAIL_DB_POOL_SIZE",
    "SCORETRAIL_DB_MAX_OVERFLOW",
    "SCORETRAIL_DB_IDLE_PING_MS",
    "SCORETRAIL_CONFLICT_RETRIES",
    "SCORETRAIL_TOKEN_CACHE_SECONDS",
    "SCORETRAIL_PORT",
    "SCORETRAIL_WORKERS",
    "SCORETRAIL_THREADS",
    "SCORETRAIL_WORKER_TIMEOUT",
    "SCORETRAIL_PDF_WORKERS",
    "SCORETRAIL_PDF_PER_CALLER",
    "SCORETRAIL_WEBHOOK_BATCH",
    "SCORETRAIL_WEBHOOK_ALLOW_LOOPBACK",
    "SCORETRAIL_WEBHOOK_DELIVERY",
}


class InsecureConfiguration(RuntimeError):
    """The settings would run production without the protection it needs."""


def chain_secret(settings: dict[str, Any]) -> str | None:
    """The secret keying the event chain; refuses production without one."""
    secret = settings.get("SCORETRAIL_SECRET") or None
    if secret is None and str(settings.get("SCORETRAIL_ENV", "")).lower() == "production":
        raise InsecureConfiguration(
            "SCORETRAIL_ENV is production but SCORETRAIL_SECRET is not set: refusing to start "
            "(the event chain would be keyed with the public development key)"
        )
    return secret


def load_settings(config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge defaults, SCORETRAIL_* environment variables and explicit config."""
    settings = dict(DEFAULTS)
    for key, value in os.environ.items():
        if key.startswith("SCORETRAIL_"):
            settings[key] = value
    settings.update(config or {})
    for key in INTEGER_KEYS:
        settings[key] = int(settings[key])
    for key in FLOAT_KEYS:
        settings[key] = float(settings[key])
    return settings


def store_tuning(settings: dict[str, Any]) -> StoreTuning:
    """The store's timeouts and pool size from the settings."""
    return StoreTuning(
        lock_timeout_ms=settings["SCORETRAIL_DB_LOCK_TIMEOUT_MS"],
        statement_timeout_ms=settings["SCORETRAIL_DB_STATEMENT_TIMEOUT_MS"],
        pool_size=settings["SCORETRAIL_DB_POOL_SIZE"],
        max_overflow=settings["SCORETRAIL_DB_MAX_OVERFLOW"],
        idle_ping_ms=settings["SCORETRAIL_DB_IDLE_PING_MS"],
    )


def pdf_pool(settings: dict[str, Any]) -> PdfPool:
    """The PDF worker pool from the settings; `PDF_RENDERER` ("module:function", config only,
    not the environment) swaps the renderer, e.g. for a test that needs a slow one."""
    return PdfPool(
        workers=settings["SCORETRAIL_PDF_WORKERS"],
        timeout=settings["SCORETRAIL_PDF_TIMEOUT_SECONDS"],
        per_caller=settings["SCORETRAIL_PDF_PER_CALLER"],
        renderer=settings.get("PDF_RENDERER") or DEFAULT_RENDERER,
    )


def evidence_limits(settings: dict[str, Any]) -> EvidenceLimits:
    """The evidence size limit and accepted media types from the settings."""
    types = str(settings["SCORETRAIL_EVIDENCE_TYPES"]).split(",")
    return EvidenceLimits(
        max_bytes=settings["SCORETRAIL_EVIDENCE_MAX_BYTES"],
        media_types=tuple(t.strip().lower() for t in types if t.strip()),
    )


def webhook_settings(settings: dict[str, Any]) -> WebhookSettings:
    """Receivers' address checks and the delivery schedule from the settings."""
    return WebhookSettings(
        own=frozenset({(str(settings["SCORETRAIL_HOST"]), int(settings["SCORETRAIL_PORT"]))}),
        allow_loopback=bool(settings["SCORETRAIL_WEBHOOK_ALLOW_LOOPBACK"]),
        retry_seconds=settings["SCORETRAIL_WEBHOOK_RETRY_SECONDS"],
        max_retry_seconds=settings["SCORETRAIL_WEBHOOK_MAX_RETRY_SECONDS"],
        timeout_seconds=settings["SCORETRAIL_WEBHOOK_TIMEOUT_SECONDS"],
        batch=settings["SCORETRAIL_WEBHOOK_BATCH"],
    )
