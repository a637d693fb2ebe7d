"""The console: list and history with the API's filters, one-line errors, the key warning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.bootstrap import build_evidence, build_service
from domain.evaluation import Actor
from tests.cases import small_case
from web import cli
from web.cli import main

UNKNOWN = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


@pytest.fixture
def evaluation_id(database: str) -> str:
    service = build_service(database)
    first = service.import_evaluation(small_case(), Actor("alice", "evaluator", "t")).document()[
        "id"
    ]
    other = small_case("另一个单位")
    other["evaluation"]["fiscal_year"] = 2024
    service.import_evaluation(other, Actor("bob", "evaluator", "t"))
    service.submit(first, by=Actor("rita", "reviewer", "t"))
    service.record_deduction(
        first, "1.1", points="1", reason="补查发现问题", by=Actor("rita", "reviewer", "t")
    )
    return str(first)


def run(database: str, *args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, [*args, "--database-url", database], env=env)


def test_list_takes_the_apis_filters(database: str, evaluation_id: str) -> None:
    everything = run(database, "list", "--json")
    assert everything.exit_code == 0, everything.output
    assert len(everything.stdout.strip().splitlines()) == 2
    only_2024 = run(database, "list", "--fiscal-year", "2024", "--json")
    [line] = only_2024.stdout.strip().splitlines()
    assert json.loads(line)["subject"] == "另一个单位"
    submitted = run(database, "list", "--status", "submitted")
    assert evaluation_id in submitted.stdout and "另一个单位" not in submitted.stdout


def test_history_since_submission_and_by_person(database: str, evaluation_id: str) -> None:
    since = run(database, "history", evaluation_id, "--from", "submission", "--json")
    assert since.exit_code == 0, since.output
    items = [json.loads(line) for line in since.stdout.strip().splitlines()]
    assert items[0]["type"] == "Submitted" and {i["actor"] for i in items} == {"rita"}
    assert "补查发现问题" in {i["reason"] for i in items}
    by_alice = run(database, "history", evaluation_id, "--actor", "alice", "--type", "Submitted")
    assert by_alice.exit_code == 0 and by_alice.stdout.strip() == ""


def test_a_wrong_database_url_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = run("postgresql+psycopg://nobody:hunter2@127.0.0.1:1/none", "list")
    assert result.exit_code == 1
    lines = [line for line in result.output.strip().splitlines() if not line.startswith("warn")]
    assert len(lines) == 1 and lines[0].startswith("Error: cannot open the store")
    assert "hunter2" not in result.output and "Traceback" not in result.output
    nonsense = run("nosuchdb://x", "list")
    assert nonsense.exit_code == 1 and "Traceback" not in nonsense.output


def test_a_wrong_id_is_one_line(database: str, evaluation_id: str, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = run(database, "export", UNKNOWN, "--format", "html", "--output", str(out))
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == f"Error: evaluation {UNKNOWN} does not exist"


def test_verify_of_an_unknown_id_says_not_found(database: str, evaluation_id: str) -> None:
    result = run(database, "verify", UNKNOWN)
    assert result.exit_code == 1
    assert "not found" in result.output and "BROKEN" not in result.output


def test_commands_warn_when_the_development_key_is_in_use(
    database: str, evaluation_id: str
) -> None:
    warned = run(database, "list", env={"SCORETRAIL_SECRET": ""})
    assert "SCORETRAIL_SECRET is not set" in warned.stderr
    quiet = run(database, "list", env={"SCORETRAIL_SECRET": "a real secret"})
    assert "SCORETRAIL_SECRET" not in quiet.stderr


def test_export_refuses_a_binary_to_a_terminal(
    database: str, evaluation_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "stdout_is_terminal", lambda: True)
    for fmt in ("xlsx", "pdf"):
        result = run(database, "export", evaluation_id, "--format", fmt)
        assert result.exit_code == 1
        assert f"{fmt} is binary" in result.output


def test_export_writes_the_record_as_pdf(database: str, evaluation_id: str, tmp_path: Path) -> None:
    out = tmp_path / "record.pdf"
    result = run(database, "export", evaluation_id, "--format", "pdf", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")


def test_verify_at_the_console_names_a_swapped_evidence_file(
    database: str, evaluation_id: str, tmp_path: Path
) -> None:
    service = build_service(database)
    files = build_evidence(service, database)
    file = files.upload(
        evaluation_id,
        name="审计底稿.pdf",
        media_type="application/pdf",
        content=b"%PDF-1.4 original",
        by=Actor("rita", "reviewer", "t"),
    )
    packet = tmp_path / "packet.json"
    exported = run(database, "export-audit", evaluation_id, str(packet), "--with-evidence")
    assert exported.exit_code == 0, exported.output
    copied = tmp_path / "packet-evidence" / file["sha256"]
    assert copied.read_bytes() == b"%PDF-1.4 original"
    assert (
        json.loads(packet.read_text())["evidence"][0]["file"] == f"packet-evidence/{file['sha256']}"
    )
    assert run(database, "verify", evaluation_id).exit_code == 0

    stored = tmp_path / "evidence" / file["sha256"][:2] / file["sha256"]  # beside the SQLite file
    stored.chmod(0o644)
    stored.write_bytes(b"%PDF-1.4 swapped")
    result = run(database, "verify", evaluation_id)
    assert result.exit_code == 1
    assert "BROKEN" in result.output and "审计底稿.pdf" in result.output
