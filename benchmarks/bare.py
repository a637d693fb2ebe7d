"""The baselines: a bare eventsourcing application and a bare Flask JSON app."""

from __future__ import annotations

import json
import os
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class Tally(Aggregate):
    """The smallest useful aggregate: one command, one event."""

    @event("Started")
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    @event("Counted")
    def count_one(self, points: str, reason: str) -> None:
        self.count += 1


class BareApplication(Application[Any]):
    """A plain eventsourcing Application with library defaults (no cache, no snapshots)."""

    name = "BenchBare"


def bare_application(url: str) -> BareApplication:
    """The bare application on the same kind of store as ScoreTrail (eventsourcing_sqlalchemy)."""
    return BareApplication(
        env={
            "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
            "SQLALCHEMY_URL": url,
            "CREATE_TABLE": "y",
        }
    )


def create_bare_flask_app() -> Any:
    """A Flask app answering with a fixed JSON document: framework + serialisation, nothing else.

    The document is read from the file named by SCORETRAIL_BENCH_DOCUMENT so the bare
    endpoints send bodies of the same size as ScoreTrail's.
    """
    from flask import Flask, request

    path = os.environ.get("SCORETRAIL_BENCH_DOCUMENT")
    document: dict[str, Any] = {"ok": True}
    if path:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    @app.get("/api/v1/evaluations/<evaluation_id>")
    def get_document(evaluation_id: str) -> Any:
        return document

    # the compact answer (Prefer: return=minimal): the totals and one moved indicator
    compact = {k: document.get(k) for k in ("id", "version", "status", "total", "grade")}
    moved = (document.get("indicators") or [{}])[-1]
    fields = ("code", "score", "rate", "rule_score", "overridden")
    compact["changed"] = [{k: moved.get(k) for k in fields}]

    @app.post("/api/v1/evaluations/<evaluation_id>/indicators/<code>/deductions")
    def post_deduction(evaluation_id: str, code: str) -> Any:
        body = request.get_json()
        if request.headers.get("Prefer") == "return=minimal":
            return {**body, "indicator": code, "evaluation": compact}, 201
        return {**body, "indicator": code, "evaluation": document}, 201

    return app
