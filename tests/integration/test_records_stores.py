"""History filters, evidence bytes and rebuilt read models on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import Flask

from adapters.evidence_store import DirectoryBlobStore, SqlBlobStore
from tests.cases import SUBJECT, load_directly, small_case
from tests.conftest import signed_in


def test_history_filters_survive_a_rebuild_of_the_read_models(
    store_url: str, make_app: Callable[..., Flask]
) -> None:
    app = make_app(store_url)
    evaluation_id = load_directly(app, small_case())
    base = f"/evaluations/{evaluation_id}"
    alice, rita = signed_in(app), signed_in(app, "reviewer", "rita")
    extra = alice.post(base + "/indicators/1.1/deductions", json={"points": 1, "reason": "重复"})
    alice.post(f"{base}/deductions/{extra.json['id']}/withdrawal", json={"reason": "撤回重复"})
    rita.post(base + "/submission")
    unit = signed_in(app, "subject", "unit", subject=SUBJECT)
    first = next(i for i in rita.get(base).json["indicators"] if i["code"] == "1.1")["deductions"][
        0
    ]["id"]
    dispute = unit.post(base + "/disputes", json={"deduction_id": first, "grounds": "已整改"})
    assert dispute.status_code == 201, dispute.json

    def answers() -> list[Any]:
        return [
            rita.get(f"{base}/history?{query}").json["items"]
            for query in (
                "from=submission",
                "actor=unit",
                f"cause={dispute.json['id']}",
                "indicator=1.1&type=DeductionWithdrawn",
            )
        ]

    before = answers()
    assert [i["type"] for i in before[0]] == ["Submitted", "DisputeRaised"]
    assert [i["reason"] for i in before[3]] == ["撤回重复"]
    app.extensions["scoretrail"].rebuild_read_models()
    assert answers() == before


def test_evidence_bytes_live_in_the_database_on_postgres_and_beside_a_sqlite_file(
    store_url: str, make_app: Callable[..., Flask]
) -> None:
    app = make_app(store_url)
    files = app.extensions["scoretrail.evidence"]
    expected = SqlBlobStore if store_url.startswith("postgresql") else DirectoryBlobStore
    assert isinstance(files.blobs, expected)
    base = f"/evaluations/{load_directly(app, small_case())}"
    api = signed_in(app)
    uploaded = api.post(
        base + "/evidence",
        data={"file": (io.BytesIO(b"\x00\x01binary\xff"), "扫描件.png")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 201, uploaded.json
    again = api.post(
        base + "/evidence",
        data={"file": (io.BytesIO(b"\x00\x01binary\xff"), "同一扫描件.png")},
        content_type="multipart/form-data",
    )
    assert again.json["sha256"] == uploaded.json["sha256"]  # stored once, never overwritten
    download = api.get(f"{base}/evidence/{uploaded.json['id']}")
    assert download.data == b"\x00\x01binary\xff"
    assert signed_in(app, "auditor", "a").get(base + "/verification").json["evidence"] == {
        "ok": True,
        "checked": 2,
        "file": None,
        "problem": None,
    }
