"""After concurrent writes: is every accepted write kept exactly once, and does it add up?"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# Deductions sent by a run carry their Idempotency-Key in the reason, so a duplicate record
# (the same request recorded twice, under two deduction ids) can be told from a new one.
REASON_PREFIX = "load "


def reason_for(key: str) -> str:
    return f"{REASON_PREFIX}{key}"


@dataclass(frozen=True)
class Accepted:
    """A deduction the server answered 201 to."""

    evaluation_id: str
    deduction_id: str
    key: str


@dataclass
class Snapshot:
    """What the server holds for one evaluation after the run."""

    document: dict[str, Any]
    replayed: dict[str, Any]
    history: list[dict[str, Any]]


@dataclass
class Findings:
    accepted: int = 0
    recorded: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    unacknowledged: list[str] = field(default_factory=list)
    score_mismatches: list[str] = field(default_factory=list)
    replay_mismatches: list[str] = field(default_factory=list)
    half_written: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not (
            self.lost
            or self.duplicated
            or self.score_mismatches
            or self.replay_mismatches
            or self.half_written
        )

    def summary(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "recorded": self.recorded,
            "lost": len(self.lost),
            "duplicated": len(self.duplicated),
            "recorded_unacknowledged": len(self.unacknowledged),
            "score_mismatches": len(self.score_mismatches),
            "replay_mismatches": len(self.replay_mismatches),
            "half_written_commands": len(self.half_written),
            "consistent": self.consistent,
        }


def check(accepted: Iterable[Accepted], snapshots: dict[str, Snapshot]) -> Findings:
    """Every 201 is in the history exactly once; nothing was recorded twice; each deduction
    leaf scores its weight minus its active deductions; the read model equals a replay; and
    every deduction is followed by its ScoreChanged (no half-written command)."""
    findings = Findings()
    accepted = list(accepted)
    findings.accepted = len(accepted)
    recorded_ids: Counter[str] = Counter()
    recorded_keys: Counter[str] = Counter()
    for evaluation_id, snapshot in snapshots.items():
        recorded = [e for e in snapshot.history if e["type"] == "DeductionRecorded"]
        findings.recorded += sum(
            1 for e in recorded if str(e["data"].get("reason", "")).startswith(REASON_PREFIX)
        )
        for event in recorded:
            recorded_ids[event["data"]["deduction_id"]] += 1
            reason = str(event["data"].get("reason", ""))
            if reason.startswith(REASON_PREFIX):
                recorded_keys[reason.removeprefix(REASON_PREFIX)] += 1
        findings.score_mismatches += _score_mismatches(evaluation_id, snapshot)
        findings.half_written += _half_written(evaluation_id, snapshot.history)
        if snapshot.document != snapshot.replayed:
            findings.replay_mismatches.append(evaluation_id)
    accepted_keys = {a.key for a in accepted}
    findings.lost = [a.deduction_id for a in accepted if recorded_ids[a.deduction_id] == 0]
    findings.duplicated = sorted(
        {a.deduction_id for a in accepted if recorded_ids[a.deduction_id] > 1}
        | {key for key, n in recorded_keys.items() if n > 1}
    )
    findings.unacknowledged = sorted(set(recorded_keys) - accepted_keys)
    return findings


def _score_mismatches(evaluation_id: str, snapshot: Snapshot) -> list[str]:
    """weight − Σ active deductions (from the history) against each deduction leaf's score."""
    active: dict[str, dict[str, Decimal]] = {}
    for event in snapshot.history:
        data = event["data"]
        if event["type"] == "DeductionRecorded":
            active.setdefault(data["code"], {})[data["deduction_id"]] = Decimal(data["points"])
        elif event["type"] == "DeductionWithdrawn":
            for cuts in active.values():
                cuts.pop(data["deduction_id"], None)
    wrong = []
    for indicator in snapshot.document["indicators"]:
        if indicator.get("method") != "deduction":
            continue
        code = indicator["code"]
        expected = Decimal(indicator["weight"]) - sum(active.get(code, {}).values(), Decimal(0))
        expected = expected.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        listed = {d["id"] for d in indicator["deductions"] if d["status"] == "active"}
        if Decimal(indicator["score"]) != expected or listed != set(active.get(code, {})):
            wrong.append(f"{evaluation_id} {code}: score {indicator['score']}, expected {expected}")
    return wrong


def _half_written(evaluation_id: str, history: list[dict[str, Any]]) -> list[str]:
    """A deduction always moves its leaf's score: its ScoreChanged must be in the same
    commit, right after it; a ScoreChanged must name an earlier fact as its cause."""
    by_version = {e["version"]: e for e in history}
    problems = []
    for event in history:
        version = event["version"]
        if event["type"] == "DeductionRecorded":
            after = by_version.get(version + 1)
            if (
                after is None
                or after["type"] != "ScoreChanged"
                or (after["data"].get("cause_version") != version)
            ):
                problems.append(f"{evaluation_id} v{version}: deduction without its ScoreChanged")
        elif event["type"] == "ScoreChanged":
            cause = by_version.get(event["data"].get("cause_version"))
            if cause is None or cause["type"] == "ScoreChanged":
                problems.append(f"{evaluation_id} v{version}: ScoreChanged without its cause")
    return problems


def fetch_snapshot(client: Any, evaluation_id: str, per_page: int = 1000) -> Snapshot:
    """The document, its replay (?version=N is rebuilt from the events) and the history,
    through the API (`client` is a benchmarks.client.Client)."""
    base = f"/api/v1/evaluations/{evaluation_id}"
    document = client.get(base).body
    replayed = client.get(f"{base}?version={document['version']}").body
    history: list[dict[str, Any]] = []
    page = 1
    while True:
        body = client.get(f"{base}/history?page={page}&per_page={per_page}").body
        history += body["items"]
        if page >= body["pages"]:
            break
        page += 1
    return Snapshot(document=document, replayed=replayed, history=history)
