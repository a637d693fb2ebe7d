"""An evaluation's event history as CSV, one row per event, for auditors who use spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from .cells import FORMULA_START

COLUMNS = ("version", "type", "recorded_at", "actor", "role", "correlation_id", "payload")


def history_csv(events: Sequence[Mapping[str, Any]]) -> str:
    """CSV text without a BOM; the payload is the event's data as compact JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for event in events:
        payload = json.dumps(event.get("data") or {}, ensure_ascii=False, separators=(",", ":"))
        writer.writerow(
            [
                event.get("version", ""),
                _text(event.get("type")),
                _text(event.get("recorded_at")),
                _text(event.get("actor")),
                _text(event.get("role")),
                _text(event.get("correlation_id")),
                payload,
            ]
        )
    return buffer.getvalue()


def _text(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet runs a cell starting with = + - @ as a formula; an apostrophe keeps it text.
    return f"'{text}" if text.startswith(FORMULA_START) else text
