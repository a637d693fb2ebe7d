"""The self-evaluation example loads as a fixture and recomputes the total it states."""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Flask

from tests.cases import load_directly
from tests.conftest import EXAMPLES, Api

EXAMPLE = EXAMPLES / "county-water-supply-self-evaluation-2025.json"


def test_the_example_recomputes_its_expected_figures(app: Flask, api: Api) -> None:
    case: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    evaluation_id = load_directly(app, case)
    document = api.get(f"/evaluations/{evaluation_id}").json
    expected = case["expected"]
    assert (document["total"], document["grade"]) == (expected["total"], expected["grade"])
    scores = {i["code"]: i["score"] for i in document["indicators"]}
    for code, score in {**expected["levels"], **expected["leaves"]}.items():
        assert scores[code] == score, code
    signed = api.get(f"/evaluations/{evaluation_id}/sign-offs").json
    assert [s["capacity"] for s in signed["items"]] == ["评价组组长", "部门负责人"]
    assert signed["missing"] == ["财政部门归口业务科室"]
    kinds = {f["kind"] for f in api.get(f"/evaluations/{evaluation_id}/findings").json["items"]}
    assert kinds == {"target_overshot"}  # 30 training sessions against ≥24: 125 %


def test_the_exported_form_with_a_budget_row_imports_back_to_the_same_total(
    app: Flask, api: Api
) -> None:
    case: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    evaluation_id = load_directly(app, case)
    for fmt, name in (("csv", "自评表.csv"), ("xlsx", "自评表.xlsx")):
        exported = api.get(f"/evaluations/{evaluation_id}/report?format={fmt}").data
        again = api.post(
            "/evaluations/import",
            data={"file": (io.BytesIO(exported), name)},
            content_type="multipart/form-data",
        )
        assert again.status_code == 201, again.json
        assert again.json["total"] == case["expected"]["total"]
        assert again.json["warnings"] == []
        document = api.get(f"/evaluations/{again.json['id']}").json
        budget = next(i for i in document["indicators"] if i["name"] == "预算执行率")
        assert (budget["method"], budget["score"]) == ("manual", "9.50")
