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
}

INTEGER_KEYS = {"SCORETRAIL_MAX_BODY_BYTES"}


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
