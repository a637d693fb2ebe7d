#!/usr/bin/env python3
"""Check a ScoreTrail audit packet offline, with nothing but Python's standard library.

    SCORETRAIL_SECRET=… python3 scoretrail_verify.py PACKET.json [--head DIGEST]
    python3 scoretrail_verify.py PACKET.json --secret-file KEYFILE

1. The chain: each record's HMAC-SHA256 over (tag, originator id, version, topic, stored
   state bytes, previous digest) must equal its digest, versions must run 1, 2, 3, … and the
   last digest must equal the packet's head digest (and --head, when given).
2. The snapshots: each one's HMAC-SHA256 over (tag, originator id, version, topic, stored
   state bytes, chain digest at its version) must equal its seal.
3. The decoded payloads shown in the packet must be what the stored bytes say.
4. The scores: every recorded leaf score, parent sum, total and grade is recomputed from
   the recorded inputs (deductions, checklists, data entries, the funds block's sums, survey
   tallies, target values, manual scores and overrides), rounding half-up at the leaf.

Exit status 0 when everything holds, 1 when anything fails, 2 on bad usage.
"""

from __future__ import annotations

# One file on purpose, past the usual module size: the packet carries this source as one
# script that runs beside it, isolated, with nothing else to import.
import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

TAG = b"scoretrail-event-chain/1"
GENESIS = "0" * 64
CENT = Decimal("0.01")
# class_version says which shape of an event class stored the record: envelope, not payload
ENVELOPE = {"originator_id", "originator_version", "timestamp", "meta", "originator_topic"}
ENVELOPE |= {"class_version"}
FUND_SUMS = dict(initial_budget="年初预算数", full_year_budget="全年预算数", executed="全年执行数")


# ------------------------------------------------------------------------- chain
def _field(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


def link(
    key: bytes, originator: str, version: int, topic: str, state: bytes, last: str, tag: bytes = TAG
) -> str:
    """The keyed hash of one record after `last` (a snapshot's seal: its tag, the digest)."""
    parts: tuple[bytes, ...] = (tag, originator.encode("ascii"), str(version).encode("ascii"))
    parts += (topic.encode("utf-8"), state, last.encode("ascii"))
    return hmac.new(key, b"".join(_field(p) for p in parts), hashlib.sha256).hexdigest()


def check_chain(packet: dict[str, Any], key: bytes, head: str | None) -> list[str]:
    problems: list[str] = []
    previous = GENESIS
    originator = packet["evaluation_id"]
    for position, event in enumerate(packet["events"], start=1):
        version = event["version"]
        if version != position:
            return [f"version {position}: expected next, found version {version}"]
        state = base64.b64decode(event["state_base64"])
        digest = link(key, originator, version, event["topic"], state, previous)
        if not hmac.compare_digest(digest, str(event.get("digest") or "")):
            return [f"version {version}: the record does not match its digest"]
        previous = digest
    claimed = packet["chain"].get("head_digest") or GENESIS
    if not hmac.compare_digest(previous, claimed):
        problems.append("the chain does not end at the packet's head digest")
    if head is not None and not hmac.compare_digest(previous, head.strip().lower()):
        problems.append("the chain does not end at the head digest given with --head")
    return problems


SNAPSHOT_TAG = b"scoretrail-snapshot-seal/1"


def check_snapshots(packet: dict[str, Any], key: bytes) -> list[str]:
    """Each stored snapshot's seal over its bytes and the chain digest at its version."""
    problems = []
    digests = {e["version"]: str(e.get("digest") or "") for e in packet["events"]}
    originator = packet["evaluation_id"]
    for item in (packet.get("snapshots") or {}).get("items", []):
        version, state = item["version"], base64.b64decode(item["state_base64"])
        after = digests.get(version, "")
        seal = link(key, originator, version, item["topic"], state, after, tag=SNAPSHOT_TAG)
        if not hmac.compare_digest(seal, str(item.get("seal") or "")):
            problems.append(f"the snapshot at version {version} does not match its seal")
    return problems


# ----------------------------------------------------------------------- payloads
def _hook(obj: dict[str, Any]) -> Any:
    kind = obj.get("_type_")
    if kind is None or "_data_" not in obj:
        return obj
    data = obj["_data_"]
    if kind == "decimal_str":
        return Decimal(data)
    if kind == "datetime_iso":
        return datetime.fromisoformat(data)
    if kind == "uuid_hex":
        return f"{data[:8]}-{data[8:12]}-{data[12:16]}-{data[16:20]}-{data[20:]}"
    return data


def decode(event: dict[str, Any]) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.b64decode(event["state_base64"]), object_hook=_hook)
    return decoded


def primitive(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, dict):
        return {k: primitive(v) for k, v in value.items()}
    if isinstance(value, list):
        return [primitive(v) for v in value]
    return value


def check_payloads(packet: dict[str, Any]) -> list[str]:
    problems = []
    for event in packet["events"]:
        state = decode(event)
        meta = state.get("meta") or {}
        shown = {
            "type": event_name(event["topic"]),
            "recorded_at": primitive(state["timestamp"]),
            "payload": {k: primitive(v) for k, v in state.items() if k not in ENVELOPE},
            **{k: meta.get(k, "") for k in ("actor", "role", "correlation_id")},
        }
        for name, value in shown.items():
            if event.get(name) != value:
                problems.append(f"version {event['version']}: {name} shown differs from the record")
    return problems


# ------------------------------------------------------------------------ scoring
def event_name(topic: str) -> str:
    """The class name in "module:Aggregate.Event" or "module:Event"."""
    return topic.rsplit(":", 1)[-1].rsplit(".", 1)[-1]


def half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class Sheet:
    """The inputs recorded so far and what the scoring rules make of them."""

    def __init__(self) -> None:
        self.bands: list[dict[str, Any]] = []
        self.nodes: dict[str, dict[str, Any]] = {}
        self.children: dict[str, list[str]] = {}
        self.entries: dict[str, Decimal] = {}
        self.deductions: dict[str, tuple[str, Decimal, bool]] = {}
        self.met: dict[str, list[bool]] = {}
        self.manual: dict[str, Decimal] = {}
        self.override: dict[str, Decimal] = {}
        self.tallies: dict[str, list[list[int]]] = {}
        self.finals: dict[str, dict[str, Any]] = {}
        self.scores: dict[str, Decimal | None] = {}
        self.funds: dict[str, dict[str, Any]] = {}

    def fund(self, row: dict[str, Any]) -> None:
        """A source's funds row: the amounts' sums over the sources are the data entries
        FUND_SUMS names (年初预算数, 全年预算数, 全年执行数) ratio leaves may cite."""
        self.funds[row["source"]] = row
        for name, key in FUND_SUMS.items():
            given = [r[name] for r in self.funds.values() if r.get(name) is not None]
            self.entries.pop(key, None)
            if given:
                self.entries[key] = sum(given, Decimal(0))

    def define(self, indicators: list[dict[str, Any]]) -> None:
        self.nodes = {d["code"]: d for d in indicators}
        self.children = {code: [] for code in self.nodes}
        for d in indicators:
            if d.get("parent"):
                self.children[d["parent"]].append(d["code"])
        self.deductions, self.met, self.manual, self.override, self.tallies = {}, {}, {}, {}, {}
        self.finals = {}
        self.scores = {code: None for code in self.nodes if not self.children[code]}

    def rule(self, code: str) -> Decimal | None:
        node = self.nodes[code]
        method = node.get("method") or "deduction"
        weight = Decimal(node["weight"])
        if method == "deduction":
            taken = sum(
                (p for c, p, active in self.deductions.values() if c == code and active), Decimal(0)
            )
            return weight - taken
        if method == "checklist":
            if code not in self.met:
                return None
            items = node.get("items") or []
            return sum(
                (Decimal(i["points"]) for i, ok in zip(items, self.met[code], strict=True) if ok),
                Decimal(0),
            )
        if method == "ratio":
            top, bottom = node.get("numerator"), node.get("denominator")
            if top not in self.entries or bottom not in self.entries:
                return None
            if self.entries[bottom] == 0:
                return Decimal(0)
            rate = max(self.entries[top] / self.entries[bottom], Decimal(0))
            if node.get("cap") is not None:
                rate = min(rate, Decimal(node["cap"]))
            return rate * weight
        if method == "survey":
            if not self.tallies.get(code):
                return None
            choices = [Decimal(c["weight"]) for c in node.get("choices") or []]
            best = max(choices)
            rates = []
            for counts in self.tallies[code]:
                people = sum(counts)
                points = sum((w * c for w, c in zip(choices, counts, strict=True)), Decimal(0))
                rates.append(points / (best * people) if people else Decimal(0))
            return sum(rates, Decimal(0)) / len(rates) * weight
        if method == "target":
            target = (node.get("params") or {}).get("target") or {}
            return target_rule(target, self.finals.get(code), weight)
        return self.manual.get(code)

    def score(self, code: str) -> Decimal | None:
        exact = self.override.get(code, self.rule(code))
        return None if exact is None else half_up(exact)

    def sum_of(self, code: str) -> Decimal | None:
        if not self.children[code]:
            return self.scores.get(code)
        parts = [self.sum_of(child) for child in self.children[code]]
        known = [p for p in parts if p is not None]
        return sum(known, Decimal(0)) if known else None

    def total(self) -> Decimal | None:
        roots = [self.sum_of(c) for c, d in self.nodes.items() if not d.get("parent")]
        known = [r for r in roots if r is not None]
        return sum(known, Decimal(0)) if known else None

    def grade(self, total: Decimal | None) -> str | None:
        if total is None:
            return None
        for band in sorted(self.bands, key=lambda b: Decimal(b["min"]), reverse=True):
            if total >= Decimal(band["min"]):
                return str(band["grade"])
        return str(self.bands[-1]["grade"]) if self.bands else None


def target_rule(
    target: dict[str, Any], final: dict[str, Any] | None, weight: Decimal
) -> Decimal | None:
    """Met → the weight; missed → the share reached × weight, at most the weight less 0.01
    (domain/targets/rules.py states the scale); qualitative → the evaluator's score."""
    if final is None:
        return None
    comparator = str(target.get("comparator"))
    if comparator == "qualitative":
        return None if final.get("score") is None else Decimal(final["score"])
    if final.get("value") is None or target.get("value") is None:
        return None
    value, planned = Decimal(final["value"]) + 0, Decimal(target["value"]) + 0  # no -0
    side = (value > planned) - (value < planned)  # 1 above the target, -1 below, 0 on it
    if side in {">=": (0, 1), ">": (1,), "<=": (0, -1), "<": (-1,), "=": (0,)}[comparator]:
        return weight
    if planned == 0:
        share = Decimal(0)
    elif planned > 0 and comparator in (">=", ">", "="):
        share = min(value, planned) / max(value, planned)  # ≥ and > missed: value below
    elif planned > 0 and value > 0:
        share = planned / value
    else:  # a missed value never lies on the good side: the distance counts against it
        share = 1 - abs(value - planned) / abs(planned)
    return min(min(max(share, Decimal(0)), Decimal(1)) * weight, max(weight - CENT, Decimal(0)))


def check_scores(packet: dict[str, Any]) -> tuple[list[str], list[str], Sheet]:
    sheet = Sheet()
    problems: list[str] = []
    notes: list[str] = []
    for event in packet["events"]:
        kind = event_name(event["topic"])
        s = decode(event)
        version = event["version"]
        if kind == "Created":
            sheet.bands = s["grade_bands"]
        elif kind == "FrameworkDefined":
            sheet.define(s["indicators"])
        elif kind == "DataEntryRecorded":
            sheet.entries[s["key"]] = s["value"]
        elif kind in ("FundsRecorded", "FundsCorrected"):
            sheet.fund(s)
        elif kind == "DeductionRecorded":
            sheet.deductions[s["deduction_id"]] = (s["code"], s["points"], True)
        elif kind == "DeductionWithdrawn":
            code, points, _ = sheet.deductions[s["deduction_id"]]
            sheet.deductions[s["deduction_id"]] = (code, points, False)
        elif kind == "DeductionAmended":
            code, _, active = sheet.deductions[s["deduction_id"]]
            sheet.deductions[s["deduction_id"]] = (code, s["points"], active)
        elif kind == "OverrideCleared":
            sheet.override.pop(s["code"], None)
        elif kind == "ChecklistAssessed":
            sheet.met[s["code"]] = s["met"]
        elif kind == "ScoreRecorded":
            sheet.manual[s["code"]] = s["score"]
        elif kind == "ScoreOverridden":
            sheet.override[s["code"]] = s["score"]
        elif kind == "SurveyRecorded":
            sheet.tallies[s["code"]] = s["tallies"]
        elif kind == "TargetValueRecorded" and s["stage"] == "final":
            sheet.finals[s["code"]] = s
        elif kind == "DisputeDecided":
            # since v2 the consequences follow as their own events; applying them twice is
            # harmless, and a first-version decision carries them only here
            _apply_decision(sheet, s)
        elif kind == "ScoreChanged":
            problems.extend(_check_change(sheet, s, version))
        elif kind not in NO_SCORE_EFFECT:
            notes.append(f"version {version}: {kind} is not interpreted by this verifier")
    return problems, notes, sheet


# Events that change no score: the lifecycle, reported figures, disputes raised, notes, the
# sign-offs and header of the self-evaluation form, and mid-year (monitored) target values.
NO_SCORE_EFFECT = {"Submitted", "Finalized", "Reopened", "ReportedFigureRecorded", "DisputeRaised"}
NO_SCORE_EFFECT |= {"NoteAdded", "NoteResolved", "SignedOff", "SignOffsRequired"}
NO_SCORE_EFFECT |= {"FormFilled", "FormCorrected", "TargetValueRecorded"}


def _apply_decision(sheet: Sheet, s: dict[str, Any]) -> None:
    """A dispute's outcome: a deduction withdrawn or re-pointed, or a leaf's override set or
    removed; `upheld` changes nothing."""
    deduction, outcome, points = s.get("deduction_id"), s["outcome"], s.get("points")
    if deduction is not None and deduction in sheet.deductions:
        code, old, active = sheet.deductions[deduction]
        if outcome == "overturned":
            sheet.deductions[deduction] = (code, old, False)
        elif outcome == "amended" and points is not None:
            sheet.deductions[deduction] = (code, points, active)
    elif outcome == "overturned":
        sheet.override.pop(s["code"], None)
    elif outcome == "amended" and points is not None:
        sheet.override[s["code"]] = points


def _check_change(sheet: Sheet, s: dict[str, Any], version: int) -> list[str]:
    problems = []
    code = s["code"]
    rule = sheet.rule(code)
    expected = sheet.score(code)
    if s["after"] != expected:
        problems.append(f"version {version}: {code} recorded {s['after']}, recomputed {expected}")
    if s["rule_score"] != (None if rule is None else half_up(rule)):
        problems.append(f"version {version}: rule score of {code} does not recompute")
    sheet.scores[code] = s["after"]
    for parent, recorded in (s.get("parents") or {}).items():
        if recorded != sheet.sum_of(parent):
            problems.append(
                f"version {version}: parent {parent} recorded {recorded}, "
                f"children sum to {sheet.sum_of(parent)}"
            )
    total = sheet.total()
    if s["total"] != total:
        problems.append(f"version {version}: total recorded {s['total']}, recomputed {total}")
    if s["grade"] != sheet.grade(total):
        problems.append(
            f"version {version}: grade recorded {s['grade']}, recomputed {sheet.grade(total)}"
        )
    return problems


# ----------------------------------------------------------------------- evidence
def check_evidence(packet: dict, folder: str) -> list[str]:
    """Copied evidence files re-hashed against the hashes the chained events recorded."""
    recorded = {
        e["payload"]["evidence_id"]: e["payload"]["sha256"]
        for e in packet["events"]
        if e.get("type") == "EvidenceAttached"
    }
    problems = []
    for entry in packet["evidence"]:
        expected = recorded.get(entry["id"])
        if expected is None:
            problems.append(f"evidence {entry['id']} is not recorded by any event")
        elif entry.get("file"):
            with open(os.path.join(folder, entry["file"]), "rb") as handle:
                found = hashlib.sha256(handle.read()).hexdigest()
            if found != expected:
                problems.append(f"evidence {entry['name']} ({entry['id']}) does not match its hash")
    return problems


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check a ScoreTrail audit packet offline.")
    parser.add_argument("packet", help="the packet's JSON file")
    parser.add_argument("--secret-file", help="file holding SCORETRAIL_SECRET (else the env)")
    parser.add_argument("--head", help="a head digest obtained separately, to compare")
    args = parser.parse_args(argv)
    if args.secret_file:
        with open(args.secret_file, encoding="utf-8") as handle:
            secret = handle.read().strip()
    else:
        secret = os.environ.get("SCORETRAIL_SECRET", "")
    if not secret:
        print("a secret is needed: set SCORETRAIL_SECRET or pass --secret-file", file=sys.stderr)
        return 2
    with open(args.packet, encoding="utf-8") as handle:
        packet = json.load(handle)
    failures = check_chain(packet, secret.encode("utf-8"), args.head)
    report = [("chain", failures)]
    sheet = Sheet()
    if not failures:
        report.append(("payloads", check_payloads(packet)))
        report.append(("snapshots", check_snapshots(packet, secret.encode("utf-8"))))
        scores, notes, sheet = check_scores(packet)
        report.append(("scores", scores))
        for note in notes:
            print(f"note: {note}")
    if packet.get("evidence"):
        report.append(("evidence", check_evidence(packet, os.path.dirname(args.packet))))
    ok = True
    for name, problems in report:
        ok = ok and not problems
        print(f"{name}: {'ok' if not problems else 'FAILED'}")
        for problem in problems:
            print(f"  - {problem}")
    if ok:
        total = sheet.total()
        print(
            f"verified {len(packet['events'])} records of evaluation {packet['evaluation_id']}; "
            f"head digest {packet['chain']['head_digest']}; total {total} "
            f"{sheet.grade(total) or ''}".rstrip()
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
