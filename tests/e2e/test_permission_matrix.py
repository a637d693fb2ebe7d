"""Every route × every kind of caller → the expected answer; a refusal records nothing."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from application.evidence import EvidenceFiles
from application.review import ReviewService
from application.service import EvaluationService
from application.tokens import TokenService
from application.webhooks import Webhooks
from domain.evaluation import Actor
from tests.cases import SUBJECT, small_case, target_case
from tests.conftest import Api, bearer
from web import create_app
from web.auth import PUBLIC_ENDPOINTS, ROUTE_ACTIONS

# Columns: the five roles, then a subject token bound to another subject.
# Without a token, or with a bad one, every route answers 401.
MATRIX = """
route               evaluator reviewer subject auditor admin other-subject
create_evaluation   201       403      403     403     403   403
list_evaluations    200       200      200     200     403   200
get_evaluation      200       200      200     200     403   404
indicator_history   200       200      200     200     403   404
list_deductions     200       200      200     200     403   404
history             200       200      403     200     403   403
define_framework    200       200      403     403     403   403
record_data_entry   200       200      403     403     403   403
record_deduction    201       201      403     403     403   403
withdraw_deduction  200       200      403     403     403   403
assess_checklist    200       200      403     403     403   403
record_score        200       200      403     403     403   403
record_survey       200       200      403     403     403   403
submit              200       200      403     403     403   403
finalize            403       200      403     403     403   403
reopen              403       200      403     403     403   403
raise_dispute       403       201      201     403     403   404
list_disputes       200       200      200     200     403   404
get_dispute         200       200      200     200     403   404
decide_dispute      403       200      403     403     403   403
add_note            403       201      403     403     403   403
resolve_note        403       200      403     403     403   403
list_notes          200       200      403     200     403   403
list_tokens         403       403      403     403     200   403
create_token        403       403      403     403     201   403
revoke_token        403       403      403     403     200   403
diff                200       200      403     200     403   403
explanation         200       200      200     200     403   404
findings            200       200      403     200     403   403
record_reported_figure 200    200      403     403     403   403
verification        200       200      403     200     403   403
prove               200       200      403     200     403   403
report              200       200      200     200     403   404
import_evaluation   201       403      403     403     403   403
record_target_value 200       200      403     403     403   403
sign_off            201       201      201     403     403   404
list_sign_offs      200       200      200     200     403   404
fill_form           200       200      403     403     403   403
record_funds        200       200      403     403     403   403
upload_evidence     201       201      201     403     403   404
list_evidence       200       200      200     200     403   404
download_evidence   200       200      200     200     403   404
events              200       200      200     200     403   200
stream              200       200      200     200     403   200
register_webhook    403       403      403     403     201   403
list_webhooks       403       403      403     403     200   403
delete_webhook      403       403      403     403     204   403
list_deliveries     403       403      403     403     200   403
"""


@dataclass(frozen=True)
class Route:
    """How to call one route, and the state its evaluation must be in for the call to succeed."""

    endpoint: str
    method: str
    path: str
    state: str | None = "draft"
    body: dict[str, Any] | None = None
    records: bool = True  # an allowed POST records something (proving a digest does not)
    upload: bool = False  # the body goes as a multipart file named `filename`
    filename: str = "case.json"


E = "/evaluations/{id}"
# a receiver on a public address (an IP literal: nothing to resolve); nothing is posted here
HOOK = {"url": "http://93.184.216.34/hook", "secret": "s" * 32}
ROUTES = {
    r.endpoint.split(".")[1]: r
    for r in (
        Route(
            "evaluations.create_evaluation",
            "POST",
            "/evaluations",
            None,
            small_case()["evaluation"],
        ),
        Route("evaluations.list_evaluations", "GET", "/evaluations"),
        Route("evaluations.get_evaluation", "GET", E),
        Route("evaluations.indicator_history", "GET", E + "/indicators/1.1/history"),
        Route("evaluations.history", "GET", E + "/history"),
        Route("evaluations.list_deductions", "GET", E + "/deductions?status=withdrawn"),
        Route(
            "evaluations.define_framework",
            "POST",
            E + "/framework",
            "created",
            {"indicators": small_case()["indicators"]},
        ),
        Route(
            "evaluations.record_data_entry",
            "POST",
            E + "/data-entries",
            body={"key": "执行数", "value": "96.5", "unit": "万元"},
        ),
        Route(
            "evaluations.record_deduction",
            "POST",
            E + "/indicators/1.1/deductions",
            body={"points": "1", "reason": "档案缺失"},
        ),
        Route(
            "evaluations.withdraw_deduction",
            "POST",
            E + "/deductions/{deduction}/withdrawal",
            body={"reason": "补充材料后撤回"},
        ),
        Route(
            "evaluations.assess_checklist",
            "POST",
            E + "/indicators/2.1/checklist",
            body={"met": [True, True], "justification": "复查"},
        ),
        Route(
            "evaluations.record_score",
            "POST",
            E + "/indicators/1.2/score",
            body={"score": "18", "justification": "目标合理"},
        ),
        Route(
            "evaluations.record_survey",
            "POST",
            E + "/indicators/2.2/survey",
            body={"tallies": [[9, 1]]},
        ),
        Route("evaluations.submit", "POST", E + "/submission"),
        Route("evaluations.finalize", "POST", E + "/finalization", "submitted"),
        Route(
            "evaluations.reopen", "POST", E + "/reopening", "finalized", {"reason": "复核发现错误"}
        ),
        Route(
            "review.raise_dispute",
            "POST",
            E + "/disputes",
            "submitted",
            {"deduction_id": "{deduction}", "grounds": "立项材料已齐备"},
        ),
        Route("review.list_disputes", "GET", E + "/disputes", "disputed"),
        Route("review.get_dispute", "GET", E + "/disputes/{dispute}", "disputed"),
        Route(
            "review.decide_dispute",
            "POST",
            E + "/disputes/{dispute}/decision",
            "disputed",
            {"outcome": "upheld", "reason": "材料确不完整"},
        ),
        Route(
            "review.add_note", "POST", E + "/indicators/1.1/notes", body={"text": "请核对立项文件"}
        ),
        Route(
            "review.resolve_note",
            "POST",
            E + "/notes/{note}/resolution",
            "noted",
            {"reason": "已核对"},
        ),
        Route("review.list_notes", "GET", E + "/notes", "noted"),
        Route("audit.diff", "GET", E + "/diff?from=1"),
        Route("audit.explanation", "GET", E + "/indicators/1.1/explanation"),
        Route("audit.findings", "GET", E + "/findings"),
        Route(
            "audit.record_reported_figure",
            "POST",
            E + "/reported-figures",
            body={"indicator": "1.1", "value": "18", "source": "报告附表"},
        ),
        Route("audit.verification", "GET", E + "/verification"),
        Route(
            "audit.prove",
            "POST",
            E + "/verification",
            body={"digest": "0" * 64, "version": 1},
            records=False,
        ),
        Route("sheets.report", "GET", E + "/report?format=json"),
        Route(
            "sheets.import_evaluation",
            "POST",
            "/evaluations/import",
            None,
            small_case(),
            upload=True,
        ),
        Route(
            "targets.record_target_value",
            "POST",
            E + "/indicators/1.1/target-values",
            "targeted",
            {"stage": "monitored", "value": "9", "source": "年中监控表"},
        ),
        Route("targets.sign_off", "POST", E + "/sign-offs", "targeted", {"capacity": "{capacity}"}),
        Route("targets.list_sign_offs", "GET", E + "/sign-offs", "targeted"),
        Route("form.fill_form", "POST", E + "/form", body={"contact": "李明"}),
        Route(
            "form.record_funds",
            "POST",
            E + "/funds",
            body={"source": "财政拨款", "full_year_budget": "620", "executed": "589"},
        ),
        Route(
            "evidence.upload_evidence",
            "POST",
            E + "/evidence",
            body={"说明": "立项材料"},
            upload=True,
            filename="说明.txt",
        ),
        Route("evidence.list_evidence", "GET", E + "/evidence", "evidenced"),
        Route("evidence.download_evidence", "GET", E + "/evidence/{evidence}", "evidenced"),
        Route("feed.events", "GET", "/events", None),
        Route("feed.stream", "GET", "/events/stream", None),
        Route("webhooks.register_webhook", "POST", "/webhooks", None, HOOK),
        Route("webhooks.list_webhooks", "GET", "/webhooks", None),
        Route("webhooks.delete_webhook", "DELETE", "/webhooks/{webhook}", None),
        Route("webhooks.list_deliveries", "GET", "/webhooks/{webhook}/deliveries", None),
        Route("tokens.list_tokens", "GET", "/tokens", None),
        Route("tokens.create_token", "POST", "/tokens", None, {"name": "new", "role": "auditor"}),
        Route("tokens.revoke_token", "POST", "/tokens/{token}/revocation", None),
    )
}

CALLERS = ("evaluator", "reviewer", "subject", "auditor", "admin", "other-subject")
# A caller that may sign signs in a capacity of its own party (domain.signoffs.SIGNERS);
# the others try the evaluation group's.
SIGNS_AS = {
    "reviewer": "财政部门归口业务科室",
    "subject": "部门负责人",
    "other-subject": "部门负责人",
}


def as_caller(ids: dict[str, str], caller: str) -> dict[str, str]:
    """The ids to fill a route with, and the capacity this caller signs in."""
    return {**ids, "capacity": SIGNS_AS.get(caller, "评价组组长")}


def parse_matrix() -> dict[tuple[str, str], int]:
    lines = [line.split() for line in MATRIX.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    assert tuple(header) == CALLERS
    return {
        (row[0], caller): int(code)
        for row in rows
        for caller, code in zip(header, row[1:], strict=True)
    }


EXPECTED = parse_matrix()
SCRIPT = Actor("eva", "evaluator", "matrix-setup")  # who recorded the prepared evaluations
REVIEWER = Actor("rex", "reviewer", "matrix-setup")
UNIT = Actor("unit-rep", "subject", "matrix-setup")


class World:
    """One app for the module; each case prepares its own evaluation in the state it needs."""

    def __init__(self) -> None:
        self.app: Flask = create_app(
            {"SCORETRAIL_DATABASE_URL": "sqlite:///:memory:", "SCORETRAIL_STREAM_MAX_SECONDS": 0.1}
        )
        self.service: EvaluationService = self.app.extensions["scoretrail"]
        self.reviews: ReviewService = self.app.extensions["scoretrail.review"]
        self.tokens: TokenService = self.app.extensions["scoretrail.tokens"]
        self.evidence: EvidenceFiles = self.app.extensions["scoretrail.evidence"]
        self.webhooks: Webhooks = self.app.extensions["scoretrail.webhooks"]
        self.untouched: dict[str | None, dict[str, str]] = {}
        client = self.app.test_client()
        issued = {
            "evaluator": ("alice", "evaluator", None),
            "reviewer": ("rita", "reviewer", None),
            "subject": ("unit", "subject", SUBJECT),
            "auditor": ("audrey", "auditor", None),
            "admin": ("adam", "admin", None),
            "other-subject": ("stranger", "subject", "另一个被评价单位"),
        }
        self.callers = {
            caller: Api(client, bearer(self.tokens.create(*args)[1]))
            for caller, args in issued.items()
        }
        self.callers["anonymous"] = Api(client)
        self.callers["bad-token"] = Api(client, bearer("st_" + "x" * 43))

    def prepare(self, state: str | None) -> dict[str, str]:
        """Ids to fill a route's path with, their evaluation in the given state."""
        ids = {"token": self.tokens.create(f"victim-{uuid.uuid4()}", "auditor")[0]["id"]}
        ids["webhook"] = self.webhooks.register(**HOOK, by="script")["id"]
        if state is None:
            return ids
        if state == "created":
            case = small_case()["evaluation"]
            ids["id"] = self.service.create_evaluation(**case, by=SCRIPT).id
            return ids
        if state == "targeted":
            ids["id"] = self.service.import_evaluation(target_case(), SCRIPT).id
            return ids
        document = self.service.import_evaluation(small_case(), SCRIPT).document()
        ids["id"] = evaluation_id = document["id"]
        leaf = next(i for i in document["indicators"] if i["code"] == "1.1")
        ids["deduction"] = leaf["deductions"][0]["id"]
        if state == "noted":
            ids["note"] = self.reviews.add_note(evaluation_id, "1.1", text="核对", by=REVIEWER)[
                "id"
            ]
        if state in ("submitted", "disputed", "finalized"):
            self.service.submit(evaluation_id, by=REVIEWER)
        if state == "disputed":
            ids["dispute"] = self.reviews.raise_dispute(
                evaluation_id, deduction_id=ids["deduction"], grounds="有异议", by=UNIT
            )["id"]
        if state == "finalized":
            self.service.finalize(evaluation_id, by=REVIEWER)
        if state == "evidenced":
            ids["evidence"] = self.evidence.upload(
                evaluation_id,
                name="批复.pdf",
                media_type="application/pdf",
                content=b"%PDF",
                by=SCRIPT,
            )["id"]
        return ids

    def reused(self, state: str | None) -> dict[str, str]:
        """A prepared evaluation shared by the calls expected to be refused.

        A refusal records nothing (each case checks it), so the state stays as prepared.
        """
        if state not in self.untouched:
            self.untouched[state] = self.prepare(state)
        return self.untouched[state]

    def footprint(self, ids: dict[str, str]) -> tuple[Any, ...]:
        """What a refused call must leave unchanged."""
        version = self.service.document(ids["id"])["version"] if "id" in ids else None
        evaluations = self.service.list_evaluations({}, 1, 1)["total"]
        issued = self.tokens.list_tokens()
        active = [t["id"] for t in issued if t["revoked_at"] is None]
        return version, evaluations, len(issued), len(active), len(self.webhooks.all())


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    yield World()


def fill(template: Any, ids: dict[str, str]) -> Any:
    if isinstance(template, str):
        return template.format(**ids) if "{" in template else template
    if isinstance(template, dict):
        return {k: fill(v, ids) for k, v in template.items()}
    return template


def call(api: Api, route: Route, ids: dict[str, str]) -> Any:
    path = fill(route.path, ids)
    if route.method == "GET":
        return api.get(path)
    if route.method == "DELETE":
        return api.client.delete(api._url(path), headers=api.headers)
    if route.upload:
        payload = json.dumps(route.body, ensure_ascii=False).encode()
        return api.post(
            path,
            data={"file": (io.BytesIO(payload), route.filename)},
            content_type="multipart/form-data",
        )
    return api.post(path, json=fill(route.body, ids))


CASES = [(name, caller) for name in ROUTES for caller in (*CALLERS, "anonymous", "bad-token")]


@pytest.mark.parametrize(("name", "caller"), CASES, ids=[f"{n}-{c}" for n, c in CASES])
def test_route_answers_the_caller_as_the_matrix_says(world: World, name: str, caller: str) -> None:
    route = ROUTES[name]
    expected = EXPECTED.get((name, caller), 401)
    ids = world.prepare(route.state) if expected < 400 else world.reused(route.state)
    before = world.footprint(ids)

    response = call(world.callers[caller], route, as_caller(ids, caller))

    assert response.status_code == expected, response.json
    if expected >= 400:
        assert response.mimetype == "application/problem+json"
        assert world.footprint(ids) == before, "a refused call recorded something"
    elif route.method in ("POST", "DELETE") and route.records:
        assert world.footprint(ids) != before, "an allowed call recorded nothing"
    if expected == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_matrix_covers_every_route_of_the_app(world: World) -> None:
    endpoints = {rule.endpoint for rule in world.app.url_map.iter_rules()}
    pages = {e for e in endpoints if e.startswith("ui.")}  # their own table: web.ui
    routed = endpoints - PUBLIC_ENDPOINTS - {"static"} - pages
    assert routed == {r.endpoint for r in ROUTES.values()}
    assert routed == set(ROUTE_ACTIONS), "classify every route in web.auth.ROUTE_ACTIONS"
    assert set(EXPECTED) == {(n, c) for n in ROUTES for c in CALLERS}


def test_a_subject_lists_only_its_own_subject(world: World) -> None:
    ids = world.prepare("draft")
    other = world.service.import_evaluation(small_case("另一个被评价单位"), SCRIPT).id
    mine = world.callers["subject"].get("/evaluations?per_page=1000").json["items"]
    assert {e["subject"] for e in mine} == {SUBJECT}
    assert ids["id"] in {e["id"] for e in mine}
    theirs = world.callers["other-subject"].get("/evaluations?per_page=1000").json["items"]
    assert other in {e["id"] for e in theirs}
    assert ids["id"] not in {e["id"] for e in theirs}
    asking_for_others = world.callers["subject"].get(f"/evaluations?subject={other}")
    assert asking_for_others.json["items"] == []


def test_another_subjects_evaluation_looks_exactly_like_a_missing_one(world: World) -> None:
    ids = world.prepare("draft")
    stranger = world.callers["other-subject"]
    hidden = stranger.get(f"/evaluations/{ids['id']}").json
    missing_id = str(uuid.uuid4())
    missing = stranger.get(f"/evaluations/{missing_id}").json
    for body in (hidden, missing):
        body.pop("request_id")
    assert hidden == {**missing, "detail": missing["detail"].replace(missing_id, ids["id"])}
