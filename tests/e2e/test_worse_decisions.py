"""A decision that lowers the disputed score must be meant: API and page alike ask to confirm."""

from __future__ import annotations

import pytest
from flask import Flask

from domain.evaluation import Actor
from tests.cases import load_directly, small_case
from tests.conftest import Api, ApiFor
from tests.pages import browser_for

REX = Actor("rex", "reviewer", "setup")


@pytest.fixture
def disputed(app: Flask) -> dict[str, str]:
    """A submitted small case; its unit disputes the 2.00-point deduction on 1.1 (18.00)."""
    evaluation_id = load_directly(app, small_case())
    app.extensions["scoretrail"].submit(evaluation_id, by=REX)
    document = app.extensions["scoretrail"].document(evaluation_id)
    node = next(i for i in document["indicators"] if i["code"] == "1.1")
    unit = Actor("unit", "subject", "setup")
    dispute = app.extensions["scoretrail.review"].raise_dispute(
        evaluation_id, grounds="扣分过重", deduction_id=node["deductions"][0]["id"], by=unit
    )
    return {"id": evaluation_id, "dispute": dispute["id"], "score": node["score"]}


def score_of(app: Flask, evaluation_id: str) -> str:
    document = app.extensions["scoretrail"].document(evaluation_id)
    return str(next(i for i in document["indicators"] if i["code"] == "1.1")["score"])


def test_the_api_refuses_an_amendment_that_lowers_the_score_without_confirm_worse(
    app: Flask, api_for: ApiFor, disputed: dict[str, str]
) -> None:
    reviewer: Api = api_for("reviewer", "rita")
    path = f"/evaluations/{disputed['id']}/disputes/{disputed['dispute']}/decision"
    body = {"outcome": "amended", "points": "6.90", "reason": "改为 6.90"}
    refused = reviewer.post(path, json=body)
    assert refused.status_code == 409, refused.json
    assert "由 18.00 降为 13.10" in refused.json["detail"]
    assert score_of(app, disputed["id"]) == "18.00"
    confirmed = reviewer.post(path, json={**body, "confirm_worse": True})
    assert confirmed.status_code == 200, confirmed.json
    assert score_of(app, disputed["id"]) == "13.10"


def test_the_decision_form_names_points_and_asks_to_confirm_a_lower_score(
    app: Flask, disputed: dict[str, str]
) -> None:
    reviewer = browser_for(app, "reviewer", "rita")
    queue = reviewer.get("/ui/disputes").text
    assert "变更后的扣分（扣多少分，不是得分" in queue and "现得分 18.00" in queue
    assert 'name="confirm_worse"' in queue and "改为新分值" not in queue
    action = f"/ui/evaluations/{disputed['id']}/disputes/{disputed['dispute']}/decision"
    form = {"target": disputed["dispute"], "outcome": "amended", "points": "6.90", "reason": "误填"}
    refused = reviewer.post(action, form)
    assert refused.status_code in (200, 409, 303)
    shown = refused.text if refused.status_code != 303 else reviewer.get("/ui/disputes").text
    assert "将由 18.00 降为 13.10" in shown
    assert score_of(app, disputed["id"]) == "18.00", "nothing recorded without confirmation"
    recorded = reviewer.post(action, {**form, "confirm_worse": "true"})
    assert recorded.status_code == 303
    assert score_of(app, disputed["id"]) == "13.10"
