"""Every write that documents If-Match honours it: a stale version answers 412, nothing recorded."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.conftest import Api, ApiFor

FRAMEWORK = [
    {"code": "1", "name": "决策", "weight": "60"},
    {"code": "1.1", "name": "立项依据", "parent": "1", "weight": "60", "method": "deduction"},
    {"code": "2", "name": "效益", "weight": "40"},
    {"code": "2.1", "name": "满意度", "parent": "2", "weight": "40", "method": "deduction"},
]
HEADER = {"title": "示范项目", "subject": "示范单位", "fiscal_year": 2024, "kind": "project"}


@pytest.fixture
def setting(api: Api, api_for: ApiFor) -> dict[str, Any]:
    """A submitted evaluation with one deduction, one open dispute and one open note."""
    created = api.post("/evaluations", json=HEADER).json["id"]
    base = f"/evaluations/{created}"
    assert api.post(f"{base}/framework", json={"indicators": FRAMEWORK}).status_code == 200
    cut = api.post(f"{base}/indicators/1.1/deductions", json={"points": "2", "reason": "缺"})
    raiser, judge = api_for("reviewer", "rita"), api_for("reviewer", "rob")
    assert raiser.post(f"{base}/submission").status_code == 200
    dispute = raiser.post(
        f"{base}/disputes", json={"deduction_id": cut.json["id"], "grounds": "已补交"}
    ).json["id"]
    note = raiser.post(f"{base}/indicators/1.1/notes", json={"text": "请核对"}).json["id"]
    return {"base": base, "dispute": dispute, "note": note, "judge": judge, "raiser": raiser}


WRITES = {
    "dispute": ("raiser", "/disputes", {"indicator": "2.1", "grounds": "得分偏低"}),
    "decision": ("judge", "/disputes/{dispute}/decision", {"outcome": "upheld", "reason": "维持"}),
    "note": ("raiser", "/indicators/2.1/notes", {"text": "补充说明"}),
    "resolution": ("raiser", "/notes/{note}/resolution", {"reason": "已核对"}),
    "reported-figure": ("api", "/reported-figures", {"indicator": "1.1", "value": "58"}),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_stale_if_match_answers_412_and_records_nothing(
    write: str, setting: dict[str, Any], api: Api
) -> None:
    who, path, body = WRITES[write]
    client: Api = api if who == "api" else setting[who]
    before = api.get(setting["base"]).json["version"]
    url = setting["base"] + path.format(**setting)

    stale = client.post(url, json=body, headers={"If-Match": f'"{before - 1}"'})

    assert stale.status_code == 412, stale.json
    assert stale.mimetype == "application/problem+json"
    assert api.get(setting["base"]).json["version"] == before
    current = client.post(url, json=body, headers={"If-Match": f'"{before}"'})
    assert current.status_code in (200, 201), current.json


def test_the_proof_of_a_digest_does_not_advertise_if_match(app: Flask) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").json
    proof = spec["paths"]["/api/v1/evaluations/{evaluation_id}/verification"]["post"]
    assert "If-Match" not in [p["name"] for p in proof.get("parameters", [])]
