"""`scoretrail verify` and `scoretrail replay --check`: exit status says whether all is well."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import update

from adapters.bootstrap import build_service
from adapters.history_tables import BY_SOURCE
from adapters.integrity import ChainedRecorder
from adapters.tables import evaluations
from application.service import EvaluationService
from domain.evaluation import Actor
from tests.cases import mixed_case
from web.cli import main

SECRET = "cli-test-secret"


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/store.sqlite3"


@pytest.fixture
def stored(url: str, actor: Actor) -> tuple[EvaluationService, list[str]]:
    service = build_service(url, SECRET)
    ids = [str(service.import_evaluation(mixed_case(), actor).id) for _ in range(3)]
    return service, ids


def run(url: str, *args: str, secret: str = SECRET) -> Result:
    return CliRunner().invoke(
        main, [*args, "--database-url", url], env={"SCORETRAIL_SECRET": secret}
    )


def test_verify_one_evaluation_prints_its_head_and_exits_zero(
    url: str, stored: tuple[EvaluationService, list[str]]
) -> None:
    _, ids = stored
    result = run(url, "verify", ids[0])
    assert result.exit_code == 0, result.output
    assert f"ok      {ids[0]}" in result.output
    assert "1 of 1 evaluations verified" in result.output


def test_verify_all_names_the_broken_evaluation_and_exits_non_zero(
    url: str, stored: tuple[EvaluationService, list[str]]
) -> None:
    service, ids = stored
    recorder = service.store.recorder
    assert isinstance(recorder, ChainedRecorder)
    table = recorder.events_record_cls.__table__
    with recorder.transaction(commit=True) as session:
        session.execute(
            update(table)
            .where(table.c.originator_id == UUID(ids[1]), table.c.originator_version == 3)
            .values(topic="domain.evaluation:Evaluation.Finalized")
        )
    result = run(url, "verify", "--all")
    assert result.exit_code == 1
    assert f"BROKEN  {ids[1]}  at version 3" in result.output
    assert "2 of 3 evaluations verified" in result.output


def test_verify_with_another_secret_fails(
    url: str, stored: tuple[EvaluationService, list[str]]
) -> None:
    _, ids = stored
    result = run(url, "verify", ids[0], secret="another-secret")
    assert result.exit_code == 1
    assert "at version 1" in result.output


def test_verify_needs_an_id_or_all(url: str, stored: tuple[EvaluationService, list[str]]) -> None:
    assert run(url, "verify").exit_code == 2


def test_replay_check_passes_on_a_healthy_store_and_names_a_corrupted_row(
    url: str, stored: tuple[EvaluationService, list[str]]
) -> None:
    service, ids = stored
    healthy = run(url, "replay", "--check")
    assert healthy.exit_code == 0, healthy.output
    assert "read models match" in healthy.output
    with service.unit_of_work.transaction() as session:
        session.execute(update(evaluations).where(evaluations.c.id == ids[2]).values(grade="优"))
    broken = run(url, "replay", "--check")
    assert broken.exit_code == 1
    assert f"DIFF rm_evaluations[id={ids[2]}].grade: live '优', replay '良'" in broken.output


def test_replay_check_names_a_past_document_that_differs_from_a_replay(
    url: str, stored: tuple[EvaluationService, list[str]]
) -> None:
    service, ids = stored
    history = BY_SOURCE[evaluations].history
    with service.unit_of_work.transaction() as session:
        session.execute(update(history).where(history.c.id == ids[0]).values(title="改"))
    broken = run(url, "replay", "--check", "--samples", "2")
    assert broken.exit_code == 1
    # the edited row fails its seal: the past document is refused, the row named
    assert (
        f"DIFF temporal document[evaluation_id={ids[0]}, version=1, deductions=active]"
        ".integrity_problem: live 'a stored row of this past score sheet does not match its "
        f"seal: rm_evaluations_history (id={ids[0]}, versions 1–" in broken.output
    )
    assert "DIFF rm_evaluations_history[" in broken.output


def test_commands_refuse_production_without_a_secret(
    url: str, stored: tuple[EvaluationService, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCORETRAIL_ENV", "production")
    monkeypatch.delenv("SCORETRAIL_SECRET", raising=False)
    result = CliRunner().invoke(main, ["verify", "--all", "--database-url", url])
    assert result.exit_code == 1
    assert "SCORETRAIL_SECRET is not set" in result.output
