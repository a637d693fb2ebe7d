"""The audit packet: one JSON file an auditor can re-check offline, and its verifier."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from application.audit import AuditService
from application.sheets import Download

VERIFIER = Path(__file__).with_name("packet_verifier.py")
VERIFIER_NAME = "scoretrail_verify.py"
FORMAT = "scoretrail-audit-packet/1"


def write_packet(audit: AuditService, evaluation_id: str, path: Path) -> dict[str, Any]:
    """Write the packet to `path` and the standard-library verifier beside it."""
    packet = build_packet(audit, evaluation_id, path.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(packet, ensure_ascii=False, indent=1), encoding="utf-8")
    path.with_name(VERIFIER_NAME).write_text(packet["verifier"]["source"], encoding="utf-8")
    return packet


def packet_download(audit: AuditService, evaluation_id: str) -> Download:
    """The packet as a file to save; its verifier travels inside it under `verifier.source`."""
    filename = f"audit-{evaluation_id}.json"
    packet = build_packet(audit, evaluation_id, filename)
    content = json.dumps(packet, ensure_ascii=False, indent=1).encode("utf-8")
    return Download(content, "application/json", filename, filename)


def build_packet(audit: AuditService, evaluation_id: str, filename: str) -> dict[str, Any]:
    """Every stored record, the chain's verdict and the verifier's source."""
    source = VERIFIER.read_text(encoding="utf-8")
    return {
        "format": FORMAT,
        "exported_at": datetime.now(UTC).isoformat(),
        **audit.packet(evaluation_id),
        "verifier": {
            "filename": VERIFIER_NAME,
            "sha256": hashlib.sha256(source.encode("utf-8")).hexdigest(),
            "usage": f"SCORETRAIL_SECRET=… python3 {VERIFIER_NAME} {filename}",
            "source": source,
        },
    }
