"""An audit packet of a self-evaluation: the offline verifier recomputes the target scores."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.bootstrap import build_service
from application.integrity import GENESIS, RawRecord, chain_key, link_digest
from domain.evaluation import Actor
from tests.cases import target_case
from tests.integration.test_audit_packet import SECRET, rewrite, verify
from web.cli import main


@pytest.fixture
def exported(tmp_path: Path, actor: Actor) -> Path:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    service = build_service(url, SECRET)
    case = target_case()
    case["target_values"] += [
        {"indicator": "1.1", "stage": "final", "value": "17", "reason": "台账复核",
         "deviation_reason": "两场因雨取消", "improvement": "增设室内场地"},
        {"indicator": "2.1", "stage": "final", "outcome": "partial", "score": "30",
         "justification": "问卷显示改善有限", "deviation_reason": "覆盖面不足",
         "improvement": "扩大覆盖"},
    ]  # fmt: skip
    evaluation_id = service.import_evaluation(case, actor).id
    packet = tmp_path / "out" / "packet.json"
    result = CliRunner().invoke(
        main,
        ["export-audit", evaluation_id, str(packet), "--database-url", url],
        env={"SCORETRAIL_SECRET": SECRET},
    )
    assert result.exit_code == 0, result.output
    return packet


def test_target_scores_recompute_offline(exported: Path) -> None:
    result = verify(exported)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "scores: ok" in result.stdout
    # 1.1: 17 / 20 × 30 = 25.50; 1.2: met, 30; 2.1: partial, 30 of 40
    assert "total 85.50" in result.stdout


def test_a_final_value_forged_and_resealed_with_the_key_fails_the_recomputation(
    exported: Path,
) -> None:
    """The forged value is consistent with the chain; the recorded score no longer follows."""

    def change(data: dict[str, Any]) -> None:
        previous = GENESIS
        forged = b'"value":{"_type_":"decimal_str","_data_":"19"}'
        for event in data["events"]:
            state = base64.b64decode(event["state_base64"])
            if event["type"] == "TargetValueRecorded" and event["payload"].get("value") == "17":
                state = state.replace(b'"value":{"_type_":"decimal_str","_data_":"17"}', forged)
                event["state_base64"] = base64.b64encode(state).decode()
                event["payload"]["value"] = "19"
            record = RawRecord(data["evaluation_id"], event["version"], event["topic"], state)
            previous = event["digest"] = link_digest(chain_key(SECRET), record, previous)
        data["chain"]["head_digest"] = previous

    rewrite(exported, change)
    result = verify(exported)
    assert result.returncode == 1
    assert "chain: ok" in result.stdout and "payloads: ok" in result.stdout
    assert "1.1 recorded 25.50, recomputed 28.50" in result.stdout
