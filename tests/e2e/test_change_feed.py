"""The change feed over HTTP: paging by position, subject scopes, long polls, server-sent events."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from flask import Flask

from tests.conftest import Api, ApiFor
from web.feed_schemas import FeedPageOut

HEAD = ("position", "evaluation_id")
FRAMEWORK = {
    "indicators": [
        {"code": "1", "name": "决策", "weight": 40},
        {"code": "2", "name": "产出", "weight": 60},
    ]
}


def open_evaluation(api: Api, subject: str = "某区财政局", title: str = "项目A") -> str:
    created = api.post(
        "/evaluations",
        json={"title": title, "subject": subject, "fiscal_year": 2025, "kind": "project"},
    )
    assert created.status_code == 201, created.json
    evaluation_id = str(created.json["id"])
    assert api.post(f"/evaluations/{evaluation_id}/framework", json=FRAMEWORK).status_code == 200
    return evaluation_id


def deduct(api: Api, evaluation_id: str, points: int = 1) -> None:
    body = {"points": points, "reason": "资料不全"}
    response = api.post(f"/evaluations/{evaluation_id}/indicators/1/deductions", json=body)
    assert response.status_code == 201, response.json


def follow(api: Api, after: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
    """Every item from `after` on, page by page."""
    found: list[dict[str, Any]] = []
    while True:
        page = api.get(f"/events?after={after}&limit={limit}").json
        found.extend(page["items"])
        if not page["items"]:
            return found
        after = page["next_after"]


def test_the_feed_lists_every_event_of_every_evaluation_in_position_order(api: Api) -> None:
    first = open_evaluation(api, title="甲")
    second = open_evaluation(api, title="乙")
    deduct(api, first)

    items = follow(api, limit=2)

    positions = [item["position"] for item in items]
    assert positions == sorted(set(positions))
    for evaluation_id in (first, second):
        # the feed carries events as recorded: the history's rendering without translating
        # the texts the system wrote (English there asks for exactly that)
        as_recorded = {"Accept-Language": "en"}
        history = api.get(f"/evaluations/{evaluation_id}/history", headers=as_recorded)
        history = history.json["items"]
        mine = [i for i in items if i["evaluation_id"] == evaluation_id]
        # the same rendering as the history, with the position and evaluation in front
        rendered = [{k: v for k, v in i.items() if k not in HEAD} for i in mine]
        assert rendered == history


def test_a_page_says_where_the_next_one_starts_and_ends_empty_with_the_same_cursor(
    api: Api,
) -> None:
    open_evaluation(api)
    page = api.get("/events?limit=1").json
    assert len(page["items"]) == 1 and page["next_after"] == page["items"][0]["position"]

    rest = follow(api, after=page["next_after"])
    end = api.get(f"/events?after={rest[-1]['position']}").json

    assert rest[0]["position"] > page["next_after"]
    assert end == {"items": [], "next_after": rest[-1]["position"]}


def test_the_answer_is_what_the_documented_schema_gives(api: Api) -> None:
    open_evaluation(api)
    page = api.get("/events").json
    assert FeedPageOut().dump(page) == page


def test_a_subject_token_follows_its_own_subjects_events_without_review_notes(
    api: Api, api_for: ApiFor, reviewer_api: Api
) -> None:
    own = open_evaluation(api, subject="某区教育局")
    other = open_evaluation(api, subject="某区卫健委")
    note = reviewer_api.post(f"/evaluations/{own}/indicators/1/notes", json={"text": "核对"})
    assert note.status_code == 201
    unit = api_for("subject", "unit", subject="某区教育局")

    seen = follow(unit)

    assert {item["evaluation_id"] for item in seen} == {own}
    assert "NoteAdded" not in {item["type"] for item in seen}
    assert "NoteAdded" in {item["type"] for item in follow(reviewer_api)}
    assert other in {item["evaluation_id"] for item in follow(api)}


def test_limit_and_wait_beyond_their_bounds_are_refused(api: Api) -> None:
    assert api.get("/events?limit=1001").status_code == 422
    assert api.get("/events?wait=31").status_code == 422
    assert api.get("/events?after=-1").status_code == 422


def test_an_admin_token_does_not_read_the_feed(admin_api: Api) -> None:
    assert admin_api.get("/events").status_code == 403


def test_a_long_poll_returns_as_soon_as_another_thread_commits(app: Flask, api: Api) -> None:
    app.config["SCORETRAIL_FEED_MAX_WAIT_SECONDS"] = 30
    app.extensions["scoretrail.feed"].max_wait = 30
    evaluation_id = open_evaluation(api)
    head = follow(api)[-1]["position"]
    writer = signed_in_writer(app)

    timer = threading.Timer(0.3, deduct, (writer, evaluation_id))
    started = time.monotonic()
    timer.start()
    page = api.get(f"/events?after={head}&wait=20").json
    elapsed = time.monotonic() - started
    timer.join()

    assert [item["type"] for item in page["items"]][:1] == ["DeductionRecorded"]
    assert elapsed < 10  # woken by the commit, not by the end of the wait


def test_a_long_poll_with_nothing_new_ends_at_its_bound_empty(api: Api) -> None:
    open_evaluation(api)
    head = follow(api)[-1]["position"]

    started = time.monotonic()
    page = api.get(f"/events?after={head}&wait=0.3").json

    assert page == {"items": [], "next_after": head}
    assert time.monotonic() - started >= 0.3


def signed_in_writer(app: Flask) -> Api:
    from tests.conftest import signed_in

    return signed_in(app, "evaluator", "bob")


def sse_events(text: str) -> list[dict[str, str]]:
    """The stream's events: each block's fields (comments kept under ':')."""
    blocks = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        if fields:
            blocks.append(fields)
    return blocks


def test_the_stream_sends_each_event_with_its_position_as_id(api: Api) -> None:
    open_evaluation(api)
    items = follow(api)

    response = api.get("/events/stream")
    blocks = [b for b in sse_events(response.get_data(as_text=True)) if "id" in b]

    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert [int(b["id"]) for b in blocks] == [item["position"] for item in items]
    assert [json.loads(b["data"]) for b in blocks] == items


def test_the_stream_resumes_after_last_event_id_and_pings_when_idle(app: Flask, api: Api) -> None:
    app.config["SCORETRAIL_STREAM_HEARTBEAT_SECONDS"] = 0.1
    open_evaluation(api)
    items = follow(api)
    middle = items[len(items) // 2]["position"]

    resumed = api.get("/events/stream?after=0", headers={"Last-Event-ID": str(middle)})
    blocks = sse_events(resumed.get_data(as_text=True))

    ids = [int(b["id"]) for b in blocks if "id" in b]
    assert ids == [item["position"] for item in items if item["position"] > middle]
    assert {"": "ping"} in blocks  # the comment line `: ping`
    assert api.get("/events/stream", headers={"Last-Event-ID": "x"}).status_code == 422
