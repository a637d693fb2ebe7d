"""One indicator's history goes out as the read model shaped it: what its schema would send."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, load_through_api
from web.response_schemas import ScoreChangePageOut


def test_an_indicator_history_page_is_sent_exactly_as_its_schema_would_dump_it(
    api: Api, reference_case: dict[str, Any]
) -> None:
    evaluation_id = load_through_api(api, reference_case)
    base = f"/evaluations/{evaluation_id}/indicators/3.1.1"
    for n in range(3):
        made = api.post(base + "/deductions", json={"points": "0.5", "reason": f"抽查 {n}"})
        assert made.status_code == 201
    overridden = api.post(base + "/score", json={"score": "1.5", "justification": "复核"})
    assert overridden.status_code == 200, overridden.json
    whole = api.get(base + "/history?per_page=1000")
    assert whole.status_code == 200
    assert whole.json == ScoreChangePageOut().dump(whole.json)
    assert list(whole.json) == list(ScoreChangePageOut().fields)  # the schema's key order
    assert [c["overridden"] for c in whole.json["items"]][-1] is True
    second = api.get(base + "/history?page=2&per_page=2")
    assert second.json == ScoreChangePageOut().dump(second.json)
    assert second.json["items"] == whole.json["items"][2:4]
    assert (second.json["total"], second.json["pages"]) == (whole.json["total"], 3)
