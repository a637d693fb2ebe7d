"""The pages through the Flask test client: sign-in, CSRF, security headers, readable errors."""

from __future__ import annotations

import json
import re
import uuid
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

from domain.evaluation import Actor
from tests.cases import SUBJECT, load_directly
from tests.conftest import REFERENCE, Api
from tests.pages import CSRF, Browser, browser_for, sign_in_with

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "ui" / "templates"


def version(app: Flask, evaluation_id: str) -> int:
    return int(app.extensions["scoretrail"].document(evaluation_id)["version"])


def test_the_sign_in_form_has_one_token_field_and_a_csrf_token(app: Flask) -> None:
    page = app.test_client().get("/ui/login")
    assert page.status_code == 200
    assert re.findall(r'<input[^>]+name="([a-z_]+)"', page.text) == ["csrf_token", "next", "token"]


def test_a_valid_token_starts_a_session_cookie_that_scripts_cannot_read(app: Flask) -> None:
    _, secret = app.extensions["scoretrail.tokens"].create("alice", "evaluator")
    answer = sign_in_with(app.test_client(), secret)
    assert answer.status_code == 303
    cookie = next(c for c in answer.headers.getlist("Set-Cookie") if "scoretrail_session" in c)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie, "plain HTTP on 127.0.0.1: a Secure cookie would be dropped"
    assert secret not in cookie, "the cookie holds a session id, never the API token"


def test_the_session_cookie_is_secure_when_served_over_tls(app: Flask) -> None:
    _, secret = app.extensions["scoretrail.tokens"].create("alice", "evaluator")
    client = app.test_client()
    form = client.get("/ui/login", base_url="https://scoretrail.example")
    token = CSRF.search(form.text).group(1)  # type: ignore[union-attr]
    answer = client.post(
        "/ui/login",
        data={"token": secret, "csrf_token": token},
        base_url="https://scoretrail.example",
    )
    assert "Secure" in next(c for c in answer.headers.getlist("Set-Cookie") if "session" in c)


def test_a_wrong_token_is_refused_on_the_form_and_starts_nothing(app: Flask) -> None:
    client = app.test_client()
    answer = sign_in_with(client, "st_" + "x" * 43)
    assert answer.status_code == 401
    assert "令牌无效或已被吊销" in answer.text
    assert "scoretrail_session" not in " ".join(answer.headers.getlist("Set-Cookie"))
    assert client.get("/ui/evaluations").status_code == 302


def test_a_page_without_a_session_sends_to_the_sign_in_form_and_back(app: Flask) -> None:
    client = app.test_client()
    answer = client.get("/ui/evaluations?fiscal_year=2023")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/ui/login?next=")


def test_sign_in_never_redirects_off_the_site(app: Flask) -> None:
    _, secret = app.extensions["scoretrail.tokens"].create("alice", "evaluator")
    client = app.test_client()
    form = client.get("/ui/login?next=https://evil.example/x")
    token = CSRF.search(form.text).group(1)  # type: ignore[union-attr]
    answer = client.post(
        "/ui/login",
        data={"token": secret, "csrf_token": token, "next": "//evil.example/x"},
    )
    assert answer.headers["Location"] == "/ui/evaluations"


def test_a_sign_in_form_posted_without_its_csrf_token_is_refused(app: Flask) -> None:
    _, secret = app.extensions["scoretrail.tokens"].create("alice", "evaluator")
    answer = app.test_client().post("/ui/login", data={"token": secret})
    assert answer.status_code == 403
    assert "scoretrail_session" not in " ".join(answer.headers.getlist("Set-Cookie"))


def test_signing_out_ends_the_session_on_the_server(app: Flask, evaluator: Browser) -> None:
    cookie = evaluator.client.get_cookie("scoretrail_session", path="/ui")
    assert cookie is not None
    assert evaluator.post("/ui/logout").status_code == 303
    replay = app.test_client()
    replay.set_cookie("scoretrail_session", cookie.value, path="/ui")
    assert replay.get("/ui/evaluations").status_code == 302, "the old cookie opens nothing"


def test_a_form_without_the_csrf_token_is_refused_and_records_nothing(
    app: Flask, evaluator: Browser, evaluation: str
) -> None:
    before = version(app, evaluation)
    answer = evaluator.post(
        f"/ui/evaluations/{evaluation}/indicators/1.1/deductions",
        {"points": "1", "reason": "档案缺失"},
        csrf=False,
    )
    assert answer.status_code == 403
    assert "CSRF" in answer.text
    forged = evaluator.client.post(
        f"/ui/evaluations/{evaluation}/indicators/1.1/deductions",
        data={"points": "1", "reason": "档案缺失", "csrf_token": "forged"},
    )
    assert forged.status_code == 403
    assert version(app, evaluation) == before


def test_a_form_without_a_session_is_refused_with_a_page(app: Flask, evaluation: str) -> None:
    answer = app.test_client().post(
        f"/ui/evaluations/{evaluation}/submission", data={"csrf_token": "x"}
    )
    assert answer.status_code == 401
    assert answer.mimetype == "text/html"


def test_a_refused_deduction_shows_the_domains_message_beside_the_form(
    app: Flask, evaluator: Browser, evaluation: str
) -> None:
    before = version(app, evaluation)
    answer = evaluator.post(
        f"/ui/evaluations/{evaluation}/indicators/1.1/deductions",
        {"points": "99", "reason": "超过分值"},
    )
    assert answer.status_code == 409
    form = answer.text[answer.text.index('/indicators/1.1/deductions"') :]
    assert "未记录" in form[: form.index("</form>")]
    assert 'value="99"' in form, "what was typed is kept"
    assert version(app, evaluation) == before


def test_a_deduction_without_a_reason_is_refused_beside_the_form(
    app: Flask, evaluator: Browser, evaluation: str
) -> None:
    before = version(app, evaluation)
    answer = evaluator.post(
        f"/ui/evaluations/{evaluation}/indicators/1.1/deductions", {"points": "1"}
    )
    assert answer.status_code == 422
    assert "未记录：输入有误：理由 必须填写。" in answer.text
    assert version(app, evaluation) == before


def test_an_accepted_deduction_is_recorded_under_the_sessions_identity(
    app: Flask, evaluator: Browser, evaluation: str
) -> None:
    answer = evaluator.post(
        f"/ui/evaluations/{evaluation}/indicators/1.1/deductions",
        {"points": "1.5", "reason": "会议纪要缺失", "evidence_title": "会议记录"},
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("notice=deducted#timeline")
    history = app.extensions["scoretrail"].history(evaluation, 1, 1000)["items"]
    last = next(e for e in reversed(history) if e["type"] == "DeductionRecorded")
    assert (last["actor"], last["role"]) == ("alice", "evaluator")
    assert last["data"]["evidence"][0]["title"] == "会议记录"
    page = evaluator.get(answer.headers["Location"])
    assert "扣分已记录" in page.text and "会议纪要缺失" in page.text


def test_unknown_evaluations_and_indicators_are_404_pages(
    evaluator: Browser, evaluation: str
) -> None:
    for path in (
        f"/ui/evaluations/{uuid.uuid4()}",
        f"/ui/evaluations/{evaluation}/indicators/9.9",
        "/ui/no/such/page",
    ):
        answer = evaluator.get(path)
        assert answer.status_code == 404, path
        assert answer.mimetype == "text/html"
        assert "404" in answer.text


def test_an_unexpected_error_is_a_page_without_internals(
    app: Flask, evaluator: Browser, evaluation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.extensions["scoretrail"], "document", broken)
    answer = evaluator.get(f"/ui/evaluations/{evaluation}")
    assert answer.status_code == 500
    assert "secret internals" not in answer.text and "Traceback" not in answer.text
    assert "意外错误" in answer.text


def test_the_sheet_at_a_version_is_marked_as_a_past_state(
    evaluator: Browser, evaluation: str
) -> None:
    now = evaluator.get(f"/ui/evaluations/{evaluation}")
    then = evaluator.get(f"/ui/evaluations/{evaluation}?version=2")
    assert "历史状态" not in now.text
    assert "历史状态" in then.text and "版本 2" in then.text
    assert evaluator.get(f"/ui/evaluations/{evaluation}?version=x").status_code == 422


def test_a_picked_time_before_the_evaluation_existed_is_a_readable_404(
    evaluator: Browser, evaluation: str
) -> None:
    answer = evaluator.get(f"/ui/evaluations/{evaluation}?as_of=2000-01-01T00:00")
    assert answer.status_code == 404
    assert "尚不存在" in answer.text  # the API's own words, in Chinese


def test_every_page_has_the_strict_policy_and_no_inline_script_or_style(
    app: Flask, evaluator: Browser, evaluation: str
) -> None:
    for path in (
        "/ui/login",
        "/ui/evaluations",
        f"/ui/evaluations/{evaluation}",
        f"/ui/evaluations/{evaluation}/indicators/1.1",
        f"/ui/evaluations/{evaluation}/history",
        f"/ui/evaluations/{evaluation}/diff?from=1",
        "/ui/disputes",
        "/ui/nowhere",
    ):
        answer = evaluator.get(path)
        policy = answer.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "unsafe-inline" not in policy, path
        assert not re.search(r"<script(?![^>]*\bsrc=)", answer.text), path
        assert not re.search(r"\sstyle=|\son[a-z]+=", answer.text), path
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)|\sstyle=|\son[a-z]+=", text), template


def test_downloads_come_from_the_sheet_page(evaluator: Browser, evaluation: str, api: Api) -> None:
    for fmt, media in (("xlsx", "spreadsheetml"), ("csv", "text/csv"), ("html", "text/html")):
        answer = evaluator.get(f"/ui/evaluations/{evaluation}/report?format={fmt}")
        assert answer.status_code == 200 and media in answer.content_type
        assert "attachment" in answer.headers["Content-Disposition"] or fmt == "html"
    packet = evaluator.get(f"/ui/evaluations/{evaluation}/audit-packet").json
    assert packet["verification"]["ok"] is True
    pdf = evaluator.get(f"/ui/evaluations/{evaluation}/report?format=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF"), "the API's PDF, from a page"
    page_book = evaluator.get(f"/ui/evaluations/{evaluation}/report?format=xlsx").data
    api_book = api.get(f"/evaluations/{evaluation}/report?format=xlsx").data
    sheets = [load_workbook(BytesIO(book)).sheetnames for book in (page_book, api_book)]
    assert sheets[0] == sheets[1] and len(sheets[0]) > 1, "the record the API gives"


def test_the_api_description_is_browsable_without_a_token(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    for asset in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        if asset.startswith("data:"):
            continue
        assert client.get(asset).status_code == 200, asset
    assert client.get("/api/v1/docs/assets/index.html").status_code == 404


def test_a_subject_sees_its_own_evaluations_only(app: Flask, evaluation: str) -> None:
    from tests.cases import small_case

    other = load_directly(app, small_case("另一个被评价单位"))
    unit = browser_for(app, "subject", "unit", SUBJECT)
    listed = unit.get("/ui/evaluations").text
    assert evaluation in listed and other not in listed
    assert unit.get("/ui/evaluations?subject=另一个被评价单位").text.count("/ui/evaluations/") == 0
    assert unit.get(f"/ui/evaluations/{other}").status_code == 404


def test_a_subject_contests_a_leaf_score_from_its_page(app: Flask, evaluation: str) -> None:
    reviewer = Actor("rex", "reviewer", "setup")
    app.extensions["scoretrail"].submit(evaluation, by=reviewer)
    unit = browser_for(app, "subject", "unit", SUBJECT)
    page = unit.get(f"/ui/evaluations/{evaluation}/indicators/1.2")
    assert "对此得分提出异议" in page.text
    answer = unit.post(
        f"/ui/evaluations/{evaluation}/disputes",
        {"indicator": "1.2", "target": "score", "grounds": "目标依据充分"},
    )
    assert answer.status_code == 303
    queue = app.extensions["scoretrail.review"].disputes(evaluation, "open")["items"]
    assert [(d["indicator"], d["target"], d["raised_by"]) for d in queue] == [
        ("1.2", "indicator", "unit")
    ]
    again = unit.get(f"/ui/evaluations/{evaluation}/indicators/1.2")
    assert "对此得分提出异议" not in again.text, "one open dispute per target"


def test_the_chain_check_and_findings_run_on_request_for_those_who_read_the_trail(
    app: Flask, evaluator: Browser, evaluation: str
) -> None:
    plain = evaluator.get(f"/ui/evaluations/{evaluation}")
    assert "事件链校验通过" not in plain.text and "checks=1" in plain.text
    checked = evaluator.get(f"/ui/evaluations/{evaluation}?checks=1")
    assert "事件链校验通过" in checked.text and "审计发现" in checked.text
    unit = browser_for(app, "subject", "unit", SUBJECT)
    refused = unit.get(f"/ui/evaluations/{evaluation}?checks=1")
    assert refused.status_code == 200
    assert "事件链" not in refused.text and "checks=1" not in refused.text


def test_a_subjects_dispute_queue_holds_its_own_disputes_only(app: Flask, evaluation: str) -> None:
    from tests.cases import small_case

    other = load_directly(app, small_case("另一个被评价单位"))
    reviewer = Actor("rex", "reviewer", "setup")
    for evaluation_id, grounds in ((evaluation, "本单位的异议"), (other, "别家的异议")):
        app.extensions["scoretrail"].submit(evaluation_id, by=reviewer)
        app.extensions["scoretrail.review"].raise_dispute(
            evaluation_id, indicator="1.2", grounds=grounds, by=reviewer
        )
    unit = browser_for(app, "subject", "unit", SUBJECT).get("/ui/disputes").text
    assert "本单位的异议" in unit and "别家的异议" not in unit
    assert "提交裁定" not in unit, "a subject is offered no decision form"
    queue = browser_for(app, "reviewer", "rita").get("/ui/disputes").text
    assert "本单位的异议" in queue and "别家的异议" in queue
    assert queue.count("提交裁定") == 2


def test_the_sheet_and_indicator_pages_still_show_withdrawn_deductions_marked(
    app: Flask, evaluator: Browser, evaluation: str
) -> None:
    service = app.extensions["scoretrail"]
    by = Actor("alice", "evaluator", "c-pages")
    made = service.record_deduction(evaluation, "1.1", points="1", reason="台账不全", by=by).record
    service.withdraw_deduction(evaluation, made["id"], reason="补齐后撤回", by=by)
    for path in (f"/ui/evaluations/{evaluation}", f"/ui/evaluations/{evaluation}/indicators/1.1"):
        page = evaluator.get(path)
        assert page.status_code == 200
        assert "台账不全" in page.text and "已撤回" in page.text


def test_the_event_log_page_filters_by_type_and_person(app: Flask, evaluation: str) -> None:
    evaluator = browser_for(app, "evaluator", "carol")
    evaluator.post(
        f"/ui/evaluations/{evaluation}/indicators/1.1/deductions",
        {"points": "1", "reason": "纪要缺失一份"},
    )
    log = f"/ui/evaluations/{evaluation}/history"
    everything = evaluator.get(log)
    assert everything.status_code == 200 and "定义指标体系" in everything.text
    deductions = evaluator.get(log, query_string={"type": "DeductionRecorded"})
    rows = deductions.text.split("<tbody>", 1)[1]
    assert "纪要缺失一份" in rows and "定义指标体系" not in rows
    by_carol = evaluator.get(log, query_string={"actor": "carol"})
    rows = by_carol.text.split("<tbody>", 1)[1]
    assert rows.count("<tr>") == 2  # the deduction and the score change it caused
    nobody = evaluator.get(log, query_string={"actor": "nobody"})
    assert "<tr>" not in nobody.text.split("<tbody>", 1)[1]


def test_the_event_log_page_shows_nothing_since_a_submission_that_never_happened(
    evaluator: Browser, evaluation: str
) -> None:
    page = evaluator.get(
        f"/ui/evaluations/{evaluation}/history", query_string={"since": "submission"}
    )
    assert page.status_code == 200
    assert "<tr>" not in page.text.split("<tbody>", 1)[1]
    assert "该评价尚未提交" in page.text  # said, not left to an empty table


def test_a_refusal_beside_a_form_speaks_chinese_unless_english_is_preferred(
    app: Flask, evaluator: Browser, evaluation: str
) -> None:
    path = f"/ui/evaluations/{evaluation}/indicators/1.1/deductions"
    chinese = evaluator.post(path, {"points": "99", "reason": "超过分值"})
    assert chinese.status_code == 409
    assert "低于 0" in chinese.text and "below 0" not in chinese.text
    evaluator.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    english = evaluator.post(path, {"points": "99", "reason": "超过分值"})
    assert "would take its score below 0" in english.text


def test_the_event_log_pages_keep_their_filters(app: Flask) -> None:
    spec = json.loads(REFERENCE.read_text(encoding="utf-8"))
    loader = Actor(name="张评价", role="evaluator", correlation_id="pager")
    evaluation = app.extensions["scoretrail"].import_evaluation(spec, loader).id
    reader = browser_for(app, "auditor", "审计员")
    page = reader.get(f"/ui/evaluations/{evaluation}/history", query_string={"actor": "张评价"})
    pager = page.text[page.text.index('class="pager"') :]
    assert "<strong>1</strong>" in pager
    link = re.search(r'href="([^"]*page=2[^"]*)"', pager)
    assert link is not None and "actor=" in link.group(1)


def test_a_self_evaluation_sheet_names_its_kind_and_outcomes_in_chinese(app: Flask) -> None:
    example = REFERENCE.parent / "county-water-supply-self-evaluation-2025.json"
    spec = json.loads(example.read_text(encoding="utf-8"))
    loader = Actor(name="张评价", role="evaluator", correlation_id="labels")
    service = app.extensions["scoretrail"]
    evaluation = service.import_evaluation(spec, loader, transcribe_sign_offs=True).id
    sheet = browser_for(app, "auditor", "审计员").get(f"/ui/evaluations/{evaluation}").text
    assert "绩效自评" in sheet and "self-evaluation" not in sheet
    assert "部分达成" in sheet and "partial" not in sheet
