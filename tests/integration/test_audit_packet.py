"""The audit packet re-checks offline with the standard library alone; tampering fails it."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.bootstrap import build_evidence, build_service
from application.integrity import GENESIS, RawRecord, chain_key, link_digest
from domain.evaluation import Actor
from web.cli import main

SECRET = "packet-test-secret"


@pytest.fixture
def exported(tmp_path: Path, reference_case: dict[str, Any], actor: Actor) -> Path:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    service = build_service(url, SECRET)
    evaluation_id = service.import_evaluation(reference_case, actor).id
    packet = tmp_path / "out" / "packet.json"
    result = CliRunner().invoke(
        main,
        ["export-audit", evaluation_id, str(packet), "--database-url", url],
        env={"SCORETRAIL_SECRET": SECRET},
    )
    assert result.exit_code == 0, result.output
    return packet


def verify(packet: Path, secret: str = SECRET, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run the verifier written beside the packet: isolated, without site-packages."""
    script = packet.with_name("scoretrail_verify.py")
    return subprocess.run(
        [sys.executable, "-I", "-S", str(script), str(packet), *extra],
        env={"SCORETRAIL_SECRET": secret},
        capture_output=True,
        text=True,
        timeout=60,
    )


def rewrite(packet: Path, change: Any) -> None:
    data = json.loads(packet.read_text(encoding="utf-8"))
    change(data)
    packet.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_an_exported_packet_verifies_offline_and_recomputes_the_total(exported: Path) -> None:
    result = verify(exported)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "chain: ok" in result.stdout
    assert "scores: ok" in result.stdout
    assert "total 88.66 良" in result.stdout


def test_the_packet_holds_raw_records_decoded_payloads_digests_and_the_verifier(
    exported: Path,
) -> None:
    data = json.loads(exported.read_text(encoding="utf-8"))
    first = data["events"][0]
    assert first["type"] == "Created" and first["payload"]["title"].startswith("创业孵化基地")
    assert base64.b64decode(first["state_base64"]).startswith(b"{")
    assert data["chain"]["head_digest"] == data["events"][-1]["digest"]
    assert data["verification"]["ok"] is True
    assert data["verifier"]["source"] == exported.with_name("scoretrail_verify.py").read_text()


def test_a_tampered_payload_fails(exported: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["events"][5]["payload"]["points"] = "0.01"

    rewrite(exported, change)
    result = verify(exported)
    assert result.returncode == 1
    assert "payloads: FAILED" in result.stdout and "version 6" in result.stdout


def test_a_tampered_stored_record_breaks_the_chain(exported: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        event = data["events"][9]
        state = base64.b64decode(event["state_base64"]).replace(b'"alice"', b'"mallory"')
        event["state_base64"] = base64.b64encode(state).decode()

    rewrite(exported, change)
    result = verify(exported)
    assert result.returncode == 1
    assert "chain: FAILED" in result.stdout and "version 10" in result.stdout


def test_a_dropped_record_breaks_the_chain(exported: Path) -> None:
    rewrite(exported, lambda data: data["events"].pop(3))
    assert verify(exported).returncode == 1


def test_the_wrong_secret_fails_and_no_secret_is_a_usage_error(exported: Path) -> None:
    assert verify(exported, "not-the-secret").returncode == 1
    assert verify(exported, "").returncode == 2


def test_a_head_digest_kept_elsewhere_is_compared(exported: Path) -> None:
    assert verify(exported, SECRET, "--head", "0" * 64).returncode == 1


def test_scores_are_recomputed_even_when_the_chain_was_resealed_with_the_key(
    exported: Path,
) -> None:
    """Someone holding the key re-seals a forged score: the arithmetic still gives it away."""

    def change(data: dict[str, Any]) -> None:
        previous = GENESIS
        for event in data["events"]:
            state = base64.b64decode(event["state_base64"])
            if b'"after":{"_type_":"decimal_str","_data_":"0.73"}' in state:
                state = state.replace(b'"_data_":"0.73"}', b'"_data_":"1.73"}', 1)
                event["state_base64"] = base64.b64encode(state).decode()
            record = RawRecord(data["evaluation_id"], event["version"], event["topic"], state)
            previous = event["digest"] = link_digest(chain_key(SECRET), record, previous)
        data["chain"]["head_digest"] = previous

    rewrite(exported, change)
    result = verify(exported)
    assert result.returncode == 1
    assert "chain: ok" in result.stdout
    assert (
        "scores: FAILED" in result.stdout
        and "2.1.2 recorded 1.73, recomputed 0.73" in result.stdout
    )


@pytest.mark.parametrize(
    ("outcome", "points", "total"),
    [("amended", "1", "89.66 良"), ("overturned", None, "90.66 优"), ("upheld", None, "88.66 良")],
)
def test_a_packet_with_decided_disputes_recomputes_offline(
    tmp_path: Path,
    reference_case: dict[str, Any],
    actor: Actor,
    outcome: str,
    points: str | None,
    total: str,
) -> None:
    from adapters.bootstrap import build_review_service

    url = f"sqlite:///{tmp_path}/store.sqlite3"
    service = build_service(url, SECRET)
    reviews = build_review_service(service)
    document = service.import_evaluation(reference_case, actor).document()
    evaluation_id = document["id"]
    leaf = next(i for i in document["indicators"] if i["code"] == "3.1.1")
    reviewer = Actor("rex", "reviewer", "c")
    service.submit(evaluation_id, by=reviewer)
    dispute = reviews.raise_dispute(
        evaluation_id,
        deduction_id=leaf["deductions"][0]["id"],
        grounds="疫情影响属不可抗力",
        by=Actor("unit", "subject", "c"),
    )
    reviews.decide_dispute(
        evaluation_id, dispute["id"], outcome=outcome, points=points, reason="复核", by=reviewer
    )
    reviews.add_note(evaluation_id, "3.1", text="核对活动台账", by=reviewer)
    packet = tmp_path / "packet.json"
    result = CliRunner().invoke(
        main,
        ["export-audit", evaluation_id, str(packet), "--database-url", url],
        env={"SCORETRAIL_SECRET": SECRET},
    )
    assert result.exit_code == 0, result.output

    checked = verify(packet)

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "scores: ok" in checked.stdout
    assert "not interpreted" not in checked.stdout
    assert f"total {total}" in checked.stdout


def test_copied_evidence_files_are_rehashed_offline_against_the_chain(
    tmp_path: Path, reference_case: dict[str, Any], actor: Actor
) -> None:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    service = build_service(url, SECRET)
    evaluation_id = service.import_evaluation(reference_case, actor).id
    file = build_evidence(service, url).upload(
        evaluation_id, name="问卷.pdf", media_type="application/pdf", content=b"%PDF q", by=actor
    )
    packet = tmp_path / "out" / "packet.json"
    result = CliRunner().invoke(
        main,
        ["export-audit", evaluation_id, str(packet), "--with-evidence", "--database-url", url],
        env={"SCORETRAIL_SECRET": SECRET},
    )
    assert result.exit_code == 0, result.output
    checked = verify(packet)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "evidence: ok" in checked.stdout

    (packet.parent / "packet-evidence" / file["sha256"]).write_bytes(b"%PDF forged")
    tampered = verify(packet)
    assert tampered.returncode == 1
    assert "evidence: FAILED" in tampered.stdout and "问卷.pdf" in tampered.stdout
