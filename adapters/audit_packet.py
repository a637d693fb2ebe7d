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


def write_packet(
    audit: AuditService, evaluation_id: str, path: Path, with_evidence: bool = False
) -> dict[str, Any]:
    """Write the packet to `path` and the standard-library verifier beside it; with
    `with_evidence`, the evidence files too, in a folder beside it named after the packet."""
    packet = build_packet(audit, evaluation_id, path.name, path if with_evidence else None)
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


def build_packet(
    audit: AuditService, evaluation_id: str, filename: str, copy_beside: Path | None = None
) -> dict[str, Any]:
    """Every stored record, the chain's verdict, the evidence files (copied beside
    `copy_beside` when given) and the verifier's source."""
    source = VERIFIER.read_text(encoding="utf-8")
    body = audit.packet(evaluation_id)
    return {
        "format": FORMAT,
        "exported_at": datetime.now(UTC).isoformat(),
        **body,
        "evidence": evidence_files(audit, body["evaluation_id"], copy_beside),
        "verifier": {
            "filename": VERIFIER_NAME,
            "sha256": hashlib.sha256(source.encode("utf-8")).hexdigest(),
            "usage": f"SCORETRAIL_SECRET=… python3 {VERIFIER_NAME} {filename}",
            "source": source,
        },
    }


def evidence_files(
    audit: AuditService, evaluation_id: str, copy_beside: Path | None
) -> list[dict[str, Any]]:
    """The evaluation's evidence files as the events record them; copied beside the packet
    (as `<packet>-evidence/<sha256>`) when asked, each checked against its hash first."""
    if audit.evidence is None:
        return []
    listed = []
    for file in audit.evidence.listing(evaluation_id):
        entry: dict[str, Any] = {**file, "file": None, "problem": None}
        content = audit.evidence.blobs.get(file["sha256"])
        if content is None:
            entry["problem"] = "missing from the store"
        elif hashlib.sha256(content).hexdigest() != file["sha256"]:
            entry["problem"] = "changed: the stored bytes do not match the recorded sha256"
        elif copy_beside is not None:
            folder = copy_beside.with_name(f"{copy_beside.stem}-evidence")
            folder.mkdir(parents=True, exist_ok=True)
            (folder / file["sha256"]).write_bytes(content)
            entry["file"] = f"{folder.name}/{file['sha256']}"
        listed.append(entry)
    return listed
