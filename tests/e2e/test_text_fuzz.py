"""Fuzzing every text field of every page form and every import format: each input is either
refused with a 4xx (nothing recorded) or recorded, and every report still renders."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from domain.evaluation import Actor
from tests.cases import SUBJECT, load_directly, small_case, target_case
from tests.conftest import Api, signed_in
from tests.page_forms import PageForm, forms_on
from tests.pages import Browser, browser_for
from tests.renders import every_report
from tests.sheet_files import HEADER, HEADER_FIELDS, upload, xlsx
from web import create_app

pytestmark = pytest.mark.fuzz

# The three tests take about 30 s together on one core.
PAGE_EXAMPLES = 100
IMPORT_EXAMPLES = 60
SETUP = Actor("rita", "reviewer", "fuzz-setup")
# What each typed field holds when another field of its form is fuzzed: an acceptable value.
TYPICAL = {
    "points": "0.01",
    "reason": "理由",
    "grounds": "异议理由",
    "text": "意见",
    "capacity": "评价组长",
    "opinion": "同意",
    "organization": "某单位",
    "phone": "0571-87001234",
    "value": "1",
    "score": "1",
    "justification": "依据",
    "deviation_reason": "原因",
    "improvement": "措施",
    "source": "台账",
    "evidence_title": "",
    "evidence_locator": "",
    "token": "st_x",
    "version": "",
    "as_of": "",
    "from": "",
    "to": "",
    "subject": "",
    "fiscal_year": "",
    "actor": "",
    "key": "到位数",
    "unit": "万元",
    "title": "评价",
    "evaluator": "",
    "total_weight": "100",
    "required_sign_offs": "",
    "time_zone": "",
}
# the first outcome offered (upheld) takes no points; a new evaluation needs its unit and year
TYPICAL_ON = {
    ("ui.decide_dispute", "points"): "",
    ("ui.open_evaluation", "subject"): "某单位",
    ("ui.open_evaluation", "fiscal_year"): "2024",
}
CONTROLS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))] + ["\ufffe", "\uffff"]
# Any text a browser can send (no lone surrogates: UTF-8 cannot carry them): half of it clean,
# half with control characters, noncharacters and line breaks among it.
CLEAN = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)
HOSTILE = st.lists(
    st.one_of(
        st.characters(blacklist_categories=("Cs",)), st.sampled_from(CONTROLS), st.just("\n")
    ),
    max_size=12,
).map("".join)
TEXT = st.one_of(CLEAN, HOSTILE)


@dataclass(frozen=True)
class Offered:
    """A form a role was offered on some page."""

    role: str
    form: PageForm


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    yield create_app({"SCORETRAIL_DATABASE_URL": "sqlite:///:memory:", "TESTING": True})


@pytest.fixture(scope="module")
def evaluations(app: Flask) -> list[str]:
    """A draft, a target-scored draft, a submitted one with an open dispute, a finalized one."""
    draft, targeted = load_directly(app, small_case()), load_directly(app, target_case())
    submitted, finalized = load_directly(app, small_case()), load_directly(app, small_case())
    service, reviews = app.extensions["scoretrail"], app.extensions["scoretrail.review"]
    for evaluation in (submitted, finalized):
        service.submit(evaluation, by=SETUP)
    service.finalize(finalized, by=SETUP)
    unit = Actor("unit", "subject", "fuzz-setup")
    reviews.raise_dispute(submitted, grounds="不同意", indicator="1.2", by=unit)
    return [draft, targeted, submitted, finalized]


@pytest.fixture(scope="module")
def browsers(app: Flask) -> dict[str, Browser]:
    return {
        "evaluator": browser_for(app, "evaluator", "alice"),
        "reviewer": browser_for(app, "reviewer", "rita"),
        "subject": browser_for(app, "subject", "unit", SUBJECT),
    }


@pytest.fixture(scope="module")
def offered(app: Flask, evaluations: list[str], browsers: dict[str, Browser]) -> list[Offered]:
    """Every form on every page each role can open (the sign-in form for nobody)."""
    found = [Offered("anonymous", f) for f in forms_on(app.test_client().get("/ui/login").text)]
    service = app.extensions["scoretrail"]
    for role, browser in browsers.items():
        paths = ["/ui/evaluations", "/ui/disputes", "/ui/evaluations/new", "/ui/evaluations/import"]
        for evaluation in evaluations:
            base = f"/ui/evaluations/{evaluation}"
            codes = [i["code"] for i in service.document(evaluation)["indicators"]]
            paths += [base, base + "/history", base + "/diff"]
            paths += [f"{base}/indicators/{code}" for code in codes]
        for path in paths:
            page = browser.get(path)
            assert page.status_code in (200, 403), (role, path)  # 403: not this role's page
            found += [Offered(role, form) for form in forms_on(page.text)]
    return found


def endpoint(app: Flask, form: PageForm) -> tuple[str, dict[str, Any]]:
    adapter = app.url_map.bind("localhost")
    name, args = adapter.match(urlsplit(form.action).path, method=form.method.upper())
    return str(name), dict(args)


def test_every_form_the_pages_post_to_is_found_and_fuzzed(
    app: Flask, offered: list[Offered]
) -> None:
    posting = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("ui.") and "POST" in (rule.methods or ())
    }
    found = {endpoint(app, o.form)[0] for o in offered if o.form.method == "post"}
    assert posting - {"ui.missing"} <= found, "a form no page of the fuzz setup shows"
    typed = {name for o in offered for name in o.form.typed}
    assert typed <= set(TYPICAL), "a typed field without a typical value"


def version(app: Flask, evaluation_id: str | None) -> int:
    """The evaluation's version; for a form of no evaluation, how many evaluations exist."""
    service = app.extensions["scoretrail"]
    if evaluation_id is None:
        return int(service.list_evaluations({}, 1, 1)["total"])
    return int(service.document(evaluation_id)["version"])


def post(
    app: Flask, browsers: dict[str, Browser], choice: Offered, field: str, text: str
) -> tuple[str, int, int, int]:
    """Send the form with `text` in `field`: the endpoint, the status, versions before/after."""
    name, args = endpoint(app, choice.form)
    typical = {n: TYPICAL_ON.get((name, n), TYPICAL[n]) for n in choice.form.typed}
    form = {**choice.form.fixed, **typical, field: text}
    evaluation = str(args["evaluation_id"]) if "evaluation_id" in args else None
    before = version(app, evaluation)
    if choice.role == "anonymous":
        answer = app.test_client().post(choice.form.action, data=form)
    elif choice.form.method == "post":
        form.pop("csrf_token", None)
        answer = browsers[choice.role].post(choice.form.action, form)
    else:
        answer = browsers[choice.role].client.get(choice.form.action, query_string=form)
    assert answer.status_code < 500, (name, field, text, answer.text[:500])
    if answer.status_code >= 400:
        assert answer.mimetype == "text/html", (name, field, text)
    return name, answer.status_code, before, version(app, evaluation)


def test_every_page_field_is_recorded_or_refused_and_the_reports_still_render(
    app: Flask, evaluations: list[str], browsers: dict[str, Browser], offered: list[Offered]
) -> None:
    fuzzed = [o for o in offered if o.form.typed]

    @settings(max_examples=PAGE_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        choice = data.draw(st.sampled_from(fuzzed))
        field = data.draw(st.sampled_from(choice.form.typed))
        text = data.draw(TEXT)
        name, status, before, after = post(app, browsers, choice, field, text)
        event(f"{name} {status}")
        if status >= 400:
            assert after == before, (name, field, text)  # nothing recorded
        elif choice.form.method == "post" and name != "ui.login_submit":
            assert status == 303 and after > before, (name, field, text)

    fuzz()
    auditor = signed_in(app, "auditor", "audrey")
    for index, evaluation in enumerate(evaluations):
        every_report(auditor, evaluation, pdf=index == 0)  # pdf is slow: one sample


# --- imports ----------------------------------------------------------------------------------

# xlsx cannot carry C0 controls (XML 1.0 forbids them; openpyxl refuses to write them).
XLSX_TEXT = TEXT.map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text))


def sheet_rows(name: str, process: str) -> list[list[Any]]:
    return [
        HEADER,
        ["决策", name, "依据", 3, None, process, 3],
        ["过程", "管理", "制度", 2, None, "", 2],
    ]


def csv_file(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def fixture(part: str, text: str) -> bytes:
    """The small case with `text` in one of its text fields."""
    case = small_case()
    where = {
        "title": case["evaluation"],
        "reason": case["actions"][0],
        "source": case["data_entries"][0],
        "name": case["indicators"][1],
    }
    where[part][part] = text
    return json.dumps(case, ensure_ascii=False).encode("utf-8")


FILES = st.one_of(
    st.tuples(
        st.just("sheet.xlsx"), st.builds(lambda a, b: xlsx(sheet_rows(a, b)), XLSX_TEXT, XLSX_TEXT)
    ),
    st.tuples(st.just("sheet.csv"), st.builds(lambda a, b: csv_file(sheet_rows(a, b)), TEXT, TEXT)),
    st.tuples(
        st.just("case.json"),
        st.builds(fixture, st.sampled_from(["title", "reason", "source", "name"]), TEXT),
    ),
)


@pytest.fixture(scope="module")
def importer(app: Flask) -> Api:
    return signed_in(app, "evaluator", "ivy")


def count(api: Api) -> int:
    return int(api.get("/evaluations?per_page=1").json["total"])


@settings(
    max_examples=IMPORT_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(file=FILES)
def test_every_import_format_records_or_refuses_and_what_it_records_renders(
    importer: Api, file: tuple[str, bytes]
) -> None:
    filename, content = file
    event(filename)
    before = count(importer)
    answer = importer.post(
        "/evaluations/import",
        data=upload(content, filename, **HEADER_FIELDS),
        content_type="multipart/form-data",
    )
    assert answer.status_code < 500, (filename, answer.json)
    event(f"{filename} {answer.status_code}")
    if answer.status_code >= 400:
        assert answer.status_code == 422 and answer.json["rows"], answer.json
        assert count(importer) == before
        return
    assert answer.status_code == 201 and count(importer) == before + 1
    every_report(importer, answer.json["id"], pdf=False)
