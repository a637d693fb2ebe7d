"""The machine and the versions a run used: every figure is reported with them."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

PACKAGES = (
    "eventsourcing",
    "eventsourcing-sqlalchemy",
    "SQLAlchemy",
    "Flask",
    "gunicorn",
    "psycopg",
)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def describe(postgres_url: str | None) -> dict[str, Any]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    import sqlite3

    versions["sqlite"] = sqlite3.sqlite_version
    versions["postgresql_server"] = postgres_version(postgres_url) if postgres_url else None
    return {
        "machine": {
            "cores": os.cpu_count(),
            "cpu": cpu_model(),
            "memory_gib": memory_gib(),
            "system": f"{platform.system()} {platform.release()}",
            "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        },
        "versions": versions,
        "command": " ".join([Path(sys.executable).name, "-m", "benchmarks.run", *sys.argv[1:]]),
    }


def postgres_version(url: str) -> str | None:
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            value = connection.execute(text("SHOW server_version")).scalar()
        engine.dispose()
        return str(value)
    except Exception:  # reported as unknown; reachability is checked separately
        return None
