"""Settings: defaults, overridden by the environment, overridden by create_app's config."""

from __future__ import annotations

import os
from typing import Any

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
    "SCORETRAIL_SECRET": None,
}

INTEGER_KEYS = {"SCORETRAIL_MAX_BODY_BYTES"}


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
    return settings
