"""Sheet import and report export through the service, on the SQLite store."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from adapters.bootstrap import build_sheets
from application.errors import SheetRejected
from application.service import EvaluationService
from application.sheets import SheetTransfer
from domain.evaluation import Actor
from tests.sheet_files import HEADER, MERGED_SCORES, MERGES, merged_table, xlsx


@pytest.fixture
def sheets(service: EvaluationService) -> SheetTransfer:
    return build_sheets(service)


def leaves(document: dict[str, Any]) -> dict[str, str | None]:
    parents = {i["parent"] for i in document["indicators"]}
    return {i["code"]: i["score"] for i in document["indicators"] if i["code"] not in parents}


def by_code(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["code"]: i for i in document["indicators"]}


def recorded(service: EvaluationService) -> int:
    return int(service.list_evaluations({})["total"])


def test_every_leaf_gets_the_sheets_score_and_the_total_is_the_sheets(
    sheets: SheetTransfer, actor: Actor
) -> None:
    result = sheets.import_sheet(xlsx(merged_table(), merges=MERGES), "annex.xlsx", by=actor)

    document = result["evaluation"]
    assert leaves(document) == MERGED_SCORES
    assert document["total"] == result["total"] == "23.73"
    assert document["title"] == "某项目2022年度绩效评价指标评分表"
    assert (document["subject"], document["fiscal_year"], document["kind"]) == (
        "某区人社局",
        2022,
        "project",
    )


def test_deduction_rows_become_deductions_with_the_rows_text_as_reason(
    sheets: SheetTransfer, actor: Actor
) -> None:
    document = sheets.import_sheet(xlsx(merged_table()), "annex.xlsx", by=actor)["evaluation"]

    leaf = by_code(document)["2.2.1"]
    assert leaf["method"] == "deduction"
    assert [(d["points"], d["reason"]) for d in leaf["deductions"]] == [
        ("1.00", "未能对项目运营进行有效监管")
    ]


def test_rule_leaves_without_rule_data_are_imported_as_manual_with_a_warning_each(
    sheets: SheetTransfer, actor: Actor
) -> None:
    result = sheets.import_sheet(xlsx(merged_table()), "annex.xlsx", by=actor)

    indicators = by_code(result["evaluation"])
    assert {code: indicators[code]["method"] for code in ("1.1.1", "1.1.2", "2.1.1")} == {
        "1.1.1": "manual",
        "1.1.2": "manual",
        "2.1.1": "manual",
    }
    assert "清单" in indicators["1.1.1"]["criteria"]
    assert "比率" in indicators["2.1.1"]["criteria"]
    # one warning per such leaf, on its row and the method column (E)
    assert [(w["sheet"], w["row"], w["column"]) for w in result["warnings"]] == [
        ("评分表", 4, "E"),
        ("评分表", 5, "E"),
        ("评分表", 7, "E"),
    ]
    assert "manual" in result["warnings"][0]["message"]


def test_manual_scores_keep_the_rows_evaluation_text_as_justification(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor
) -> None:
    evaluation_id = sheets.import_sheet(xlsx(merged_table()), "a.xlsx", by=actor)["id"]

    events = service.history(evaluation_id)["items"]
    recorded_scores = {
        e["data"]["code"]: e["data"]["justification"]
        for e in events
        if e["type"] == "ScoreRecorded"
    }
    assert recorded_scores["2.1.1"] == "执行率36.74%"
    assert recorded_scores["1.2.1"] == "目标合理"
    assert {e["actor"] for e in events} == {"alice"}
    assert {e["correlation_id"] for e in events} == {"test-correlation"}


def test_a_rule_leaf_with_its_data_keeps_its_method_and_an_override_stands_beside_it(
    sheets: SheetTransfer, actor: Actor
) -> None:
    spec = {
        "evaluation": {"title": "t", "subject": "s", "fiscal_year": 2022, "kind": "project"},
        "indicators": [
            {
                "code": "1",
                "name": "清单项",
                "weight": "3",
                "method": "checklist",
                "items": [{"text": "a", "points": "1"}, {"text": "b", "points": "2"}],
            },
            {"code": "2", "name": "其他", "weight": "97", "method": "deduction"},
        ],
        "actions": [
            {"indicator": "1", "action": "checklist", "met": [True, False], "justification": "j"},
            {"indicator": "1", "action": "score", "score": "2.5", "justification": "表中得分"},
        ],
    }
    result = sheets.import_sheet(json.dumps(spec).encode(), "case.json", by=actor)

    leaf = by_code(result["evaluation"])["1"]
    assert (leaf["method"], leaf["score"], leaf["rule_score"], leaf["overridden"]) == (
        "checklist",
        "2.50",
        "1.00",
        True,
    )
    assert result["warnings"] == []


def test_reference_case_json_imports_to_its_published_total(
    sheets: SheetTransfer, actor: Actor, reference_case: dict[str, Any]
) -> None:
    data = json.dumps(reference_case, ensure_ascii=False).encode()

    result = sheets.import_sheet(data, "jiyang.json", by=actor)

    assert (result["total"], result["grade"]) == ("88.66", "良")
    assert result["warnings"] == []  # every expected figure recomputes
    for code, value in reference_case["expected"]["leaves"].items():
        assert by_code(result["evaluation"])[code]["score"] == value


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_export_then_import_gives_the_same_leaf_scores_and_total(
    service: EvaluationService,
    sheets: SheetTransfer,
    actor: Actor,
    reference_case: dict[str, Any],
    fmt: str,
) -> None:
    original = service.import_evaluation(reference_case, actor).document()
    report = sheets.report(original["id"], fmt)

    again = sheets.import_sheet(report.content, report.filename, by=actor)["evaluation"]

    assert leaves(again) == leaves(original)
    assert again["total"] == original["total"] == "88.66"
    assert again["grade"] == "良"
    assert [i["weight"] for i in again["indicators"]] == [
        i["weight"] for i in original["indicators"]
    ]


def test_overrides_survive_the_round_trip_as_the_recorded_score(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor, reference_case: dict[str, Any]
) -> None:
    original = service.import_evaluation(reference_case, actor).document()
    service.record_score(
        original["id"], "2.1.2", score="1.50", justification="复核认可部分支出", by=actor
    )
    report = sheets.report(original["id"], "xlsx")

    again = sheets.import_sheet(report.content, "export.xlsx", by=actor)["evaluation"]

    assert by_code(again)["2.1.2"]["score"] == "1.50"
    assert again["total"] == "89.43"


def test_the_kind_prints_in_chinese_and_reads_back_as_its_code(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor, reference_case: dict[str, Any]
) -> None:
    original = service.import_evaluation(reference_case, actor).document()
    report = sheets.report(original["id"], "xlsx")
    cells = [
        c.value for row in load_workbook(io.BytesIO(report.content)).active.iter_rows() for c in row
    ]
    assert any("评价类型：项目支出绩效评价" in str(v) for v in cells)
    assert not any("评价类型：project" in str(v) for v in cells)
    again = sheets.import_sheet(report.content, "export.xlsx", by=actor)["evaluation"]
    assert again["kind"] == "project"


def test_reported_total_that_does_not_add_up_is_kept_as_recorded_and_flagged(
    sheets: SheetTransfer, actor: Actor
) -> None:
    rows = merged_table()
    rows[-1][-1] = 25  # the 合计 row claims 25; the rows add up to 23.73

    result = sheets.import_sheet(xlsx(rows), "annex.xlsx", by=actor)

    assert result["total"] == "23.73"
    flagged = [w for w in result["warnings"] if "合计" in w["message"]]
    assert len(flagged) == 1
    assert "25" in flagged[0]["message"]


def test_dry_run_lists_the_events_and_records_nothing(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor
) -> None:
    result = sheets.import_sheet(xlsx(merged_table()), "annex.xlsx", by=actor, dry_run=True)

    assert result["dry_run"] is True
    assert result["id"] is None
    assert (result["total"], result["grade"]) == ("23.73", "优")  # bands scale to the 26 points
    types = [e["type"] for e in result["events"]]
    assert types[:2] == ["Created", "FrameworkDefined"]
    assert "DeductionRecorded" in types
    assert result["event_count"] == len(types)
    deduction = next(e for e in result["events"] if e["type"] == "DeductionRecorded")
    assert deduction["data"]["code"] == "2.2.1"
    assert deduction["actor"] == "alice"
    assert recorded(service) == 0


def test_a_broken_weight_sum_names_the_row_and_cell_and_records_nothing(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor
) -> None:
    rows = [
        ["一级指标", "分值", "二级指标", "分值", "得分"],
        ["决策", 20, "立项", 6, 6],
        [None, None, "目标", 10, 9],
        ["过程", 10, "管理", 10, 8],
    ]
    with pytest.raises(SheetRejected) as excinfo:
        sheets.import_sheet(
            xlsx(rows, merges=("A2:A3", "B2:B3")),
            "w.xlsx",
            {"subject": "s", "kind": "k", "fiscal_year": 2022},
            by=actor,
        )

    assert [(r["sheet"], r["row"], r["column"]) for r in excinfo.value.rows] == [("评分表", 2, "B")]
    assert "16" in excinfo.value.rows[0]["message"]
    assert "决策" in excinfo.value.rows[0]["message"]
    assert recorded(service) == 0


def test_missing_header_fields_are_named_with_the_rest_of_the_problems(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor
) -> None:
    rows = [HEADER, ["决策", "立项", "依据", 3, None, None, 3]]

    with pytest.raises(SheetRejected) as excinfo:
        sheets.import_sheet(xlsx(rows), "t.xlsx", by=actor)

    assert [r["column"] for r in excinfo.value.rows] == ["subject", "fiscal_year", "kind"]
    assert recorded(service) == 0


def test_an_action_the_domain_refuses_is_pinned_to_its_place_in_the_json(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor
) -> None:
    spec = {
        "evaluation": {"title": "t", "subject": "s", "fiscal_year": 2022, "kind": "project"},
        "indicators": [
            {"code": "1", "name": "甲", "weight": "40", "method": "deduction"},
            {"code": "2", "name": "乙", "weight": "60", "method": "deduction"},
        ],
        "actions": [
            {"indicator": "1", "action": "deduct", "points": "1", "reason": "ok"},
            {"indicator": "2", "action": "deduct", "points": "61", "reason": "too much"},
            {"indicator": "1", "action": "score", "score": "50", "justification": "too high"},
        ],
    }
    with pytest.raises(SheetRejected) as excinfo:
        sheets.import_sheet(json.dumps(spec).encode(), "case.json", by=actor)

    assert [r["column"] for r in excinfo.value.rows] == ["actions[1]", "actions[2]"]
    assert excinfo.value.rows[0]["message"].startswith("「乙」（2）")
    assert recorded(service) == 0


def test_history_report_has_one_row_per_event(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor, reference_case: dict[str, Any]
) -> None:
    document = service.import_evaluation(reference_case, actor).document()

    report = sheets.history_report(document["id"])

    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["版本", "记录时间(UTC)", "记录时间(本地)", "事件类型"]
    assert len(rows) == 1 + document["version"]


def test_xlsx_report_as_of_a_version_shows_that_version(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor, reference_case: dict[str, Any]
) -> None:
    document = service.import_evaluation(reference_case, actor).document()
    service.record_deduction(document["id"], "4.2.1", points="1", reason="新发现", by=actor)

    then = sheets.report(document["id"], "xlsx", version=document["version"])
    now = sheets.report(document["id"], "xlsx")

    assert then.filename.endswith(f"-v{document['version']}.xlsx")
    assert "88.66" in _cells(then.content)
    assert "87.66" in _cells(now.content)


def _cells(data: bytes) -> str:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)


def test_a_rule_leaf_with_part_of_its_data_keeps_its_method_and_is_refused_on_its_field(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor
) -> None:
    spec = {
        "evaluation": {"title": "t", "subject": "s", "fiscal_year": 2022, "kind": "project"},
        "indicators": [
            {"code": "1", "name": "执行率", "weight": "100", "method": "ratio", "numerator": "支出"}
        ],
    }
    with pytest.raises(SheetRejected) as excinfo:
        sheets.import_sheet(json.dumps(spec).encode(), "case.json", by=actor)

    assert [r["column"] for r in excinfo.value.rows] == ["indicators[0].method"]
    assert "numerator and denominator" in excinfo.value.rows[0]["message"]
    assert recorded(service) == 0


def test_a_total_weight_the_top_indicators_do_not_sum_to_is_pinned_to_that_field(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor
) -> None:
    with pytest.raises(SheetRejected) as excinfo:
        sheets.import_sheet(xlsx(merged_table()), "a.xlsx", {"total_weight": "100"}, by=actor)

    assert [(r["sheet"], r["column"]) for r in excinfo.value.rows] == [("评分表", "total_weight")]
    assert "26" in excinfo.value.rows[0]["message"]
    assert recorded(service) == 0


def test_expected_figures_in_the_json_that_do_not_recompute_are_flagged(
    sheets: SheetTransfer, actor: Actor, reference_case: dict[str, Any]
) -> None:
    reference_case["expected"]["total"] = "90.00"
    reference_case["expected"]["leaves"]["4.4.1"] = "6.98"

    result = sheets.import_sheet(json.dumps(reference_case).encode(), "case.json", by=actor)

    assert result["total"] == "88.66"
    assert [w["column"] for w in result["warnings"]] == ["expected.total", "expected.leaves.4.4.1"]


def test_a_json_report_imports_back_with_each_deduction_its_evidence_and_the_override(
    service: EvaluationService, sheets: SheetTransfer, actor: Actor, reference_case: dict[str, Any]
) -> None:
    original = service.import_evaluation(reference_case, actor).document()
    service.record_score(
        original["id"], "3.1.1", score="6", justification="复核后认可部分场次", by=actor
    )
    report = sheets.report(original["id"], "json")

    again = by_code(sheets.import_sheet(report.content, report.filename, by=actor)["evaluation"])

    leaf = again["3.1.1"]
    assert (leaf["score"], leaf["rule_score"], leaf["overridden"]) == ("6.00", "5.00", True)
    assert leaf["override_justification"] == "复核后认可部分场次"
    assert [(d["points"], d["evidence"][0]["title"]) for d in leaf["deductions"]] == [
        ("2.00", "2022年度创业服务活动完成情况表")
    ]
    assert again["2.2.2"]["deductions"][0]["reason"].startswith("根据区人社局对运营单位")


def test_a_dry_run_counts_the_events_the_import_then_records(
    sheets: SheetTransfer, actor: Actor
) -> None:
    data = xlsx(merged_table())  # its 合计 row is kept as a reported figure: one event more
    preview = sheets.import_sheet(data, "annex.xlsx", by=actor, dry_run=True)
    done = sheets.import_sheet(data, "annex.xlsx", by=actor)
    assert "ReportedFigureRecorded" in [e["type"] for e in preview["events"]]
    assert preview["event_count"] == done["event_count"] == done["evaluation"]["version"]
