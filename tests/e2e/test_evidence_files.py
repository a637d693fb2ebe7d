"""Evidence files: upload by hash, cite by id, download by readers, verify catches a swap."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.cases import SUBJECT, load_directly, small_case
from tests.conftest import Api, signed_in
from web import create_app

SCAN = "%PDF-1.4 立项批复扫描件".encode()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield create_app(
        {
            "SCORETRAIL_DATABASE_URL": "sqlite:///:memory:",
            "SCORETRAIL_EVIDENCE_DIR": str(tmp_path / "evidence"),
            "SCORETRAIL_EVIDENCE_MAX_BYTES": 1000,
        }
    )


@pytest.fixture
def base(app: Flask) -> str:
    return f"/evaluations/{load_directly(app, small_case())}"


def upload(api: Api, base: str, content: bytes, name: str = "立项批复.pdf") -> Any:
    return api.post(
        base + "/evidence",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_an_upload_answers_its_id_name_type_size_and_server_computed_hash(
    app: Flask, base: str
) -> None:
    response = upload(signed_in(app), base, SCAN)

    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) == {"id", "name", "media_type", "size", "sha256"}
    assert (body["name"], body["media_type"], body["size"]) == (
        "立项批复.pdf",
        "application/pdf",
        len(SCAN),
    )
    assert body["sha256"] == hashlib.sha256(SCAN).hexdigest()


def test_a_deduction_citing_a_file_by_id_records_its_hash_in_the_event(
    app: Flask, base: str
) -> None:
    api = signed_in(app)
    file = upload(api, base, SCAN).json
    cut = api.post(
        base + "/indicators/1.1/deductions",
        json={"points": "1", "reason": "批复缺页", "evidence": [{"id": file["id"]}]},
    )
    assert cut.status_code == 201, cut.json
    [cited] = cut.json["evidence"]
    assert (cited["id"], cited["title"], cited["sha256"]) == (
        file["id"],
        "立项批复.pdf",
        file["sha256"],
    )
    recorded = api.get(base + "/history?type=DeductionRecorded").json["items"][-1]
    assert recorded["data"]["evidence"][0]["sha256"] == file["sha256"]


def test_citing_an_unknown_file_or_a_wrong_hash_is_refused(app: Flask, base: str) -> None:
    api = signed_in(app)
    file = upload(api, base, SCAN).json
    path = base + "/indicators/1.1/deductions"
    unknown = api.post(path, json={"points": 1, "reason": "r", "evidence": [{"id": "nope"}]})
    assert unknown.status_code == 422
    wrong = api.post(
        path,
        json={"points": 1, "reason": "r", "evidence": [{"id": file["id"], "sha256": "a" * 64}]},
    )
    assert wrong.status_code == 422


def test_readers_download_the_bytes_and_other_subjects_see_nothing(app: Flask, base: str) -> None:
    file = upload(signed_in(app), base, SCAN).json
    url = f"{base}/evidence/{file['id']}"
    for api in (
        signed_in(app, "auditor", "audrey"),
        signed_in(app, "subject", "unit", subject=SUBJECT),
    ):
        response = api.get(url)
        assert response.status_code == 200
        assert response.data == SCAN
        assert response.headers["X-Content-SHA256"] == file["sha256"]
        assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    stranger = signed_in(app, "subject", "stranger", subject="另一个单位")
    assert stranger.get(url).status_code == 404


def test_too_large_and_unaccepted_files_are_refused_with_413_and_415(app: Flask, base: str) -> None:
    api = signed_in(app)
    version = api.get(base).json["version"]
    too_large = upload(api, base, b"x" * 1001, "big.pdf")
    assert too_large.status_code == 413
    assert too_large.mimetype == "application/problem+json"
    script = upload(api, base, b"<script>alert(1)</script>", "page.html")
    assert script.status_code == 415
    assert script.json["values"]["media_type"] == "text/html"
    assert api.get(base).json["version"] == version


def test_a_file_is_stored_once_per_hash_and_never_overwritten(
    app: Flask, base: str, tmp_path: Path
) -> None:
    api = signed_in(app)
    first, second = upload(api, base, SCAN).json, upload(api, base, SCAN, "副本.pdf").json
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    stored = [p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].read_bytes() == SCAN


def test_verification_names_a_swapped_or_missing_evidence_file(
    app: Flask, base: str, tmp_path: Path
) -> None:
    api = signed_in(app)
    auditor = signed_in(app, "auditor", "audrey")
    file = upload(api, base, SCAN).json
    intact = auditor.get(base + "/verification").json
    assert intact["ok"] and intact["evidence"]["checked"] == 1

    stored = tmp_path / "evidence" / file["sha256"][:2] / file["sha256"]
    stored.chmod(0o644)
    stored.write_bytes(b"%PDF-1.4 forged")
    swapped = auditor.get(base + "/verification").json
    assert swapped["ok"] is False
    assert swapped["evidence"]["file"]["id"] == file["id"]
    assert "立项批复.pdf" in swapped["problem"] and "changed" in swapped["problem"]
    assert auditor.get(f"{base}/evidence/{file['id']}").status_code == 409  # never served

    stored.unlink()
    missing = auditor.get(base + "/verification").json
    assert missing["ok"] is False and "missing" in missing["problem"]


def test_a_unit_cites_its_own_upload_in_a_dispute(app: Flask, base: str) -> None:
    evaluator, unit = signed_in(app), signed_in(app, "subject", "unit", subject=SUBJECT)
    leaf = next(i for i in evaluator.get(base).json["indicators"] if i["code"] == "1.1")
    signed_in(app, "reviewer", "rita").post(base + "/submission")
    file = upload(unit, base, b"%PDF-1.4 rectified", "整改报告.pdf").json
    raised = unit.post(
        base + "/disputes",
        json={
            "deduction_id": leaf["deductions"][0]["id"],
            "grounds": "已整改",
            "evidence": [{"id": file["id"], "title": "整改报告"}],
        },
    )
    assert raised.status_code == 201, raised.json
    assert raised.json["evidence"][0]["sha256"] == file["sha256"]
    assert raised.json["evidence"][0]["title"] == "整改报告"
