"""Evidence bytes are stored only for an upload that is recorded, and a genuine re-upload
repairs a stored file whose bytes were changed."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from adapters.evidence_store import evidence_blobs
from tests.cases import load_directly, small_case
from tests.conftest import Api, signed_in
from web import create_app

SCAN = "%PDF-1.4 验收报告扫描件".encode()
DIGEST = hashlib.sha256(SCAN).hexdigest()
MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(params=["directory", "database"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """Bytes in a directory, or (no directory on an in-memory store) in a database table."""
    config = {"SCORETRAIL_DATABASE_URL": "sqlite:///:memory:"}
    if request.param == "directory":
        config["SCORETRAIL_EVIDENCE_DIR"] = str(tmp_path / "evidence")
    yield create_app(config)


@pytest.fixture
def base(app: Flask) -> str:
    return f"/evaluations/{load_directly(app, small_case())}"


def upload(api: Api, base: str, content: bytes = SCAN, **headers: str) -> Any:
    return api.post(
        base + "/evidence",
        data={"file": (io.BytesIO(content), "验收报告.pdf")},
        content_type="multipart/form-data",
        headers=headers,
    )


def stored(app: Flask, digest: str = DIGEST) -> bytes | None:
    return app.extensions["scoretrail.evidence"].blobs.get(digest)  # type: ignore[no-any-return]


def tamper(app: Flask, digest: str, forged: bytes) -> None:
    blobs = app.extensions["scoretrail.evidence"].blobs
    if hasattr(blobs, "path"):
        path = blobs.path(digest)
        path.chmod(0o644)
        path.write_bytes(forged)
        return
    with blobs.datastore.transaction(commit=True) as session:
        session.execute(
            update(evidence_blobs).where(evidence_blobs.c.sha256 == digest).values(content=forged)
        )


def test_an_upload_to_an_unknown_evaluation_stores_no_bytes(app: Flask) -> None:
    response = upload(signed_in(app), f"/evaluations/{MISSING}")

    assert response.status_code == 404
    assert stored(app) is None


def test_an_upload_on_a_stale_version_stores_no_bytes(app: Flask, base: str) -> None:
    api = signed_in(app)
    version = api.get(base).json["version"]

    response = upload(api, base, **{"If-Match": f'"{version - 1}"'})

    assert response.status_code == 412
    assert stored(app) is None
    assert api.get(base + "/evidence").json["items"] == []


def test_a_refused_upload_keeps_the_bytes_another_file_record_cites(app: Flask, base: str) -> None:
    api = signed_in(app)
    kept = upload(api, base).json
    other = f"/evaluations/{load_directly(app, small_case('另一个单位'))}"
    version = api.get(other).json["version"]

    assert upload(api, other, **{"If-Match": f'"{version - 1}"'}).status_code == 412
    assert upload(api, f"/evaluations/{MISSING}").status_code == 404

    assert stored(app) == SCAN
    assert api.get(f"{base}/evidence/{kept['id']}").data == SCAN


def test_a_genuine_upload_repairs_a_stored_file_whose_bytes_were_changed(
    app: Flask, base: str
) -> None:
    api = signed_in(app)
    first = upload(api, base).json
    tamper(app, DIGEST, b"%PDF-1.4 forged")
    assert api.get(f"{base}/evidence/{first['id']}").status_code == 409

    again = upload(api, base)

    assert again.status_code == 201
    assert stored(app) == SCAN
    repaired = api.get(f"{base}/evidence/{first['id']}")
    assert repaired.status_code == 200 and repaired.data == SCAN
    assert signed_in(app, "auditor", "audrey").get(base + "/verification").json["ok"] is True
