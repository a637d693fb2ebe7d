"""gunicorn settings: processes on PostgreSQL, threads on SQLite, JSON logs, timeouts."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite")


def gunicorn_options(settings: dict[str, Any]) -> dict[str, Any]:
    """gunicorn's settings for these ScoreTrail settings.

    SQLite allows one writer at a time and its writes are serialised inside a process, so one
    process with threads serves it best; PostgreSQL takes several processes (more than one
    per CPU only adds contention: see docs/operations.md).
    """
    sqlite = is_sqlite(settings["SCORETRAIL_DATABASE_URL"])
    # The work is mostly Python (CPU-bound): one process per CPU, at least two.
    workers = settings["SCORETRAIL_WORKERS"] or (1 if sqlite else max(2, os.cpu_count() or 1))
    threads = settings["SCORETRAIL_THREADS"] or (8 if sqlite else 4)
    return {
        "bind": f"{settings['SCORETRAIL_HOST']}:{settings['SCORETRAIL_PORT']}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        # The app writes one JSON line per request itself (web.logs.AccessLog).
        "accesslog": None,
        "errorlog": "-",
        # gunicorn's own lines (start, workers booting and dying) are few and always useful.
        "loglevel": "debug" if str(settings["SCORETRAIL_LOG_LEVEL"]).upper() == "DEBUG" else "info",
        "timeout": settings["SCORETRAIL_WORKER_TIMEOUT"],
        "graceful_timeout": 30,
        "keepalive": 5,
        # gunicorn 27's control socket has one default path per user: off, so that several
        # servers can run side by side (set where supported).
        "control_socket_disable": True,
    }


def run(options: dict[str, Any], config: dict[str, Any] | None) -> None:
    """Serve create_app(config) with gunicorn until stopped; each worker builds its own app
    (and its own connections: none are shared across the fork)."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self) -> Flask:
            from web import create_app
            from web.webhook_api import start_delivery

            app = create_app(config)
            start_delivery(app)  # in each worker: leases keep one worker per receiver
            return app

    Server().run()
