"""`scoretrail import` and `scoretrail export` on a SQLite file."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from adapters.bootstrap import build_service
from tests.conftest import REFERENCE
from tests.sheet_files import HEADER, HEADER_FIELDS, MERGES, merged_table, national_form, xlsx
from web import cli, console
from web.cli import main


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


def run(database: str, *args: str) -> Any:
    return CliRunner().invoke(main, [*args, "--database-url", database])


def evaluations(database: str) -> int:
    return int(build_service(database).list_evaluations({})["total"])


def test_import_prints_the_new_id_last_and_records_under_the_given_actor(
    database: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "annex.xlsx"
    sheet.write_bytes(xlsx(merged_table(), merges=MERGES))

    result = run(database, "import", str(sheet), "--actor", "dora")

    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert "total 23.73" in lines[-2]
    service = build_service(database)
    document = service.document(lines[-1])
    assert document["total"] == "23.73"
    assert {e["actor"] for e in service.history(lines[-1])["items"]} == {"dora"}
    assert "warning:" in result.stderr  # checklist and ratio rows imported as manual


def test_import_reads_a_national_form_without_options(database: str, tmp_path: Path) -> None:
    sheet = tmp_path / "项目支出绩效自评表.xlsx"
    sheet.write_bytes(national_form())

    result = run(database, "import", str(sheet))

    assert result.exit_code == 0, result.output
    document = build_service(database).document(result.stdout.strip().splitlines()[-1])
    assert (document["subject"], document["fiscal_year"], document["kind"]) == (
        "某区文化馆",
        2023,
        "self-evaluation",
    )
    assert document["funds"]["total"]["executed"] == "119.76"


def test_import_takes_header_fields_from_options(database: str, tmp_path: Path) -> None:
    sheet = tmp_path / "plain.csv"
    sheet.write_text("一级指标,二级指标,分值,得分\n决策,立项,5,4\n", encoding="utf-8")

    result = run(
        database,
        "import",
        str(sheet),
        "--title",
        "某项目评价",
        "--subject",
        HEADER_FIELDS["subject"],
        "--fiscal-year",
        HEADER_FIELDS["fiscal_year"],
        "--kind",
        HEADER_FIELDS["kind"],
    )

    assert result.exit_code == 0, result.output
    document = build_service(database).document(result.stdout.strip().splitlines()[-1])
    assert (document["title"], document["fiscal_year"], document["total"]) == (
        "某项目评价",
        2022,
        "4.00",
    )


def test_dry_run_prints_the_events_total_and_grade_and_records_nothing(
    database: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "annex.xlsx"
    sheet.write_bytes(xlsx(merged_table()))

    result = run(database, "import", str(sheet), "--dry-run")

    assert result.exit_code == 0, result.output
    assert "Created" in result.stdout
    assert "DeductionRecorded  2.2.1: -1.00 未能对项目运营进行有效监管" in result.stdout
    assert "total 23.73, grade 优" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "nothing recorded"
    assert evaluations(database) == 0


def test_a_bad_sheet_lists_its_rows_exits_non_zero_and_records_nothing(
    database: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "bad.xlsx"
    sheet.write_bytes(xlsx([HEADER, ["决策", "立项", "依据", "三分", None, None, 3]]))

    result = run(database, "import", str(sheet), "--subject", "s", "--kind", "k")

    assert result.exit_code == 1
    assert "评分表, row 2, column D" in result.stderr
    assert "nothing recorded" in result.stderr
    assert result.stdout == ""
    assert evaluations(database) == 0


def test_a_large_sheet_shows_a_progress_bar_while_its_rows_are_read(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    updates: list[tuple[float | None, float | None]] = []

    class RecordingProgress(console.Progress):
        def update(self, task: Any, **kw: Any) -> None:
            updates.append((kw.get("completed"), kw.get("total")))
            super().update(task, **kw)

    monkeypatch.setattr(cli, "LARGE_SHEET_ROWS", 20)  # keeps the test fast; the real bar is 500
    monkeypatch.setattr(console, "Progress", RecordingProgress)
    lines = ["一级指标,二级指标,分值,得分"] + [f"组{n // 5},项{n},1,1" for n in range(30)]
    sheet = tmp_path / "large.csv"
    sheet.write_text("\n".join(lines), encoding="utf-8")

    result = run(
        database,
        *("import", str(sheet), "--subject", "s", "--kind", "k", "--fiscal-year", "2022"),
        *("--total-weight", "30"),
    )

    assert result.exit_code == 0, result.output
    assert updates[-1] == (30, 30)
    document = build_service(database).document(result.stdout.strip().splitlines()[-1])
    assert document["total"] == "30.00"


def test_a_small_sheet_shows_no_progress_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[bool] = []
    monkeypatch.setattr(console.Progress, "start", lambda self: started.append(True))

    with cli.sheet_progress() as report:
        report(10, 10)

    assert started == []


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A store with the reference case imported, shared by the export tests (they only read)."""
    database = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'cli.sqlite3'}"
    result = run(database, "import", str(REFERENCE))
    assert result.exit_code == 0, result.output
    return database, str(result.stdout.strip().splitlines()[-1])


def test_export_writes_an_xlsx_file(loaded: tuple[str, str], tmp_path: Path) -> None:
    database, reference_id = loaded
    target = tmp_path / "report.xlsx"

    result = run(database, "export", reference_id, "--format", "xlsx", "--output", str(target))

    assert result.exit_code == 0, result.output
    sheet = load_workbook(io.BytesIO(target.read_bytes())).active
    assert sheet is not None
    assert sheet["A1"].value == "创业孵化基地运营项目 2022年度绩效评价"


def test_export_csv_to_standard_output_starts_with_a_bom(loaded: tuple[str, str]) -> None:
    database, reference_id = loaded
    result = run(database, "export", reference_id, "--format", "csv")

    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
    assert "88.66" in result.stdout_bytes.decode("utf-8-sig")


def test_export_at_a_version_and_then_import_round_trips(
    loaded: tuple[str, str], tmp_path: Path
) -> None:
    database, reference_id = loaded
    target = tmp_path / "v.csv"
    service = build_service(database)
    version = service.document(reference_id)["version"]

    exported = run(
        database,
        "export",
        reference_id,
        "--format",
        "csv",
        "--version",
        str(version),
        "-o",
        str(target),
    )
    imported = run(database, "import", str(target))

    assert exported.exit_code == 0 and imported.exit_code == 0, imported.output
    again = build_service(database).document(imported.stdout.strip().splitlines()[-1])
    assert (again["total"], again["grade"]) == ("88.66", "良")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2000-01-01T00:00:00"], "did not exist"),
        (["--as-of", "yesterday"], "not an ISO-8601 time"),
        (["--version", "2", "--as-of", "2026-01-01T00:00:00Z"], "not both"),
    ],
)
def test_export_refuses_bad_anchors(loaded: tuple[str, str], args: list[str], message: str) -> None:
    database, reference_id = loaded
    result = run(database, "export", reference_id, "--format", "json", *args)

    assert result.exit_code != 0
    assert message in result.output
