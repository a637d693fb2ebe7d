"""On each store's blobs (files beside SQLite, a table on PostgreSQL): a refused upload stores
no bytes, and a genuine re-upload repairs changed ones."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from tests.cases import load_directly, small_case
from tests.conftest import signed_in
from tests.e2e.test_evidence_blobs import MISSING, SCAN, stored, tamper, upload


def test_refused_uploads_store_nothing_and_a_genuine_one_repairs_changed_bytes(
    store_url: str, make_app: Callable[..., Flask]
) -> None:
    app = make_app(store_url)
    api = signed_in(app)
    base = f"/evaluations/{load_directly(app, small_case())}"
    version = api.get(base).json["version"]

    assert upload(api, f"/evaluations/{MISSING}").status_code == 404
    assert upload(api, base, **{"If-Match": f'"{version - 1}"'}).status_code == 412
    assert stored(app) is None

    first = upload(api, base).json
    tamper(app, first["sha256"], b"%PDF-1.4 forged")
    assert api.get(f"{base}/evidence/{first['id']}").status_code == 409
    assert upload(api, base).status_code == 201
    assert stored(app) == SCAN
    assert api.get(f"{base}/evidence/{first['id']}").data == SCAN
