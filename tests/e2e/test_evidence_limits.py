"""The evidence route's own size limit governs its uploads, with the default settings."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.cases import load_directly, small_case
from tests.conftest import Api, signed_in
from web import create_app

MB = 1024 * 1024


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    # the default limits: only where the bytes go is set, to look at them afterwards
    yield create_app(
        {
            "SCORETRAIL_DATABASE_URL": "sqlite:///:memory:",
            "SCORETRAIL_EVIDENCE_DIR": str(tmp_path / "evidence"),
        }
    )


@pytest.fixture
def base(app: Flask) -> str:
    return f"/evaluations/{load_directly(app, small_case())}"


def scan(size: int) -> bytes:
    """A PDF-looking file of `size` bytes whose content is not all alike."""
    head = b"%PDF-1.4\n"
    body = hashlib.sha256(str(size).encode()).digest() * (size // 32 + 1)
    return (head + body)[:size]


def upload(api: Api, base: str, content: bytes, **headers: str) -> Any:
    return api.post(
        base + "/evidence",
        data={"file": (io.BytesIO(content), "扫描件.pdf")},
        content_type="multipart/form-data",
        headers=headers,
    )


def stored_files(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]


def test_a_five_megabyte_scan_is_accepted_with_the_default_limits(app: Flask, base: str) -> None:
    api = signed_in(app)
    content = scan(5 * MB)

    response = upload(api, base, content)

    assert response.status_code == 201, response.json
    assert response.json["sha256"] == hashlib.sha256(content).hexdigest()
    downloaded = api.get(f"{base}/evidence/{response.json['id']}")
    assert downloaded.status_code == 200
    assert hashlib.sha256(downloaded.data).hexdigest() == response.json["sha256"]


@pytest.mark.parametrize(("language", "says"), [("zh", "佐证材料"), ("en", "evidence")])
def test_a_file_over_the_evidence_limit_is_refused_naming_that_limit(
    app: Flask, base: str, tmp_path: Path, language: str, says: str
) -> None:
    api = signed_in(app)
    version = api.get(base).json["version"]

    response = upload(api, base, scan(25 * MB), **{"Accept-Language": language})

    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.json["type"] == "urn:scoretrail:problem:evidence-too-large"
    assert "20 MB" in response.json["detail"] and says in response.json["detail"]
    assert response.json["values"]["limit"] == 20 * MB
    assert api.get(base).json["version"] == version
    assert api.get(base + "/evidence").json["items"] == []
    assert stored_files(tmp_path) == []


def test_a_file_just_over_the_evidence_limit_is_refused_naming_that_limit(
    app: Flask, base: str, tmp_path: Path
) -> None:
    api = signed_in(app)

    response = upload(api, base, scan(20 * MB + 1), **{"Accept-Language": "en"})

    assert response.status_code == 413
    assert "20 MB" in response.json["detail"]
    assert stored_files(tmp_path) == []


def test_other_bodies_keep_the_general_limit(app: Flask, base: str) -> None:
    api = signed_in(app)
    body = {"points": "1", "reason": "x" * (3 * MB)}

    response = api.post(base + "/indicators/1.1/deductions", json=body)

    assert response.status_code == 413


def test_a_body_of_undeclared_length_past_the_limit_is_refused_naming_that_limit(
    app: Flask, base: str, tmp_path: Path
) -> None:
    api = signed_in(app)
    boundary = "scan-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    body = head + scan(21 * MB) + f"\r\n--{boundary}--\r\n".encode()

    response = api.client.post(
        "/api/v1" + base + "/evidence",
        input_stream=io.BytesIO(body),
        content_type=f"multipart/form-data; boundary={boundary}",
        # as a server passes on a chunked body: no length, a stream that ends
        headers={**api.headers, "Accept-Language": "en", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )

    assert response.status_code == 413
    assert response.json["type"] == "urn:scoretrail:problem:evidence-too-large"
    assert "20 MB" in response.json["detail"]
    assert stored_files(tmp_path) == []
