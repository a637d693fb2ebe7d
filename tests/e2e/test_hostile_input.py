"""Hostile and careless input: each probe answers a 4xx problem naming the field; nothing kept."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Api

FRAMEWORK = [
    {"code": "1", "name": "决策", "weight": "60"},
    {"code": "1.1", "name": "立项依据", "parent": "1", "weight": "60"},
    {"code": "2", "name": "效益", "weight": "40"},
    {"code": "2.1", "name": "满意度", "parent": "2", "weight": "40", "method": "manual"},
]
HEADER = {"title": "示范项目", "subject": "示范单位", "fiscal_year": 2024, "kind": "project"}
BIG = 2**70


@pytest.fixture
def evaluation(api: Api) -> str:
    created = api.post("/evaluations", json=HEADER).json["id"]
    assert (
        api.post(f"/evaluations/{created}/framework", json={"indicators": FRAMEWORK}).status_code
        < 300
    )
    return str(created)


def version(api: Api, evaluation: str) -> int:
    return int(api.get(f"/evaluations/{evaluation}").json["version"])


def raw_post(api: Api, url: str, text: str) -> Any:
    return api.post(url, data=text.encode("utf-8"), content_type="application/json")


def assert_refused(response: Any, status: int = 422, field: str | None = None) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    if field is not None:
        named = set(response.json.get("errors") or {}) | set(response.json.get("values") or {})
        assert field in named or field in json.dumps(response.json, ensure_ascii=False)


@pytest.mark.parametrize(
    "query",
    [
        f"version={BIG}",
        "as_of=0001-01-01T00:00:00%2B01:00",
        "as_of=9999-12-31T23:59:59-01:00",
    ],
)
def test_out_of_range_anchors_answer_422(api: Api, evaluation: str, query: str) -> None:
    assert_refused(api.get(f"/evaluations/{evaluation}?{query}"), field=query.split("=")[0])


@pytest.mark.parametrize(
    "url",
    [
        f"/evaluations?page={BIG}",
        f"/evaluations?fiscal_year={BIG}",
        "/evaluations/{id}/indicators/1.1/history?page=" + str(BIG),
        "/evaluations/{id}/diff?from=" + str(BIG),
        "/evaluations/{id}/diff?from=１",
    ],
)
def test_integers_past_64_bits_in_queries_answer_422(api: Api, evaluation: str, url: str) -> None:
    assert_refused(api.get(url.format(id=evaluation)))


def test_a_proof_of_a_version_past_64_bits_answers_422(api: Api, evaluation: str) -> None:
    body = {"digest": "0" * 64, "version": BIG}
    assert_refused(api.post(f"/evaluations/{evaluation}/verification", json=body), field="version")


@pytest.mark.parametrize(
    "points",
    ["0.125", "1e-400", "1e400", "1_0", "１", str(BIG), 1e300],
)
def test_points_that_cannot_be_recorded_exactly_are_refused(
    api: Api, evaluation: str, points: Any
) -> None:
    before = version(api, evaluation)
    response = api.post(
        f"/evaluations/{evaluation}/indicators/1.1/deductions",
        json={"points": points, "reason": "缺"},
    )
    assert_refused(response, field="points")
    assert version(api, evaluation) == before


def test_scores_and_weights_follow_the_same_two_decimal_rule(api: Api, evaluation: str) -> None:
    score = {"score": "30.005", "justification": "x"}
    assert_refused(api.post(f"/evaluations/{evaluation}/indicators/2.1/score", json=score))
    heavy = {**HEADER, "total_weight": "1e400"}
    assert_refused(api.post("/evaluations", json=heavy), field="total_weight")
    fine = {"score": "30.50", "justification": "x"}
    assert api.post(f"/evaluations/{evaluation}/indicators/2.1/score", json=fine).status_code < 300


@pytest.mark.parametrize(
    "reason",
    ["a\u0000b", "a\u0007b", "a\u001bb"],
)
def test_control_characters_in_text_are_refused_at_input(
    api: Api, evaluation: str, reason: str
) -> None:
    before = version(api, evaluation)
    response = api.post(
        f"/evaluations/{evaluation}/indicators/1.1/deductions",
        json={"points": "1", "reason": reason},
    )
    assert_refused(response, field="reason")
    assert version(api, evaluation) == before


def test_tabs_and_line_breaks_in_text_are_kept(api: Api, evaluation: str) -> None:
    body = {"points": "1", "reason": "第一行\n第二行\t附注"}
    response = api.post(f"/evaluations/{evaluation}/indicators/1.1/deductions", json=body)
    assert response.status_code == 201 and response.json["reason"] == body["reason"]


def test_a_lone_surrogate_is_refused_naming_the_field(api: Api, evaluation: str) -> None:
    text = '{"points": "1", "reason": "a\\ud800b"}'
    url = f"/evaluations/{evaluation}/indicators/1.1/deductions"
    assert_refused(raw_post(api, url, text), field="reason")


def test_a_body_nested_thousands_deep_answers_400(api: Api, evaluation: str) -> None:
    text = '{"points": "1", "reason": "x", "evidence": ' + "[" * 5000 + "]" * 5000 + "}"
    url = f"/evaluations/{evaluation}/indicators/1.1/deductions"
    assert_refused(raw_post(api, url, text), status=400)


def test_a_nul_in_a_path_segment_is_refused(api: Api, evaluation: str) -> None:
    assert_refused(api.get(f"/evaluations/{evaluation}/indicators/1%00/history"), field="code")


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (["1", "１"], "more than once"),  # full-width digit: the same code
        (["é", "e\u0301"], "more than once"),  # composed and decomposed accent
        (["1\u200b"], "U+200B"),  # zero-width space
        (["1/2"], "/"),
        (["1..2"], ".."),
    ],
)
def test_look_alike_and_unreachable_codes_are_refused(
    api: Api, codes: list[str], message: str
) -> None:
    created = api.post("/evaluations", json=HEADER).json["id"]
    share = str(100 // len(codes))
    indicators = [{"code": c, "name": f"指标{i}", "weight": share} for i, c in enumerate(codes)]
    response = api.post(f"/evaluations/{created}/framework", json={"indicators": indicators})
    assert 400 <= response.status_code < 500
    assert message in response.json["detail"]


@pytest.mark.parametrize("given", ["a\x01b", "跟踪-1", "a b"])
def test_a_request_id_that_is_not_visible_ascii_is_replaced_not_echoed(
    api: Api, given: str
) -> None:
    response = api.get("/evaluations", headers={"X-Request-ID": given})
    echoed = response.headers["X-Request-ID"]
    assert echoed != given and len(echoed) == 36  # a fresh uuid
