"""Documents go out as the application shaped them: what the response schema would send."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, load_through_api
from web.response_schemas import DeductionCreatedOut, DocumentOut


def test_a_document_is_sent_exactly_as_its_schema_would_dump_it(
    api: Api, reference_case: dict[str, Any]
) -> None:
    evaluation_id = load_through_api(api, reference_case)
    response = api.get(f"/evaluations/{evaluation_id}?deductions=all")
    assert response.status_code == 200
    assert response.json == DocumentOut().dump(response.json)
    assert response.headers["ETag"] == f'"{response.json["version"]}"'


def test_a_recorded_deduction_is_sent_exactly_as_its_schema_would_dump_it(
    api: Api, reference_case: dict[str, Any]
) -> None:
    evaluation_id = load_through_api(api, reference_case)
    created = api.post(
        f"/evaluations/{evaluation_id}/indicators/3.1.1/deductions",
        json={"points": "0.5", "reason": "抽查", "evidence": [{"title": "台账"}]},
    )
    assert created.status_code == 201
    assert created.json == DeductionCreatedOut().dump(created.json)
    assert created.headers["ETag"] == f'"{created.json["evaluation"]["version"]}"'
