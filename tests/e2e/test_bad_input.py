"""Bad input: the right status, a problem+json body, and nothing recorded."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Api, load_through_api


@pytest.fixture
def evaluation_id(api: Api, reference_case: dict[str, Any]) -> str:
    return load_through_api(api, reference_case)


def version_of(api: Api, evaluation_id: str) -> int:
    return int(api.get(f"/evaluations/{evaluation_id}").json["version"])


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.json
    assert response.content_type == "application/problem+json"
    body = response.json
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return dict(body)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"points": 1}, 422, "reason"),
        ({"points": 1, "reason": ""}, 422, "reason"),
        ({"points": "abc", "reason": "r"}, 422, "points"),
        ({"points": True, "reason": "r"}, 422, "points"),
        ({"points": 1, "reason": "r", "extra": 1}, 422, "extra"),
        (
            {"points": 1, "reason": "r", "evidence": [{"title": "t", "sha256": "xyz"}]},
            422,
            "evidence.0.sha256",
        ),
        ({"points": 0, "reason": "r"}, 409, None),
        ({"points": -1, "reason": "r"}, 409, None),
        ({"points": "7.01", "reason": "r"}, 409, None),
    ],
)
def test_bad_deduction_is_refused_and_nothing_is_recorded(
    api: Api, evaluation_id: str, body: dict[str, Any], status: int, field: str | None
) -> None:
    before = version_of(api, evaluation_id)
    response = api.post(f"/evaluations/{evaluation_id}/indicators/3.1.1/deductions", json=body)
    problem = assert_problem(response, status)
    if field:
        assert field in problem["errors"]
    assert version_of(api, evaluation_id) == before


EXTREME_NUMBERS = [
    "1e999999999",
    "-1e999999999",
    "1e-999999999",
    "Infinity",
    "NaN",
    "1E+1000",
    "-0e999999999",
    "0e-999999999",
]
NUMBER_FIELDS = [
    ("indicators/3.1.1/deductions", "points", {"reason": "r"}),
    ("indicators/4.4.1/score", "score", {"justification": "j"}),
    ("data-entries", "value", {"key": "预算资金", "unit": "万元", "source": "s"}),
]


@pytest.mark.parametrize(("path", "field", "body"), NUMBER_FIELDS)
def test_a_number_with_an_extreme_exponent_is_a_422_and_nothing_is_recorded(
    api: Api, evaluation_id: str, path: str, field: str, body: dict[str, Any]
) -> None:
    before = version_of(api, evaluation_id)
    url = f"/evaluations/{evaluation_id}/{path}"
    for text in EXTREME_NUMBERS:
        problem = assert_problem(api.post(url, json={**body, field: text}), 422)
        assert list(problem["errors"]) == [field], text
    # the same as JSON numbers, which the JSON parser reads as infinities
    for raw in ("1e999999999", "-1e999999999", "1E+1000"):
        data = json.dumps(body)[:-1] + f', "{field}": {raw}}}'
        response = api.post(url, data=data, content_type="application/json")
        assert list(assert_problem(response, 422)["errors"]) == [field], raw
    assert version_of(api, evaluation_id) == before


def test_an_evaluation_with_an_extreme_total_weight_is_not_created(api: Api) -> None:
    header = {"title": "t", "subject": "s", "fiscal_year": 2024, "kind": "project"}
    for text in EXTREME_NUMBERS:
        response = api.post("/evaluations", json={**header, "total_weight": text})
        problem = assert_problem(response, 422)
        assert list(problem["errors"]) == ["total_weight"], text
    assert api.get("/evaluations").json["total"] == 0


def test_malformed_json_is_a_400(api: Api, evaluation_id: str) -> None:
    before = version_of(api, evaluation_id)
    response = api.post(
        f"/evaluations/{evaluation_id}/indicators/3.1.1/deductions",
        data='{"points": 1,',
        content_type="application/json",
    )
    assert_problem(response, 400)
    assert version_of(api, evaluation_id) == before


def test_unknown_evaluation_indicator_and_deduction_are_404(api: Api, evaluation_id: str) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert_problem(api.get(f"/evaluations/{missing}"), 404)
    body = {"points": 1, "reason": "r"}
    assert_problem(api.post(f"/evaluations/{missing}/indicators/1/deductions", json=body), 404)
    problem = assert_problem(
        api.post(f"/evaluations/{evaluation_id}/indicators/9.9.9/deductions", json=body), 404
    )
    assert problem["values"] == {"code": "9.9.9"}
    assert_problem(
        api.post(f"/evaluations/{evaluation_id}/deductions/nope/withdrawal", json={"reason": "r"}),
        404,
    )
    assert_problem(api.get(f"/evaluations/{evaluation_id}/indicators/9.9/history"), 404)


def test_checklist_of_the_wrong_length_is_refused(api: Api, evaluation_id: str) -> None:
    before = version_of(api, evaluation_id)
    response = api.post(
        f"/evaluations/{evaluation_id}/indicators/1.1.1/checklist",
        json={"met": [True], "justification": "j"},
    )
    problem = assert_problem(response, 409)
    assert problem["values"] == {"code": "1.1.1", "items": 5, "marks": 1}
    assert version_of(api, evaluation_id) == before


def test_score_above_the_weight_is_refused(api: Api, evaluation_id: str) -> None:
    response = api.post(
        f"/evaluations/{evaluation_id}/indicators/4.4.1/score",
        json={"score": "8.5", "justification": "j"},
    )
    assert assert_problem(response, 409)["values"]["weight"] == "8"


def test_framework_breaking_the_weight_rule_names_the_codes(api: Api) -> None:
    created = api.post(
        "/evaluations", json={"title": "t", "subject": "s", "fiscal_year": 2022, "kind": "k"}
    )
    evaluation_id = created.json["id"]
    response = api.post(
        f"/evaluations/{evaluation_id}/framework",
        json={
            "indicators": [
                {"code": "1", "name": "a", "weight": 60},
                {"code": "1.1", "parent": "1", "name": "b", "weight": 50},
                {"code": "2", "name": "c", "weight": 40},
            ]
        },
    )
    problem = assert_problem(response, 409)
    assert problem["values"]["codes"] == ["1"]
    assert problem["problems"][0]["code"] == "1"
    assert version_of(api, evaluation_id) == 1


def test_framework_cannot_be_replaced_after_scoring(
    api: Api, evaluation_id: str, reference_case: dict[str, Any]
) -> None:
    response = api.post(
        f"/evaluations/{evaluation_id}/framework", json={"indicators": reference_case["indicators"]}
    )
    assert assert_problem(response, 409)["type"].endswith("framework-locked")


def test_ratio_leaf_without_its_entries_stays_unset_and_says_why(api: Api) -> None:
    created = api.post(
        "/evaluations", json={"title": "t", "subject": "s", "fiscal_year": 2022, "kind": "k"}
    ).json
    document = api.post(
        f"/evaluations/{created['id']}/framework",
        json={
            "indicators": [
                {
                    "code": "1",
                    "name": "r",
                    "weight": 100,
                    "method": "ratio",
                    "numerator": "执行数",
                    "denominator": "预算数",
                }
            ]
        },
    ).json
    leaf = document["indicators"][0]
    assert leaf["score"] is None
    assert leaf["note"] == "missing data entries: 执行数, 预算数"
    assert document["total"] is None and document["grade"] is None


def test_body_too_large_is_a_413(app: Any, api: Api, evaluation_id: str) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = api.post(
        f"/evaluations/{evaluation_id}/indicators/3.1.1/deductions",
        json={"points": 1, "reason": "x" * 5000},
    )
    assert_problem(response, 413)


def test_creating_with_missing_fields_lists_each_field(api: Api) -> None:
    problem = assert_problem(api.post("/evaluations", json={"title": "t"}), 422)
    assert set(problem["errors"]) == {"subject", "fiscal_year", "kind"}
    assert api.get("/evaluations").json["total"] == 0


def test_an_unexpected_error_is_a_500_that_leaks_nothing(app: Any, api: Api) -> None:
    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret connection string postgres://admin:pw@db")

    app.extensions["scoretrail"].list_evaluations = explode
    response = api.get("/evaluations")
    problem = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert problem["detail"] == "发生意外错误，已记录日志"
    english = api.get("/evaluations", headers={"Accept-Language": "en"}).json
    assert english["detail"] == "an unexpected error occurred; it has been logged"
