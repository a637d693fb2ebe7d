"""The embedded SQLite store: durable across restarts, atomic, rebuildable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from adapters import tables
from adapters.bootstrap import build_service
from domain.evaluation import Actor, event_class


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store' / 'scoretrail.sqlite3'}"


def test_evaluation_survives_a_restart(
    url: str, reference_case: dict[str, Any], actor: Actor
) -> None:
    first = build_service(url)
    evaluation_id = first.import_evaluation(reference_case, actor).id
    first.record_deduction(evaluation_id, "2.1.3", points="1", reason="r", by=actor)
    again = build_service(url)
    document = again.document(evaluation_id)
    assert document["total"] == "87.66"
    assert document == again.replayed_document(evaluation_id)


def test_a_failing_projection_leaves_neither_events_nor_rows(
    url: str, reference_case: dict[str, Any], actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = build_service(url)
    evaluation_id = service.import_evaluation(reference_case, actor).id
    version = service.document(evaluation_id)["version"]

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    service.projection.handlers[event_class("DeductionRecorded")] = broken
    with pytest.raises(RuntimeError):
        service.record_deduction(evaluation_id, "2.1.3", points="1", reason="r", by=actor)
    fresh = build_service(url)
    assert fresh.replayed_document(evaluation_id)["version"] == version
    assert fresh.document(evaluation_id)["version"] == version


def test_read_models_are_rebuilt_when_their_schema_version_changes(
    url: str, reference_case: dict[str, Any], actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = build_service(url)
    evaluation_id = service.import_evaluation(reference_case, actor).id
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE rm_evaluations SET total = '1.00'"))
    monkeypatch.setattr(tables, "SCHEMA_VERSION", tables.SCHEMA_VERSION + 1)
    monkeypatch.setattr("adapters.projection.SCHEMA_VERSION", tables.SCHEMA_VERSION)
    rebuilt = build_service(url)
    assert rebuilt.document(evaluation_id)["total"] == "88.66"


def test_rebuild_projections_command_restores_dropped_rows(
    url: str, reference_case: dict[str, Any], actor: Actor
) -> None:
    from click.testing import CliRunner

    from web.cli import main

    service = build_service(url)
    evaluation_id = service.import_evaluation(reference_case, actor).id
    expected = service.document(evaluation_id)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM rm_indicators"))
    result = CliRunner().invoke(main, ["rebuild-projections", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert f"from {expected['version']} events" in result.output
    assert build_service(url).document(evaluation_id) == expected


def test_load_command_prints_the_id_last_and_skips_a_loaded_file(url: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tests.conftest import REFERENCE
    from web.cli import main

    runner = CliRunner()
    first = runner.invoke(main, ["load", str(REFERENCE), "--database-url", url])
    assert first.exit_code == 0, first.output
    evaluation_id = first.output.strip().splitlines()[-1]
    assert build_service(url).document(evaluation_id)["total"] == "88.66"
    again = runner.invoke(main, ["load", "--skip-existing", str(REFERENCE), "--database-url", url])
    assert again.output.strip().splitlines()[-1] == evaluation_id
    assert build_service(url).list_evaluations({})["total"] == 1


def test_load_command_transcribes_each_paper_sign_off_as_its_capacitys_party(url: str) -> None:
    from click.testing import CliRunner

    from tests.conftest import EXAMPLES
    from web.cli import main

    example = EXAMPLES / "county-water-supply-self-evaluation-2025.json"
    loaded = CliRunner().invoke(
        main, ["load", str(example), "--actor", "录入员", "--database-url", url]
    )
    assert loaded.exit_code == 0, loaded.output
    document = build_service(url).document(loaded.output.strip().splitlines()[-1])
    assert [(s["capacity"], s["actor"], s["role"]) for s in document["sign_offs"]] == [
        ("评价组组长", "录入员", "evaluator"),
        ("部门负责人", "录入员（代录）", "subject"),
    ]


def test_load_command_refuses_a_broken_file_and_records_nothing(url: str, tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from tests.conftest import REFERENCE
    from web.cli import main

    case = json.loads(REFERENCE.read_text(encoding="utf-8"))
    case["actions"].append(
        {"indicator": "3.1.1", "action": "deduct", "points": "50", "reason": "r"}
    )
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["load", str(broken), "--database-url", url])
    assert result.exit_code != 0
    assert "nothing recorded" in result.output
    assert build_service(url).list_evaluations({})["total"] == 0
